/**
 * Application payloads: the protobuf plaintext of every MLS application message, with the id,
 * per-sender sequence and Lamport clock needed to deduplicate, order and detect gaps.
 */
import { AppPayload as AppPayloadCodec, PayloadKind } from '../codec/kith.ts'
import { abytes, randomBytes } from '../bytes.ts'
import { CodecError, ValidationError } from '../errors.ts'

/** Longest text a message may carry, in UTF-16 code units. */
export const MAX_TEXT_LENGTH = 16 * 1024
/** Length of a message id. */
export const MESSAGE_ID_LENGTH = 16
/** Largest encoded payload accepted. */
export const MAX_PAYLOAD_BYTES = 64 * 1024
const MAX_GROUP_NAME = 128

/** Kinds of application payload. */
export type PayloadKindName = 'text' | 'group-meta' | 'edit' | 'delete' | 'reaction'

const KIND_TO_WIRE: Record<PayloadKindName, PayloadKind> = {
  text: PayloadKind.TEXT, 'group-meta': PayloadKind.GROUP_META, edit: PayloadKind.EDIT, delete: PayloadKind.DELETE, reaction: PayloadKind.REACTION
}
const WIRE_TO_KIND = new Map(Object.entries(KIND_TO_WIRE).map(([k, v]) => [v, k as PayloadKindName]))

/** A decoded, validated application payload. */
export interface Payload {
  readonly id: Uint8Array
  readonly kind: PayloadKindName
  readonly text: string
  readonly sentAt: number
  readonly seq: number
  readonly lamport: number
  readonly target?: Uint8Array
  readonly groupName?: string
}

/** A fresh random message id. */
export function newMessageId (): Uint8Array {
  return randomBytes(MESSAGE_ID_LENGTH)
}

/** Checks text a user typed before it is stored or sent. */
export function validateText (text: string): string {
  if (typeof text !== 'string') throw new ValidationError('message text must be a string')
  if (text.trim().length === 0) throw new ValidationError('message text must not be empty')
  if (text.length > MAX_TEXT_LENGTH) throw new ValidationError(`message text must be at most ${MAX_TEXT_LENGTH} characters, got ${text.length}`)
  return text
}

/** Encodes a payload. */
export function encodePayload (p: Payload): Uint8Array {
  return AppPayloadCodec.encode({
    id: p.id as Uint8Array<ArrayBuffer>,
    kind: KIND_TO_WIRE[p.kind],
    text: p.text,
    sentAt: BigInt(p.sentAt),
    seq: BigInt(p.seq),
    lamport: BigInt(p.lamport),
    target: (p.target ?? new Uint8Array()) as Uint8Array<ArrayBuffer>,
    groupName: p.groupName ?? ''
  })
}

function safeNumber (v: bigint, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ValidationError(`${what} is out of range`)
  return Number(v)
}

/** Decodes and validates a payload a peer sent. */
export function decodePayload (bytes: Uint8Array): Payload {
  abytes(bytes, 'payload', { max: MAX_PAYLOAD_BYTES })
  let raw: AppPayloadCodec
  try {
    raw = AppPayloadCodec.decode(bytes)
  } catch (err) {
    throw new CodecError('payload is not valid protobuf', { cause: err })
  }
  abytes(raw.id, 'message id', { length: MESSAGE_ID_LENGTH })
  const kind = WIRE_TO_KIND.get(raw.kind)
  if (kind === undefined) throw new ValidationError(`payload kind ${raw.kind} is unknown`)
  if (raw.text.length > MAX_TEXT_LENGTH) throw new ValidationError('payload text is too long')
  if (raw.groupName.length > MAX_GROUP_NAME) throw new ValidationError('group name is too long')
  if (kind === 'text') validateText(raw.text)
  if (raw.target.length !== 0) abytes(raw.target, 'target message id', { length: MESSAGE_ID_LENGTH })
  const seq = safeNumber(raw.seq, 'sequence number')
  if (seq < 1) throw new ValidationError('sequence numbers start at 1')
  return {
    id: raw.id,
    kind,
    text: raw.text,
    sentAt: safeNumber(raw.sentAt, 'send time'),
    seq,
    lamport: safeNumber(raw.lamport, 'Lamport clock'),
    ...(raw.target.length > 0 ? { target: raw.target } : {}),
    ...(raw.groupName !== '' ? { groupName: raw.groupName } : {})
  }
}
