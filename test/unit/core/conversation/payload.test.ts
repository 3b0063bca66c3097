import { describe, expect, it } from 'vitest'
import { AppPayload as AppPayloadCodec, PayloadKind } from '../../../../src/core/codec/kith.ts'
import {
  decodePayload, encodePayload, MAX_PAYLOAD_BYTES, MAX_TEXT_LENGTH, MESSAGE_ID_LENGTH, newMessageId, validateText, type Payload
} from '../../../../src/core/conversation/payload.ts'
import { CodecError, KithError, ValidationError } from '../../../../src/core/errors.ts'

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
    { id: ID, kind: 'reaction', text: '👍', sentAt: 5, seq: 6, lamport: 7, target: TARGET }
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
    // Field 1 (id, 16 bytes), field 2 (kind) as varint 9, which no PayloadKind has, field 5 (seq) 1.
    const bytes = new Uint8Array([0x0a, MESSAGE_ID_LENGTH, ...ID, 0x10, 9, 0x28, 1])
    expect(() => decodePayload(bytes)).toThrow(KithError)
    // The same bytes with a known kind decode, so the kind alone is what was refused.
    bytes[MESSAGE_ID_LENGTH + 3] = 4
    expect(decodePayload(bytes).kind).toBe('reaction')
  })

  it('garbage bytes', () => {
    expect(() => decodePayload(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff]))).toThrow(CodecError)
    expect(() => decodePayload(new Uint8Array([0x0a, 0x20, 1, 2, 3]))).toThrow(CodecError)
  })

  it('an empty payload, which has no id', () => {
    expect(() => decodePayload(new Uint8Array())).toThrow(ValidationError)
  })

  it('a payload larger than 64 KiB before parsing it', () => {
    expect(() => decodePayload(new Uint8Array(MAX_PAYLOAD_BYTES + 1))).toThrow(/payload must be at most 65536 bytes/)
  })
})

describe('validateText', () => {
  it('returns text a user may send unchanged, surrounding spaces included', () => {
    expect(validateText('  indented')).toBe('  indented')
  })

  it('rejects empty and over-long text', () => {
    expect(() => validateText(' ')).toThrow(ValidationError)
    expect(() => validateText('x'.repeat(MAX_TEXT_LENGTH + 1))).toThrow(`message text must be at most ${MAX_TEXT_LENGTH} characters, got ${MAX_TEXT_LENGTH + 1}`)
  })
})
