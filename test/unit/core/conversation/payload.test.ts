import { describe, expect, it } from 'vitest'
import { AppPayload as AppPayloadCodec, PayloadKind } from '../../../../src/core/codec/kith.ts'
import {
  decodePayload, encodePayload, isActionKind, isControlKind, MAX_PAYLOAD_BYTES, MAX_TEXT_LENGTH, MESSAGE_ID_LENGTH, newMessageId,
  validateReaction, validateText, type Payload
} from '../../../../src/core/conversation/payload.ts'
import { CodecError, KithError, ValidationError } from '../../../../src/core/errors.ts'
import { encodeManifest, type FileId, type FileManifest } from '../../../../src/core/files/manifest.ts'

const ID = Uint8Array.from({ length: MESSAGE_ID_LENGTH }, (_, i) => i + 1)
const TARGET = Uint8Array.from({ length: MESSAGE_ID_LENGTH }, (_, i) => 0xf0 - i)

const text: Payload = { id: ID, kind: 'text', text: 'hello 👋', sentAt: 1_700_000_000_123, seq: 1, lamport: 7 }

/** Encodes raw fields straight through the codec, bypassing Kith's checks, as a hostile peer could. */
function encodeRaw (overrides: Partial<AppPayloadCodec>): Uint8Array {
  return AppPayloadCodec.encode({
    id: ID as Uint8Array<ArrayBuffer>,
    kind: PayloadKind.TEXT,
    text: 'hi',
    sentAt: 1n,
    seq: 1n,
    lamport: 1n,
    target: new Uint8Array() as Uint8Array<ArrayBuffer>,
    groupName: '',
    mailboxes: [],
    ...overrides
  })
}

describe('encodePayload and decodePayload', () => {
  it('round-trips a text message without optional fields', () => {
    const decoded = decodePayload(encodePayload(text))
    expect(decoded).toEqual(text)
    expect('target' in decoded).toBe(false)
    expect('groupName' in decoded).toBe(false)
  })

  it.each<Payload>([
    { id: ID, kind: 'text', text: 'a reply', sentAt: 5, seq: 2, lamport: 3, target: TARGET },
    { id: ID, kind: 'group-meta', text: '', sentAt: 5, seq: 3, lamport: 4, groupName: 'Climbing 🧗' },
    { id: ID, kind: 'edit', text: 'fixed typo', sentAt: 5, seq: 4, lamport: 5, target: TARGET },
    { id: ID, kind: 'delete', text: '', sentAt: 5, seq: 5, lamport: 6, target: TARGET },
    { id: ID, kind: 'reaction', text: '👍', sentAt: 5, seq: 6, lamport: 7, target: TARGET },
    { id: ID, kind: 'reaction', text: '', sentAt: 5, seq: 7, lamport: 8, target: TARGET },
    { id: ID, kind: 'read', text: '', sentAt: 5, seq: 0, lamport: 8, target: TARGET },
    { id: ID, kind: 'typing', text: '', sentAt: 5, seq: 0, lamport: 8 },
    { id: ID, kind: 'leave', text: '', sentAt: 5, seq: 8, lamport: 9 },
    { id: ID, kind: 'profile', text: '', sentAt: 5, seq: 9, lamport: 10, certificate: new Uint8Array(200).fill(7) }
  ])('round-trips a $kind payload', (payload) => {
    expect(decodePayload(encodePayload(payload))).toEqual(payload)
  })

  it('round-trips the largest safe counters and text at the length limit', () => {
    const big: Payload = { ...text, text: 'x'.repeat(MAX_TEXT_LENGTH), sentAt: Number.MAX_SAFE_INTEGER, seq: Number.MAX_SAFE_INTEGER, lamport: Number.MAX_SAFE_INTEGER }
    expect(decodePayload(encodePayload(big))).toEqual(big)
  })

  it('gives each new message a distinct 16-byte id', () => {
    const a = newMessageId()
    expect(a).toHaveLength(MESSAGE_ID_LENGTH)
    expect(newMessageId()).not.toEqual(a)
  })
})

describe('decodePayload rejects', () => {
  it.each([0, 15, 17, 32])('a message id of %i bytes', (length) => {
    const bytes = encodePayload({ ...text, id: new Uint8Array(length).fill(1) })
    expect(() => decodePayload(bytes)).toThrow(ValidationError)
    expect(() => decodePayload(bytes)).toThrow(/message id must be 16 bytes/)
  })

  it.each(['', '   ', '\n\t'])('a text message with empty text %j', (body) => {
    expect(() => decodePayload(encodePayload({ ...text, text: body }))).toThrow(new ValidationError('message text must not be empty'))
  })

  it('sequence number 0, since sequences start at 1', () => {
    expect(() => decodePayload(encodePayload({ ...text, seq: 0 }))).toThrow(new ValidationError('sequence numbers start at 1'))
  })

  it('text one character over the limit', () => {
    const bytes = encodePayload({ ...text, text: 'x'.repeat(MAX_TEXT_LENGTH + 1) })
    expect(() => decodePayload(bytes)).toThrow(ValidationError)
    expect(() => decodePayload(bytes)).toThrow(/too long/)
  })

  it('over-long text in any kind, not only text messages', () => {
    const bytes = encodePayload({ ...text, kind: 'reaction', text: 'x'.repeat(MAX_TEXT_LENGTH + 1), target: TARGET })
    expect(() => decodePayload(bytes)).toThrow(ValidationError)
  })

  it('a group name over 128 characters', () => {
    expect(() => decodePayload(encodeRaw({ kind: PayloadKind.GROUP_META, text: '', groupName: 'g'.repeat(129) }))).toThrow(/group name is too long/)
  })

  it('a target id of the wrong length', () => {
    expect(() => decodePayload(encodeRaw({ target: new Uint8Array(8) as Uint8Array<ArrayBuffer> }))).toThrow(/target message id must be 16 bytes/)
  })

  it('counters beyond the safe integer range', () => {
    const tooBig = BigInt(Number.MAX_SAFE_INTEGER) + 1n
    expect(() => decodePayload(encodeRaw({ seq: tooBig }))).toThrow('sequence number is out of range')
    expect(() => decodePayload(encodeRaw({ sentAt: tooBig }))).toThrow('send time is out of range')
    expect(() => decodePayload(encodeRaw({ lamport: tooBig }))).toThrow('Lamport clock is out of range')
  })

  it('an unknown kind', () => {
    // Field 1 (id, 16 bytes), field 2 (kind) as varint 15, which no PayloadKind has, field 5 (seq) 1.
    const bytes = new Uint8Array([0x0a, MESSAGE_ID_LENGTH, ...ID, 0x10, 15, 0x28, 1])
    expect(() => decodePayload(bytes)).toThrow(KithError)
    // The same bytes with a known kind decode, so the kind alone is what was refused.
    bytes[MESSAGE_ID_LENGTH + 3] = 7
    expect(decodePayload(bytes).kind).toBe('leave')
  })

  it('garbage bytes', () => {
    expect(() => decodePayload(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff]))).toThrow(CodecError)
    expect(() => decodePayload(new Uint8Array([0x0a, 0x20, 1, 2, 3]))).toThrow(CodecError)
  })

  it('an empty payload, which has no id', () => {
    expect(() => decodePayload(new Uint8Array())).toThrow(ValidationError)
  })

  it('a payload larger than 96 KiB before parsing it', () => {
    expect(() => decodePayload(new Uint8Array(MAX_PAYLOAD_BYTES + 1))).toThrow(/payload must be at most 98304 bytes/)
  })
})

describe('decodePayload applies the per-kind rules', () => {
  it.each(['edit', 'delete', 'reaction', 'read'] as const)('a %s without a target', (kind) => {
    const seq = kind === 'read' ? 0 : 1
    const payload: Payload = { ...text, kind, text: kind === 'edit' ? 'x' : '', seq }
    expect(() => decodePayload(encodePayload(payload))).toThrow(`a ${kind} payload must name its target message`)
  })

  it.each(['typing', 'leave', 'group-meta'] as const)('a %s with a target', (kind) => {
    const payload: Payload = { ...text, kind, text: '', seq: kind === 'typing' ? 0 : 1, target: TARGET }
    expect(() => decodePayload(encodePayload(payload))).toThrow(`a ${kind} payload has no target`)
  })

  it.each(['read', 'typing'] as const)('a %s with a sequence number, which would look like a gap', (kind) => {
    const payload: Payload = { ...text, kind, text: '', seq: 3, ...(kind === 'read' ? { target: TARGET } : {}) }
    expect(() => decodePayload(encodePayload(payload))).toThrow(`a ${kind} payload carries sequence number 0`)
  })

  it.each(['text', 'edit', 'delete', 'reaction', 'leave', 'group-meta'] as const)('sequence number 0 on a %s', (kind) => {
    const needsTarget = kind === 'edit' || kind === 'delete' || kind === 'reaction'
    const payload: Payload = { ...text, kind, text: kind === 'text' || kind === 'edit' ? 'x' : '', seq: 0, ...(needsTarget ? { target: TARGET } : {}) }
    expect(() => decodePayload(encodePayload(payload))).toThrow('sequence numbers start at 1')
  })

  it('an edit to empty text: delete the message instead', () => {
    expect(() => decodePayload(encodePayload({ ...text, kind: 'edit', text: '  ', target: TARGET }))).toThrow('message text must not be empty')
  })

  it.each(['delete', 'read', 'typing', 'leave'] as const)('text on a %s', (kind) => {
    const payload: Payload = { ...text, kind, text: 'surprise', seq: isControlKind(kind) ? 0 : 1, ...(isActionKind(kind) ? { target: TARGET } : {}) }
    expect(() => decodePayload(encodePayload(payload))).toThrow(`a ${kind} payload carries no text`)
  })

  it('a profile without a certificate, or with one over 512 bytes', () => {
    const profile: Payload = { ...text, kind: 'profile', text: '' }
    expect(() => decodePayload(encodePayload(profile))).toThrow('a profile payload must carry a device certificate')
    expect(() => decodePayload(encodePayload({ ...profile, certificate: new Uint8Array(513) }))).toThrow('profile certificate must be at most 512 bytes, got 513')
  })

  it('a profile with text or a target, and a certificate on any other kind', () => {
    const profile: Payload = { ...text, kind: 'profile', text: '', certificate: new Uint8Array(10) }
    expect(() => decodePayload(encodePayload({ ...profile, text: 'hi' }))).toThrow('a profile payload carries no text')
    expect(() => decodePayload(encodePayload({ ...profile, target: TARGET }))).toThrow('a profile payload has no target')
    expect(() => decodePayload(encodePayload({ ...text, certificate: new Uint8Array(10) }))).toThrow('a text payload carries no certificate')
  })

  it('a reaction that is not an emoji', () => {
    expect(() => decodePayload(encodePayload({ ...text, kind: 'reaction', text: 'lol', target: TARGET }))).toThrow(ValidationError)
  })

  it('classifies kinds', () => {
    expect(['read', 'typing'].every((k) => isControlKind(k as Payload['kind']))).toBe(true)
    expect(isControlKind('text')).toBe(false)
    expect(isActionKind('reaction')).toBe(true)
    expect(isActionKind('leave')).toBe(false)
  })
})

describe('validateReaction', () => {
  it.each(['👍', '❤️', '😂', '🇫🇷', '👍🏽', '👩‍👩‍👧‍👦', '1️⃣', '🏴󠁧󠁢󠁳󠁣󠁴󠁿'])('accepts %s', (emoji) => {
    expect(validateReaction(emoji)).toBe(emoji)
  })

  it.each(['', 'a', 'ok', 'A👍', '👍👍', ' 👍', '1', '#', '❤️\n', '👍'.repeat(9)])('rejects %j', (bad) => {
    expect(() => validateReaction(bad)).toThrow(ValidationError)
  })

  it('names the limit on length', () => {
    expect(() => validateReaction('x'.repeat(17))).toThrow('a reaction must be 1-16 characters')
  })
})

describe('validateText', () => {
  it('returns text a user may send unchanged, surrounding spaces included', () => {
    expect(validateText('  indented')).toBe('  indented')
  })

  it('rejects empty and over-long text', () => {
    expect(() => validateText(' ')).toThrow(ValidationError)
    expect(() => validateText('x'.repeat(MAX_TEXT_LENGTH + 1))).toThrow('A message can have at most 16,384 characters; this one has 16,385. Shorten it or split it into several messages.')
  })
})

describe('MAILBOXES payloads', () => {
  const node = Uint8Array.from([0x00, 0x24, 0x08, 0x01, 0x12, 0x20, ...new Uint8Array(32).fill(7)])
  const box = { node, addrs: ['/ip4/10.0.0.1/tcp/4001'], mailboxId: new Uint8Array(32).fill(1), depositToken: new Uint8Array(32).fill(2) }
  const mailboxes: Payload = { id: ID, kind: 'mailboxes', text: '', sentAt: 9, seq: 0, lamport: 4, mailboxes: [box] }

  it('round-trips as a control kind with its mailboxes', () => {
    expect(isControlKind('mailboxes')).toBe(true)
    expect(decodePayload(encodePayload(mailboxes))).toEqual(mailboxes)
  })

  it.each<[string, Partial<AppPayloadCodec>, string]>([
    ['no mailboxes', { mailboxes: [] }, 'a mailboxes payload names 1 to 4 mailboxes, got 0'],
    ['five mailboxes', { mailboxes: Array(5).fill(box) }, 'a mailboxes payload names 1 to 4 mailboxes, got 5'],
    ['a short mailbox id', { mailboxes: [{ ...box, mailboxId: new Uint8Array(5) }] }, 'mailbox id must be 32 bytes'],
    ['a short deposit token', { mailboxes: [{ ...box, depositToken: new Uint8Array(31) }] }, 'mailbox deposit token must be 32 bytes'],
    ['an address that is not a multiaddr', { mailboxes: [{ ...box, addrs: ['http://x'] }] }, 'mailbox node address is not a multiaddr'],
    ['a sequence number', { seq: 3n }, 'a mailboxes payload carries sequence number 0']
  ])('refuses %s', (_, overrides, message) => {
    const bytes = encodeRaw({ kind: PayloadKind.MAILBOXES, text: '', seq: 0n, mailboxes: [box] as AppPayloadCodec['mailboxes'], ...overrides })
    expect(() => decodePayload(bytes)).toThrow(message)
  })

  it('refuses mailboxes on any other kind', () => {
    expect(() => decodePayload(encodeRaw({ mailboxes: [box] as AppPayloadCodec['mailboxes'] }))).toThrow('a text payload names no mailboxes')
  })
})

describe('FILE payloads', () => {
  const manifest: FileManifest = {
    fileId: Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i) as FileId,
    name: 'photo.jpg',
    size: 200_000,
    mimeType: 'image/jpeg',
    chunkSize: 65_536,
    key: Uint8Array.from({ length: 32 }, (_, i) => i),
    merkleRoot: new Uint8Array(32).fill(9)
  }
  const file: Payload = { id: ID, kind: 'file', text: 'our holiday', sentAt: 9, seq: 4, lamport: 4, file: encodeManifest(manifest) }

  it('round-trips an offer with its caption, and one without', () => {
    expect(decodePayload(encodePayload(file))).toEqual(file)
    expect(decodePayload(encodePayload({ ...file, text: '' }))).toEqual({ ...file, text: '' })
    expect(isControlKind('file')).toBe(false)
  })

  it('fits an offer with the largest thumbnail and a long caption', () => {
    const offer = encodeManifest({ ...manifest, thumbnail: { type: 'image/webp', ciphertext: new Uint8Array(64 * 1024 + 16) } })
    const big: Payload = { ...file, text: 'x'.repeat(MAX_TEXT_LENGTH), file: offer }
    expect(decodePayload(encodePayload(big)).file).toEqual(offer)
  })

  it('refuses a FILE without an offer, an offer on another kind, a target, and a blank caption', () => {
    const offer = encodeManifest(manifest) as Uint8Array<ArrayBuffer>
    expect(() => decodePayload(encodeRaw({ kind: PayloadKind.FILE, text: '' }))).toThrow('a file payload must carry a file offer')
    expect(() => decodePayload(encodeRaw({ file: offer }))).toThrow('a text payload carries no file offer')
    expect(() => decodePayload(encodeRaw({ kind: PayloadKind.FILE, text: '', file: offer, target: TARGET as Uint8Array<ArrayBuffer> }))).toThrow('a file payload has no target')
    expect(() => decodePayload(encodeRaw({ kind: PayloadKind.FILE, text: ' ', file: offer }))).toThrow('message text must not be empty')
  })
})
