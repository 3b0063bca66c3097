/** The order of the conversation list. */
import type { Conversation } from './types.ts'

/**
 * Sorts `list` in place, newest first: by its newest message, or, for a conversation with none
 * yet (a group just made or joined), by when this device created or joined it.
 */
export function sortConversations (list: Conversation[]): Conversation[] {
  const at = (c: Conversation): number => c.lastMessage?.sentAt ?? c.since
  return list.sort((a, b) => at(b) - at(a))
}
