/**
 * Application payloads: the protobuf plaintext of every MLS application message, with the id,
 * per-sender sequence and Lamport clock needed to deduplicate, order and detect gaps. The field
 * rules per kind are in docs/PROTOCOL.md §7.
 */
import { AppPayload as AppPayloadCodec, PayloadKind, type MailboxAddress as MailboxAddressCodec } from '../codec/kith.ts'
import { abytes, randomBytes } from '../bytes.ts'
import { CodecError, ValidationError } from '../errors.ts'
import { MAX_CERTIFICATE_BYTES } from '../identity/device-certificate.ts'

import { MAX_TEXT_LENGTH, MESSAGE_ID_LENGTH } from './limits.ts'

export { MAX_TEXT_LENGTH, MESSAGE_ID_LENGTH }
/** Largest encoded payload accepted: room for a FILE offer with a 64 KiB thumbnail and a caption. */
export const MAX_PAYLOAD_BYTES = 96 * 1024
/** Longest reaction, in UTF-16 code units. */
export const MAX_REACTION_LENGTH = 16
const MAX_GROUP_NAME = 128

/** Kinds of application payload. */
export type PayloadKindName = 'text' | 'group-meta' | 'edit' | 'delete' | 'reaction' | 'read' | 'typing' | 'leave' | 'profile' | 'mailboxes' | 'file' | 'call'

/**
 * Control kinds are ephemeral: they are never shown or stored as messages, so they carry `seq` 0
 * and stay out of per-sender gap detection (PROTOCOL.md §7).
 */
export type ControlKindName = 'read' | 'typing' | 'mailboxes' | 'call'

/** Kinds that act on an earlier message named by `target`. */
export type ActionKindName = 'edit' | 'delete' | 'reaction' | 'read'

const KIND_TO_WIRE: Record<PayloadKindName, PayloadKind> = {
  text: PayloadKind.TEXT,
  'group-meta': PayloadKind.GROUP_META,
  edit: PayloadKind.EDIT,
  delete: PayloadKind.DELETE,
  reaction: PayloadKind.REACTION,
  read: PayloadKind.READ,
  typing: PayloadKind.TYPING,
  leave: PayloadKind.LEAVE,
  profile: PayloadKind.PROFILE,
  mailboxes: PayloadKind.MAILBOXES,
  file: PayloadKind.FILE,
  call: PayloadKind.CALL
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
  /** PROFILE: the sender device's new encoded certificate (checked by messenger/profiles.ts). */
  readonly certificate?: Uint8Array
  /** MAILBOXES: where to deposit frames for the sending device while it is offline. */
  readonly mailboxes?: readonly MailboxAddress[]
  /**
   * FILE: the encoded `FileOffer` (its `text` is an optional caption). Decoded and checked against
   * PROTOCOL.md §9.1 by messenger/files.ts, which is loaded on first use (browser JS budget).
   */
  readonly file?: Uint8Array
  /**
   * CALL: the encoded `CallSignal` (calls.proto), decoded and checked by calls/signal.ts where it is
   * used; that code loads with the first call, off the start-up path.
   */
  readonly call?: Uint8Array
}

/** One mailbox of a device, as a MAILBOXES payload names it (PROTOCOL.md §5.4). */
export interface MailboxAddress {
  /** The mailbox node's peer id, multihash bytes. */
  readonly node: Uint8Array
  /** The node's multiaddrs, without /p2p. */
  readonly addrs: readonly string[]
  readonly mailboxId: Uint8Array
  readonly depositToken: Uint8Array
}

/** Mailboxes one MAILBOXES payload names, at most. */
export const MAX_MAILBOXES = 4
const MAX_MAILBOX_ADDRS = 4
const MAX_ADDR_LENGTH = 256

/** True for kinds that carry `seq` 0 and are never stored as messages. */
export function isControlKind (kind: PayloadKindName): kind is ControlKindName {
  return kind === 'read' || kind === 'typing' || kind === 'mailboxes' || kind === 'call'
}

/** True for kinds whose `target` must name an earlier message. */
export function isActionKind (kind: PayloadKindName): kind is ActionKindName {
  return kind === 'edit' || kind === 'delete' || kind === 'reaction' || kind === 'read'
}

/** A fresh random message id. */
export function newMessageId (): Uint8Array {
  return randomBytes(MESSAGE_ID_LENGTH)
}

/** Checks text a user typed before it is stored or sent. */
export function validateText (text: string): string {
  if (typeof text !== 'string') throw new ValidationError('message text must be a string')
  if (text.trim().length === 0) throw new ValidationError('message text must not be empty')
  if (text.length > MAX_TEXT_LENGTH) throw new ValidationError(textTooLong(text.length))
  return text
}

/** The one sentence the browser and the CLI show for text over the limit. */
export function textTooLong (length: number): string {
  const n = (x: number): string => x.toLocaleString('en-US')
  return `A message can have at most ${n(MAX_TEXT_LENGTH)} characters; this one has ${n(length)}. Shorten it or split it into several messages.`
}

let graphemes: Intl.Segmenter | undefined

/**
 * Checks a reaction: one emoji (a single grapheme holding a pictographic character, a regional
 * indicator or a keycap), 1 to {@link MAX_REACTION_LENGTH} code units, no letters or white space.
 */
export function validateReaction (emoji: string): string {
  if (typeof emoji !== 'string' || emoji.length === 0 || emoji.length > MAX_REACTION_LENGTH) {
    throw new ValidationError(`a reaction must be 1-${MAX_REACTION_LENGTH} characters`)
  }
  graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' })
  let count = 0
  for (const _ of graphemes.segment(emoji)) count++
  const pictographic = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3/u.test(emoji)
  if (count !== 1 || !pictographic || /[A-Za-z\s\p{Cc}]/u.test(emoji)) throw new ValidationError(`a reaction must be a single emoji, got ${JSON.stringify(emoji)}`)
  return emoji
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
    groupName: p.groupName ?? '',
    certificate: (p.certificate ?? new Uint8Array()) as Uint8Array<ArrayBuffer>,
    mailboxes: (p.mailboxes ?? []).map((m) => ({
      node: m.node as Uint8Array<ArrayBuffer>, addrs: [...m.addrs], mailboxId: m.mailboxId as Uint8Array<ArrayBuffer>, depositToken: m.depositToken as Uint8Array<ArrayBuffer>
    })),
    file: (p.file ?? new Uint8Array()) as Uint8Array<ArrayBuffer>,
    call: (p.call ?? new Uint8Array()) as Uint8Array<ArrayBuffer>
  })
}

/** Checks the mailboxes of a MAILBOXES payload. */
function checkMailboxes (list: readonly MailboxAddressCodec[]): MailboxAddress[] {
  if (list.length === 0 || list.length > MAX_MAILBOXES) throw new ValidationError(`a mailboxes payload names 1 to ${MAX_MAILBOXES} mailboxes, got ${list.length}`)
  return list.map((m) => {
    abytes(m.node, 'mailbox node peer id', { max: 64 })
    if (m.node.length === 0) throw new ValidationError('mailbox node peer id is empty')
    abytes(m.mailboxId, 'mailbox id', { length: 32 })
    abytes(m.depositToken, 'mailbox deposit token', { length: 32 })
    if (m.addrs.length > MAX_MAILBOX_ADDRS) throw new ValidationError(`a mailbox node has at most ${MAX_MAILBOX_ADDRS} addresses, got ${m.addrs.length}`)
    for (const a of m.addrs) if (!a.startsWith('/') || a.length > MAX_ADDR_LENGTH) throw new ValidationError('mailbox node address is not a multiaddr')
    return { node: m.node, addrs: m.addrs, mailboxId: m.mailboxId, depositToken: m.depositToken }
  })
}

/** The per-kind rules of PROTOCOL.md §7 for `text` and `target`. */
function checkKindFields (kind: PayloadKindName, raw: AppPayloadCodec): void {
  if (isActionKind(kind) && raw.target.length === 0) throw new ValidationError(`a ${kind} payload must name its target message`)
  if ((kind === 'group-meta' || kind === 'typing' || kind === 'leave' || kind === 'profile' || kind === 'mailboxes' || kind === 'file' || kind === 'call') && raw.target.length !== 0) throw new ValidationError(`a ${kind} payload has no target`)
  if (kind === 'profile') {
    if (raw.certificate.length === 0) throw new ValidationError('a profile payload must carry a device certificate')
    abytes(raw.certificate, 'profile certificate', { max: MAX_CERTIFICATE_BYTES })
  } else if (raw.certificate.length !== 0) {
    throw new ValidationError(`a ${kind} payload carries no certificate`)
  }
  switch (kind) {
    case 'text':
    case 'edit':
      validateText(raw.text)
      return
    case 'reaction':
      if (raw.text !== '') validateReaction(raw.text)
      return
    case 'file':
      // The caption: optional, but when present held to a message's rules.
      if (raw.text !== '') validateText(raw.text)
      return
    case 'delete':
    case 'read':
    case 'typing':
    case 'leave':
    case 'profile':
    case 'mailboxes':
    case 'call':
      if (raw.text !== '') throw new ValidationError(`a ${kind} payload carries no text`)
      return
    case 'group-meta':
  }
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
  if (raw.target.length !== 0) abytes(raw.target, 'target message id', { length: MESSAGE_ID_LENGTH })
  checkKindFields(kind, raw)
  if (kind !== 'mailboxes' && raw.mailboxes.length > 0) throw new ValidationError(`a ${kind} payload names no mailboxes`)
  const mailboxes = kind === 'mailboxes' ? checkMailboxes(raw.mailboxes) : undefined
  if (kind !== 'file' && raw.file.length > 0) throw new ValidationError(`a ${kind} payload carries no file offer`)
  if (kind === 'file' && raw.file.length === 0) throw new ValidationError('a file payload must carry a file offer')
  const file = kind === 'file' ? raw.file : undefined
  if (kind === 'call' && raw.call.length === 0) throw new ValidationError('a call payload must carry a call signal')
  if (kind !== 'call' && raw.call.length !== 0) throw new ValidationError(`a ${kind} payload carries no call signal`)
  const call = kind === 'call' ? raw.call : undefined
  const seq = safeNumber(raw.seq, 'sequence number')
  if (isControlKind(kind)) {
    if (seq !== 0) throw new ValidationError(`a ${kind} payload carries sequence number 0`)
  } else if (seq < 1) {
    throw new ValidationError('sequence numbers start at 1')
  }
  return {
    id: raw.id,
    kind,
    text: raw.text,
    sentAt: safeNumber(raw.sentAt, 'send time'),
    seq,
    lamport: safeNumber(raw.lamport, 'Lamport clock'),
    ...(raw.target.length > 0 ? { target: raw.target } : {}),
    ...(raw.groupName !== '' ? { groupName: raw.groupName } : {}),
    ...(raw.certificate.length > 0 ? { certificate: raw.certificate } : {}),
    ...(mailboxes !== undefined ? { mailboxes } : {}),
    ...(file !== undefined ? { file } : {}),
    ...(call !== undefined ? { call } : {})
  }
}
