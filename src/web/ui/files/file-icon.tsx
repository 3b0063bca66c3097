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

function strokeIcon (paths: JSX.Element) {
  return function Icon (): JSX.Element {
    return (
      <svg class='icon' width={18} height={18} viewBox='0 0 24 24' fill='none' stroke='currentColor' stroke-width='1.8'
        stroke-linecap='round' stroke-linejoin='round' aria-hidden='true' focusable='false'>{paths}</svg>
    )
  }
}

/** Open (an arrow out of a box). */
export const IconOpen = strokeIcon(<><path d='M14 4h6v6M20 4l-9 9' /><path d='M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5' /></>)
/** Save (an arrow into a tray). */
export const IconSave = strokeIcon(<><path d='M12 4v11M7.5 10.5 12 15l4.5-4.5' /><path d='M4 16v3a1 1 0 0 0 1 1h14a1 1 0 0 0 1-1v-3' /></>)
/** Remove from this device (a bin). */
export const IconRemove = strokeIcon(<><path d='M4 7h16M9.5 7V4.5h5V7M18 7l-.8 12.1a1.5 1.5 0 0 1-1.5 1.4H8.3a1.5 1.5 0 0 1-1.5-1.4L6 7' /><path d='M10 11v5.5M14 11v5.5' /></>)
/** Pause (two bars). */
export const IconPause = strokeIcon(<path d='M9 5.5v13M15 5.5v13' />)
/** Resume (a play mark). */
export const IconResume = strokeIcon(<path d='M8 5.5v13l10-6.5z' />)
/** Cancel (a cross). */
export const IconCancel = strokeIcon(<path d='M6.5 6.5l11 11M17.5 6.5l-11 11' />)
