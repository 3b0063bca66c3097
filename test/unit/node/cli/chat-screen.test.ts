import { describe, expect, it } from 'vitest'
import { ChatScreen, TYPING_SHOWN_MS } from '../../../../src/node/cli/chat-screen.ts'
import type { MessageJson } from '../../../../src/node/cli/format.ts'

function message (id: string, patch: Partial<MessageJson> = {}): MessageJson {
  return { id: id.padEnd(32, '0'), conversation: 'c', senderName: 'Bob', own: false, text: `text ${id}`, sentAt: 1_000, state: 'received', gapBefore: false, replyTo: null, edited: false, deleted: false, reactions: [], ...patch }
}

describe('ChatScreen', () => {
  it('keeps one line per message while its state moves from sending to read', () => {
    const screen = new ChatScreen('Bob (1:1)', 'commands')
    const mine = message('aa', { own: true, state: 'sending', text: 'hello' })
    expect(screen.upsert(mine)).toBe(true)
    expect(screen.setState(mine.id, 'delivered')).toBe(true)
    expect(screen.setState(mine.id, 'delivered')).toBe(false)
    expect(screen.setState(mine.id, 'read')).toBe(true)
    expect(screen.lines()).toHaveLength(1)
    expect(screen.lines()[0]).toMatch(/you: hello {2}\[read ✓✓\]$/)
  })

  it('shows who is typing in the status line, until their message arrives or it runs out', () => {
    const screen = new ChatScreen('Group', 'commands')
    screen.typingFrom('Bob', 0)
    screen.typingFrom('Carol', 0)
    expect(screen.status(1)).toBe('Bob and Carol are typing…')
    screen.upsert(message('bb', { senderName: 'Bob' }))
    expect(screen.status(2)).toBe('Carol is typing…')
    expect(screen.nextExpiry(2)).toBe(TYPING_SHOWN_MS)
    expect(screen.status(TYPING_SHOWN_MS + 1)).toBe('commands')
    // Typing notices never become lines of the conversation.
    expect(screen.lines()).toHaveLength(1)
  })

  it('fills a frame with the newest messages that fit, each cut to the width', () => {
    const screen = new ChatScreen('A title much longer than the terminal is wide', 'commands')
    for (let i = 0; i < 30; i++) screen.upsert(message(`m${String(i).padStart(2, '0')}`, { sentAt: 1_000 + i, text: `number ${i} ${'x'.repeat(100)}` }))
    const frame = screen.frame(10, 40, 0)
    expect(frame.body).toHaveLength(7)
    expect(frame.body[6]).toContain('number 29')
    expect(frame.body[0]).toContain('number 23')
    for (const row of [frame.title, ...frame.body, frame.status]) expect([...row].length).toBeLessThanOrEqual(40)
    screen.flash('could not send: contact not found', 0)
    expect(screen.frame(10, 80, 1).status).toBe('could not send: contact not found')
  })

  it('puts a late message in its place by time', () => {
    const screen = new ChatScreen('t', 'h')
    screen.upsert(message('b1', { sentAt: 2_000, text: 'second' }))
    screen.upsert(message('a1', { sentAt: 1_000, text: 'first' }))
    expect(screen.lines().map((l) => l.includes('first'))).toEqual([true, false])
  })
})
