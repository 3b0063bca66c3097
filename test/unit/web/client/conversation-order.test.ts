import { describe, expect, it } from 'vitest'
import { sortConversations } from '../../../../src/web/client/conversation-order.ts'
import type { Conversation } from '../../../../src/web/client/types.ts'

function conversation (id: string, since: number, lastAt?: number): Conversation {
  return {
    id, kind: 'group', name: id, active: true, epoch: 1, members: [], peerIdentity: null, unread: 0, since, muted: false, archived: false, rejoining: null,
    lastMessage: lastAt === undefined ? null : { text: 'hi', senderName: 'Bob', own: false, sentAt: lastAt }
  }
}

describe('the conversation list order', () => {
  it('puts the newest message first, and a group with no message yet where it was made or joined, not last', () => {
    const list = [conversation('old-chat', 1_000, 5_000), conversation('new-group', 9_000), conversation('busy-chat', 2_000, 8_000), conversation('old-group', 500)]
    expect(sortConversations(list).map((c) => c.id)).toEqual(['new-group', 'busy-chat', 'old-chat', 'old-group'])
  })
})
