/**
 * The MIME type an offer from the CLI declares for a file, from its extension (the browser takes
 * the one its File object has).
 */
import { extname } from 'node:path'

const MIME_TYPES: Record<string, string> = {
  '.txt': 'text/plain', '.md': 'text/markdown', '.html': 'text/html', '.json': 'application/json', '.pdf': 'application/pdf',
  '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp', '.svg': 'image/svg+xml',
  '.mp4': 'video/mp4', '.webm': 'video/webm', '.mov': 'video/quicktime', '.mp3': 'audio/mpeg', '.ogg': 'audio/ogg', '.wav': 'audio/wav',
  '.zip': 'application/zip', '.gz': 'application/gzip', '.tar': 'application/x-tar'
}

/** The MIME type of a file, from its extension. */
export function mimeTypeOf (path: string): string {
  return MIME_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream'
}
