/**
 * Reply quotes kept current: a reply carries a copy of the text it quotes, so an edit or delete of
 * the quoted message must reach every loaded reply at once, not only after a reload.
 */
import type { Message } from './types.ts'

/** Replies quoting `quoted` show its text as it is now: edited, or '' once deleted. */
export function requote (list: readonly Message[], quoted: Message): readonly Message[] {
  const text = quoted.deleted ? '' : quoted.text
  if (!list.some((m) => m.replyTo?.id === quoted.id && m.replyTo.text !== text)) return list
  return list.map((m) => (m.replyTo?.id === quoted.id && m.replyTo.text !== text ? { ...m, replyTo: { ...m.replyTo, text } } : m))
}
