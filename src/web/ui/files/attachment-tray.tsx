/**
 * Files attached in the composer and not yet sent: one chip each, with a preview for images, the
 * name and size, and a button that removes it. The composer's text becomes the caption.
 */
import type { JSX } from 'preact'
import { IconClose } from '../icons.tsx'
import { FileIcon } from './file-icon.tsx'
import { formatBytes } from './format-files.ts'
import { useObjectUrl } from './use-transfers.ts'
import { FileName } from './file-name.tsx'

function Chip ({ file, onRemove }: { file: File, onRemove: () => void }): JSX.Element {
  const preview = useObjectUrl(file.type.startsWith('image/') ? async () => file : null, [file])
  return (
    <li class='attachment-chip' data-testid='attachment-chip'>
      {preview !== null ? <img class='attachment-preview' src={preview} alt='' /> : <FileIcon mimeType={file.type} name={file.name} size={32} />}
      <span class='attachment-text'>
        <FileName name={file.name} cls='attachment-name' />
        <span class='attachment-size'>{formatBytes(file.size)}</span>
      </span>
      <button type='button' class='icon-button attachment-remove' data-testid='attachment-remove' aria-label={`Remove ${file.name}`} title='Remove' onClick={onRemove}>
        <IconClose size={16} />
      </button>
    </li>
  )
}

/** The chips of the files waiting to be sent. */
export function AttachmentTray ({ files, onRemove }: { files: readonly File[], onRemove: (index: number) => void }): JSX.Element {
  return (
    <ul class='attachment-tray' data-testid='attachment-tray' aria-label='Files to send'>
      {files.map((file, i) => <Chip key={`${file.name}-${file.size}-${file.lastModified}-${i}`} file={file} onRemove={() => onRemove(i)} />)}
    </ul>
  )
}
