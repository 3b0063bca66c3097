import { describe, expect, it } from 'vitest'
import type { Conversation } from '../../../../src/web/client/types.ts'
import {
  avatarHue, formatConnection, formatDay, formatLengthLeft, formatLink, formatPreview, formatRelative, formatTyping, initials, unreadElsewhere
} from '../../../../src/web/ui/format.ts'

/** Noon, local time, on a fixed Wednesday, so day arithmetic never straddles midnight by accident. */
const NOW = new Date(2025, 5, 11, 12, 0, 0).getTime()
const MINUTE = 60_000

function conversation (patch: Partial<Conversation>): Conversation {
  return { id: 'c', kind: 'direct', name: 'Bob', active: true, epoch: 1, members: [], peerIdentity: 'b', unread: 0, lastMessage: null, since: NOW, muted: false, archived: false, rejoining: null, ...patch }
}

describe('relative times in the conversation list', () => {
  it('says "now" under a minute, then minutes', () => {
    expect(formatRelative(NOW - 20_000, NOW)).toBe('now')
    expect(formatRelative(NOW - 5 * MINUTE, NOW)).toBe('5m')
  })
  it('says "Yesterday" for the previous calendar day, even a few hours ago', () => {
    expect(formatRelative(new Date(2025, 5, 10, 23, 0).getTime(), new Date(2025, 5, 11, 2, 0).getTime())).toBe('Yesterday')
  })
})

describe('day separators', () => {
  it('labels today, yesterday, and older days', () => {
    expect(formatDay(NOW - 60 * MINUTE, NOW)).toBe('Today')
    expect(formatDay(NOW - 24 * 60 * MINUTE, NOW)).toBe('Yesterday')
    expect(formatDay(NOW - 3 * 24 * 60 * MINUTE, NOW)).not.toMatch(/Today|Yesterday/)
  })
})

describe('avatars', () => {
  it('takes up to two initials, emoji-safe', () => {
    expect(initials('Ada Lovelace King')).toBe('AL')
    expect(initials('  grace ')).toBe('G')
    expect(initials('🦊 Fox')).toBe('🦊F')
    expect(initials('   ')).toBe('?')
  })
  it('gives an identity the same colour every time', () => {
    expect(avatarHue('a1f3c9')).toBe(avatarHue('a1f3c9'))
  })
})

describe('conversation previews', () => {
  const last = { text: 'see you\nsoon', senderName: 'Bob', own: false, sentAt: NOW }
  it('prefixes my own messages with "You:"', () => {
    expect(formatPreview(conversation({ lastMessage: { ...last, own: true } }))).toBe('You: see you soon')
  })
  it('names the sender in groups only', () => {
    expect(formatPreview(conversation({ lastMessage: last }))).toBe('see you soon')
    expect(formatPreview(conversation({ kind: 'group', lastMessage: last }))).toBe('Bob: see you soon')
  })
  it('shows a file message by what it is, with its caption', () => {
    const file = (name: string, mimeType: string, text = ''): Conversation['lastMessage'] => ({ ...last, text, file: { name, mimeType } })
    expect(formatPreview(conversation({ lastMessage: file('report.pdf', 'application/pdf') }))).toBe('📎 report.pdf')
    expect(formatPreview(conversation({ lastMessage: file('report.pdf', 'application/pdf', 'Q3 numbers') }))).toBe('📎 report.pdf · Q3 numbers')
    expect(formatPreview(conversation({ lastMessage: file('IMG_1.jpg', 'image/jpeg') }))).toBe('🖼 Photo')
    expect(formatPreview(conversation({ kind: 'group', lastMessage: file('IMG_1.jpg', 'image/jpeg', 'the\nsummit') }))).toBe('Bob: 🖼 the summit')
    expect(formatPreview(conversation({ lastMessage: { ...file('clip.mp4', 'video/mp4')!, own: true } }))).toBe('You: 🎬 Video')
  })
  it('shows a call by how it went, without a sender', () => {
    const call = (patch: Partial<NonNullable<NonNullable<Conversation['lastMessage']>['call']>>): Conversation['lastMessage'] =>
      ({ ...last, text: '', call: { direction: 'incoming', video: false, outcome: 'missed', durationMs: 0, ...patch } })
    expect(formatPreview(conversation({ kind: 'group', lastMessage: call({}) }))).toBe('📞 Missed call')
    expect(formatPreview(conversation({ lastMessage: call({ direction: 'outgoing' }) }))).toBe('📞 No answer')
    expect(formatPreview(conversation({ lastMessage: call({ outcome: 'answered', video: true, durationMs: 65_000 }) }))).toBe('📹 Video call · 1:05')
    expect(formatPreview(conversation({ lastMessage: call({ outcome: 'declined' }) }))).toBe('📞 Declined call')
  })
})

describe('status lines', () => {
  it('describes the connection', () => {
    expect(formatConnection({ kind: 'connecting' })).toBe('Connecting…')
    expect(formatConnection({ kind: 'online', relay: null, direct: 0 })).toBe('Online')
    expect(formatConnection({ kind: 'online', relay: 'r1', direct: 0 })).toBe('Online via relay r1')
    expect(formatConnection({ kind: 'online', relay: 'r1', direct: 2 })).toBe('Direct to 2 peers')
    expect(formatConnection({ kind: 'offline', reason: 'no network' })).toBe('Offline — no network')
  })
  it('describes a contact link and who is typing', () => {
    expect(formatLink('none')).toBe('Offline')
    expect(formatTyping([])).toBeNull()
    expect(formatTyping(['Bob'])).toBe('Bob is typing…')
    expect(formatTyping(['Bob', 'Carol'])).toBe('Bob and Carol are typing…')
    expect(formatTyping(['Bob', 'Carol', 'Dan'])).toBe('3 people are typing…')
  })
})

describe('formatLengthLeft', () => {
  it('stays quiet far from the limit, counts down near it, and counts what is over', () => {
    expect(formatLengthLeft(14_999, 16_384)).toBeNull()
    expect(formatLengthLeft(15_000, 16_384)).toEqual({ text: `${(1_384).toLocaleString()} left`, over: false })
    expect(formatLengthLeft(16_384, 16_384)).toEqual({ text: '0 left', over: false })
    expect(formatLengthLeft(16_768, 16_384)).toEqual({ text: '384 over', over: true })
  })
})

describe('unread elsewhere (a phone\'s Back)', () => {
  it('sums the other conversations\' unread messages, leaving out the open one and the muted and archived ones', () => {
    const list = [
      conversation({ id: 'open', unread: 5 }),
      conversation({ id: 'a', unread: 2 }),
      conversation({ id: 'b', unread: 3 }),
      conversation({ id: 'muted', unread: 7, muted: true }),
      conversation({ id: 'archived', unread: 11, archived: true })
    ]
    expect(unreadElsewhere(list, 'open')).toBe(5)
    expect(unreadElsewhere(list, 'a')).toBe(8)
    expect(unreadElsewhere([conversation({ id: 'open', unread: 1 })], 'open')).toBe(0)
  })
})
