/**
 * The files UI (ui/files/), loaded the first time a file shows or is attached: its code and
 * styles stay out of the JavaScript every page load fetches (the browser's 300 KB budget).
 */
import type { JSX } from 'preact'
import type { Message } from '../client/types.ts'
import { lazyChunk, useLazyChunk } from './lazy-chunk.ts'

const filesUi = lazyChunk(async () => await import('./files/files.tsx'))

/** A FILE message's card; a placeholder of the same size while it loads. */
export function LazyFileCard ({ message }: { message: Message }): JSX.Element {
  const m = useLazyChunk(filesUi, 'Files')
  if (typeof m === 'string') return <p class='field-error' role='alert'>{m}</p>
  return m === null ? <div class='file-card-placeholder' data-testid='file-card-loading' /> : <m.FileCard message={message} />
}

/** The chips of files attached in the composer. */
export function LazyAttachmentTray ({ files, onRemove }: { files: readonly File[], onRemove: (index: number) => void }): JSX.Element | null {
  const m = useLazyChunk(filesUi, 'Files')
  if (typeof m === 'string') return <p class='field-error' role='alert'>{m}</p>
  return m === null ? null : <m.AttachmentTray files={files} onRemove={onRemove} />
}
