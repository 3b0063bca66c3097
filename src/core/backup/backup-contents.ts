/**
 * What a backup holds (the `BackupContents` protobuf, docs/PROTOCOL.md §Backup contents): the
 * identity key pair, display name, contacts and their devices, conversations with their members
 * and preferences, and, if asked, message history with the file offers it holds. Decoding checks every field's shape, since a
 * file from elsewhere is input like any other; signatures and keys are checked where they are used.
 */
import { BackupContents as Codec, type BackupContents } from '../codec/backup.ts'
import { abytes, toHex } from '../bytes.ts'
import { FILE_ID_LENGTH } from '../files/constants.ts'
import { CodecError, ValidationError } from '../errors.ts'
import { validateDisplayName } from '../identity/device-certificate.ts'
import { PUBLIC_KEY_LENGTH } from '../identity/identity-key.ts'

export type { BackupContact, BackupContents, BackupDevice, BackupFile, BackupGroup, BackupMember, BackupMessage } from '../codec/backup.ts'

/** The contents version this code writes and reads. */
export const CONTENTS_VERSION = 1
const MAX_CONTACTS = 10_000
const MAX_GROUPS = 10_000
const MAX_MEMBERS = 10_000
const MAX_MESSAGES = 5_000_000
const MAX_ID_BYTES = 64
const MAX_TEXT = 64 * 1024
/** An offer is a manifest: under 1 KiB, and a thumbnail of at most 64 KiB. */
const MAX_OFFER_BYTES = 128 * 1024

/** Encodes contents for {@link sealBackup}. */
export function encodeBackupContents (contents: BackupContents): Uint8Array {
  return Codec.encode(contents)
}

function check (ok: boolean, what: string): void {
  if (!ok) throw new ValidationError(`backup contents: ${what}`)
}

/** Decodes the plaintext of a backup and checks the shape of every field. */
export function decodeBackupContents (bytes: Uint8Array): BackupContents {
  let c: BackupContents
  try {
    c = Codec.decode(bytes, { limits: { contacts: MAX_CONTACTS, devices: MAX_CONTACTS * 8, groups: MAX_GROUPS, messages: MAX_MESSAGES, files: MAX_MESSAGES, groups$: { members: MAX_MEMBERS, replacedDevices: 16 } } })
  } catch (err) {
    throw new CodecError('backup contents are not valid protobuf', { cause: err })
  }
  if (c.version !== CONTENTS_VERSION) throw new ValidationError(`backup contents version ${c.version} is not supported`)
  abytes(c.identityPublic, 'backup identity key', { length: PUBLIC_KEY_LENGTH })
  abytes(c.identityPrivate, 'backup identity private key', { max: 256 })
  check(c.identityPrivate.length > 0, 'the identity private key is missing')
  validateDisplayName(c.displayName)
  check(c.devicePeerId.length > 0 && c.devicePeerId.length <= MAX_ID_BYTES, 'the backed-up device id is missing or too long')
  for (const contact of c.contacts) {
    check(contact.identity.length === PUBLIC_KEY_LENGTH, 'a contact identity is not 32 bytes')
    check(contact.alias.trim().length > 0 && contact.alias.length <= 64 && !/\s/.test(contact.alias), `contact alias ${JSON.stringify(contact.alias.slice(0, 40))} is not valid`)
    check(contact.displayName.length <= 256, 'a contact display name is too long')
  }
  for (const d of c.devices) check(d.card.length > 0 && d.card.length <= 4096, 'a device card is empty or too long')
  for (const g of c.groups) {
    check(g.id.length > 0 && g.id.length <= MAX_ID_BYTES, 'a conversation id is empty or too long')
    check(g.name.length <= 128, 'a conversation name is too long')
    check(g.creator.length === PUBLIC_KEY_LENGTH, 'a conversation creator is not 32 bytes')
    check(g.direct ? g.peerIdentity.length === PUBLIC_KEY_LENGTH : g.peerIdentity.length === 0, 'a 1:1 must name its other account, and only a 1:1')
    for (const m of g.members) check(m.identity.length === PUBLIC_KEY_LENGTH && m.peerId.length > 0 && m.peerId.length <= MAX_ID_BYTES, 'a member is malformed')
    check(g.replacedDevices.length <= 16 && g.replacedDevices.every((d) => d.length > 0 && d.length <= MAX_ID_BYTES), 'a replaced device is malformed')
    check(g.lamport <= BigInt(Number.MAX_SAFE_INTEGER) && g.createdAt <= BigInt(Number.MAX_SAFE_INTEGER), 'a conversation clock is out of range')
  }
  check(c.history || c.messages.length === 0, 'messages are present although history was not included')
  for (const m of c.messages) {
    check(m.id.length > 0 && m.id.length <= MAX_ID_BYTES && m.groupId.length > 0 && m.groupId.length <= MAX_ID_BYTES, 'a message id is empty or too long')
    check(m.senderIdentity.length === PUBLIC_KEY_LENGTH && m.senderDevice.length <= 128, 'a message sender is malformed')
    check(/^[a-z-]{1,32}$/.test(m.kind), 'a message kind is malformed')
    check(m.text.length <= MAX_TEXT && m.target.length <= MAX_ID_BYTES, 'a message is too long')
    for (const n of [m.seq, m.lamport, m.sentAt, m.receivedAt, m.epoch]) check(n <= BigInt(Number.MAX_SAFE_INTEGER), 'a message number is out of range')
  }
  check(c.history || c.files.length === 0, 'file offers are present although history was not included')
  const fileMessages = new Set(c.messages.filter((m) => m.kind === 'file').map((m) => toHex(m.id)))
  const fileIds = new Set<string>()
  const offeredBy = new Set<string>()
  for (const f of c.files) {
    const [message, file] = [toHex(f.messageId), toHex(f.fileId)]
    check(f.fileId.length === FILE_ID_LENGTH, 'a file id is not 16 bytes')
    check(!offeredBy.has(message), `message ${message} is listed with two files`)
    check(fileMessages.has(message), `file ${file} names no file message of the history`)
    check(f.offer.length <= MAX_OFFER_BYTES, `the offer of file ${file} is too long`)
    check(!fileIds.has(file), `file ${file} is listed twice`)
    offeredBy.add(message)
    fileIds.add(file)
  }
  return c
}
