import { describe, expect, it } from 'vitest'
import { requote } from '../../../../src/web/client/reply-quotes.ts'
import type { Message } from '../../../../src/web/client/types.ts'

function message (id: string, text: string, patch: Partial<Message> = {}): Message {
  return {
    id, conversation: 'c', sender: 'b0b', senderName: 'Bob', own: false, text, sentAt: 1, receivedAt: 1, lamport: 1, seq: 1,
    state: 'received', gapBefore: false, replyTo: null, edited: false, deleted: false, reactions: [], ...patch
  }
}

describe('reply quotes follow the message they quote', () => {
  const quoted = message('q', 'Meet at noon')
  const reply = message('r', 'Noon works', { replyTo: { id: 'q', text: 'Meet at noon', senderName: 'Bob' } })
  const other = message('o', 'Unrelated')

  it('shows the edited text in every reply quoting it', () => {
    const next = requote([quoted, reply, other], message('q', 'Meet at one', { edited: true }))
    expect(next[1]?.replyTo?.text).toBe('Meet at one')
    expect(next[2]).toBe(other)
  })
  it('empties the quote once the message is deleted', () => {
    expect(requote([reply], message('q', '', { deleted: true }))[0]?.replyTo?.text).toBe('')
  })
  it('keeps the file a quote names while its caption changes, and drops it once the file message is deleted', () => {
    const fileReply = message('r2', 'Reading it', { replyTo: { id: 'f', text: 'draft', senderName: 'Bob', file: { name: 'plan.pdf', mimeType: 'application/pdf' } } })
    expect(requote([fileReply], message('f', 'final', { edited: true }))[0]?.replyTo).toEqual({ id: 'f', text: 'final', senderName: 'Bob', file: { name: 'plan.pdf', mimeType: 'application/pdf' } })
    const uncaptioned = message('r3', 'Nice', { replyTo: { id: 'g', text: '', senderName: 'Bob', file: { name: 'a.png', mimeType: 'image/png' } } })
    expect(requote([uncaptioned], message('g', '', { deleted: true }))[0]?.replyTo).toEqual({ id: 'g', text: '', senderName: 'Bob' })
  })
  it('leaves the list as it is when nothing quotes the message', () => {
    const list = [quoted, other]
    expect(requote(list, message('o', 'Changed'))).toBe(list)
  })
})
