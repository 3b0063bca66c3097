/**
 * The files UI, loaded on first use (ui/lazy-files.tsx): file cards in the timeline and the chips
 * of files attached in the composer, with their styles.
 */
import './files.css'

export { FileCard } from './file-card.tsx'
export { AttachmentTray } from './attachment-tray.tsx'
