/**
 * Reply quotes kept current: a reply carries a copy of the text it quotes, so an edit or delete of
 * the quoted message must reach every loaded reply at once, not only after a reload.
 */
import type { Message } from './types.ts'

/** Replies quoting `quoted` show its text as it is now: edited, or '' and no file once deleted. */
export function requote (list: readonly Message[], quoted: Message): readonly Message[] {
  const text = quoted.deleted ? '' : quoted.text
  const stale = (m: Message): boolean => m.replyTo?.id === quoted.id && (m.replyTo.text !== text || (quoted.deleted && m.replyTo.file !== undefined))
  if (!list.some(stale)) return list
  return list.map((m) => {
    if (!stale(m) || m.replyTo === null) return m
    const { file: _, ...unfiled } = m.replyTo
    return { ...m, replyTo: { ...(quoted.deleted ? unfiled : m.replyTo), text } }
  })
}
