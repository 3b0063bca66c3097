/** A round avatar: the person's initials on a soft colour derived from their identity. */
import type { JSX } from 'preact'
import { avatarHue, initials } from './format.ts'
import { IconUsers } from './icons.tsx'

/** Props of {@link Avatar}. */
export interface AvatarProps {
  readonly name: string
  /** Stable seed for the colour: an identity, or a conversation id for groups. */
  readonly seed: string
  readonly size?: 'sm' | 'md' | 'lg'
  readonly group?: boolean
}

/** Decorative: the name next to it is what screen readers read. */
export function Avatar ({ name, seed, size = 'md', group = false }: AvatarProps): JSX.Element {
  return (
    <span class={`avatar avatar-${size}`} style={`--hue:${avatarHue(seed)}`} aria-hidden='true'>
      {group ? <IconUsers size={size === 'sm' ? 16 : size === 'lg' ? 30 : 22} /> : initials(name)}
    </span>
  )
}
