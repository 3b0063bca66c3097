/**
 * A message in one line, as the conversation list's preview, a reply quote and the composer's
 * "Replying to" show it: its text, or for a file message "🖼 Photo" or "🎬 Video" (or their
 * caption) and "📎 report.pdf" (with its caption after a dot). Kept apart so that the page's
 * start-up JS and the CLI take only this.
 */

/** `text` (white space folded), or the line of a file message; '' (deleted) stays ''. */
export function messageSnippet (text: string, file: { readonly name: string, readonly mimeType: string } | undefined): string {
  const said = text.replace(/\s+/g, ' ').trim()
  if (file === undefined) return said
  if (file.mimeType.startsWith('image/')) return `🖼 ${said !== '' ? said : 'Photo'}`
  if (file.mimeType.startsWith('video/')) return `🎬 ${said !== '' ? said : 'Video'}`
  return `📎 ${file.name}${said !== '' ? ` · ${said}` : ''}`
}
