/** An image, large, in a dialog: opened from an image's card once it has downloaded. */
import type { JSX } from 'preact'
import { Dialog } from '../dialog.tsx'

/** Shows `src` fitted to the window, with Save. */
export function ImageViewer ({ name, src, onClose, onSave }: { name: string, src: string, onClose: () => void, onSave: () => void }): JSX.Element {
  return (
    <Dialog title={name} onClose={onClose} testId='image-viewer' wide>
      <div class='image-viewer'>
        <img src={src} alt={name} />
      </div>
      <div class='dialog-actions'>
        <button type='button' class='button' onClick={onSave}>Save</button>
      </div>
    </Dialog>
  )
}
