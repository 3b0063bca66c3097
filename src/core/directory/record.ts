/**
 * The directory record (DESIGN.md §4, docs/PROTOCOL.md §10): the signed statement an account
 * publishes in the Kith DHT of its devices, where each listens now, its mailbox nodes and
 * KeyPackages. This file holds its shape, its limits and its codec; `build.ts` signs one,
 * `verify.ts` checks one and `select.ts` picks the newest.
 */
import { DirectoryRecord as RecordCodec } from '../codec/directory.ts'
import { abytes, astring } from '../bytes.ts'
import { CodecError, ValidationError } from '../errors.ts'
import { PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH } from '../identity/identity-key.ts'
import { MAX_CERTIFICATE_BYTES } from '../identity/device-certificate.ts'
import { MAX_KEY_PACKAGE_BYTES } from '../mls/key-package.ts'

/** Domain-separation label of the record signature. */
export const DIRECTORY_LABEL = 'kith/directory/v1'
/** Largest encoded record accepted from anywhere (a DHT peer, the local store). */
export const MAX_RECORD_BYTES = 32 * 1024
/** Devices one record may list. */
export const MAX_DEVICES = 8
/** Addresses, and mailbox nodes, one device may list. */
export const MAX_ADDRS = 16
/** Longest multiaddr string accepted. */
export const MAX_ADDR_LENGTH = 400
/** Mailbox nodes one device may list. */
export const MAX_MAILBOXES = 8
/** One-time KeyPackages one device may list. */
export const MAX_ONE_TIME_KEY_PACKAGES = 4
/** Longest time between a record's issue and its expiry: kad-dht forgets a record 48 h after it is stored. */
export const MAX_LIFETIME_MS = 48 * 60 * 60 * 1000
/** How far in the future a record's issue time may lie (clock skew between publisher and reader). */
export const MAX_CLOCK_SKEW_MS = 10 * 60 * 1000

/** One device of the account as the directory lists it. Its certificate is still encoded. */
export interface DirectoryDevice {
  readonly certificate: Uint8Array
  readonly addrs: readonly string[]
  readonly mailboxes: readonly string[]
  readonly keyPackages: readonly Uint8Array[]
  /** Empty when the device publishes none. */
  readonly lastResortKeyPackage: Uint8Array
  /** Mailboxes anyone who knows the account may deposit into (first contact); absent in older records. */
  readonly introMailboxes?: readonly IntroMailbox[]
}

/** A publicly depositable mailbox of a device (PROTOCOL.md §10.2). */
export interface IntroMailbox {
  /** The mailbox node's multiaddr, with /p2p/. */
  readonly node: string
  readonly mailboxId: Uint8Array
  readonly depositToken: Uint8Array
}

/** A decoded directory record; {@link DirectoryRecord.signature} is checked by `verify.ts`. */
export interface DirectoryRecord {
  readonly identityKey: Uint8Array
  readonly seq: number
  readonly issuedAt: number
  readonly expiresAt: number
  readonly devices: readonly DirectoryDevice[]
  readonly signature: Uint8Array
}

/** Fields the identity key signs. */
export type UnsignedDirectoryRecord = Omit<DirectoryRecord, 'signature'>

/** Protobuf form; without a signature it is exactly the bytes the identity key signs. */
export function encodeDirectoryRecord (r: UnsignedDirectoryRecord & { signature?: Uint8Array }): Uint8Array {
  return RecordCodec.encode({
    version: 1,
    identityKey: r.identityKey as Uint8Array<ArrayBuffer>,
    seq: BigInt(r.seq),
    issuedAt: BigInt(r.issuedAt),
    expiresAt: BigInt(r.expiresAt),
    devices: r.devices.map((d) => ({
      certificate: d.certificate as Uint8Array<ArrayBuffer>,
      addrs: [...d.addrs],
      mailboxes: [...d.mailboxes],
      keyPackages: d.keyPackages.map((k) => k as Uint8Array<ArrayBuffer>),
      lastResortKeyPackage: d.lastResortKeyPackage as Uint8Array<ArrayBuffer>,
      introMailboxes: (d.introMailboxes ?? []).map((m) => ({ node: m.node, mailboxId: m.mailboxId as Uint8Array<ArrayBuffer>, depositToken: m.depositToken as Uint8Array<ArrayBuffer> }))
    })),
    ...(r.signature !== undefined ? { signature: r.signature as Uint8Array<ArrayBuffer> } : {})
  })
}

/** The bytes the identity key signs (after the label): the record without its signature. */
export function toBeSigned (r: UnsignedDirectoryRecord): Uint8Array {
  return encodeDirectoryRecord({ ...r, signature: undefined })
}

function checkTime (value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ValidationError(`directory record ${what} is out of range`)
  return Number(value)
}

function checkAddrs (addrs: readonly string[], what: string, plural: string, max: number): string[] {
  if (addrs.length > max) throw new ValidationError(`directory record lists more than ${max} ${plural} for one device`)
  return addrs.map((a) => {
    astring(a, what, MAX_ADDR_LENGTH)
    if (!a.startsWith('/')) throw new ValidationError(`directory record ${what} "${a.slice(0, 40)}" is not a multiaddr`)
    return a
  })
}

function checkIntroMailboxes (list: readonly IntroMailbox[]): IntroMailbox[] {
  if (list.length > MAX_MAILBOXES) throw new ValidationError(`directory record lists more than ${MAX_MAILBOXES} intro mailboxes for one device`)
  return list.map((m) => {
    checkAddrs([m.node], 'intro mailbox node', 'intro mailbox nodes', 1)
    if (!m.node.includes('/p2p/')) throw new ValidationError('directory record intro mailbox node does not name its peer id')
    abytes(m.mailboxId, 'directory record intro mailbox id', { length: 32 })
    abytes(m.depositToken, 'directory record intro mailbox deposit token', { length: 32 })
    return { node: m.node, mailboxId: m.mailboxId, depositToken: m.depositToken }
  })
}

/** Decodes and shape-checks a record; does not check its signature, certificates or times. */
export function decodeDirectoryRecord (bytes: Uint8Array): DirectoryRecord {
  abytes(bytes, 'directory record', { max: MAX_RECORD_BYTES })
  let raw: RecordCodec
  try {
    raw = RecordCodec.decode(bytes, {
      limits: {
        devices: MAX_DEVICES,
        devices$: { addrs: MAX_ADDRS + 1, mailboxes: MAX_MAILBOXES + 1, keyPackages: MAX_ONE_TIME_KEY_PACKAGES + 1, introMailboxes: MAX_MAILBOXES + 1 }
      }
    })
  } catch (err) {
    throw new CodecError('directory record is not valid protobuf, or lists too many entries', { cause: err })
  }
  if (raw.version !== 1) throw new ValidationError(`directory record version ${raw.version} is not supported`)
  abytes(raw.identityKey, 'directory record identity key', { length: PUBLIC_KEY_LENGTH })
  abytes(raw.signature, 'directory record signature', { length: SIGNATURE_LENGTH })
  if (raw.devices.length === 0) throw new ValidationError('directory record lists no device')
  const devices = raw.devices.map((d): DirectoryDevice => {
    abytes(d.certificate, 'directory record device certificate', { max: MAX_CERTIFICATE_BYTES })
    if (d.keyPackages.length > MAX_ONE_TIME_KEY_PACKAGES) throw new ValidationError(`directory record lists more than ${MAX_ONE_TIME_KEY_PACKAGES} one-time key packages for one device`)
    for (const kp of d.keyPackages) abytes(kp, 'directory record key package', { max: MAX_KEY_PACKAGE_BYTES })
    abytes(d.lastResortKeyPackage, 'directory record last-resort key package', { max: MAX_KEY_PACKAGE_BYTES })
    return {
      certificate: d.certificate,
      addrs: checkAddrs(d.addrs, 'address', 'addresses', MAX_ADDRS),
      mailboxes: checkAddrs(d.mailboxes, 'mailbox', 'mailboxes', MAX_MAILBOXES),
      keyPackages: d.keyPackages,
      lastResortKeyPackage: d.lastResortKeyPackage,
      ...(d.introMailboxes.length > 0 ? { introMailboxes: checkIntroMailboxes(d.introMailboxes) } : {})
    }
  })
  return {
    identityKey: raw.identityKey,
    seq: checkTime(raw.seq, 'seq'),
    issuedAt: checkTime(raw.issuedAt, 'issue time'),
    expiresAt: checkTime(raw.expiresAt, 'expiry'),
    devices,
    signature: raw.signature
  }
}
