/**
 * A file name cut in the middle when it does not fit, so that its end stays readable:
 * "Quarterly report Q3 2…the board).pdf", never "Quarterly report Q3 2…". The whole name is the
 * element's title and its accessible text.
 */
import type { JSX } from 'preact'

/** Characters kept whole at the end: the extension and a few before it. */
function tailLength (name: string): number {
  const dot = name.lastIndexOf('.')
  const extension = dot > 0 && name.length - dot <= 10 ? name.length - dot : 0
  return Math.min(name.length, extension + 5)
}

/** `name` in one line, ellipsised before its last characters when it is too long. */
export function FileName ({ name, cls }: { name: string, cls: string }): JSX.Element {
  const cut = name.length - tailLength(name)
  return (
    <span class={`file-name-cut ${cls}`} title={name} dir='auto'>
      <span class='file-name-head'>{name.slice(0, cut)}</span>
      <span class='file-name-tail'>{name.slice(cut)}</span>
    </span>
  )
}
