/**
 * How files read in the UI: sizes, speeds, time left and a type for the card's icon. Pure
 * functions, tested in test/unit/web/ui/format-files.test.ts.
 */

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const

/** "512 B", "1.4 MB", "12 MB", "2.1 GB": binary multiples, as file managers show them. */
export function formatBytes (bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?'
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  if (unit === 0) return `${value} B`
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${UNITS[unit]}`
}

/** "3.2 MB/s". */
export function formatSpeed (bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`
}

/** "5 s left", "3 min left", "1 h 20 min left"; null when unknown. */
export function formatTimeLeft (seconds: number | null): string | null {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return null
  if (seconds < 60) return `${Math.max(1, Math.ceil(seconds))} s left`
  const minutes = Math.ceil(seconds / 60)
  if (minutes < 60) return `${minutes} min left`
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min left`
}

/** The family a file's type or name puts it in, for its icon. */
export type FileKind = 'image' | 'video' | 'audio' | 'pdf' | 'archive' | 'text' | 'other'

/** Which icon a file gets. */
export function fileKind (mimeType: string, name: string): FileKind {
  const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : ''
  if (mimeType.startsWith('image/')) return 'image'
  if (mimeType.startsWith('video/')) return 'video'
  if (mimeType.startsWith('audio/')) return 'audio'
  if (mimeType === 'application/pdf' || ext === 'pdf') return 'pdf'
  if (/zip|tar|gzip|compressed|x-7z|x-rar/.test(mimeType) || ['zip', 'tar', 'gz', 'tgz', '7z', 'rar', 'xz', 'bz2'].includes(ext)) return 'archive'
  if (mimeType.startsWith('text/') || ['txt', 'md', 'csv', 'json', 'log'].includes(ext)) return 'text'
  return 'other'
}

/** The file's extension in capitals for the icon's label ("PDF", "ZIP"), at most 4 letters. */
export function extensionLabel (name: string): string {
  const dot = name.lastIndexOf('.')
  if (dot <= 0 || dot === name.length - 1) return ''
  return name.slice(dot + 1, dot + 5).toUpperCase()
}
