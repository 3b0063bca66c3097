/** The icon of a file card or chip: a page shape coloured by the file's family, with its extension. */
import type { JSX } from 'preact'
import { extensionLabel, fileKind } from './format-files.ts'

/** A file's type icon. */
export function FileIcon ({ mimeType, name, size = 40 }: { mimeType: string, name: string, size?: number }): JSX.Element {
  const kind = fileKind(mimeType, name)
  const label = extensionLabel(name)
  return (
    <span class={`file-icon file-icon-${kind}`} style={`--size:${size}px`} aria-hidden='true'>
      <svg width={size} height={size} viewBox='0 0 40 40' fill='none'>
        <path d='M10 3.5h14l9.5 9.5v22a2 2 0 0 1-2 2h-21.5a2 2 0 0 1-2-2v-29.5a2 2 0 0 1 2-2z' fill='currentColor' opacity='0.16' />
        <path d='M10 3.5h14l9.5 9.5v22a2 2 0 0 1-2 2h-21.5a2 2 0 0 1-2-2v-29.5a2 2 0 0 1 2-2z' stroke='currentColor' stroke-width='1.6' />
        <path d='M24 3.5v7.5a2 2 0 0 0 2 2h7.5' stroke='currentColor' stroke-width='1.6' />
      </svg>
      {label !== '' && <span class='file-icon-label'>{label}</span>}
    </span>
  )
}
