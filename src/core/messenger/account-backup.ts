/**
 * Backing up an account and restoring it as a new device (docs/PROTOCOL.md §Backup, §Rejoin).
 * {@link collectBackup} reads what a backup holds from the store; {@link restoreBackup} turns a
 * decrypted backup into the writes of a fresh store: the same identity key, but a new device (new
 * libp2p key, new MLS signature key, a new certificate) whose conversations are rejoining, since the
 * old device's MLS states must never be continued.
 */
import { decodeBackupContents, encodeBackupContents, type BackupContents, type BackupFile, type BackupGroup, type BackupMessage } from '../backup/backup-contents.ts'
import { checkNewPassphrase, openBackup, sealBackup } from '../backup/backup-file.ts'
import { fromHex, fromUtf8, toHex, utf8 } from '../bytes.ts'
import { CryptoVerificationError, UsageError } from '../errors.ts'
import { issueDeviceCertificate, encodeDeviceCertificate, validateDisplayName } from '../identity/device-certificate.ts'
import { importSigningKey, signWithLabel, verifyWithLabel } from '../identity/identity-key.ts'
import { decodeInvite } from '../identity/invite.ts'
import { peerIdFromText, peerIdToString } from '../identity/peer-id.ts'
import { createGroupState, decodeState, listMembers } from '../mls/group.ts'
import { createKeyPackage, generateMlsSigningKey } from '../mls/key-package.ts'
import { hasAccount, type Account } from './account.ts'
import { CONVERSATION_PREFS_KEY, parsePrefs, prefsWrite, type ConversationPrefs } from './conversation-prefs.ts'
import { newGroupRow } from './conversations.ts'
import { ReadState } from './read-state.ts'
import { parseRejoinMark, REJOIN_PREFIX, rejoinMarkWrite } from './rejoin-marks.ts'
import type { GroupRow, MessageRow, Store, Write } from './store.ts'

const META = {
  identityPublic: 'identity.public',
  identityPrivate: 'identity.private',
  mlsPublic: 'mls.public',
  mlsPrivate: 'mls.private',
  certificate: 'device.certificate',
  peerId: 'device.peer-id',
  readReceipts: 'settings.read-receipts'
} as const

/** What to put in a backup. */
export interface CollectOptions {
  /** Include message history. */
  readonly history: boolean
  readonly now: number
  /** Bytes of file offers kept with their thumbnails, the newest first (default {@link THUMBNAIL_BUDGET}). */
  readonly thumbnailBudget?: number
}

/** Bytes of file offers a backup keeps with their thumbnails, the newest files first; older ones go without. */
const THUMBNAIL_BUDGET = 16 * 1024 * 1024

const big = (n: number): bigint => BigInt(Math.max(0, Math.trunc(n)))
const bytesOf = (hex: string | null): Uint8Array<ArrayBuffer> => (hex === null ? new Uint8Array() : fromHex(hex)) as Uint8Array<ArrayBuffer>

/** Reads this device's account, contacts, conversations and (optionally) history into backup contents. */
export async function collectBackup (store: Store, account: Account, options: CollectOptions): Promise<BackupContents> {
  const identityPrivate = await store.getMeta(META.identityPrivate)
  if (identityPrivate === undefined) throw new UsageError('no account here to back up')
  const parsedPrefs = parsePrefs(await store.getMeta(CONVERSATION_PREFS_KEY))
  const prefs: ReadonlyMap<string, ConversationPrefs> = parsedPrefs.kind === 'ok' ? parsedPrefs.prefs : new Map()
  const groups: BackupGroup[] = []
  const messages: BackupMessage[] = []
  const fileMessages: Array<{ id: string, sentAt: number }> = []
  for (const row of await store.listGroups()) {
    // A conversation still rejoining (this device was itself restored) has only a placeholder
    // state: its members, and the devices a rejoin must remove, are in its mark.
    const mark = parseRejoinMark(await store.getMeta(REJOIN_PREFIX + row.id))
    const members = mark !== undefined
      ? mark.members.map((m) => ({ identity: bytesOf(m.identity), peerId: peerIdFromText(m.peerId) as Uint8Array<ArrayBuffer> }))
      : listMembers(decodeState(row.state))
        .filter((m) => peerIdToString(m.certificate.peerId) !== account.peerId)
        .map((m) => ({ identity: m.certificate.identityKey as Uint8Array<ArrayBuffer>, peerId: m.certificate.peerId as Uint8Array<ArrayBuffer> }))
    const p = prefs.get(row.id)
    groups.push({
      id: bytesOf(row.id), direct: row.kind === 'direct', name: row.name, peerIdentity: bytesOf(row.peerIdentity), creator: bytesOf(row.creator),
      active: row.active, lamport: big(row.lamport), createdAt: big(row.createdAt), members, muted: p?.muted ?? false, archived: p?.archived ?? false,
      replacedDevices: (mark?.oldDevices ?? []).map((d) => peerIdFromText(d) as Uint8Array<ArrayBuffer>)
    })
    if (!options.history) continue
    for (const m of await store.listMessages(row.id, Number.MAX_SAFE_INTEGER)) {
      messages.push({
        id: bytesOf(m.id), groupId: bytesOf(m.groupId), senderIdentity: bytesOf(m.senderIdentity), senderDevice: m.senderDevice, own: m.own,
        kind: m.kind, text: m.text, target: bytesOf(m.target), seq: big(m.seq), lamport: big(m.lamport), sentAt: big(m.sentAt),
        receivedAt: big(m.receivedAt), epoch: big(m.epoch), gap: m.gap
      })
      if (m.kind === 'file') fileMessages.push({ id: m.id, sentAt: m.sentAt })
    }
  }
  // Each file the history offers, key included, so that the restored device can fetch it again.
  // Thumbnails (up to 64 KiB each) go with the newest files until THUMBNAIL_BUDGET is spent: a
  // history of many photos must still fit in one backup file.
  const files: BackupFile[] = []
  if (fileMessages.length > 0) {
    const { backupFileOfMessage, offerWithoutThumbnail } = await import('./file-offer-record.ts')
    let budget = options.thumbnailBudget ?? THUMBNAIL_BUDGET
    for (const m of fileMessages.sort((a, b) => b.sentAt - a.sentAt)) {
      const file = await backupFileOfMessage(store, m.id)
      if (file === undefined) continue
      let offer = file.offer
      if (offer.length > budget) offer = offerWithoutThumbnail(offer)
      else budget -= offer.length
      files.push({ messageId: bytesOf(m.id), fileId: file.fileId as Uint8Array<ArrayBuffer>, offer: offer as Uint8Array<ArrayBuffer> })
    }
  }
  const readReceipts = await store.getMeta(META.readReceipts)
  return {
    version: 1,
    createdAt: big(options.now),
    identityPublic: account.identity.publicKey as Uint8Array<ArrayBuffer>,
    identityPrivate: identityPrivate as Uint8Array<ArrayBuffer>,
    displayName: account.certificate.displayName,
    devicePeerId: peerIdFromText(account.peerId) as Uint8Array<ArrayBuffer>,
    contacts: (await store.listContacts()).map((c) => ({
      identity: bytesOf(c.identity), alias: c.alias, displayName: c.displayName, verified: c.verified, createdAt: big(c.createdAt)
    })),
    devices: (await store.listDevices()).filter((d) => d.identity !== account.identityHex).map((d) => ({ card: d.certificate as Uint8Array<ArrayBuffer> })),
    groups,
    history: options.history,
    messages,
    files,
    readReceipts: readReceipts === undefined || fromUtf8(readReceipts) !== '0'
  }
}

/** The new device a backup is restored onto. */
export interface NewDevice {
  readonly peerId: string
  readonly peerIdBytes: Uint8Array
  /** Writes that belong with the account, such as the device's libp2p key; applied in the same batch. */
  readonly writes?: readonly Write[]
}

/** What restoring produced. */
export interface RestoredAccount {
  readonly account: Account
  readonly writes: Write[]
  /** Conversations marked rejoining. */
  readonly rejoining: number
}

const RESTORE_CHECK_LABEL = 'kith/backup-key-check/v1'

/**
 * The writes that make an empty store hold a restored account on a new device: identity key and
 * display name from the backup; new MLS key and device certificate; contacts, devices, read
 * receipts, preferences and history; and every conversation this account was still in as a
 * one-member placeholder marked rejoining. Refuses a store that already has an account.
 */
export async function restoreBackup (store: Store, contents: BackupContents, device: NewDevice, now: number): Promise<RestoredAccount> {
  if (await hasAccount(store)) throw new UsageError('this place already has an account; restore a backup only into a new, empty one')
  const identity = await importSigningKey(contents.identityPrivate, contents.identityPublic).catch((err: unknown) => {
    throw new CryptoVerificationError('the backup\'s identity key is damaged', { cause: err })
  })
  // The private key must be the public key's: a backup made of mismatched halves is refused here.
  const probe = utf8('restore')
  if (!await verifyWithLabel(contents.identityPublic, RESTORE_CHECK_LABEL, probe, await signWithLabel(identity, RESTORE_CHECK_LABEL, probe))) {
    throw new CryptoVerificationError('the backup\'s identity private key does not match its public key')
  }
  const identityHex = toHex(contents.identityPublic)
  const mlsKey = await generateMlsSigningKey()
  const certificate = await issueDeviceCertificate(identity, {
    peerId: device.peerIdBytes, mlsSignatureKey: mlsKey.publicKey, displayName: validateDisplayName(contents.displayName), createdAt: now
  })
  const account: Account = { identity, identityHex, certificate, mlsKey, peerId: device.peerId }
  const writes: Write[] = [
    { kind: 'meta', key: META.identityPublic, value: contents.identityPublic },
    { kind: 'meta', key: META.identityPrivate, value: contents.identityPrivate },
    { kind: 'meta', key: META.mlsPublic, value: mlsKey.publicKey },
    { kind: 'meta', key: META.mlsPrivate, value: mlsKey.signKey },
    { kind: 'meta', key: META.certificate, value: encodeDeviceCertificate(certificate) },
    { kind: 'meta', key: META.peerId, value: utf8(device.peerId) },
    { kind: 'meta', key: META.readReceipts, value: utf8(contents.readReceipts ? '1' : '0') }
  ]
  for (const c of contents.contacts) {
    if (toHex(c.identity) === identityHex) continue
    writes.push({ kind: 'contact', row: { identity: toHex(c.identity), alias: c.alias, displayName: c.displayName, verified: c.verified, createdAt: Number(c.createdAt) } })
  }
  for (const d of contents.devices) {
    // Every card is checked again: a device is trusted only if its identity key signed it.
    const invite = await decodeInvite(d.card)
    const owner = toHex(invite.certificate.identityKey)
    if (owner === identityHex) continue
    writes.push({ kind: 'device', row: { peerId: peerIdToString(invite.certificate.peerId), identity: owner, certificate: d.card, addrs: [...invite.addrs], updatedAt: now } })
  }
  const oldDevice = peerIdToString(contents.devicePeerId)
  const prefs = new Map<string, ConversationPrefs>()
  const reads = new ReadState(store)
  const lastLamport = new Map<string, number>()
  const fileRows = new Map<string, MessageRow>()
  for (const m of contents.messages) {
    const groupId = toHex(m.groupId)
    lastLamport.set(groupId, Math.max(lastLamport.get(groupId) ?? 0, Number(m.lamport)))
    const row: MessageRow = {
      id: toHex(m.id), groupId, senderIdentity: toHex(m.senderIdentity), senderDevice: m.senderDevice, own: m.own, kind: m.kind, text: m.text,
      target: m.target.length === 0 ? null : toHex(m.target), seq: Number(m.seq), lamport: Number(m.lamport), sentAt: Number(m.sentAt),
      receivedAt: Number(m.receivedAt), epoch: Number(m.epoch), recipients: 0, needsSend: false, gap: m.gap
    }
    writes.push({ kind: 'message', row })
    if (row.kind === 'file') fileRows.set(row.id, row)
  }
  if (contents.files.length > 0) {
    const { restoredFileWrites } = await import('./file-offer-record.ts')
    // decodeBackupContents checked that each names a FILE message of the history.
    for (const f of contents.files) writes.push(...restoredFileWrites(fileRows.get(toHex(f.messageId))!, toHex(f.fileId), f.offer))
  }
  let rejoining = 0
  for (const g of contents.groups) {
    const id = toHex(g.id)
    // A placeholder: this device's own one-member group under the same id, never sent anywhere.
    const state = await createGroupState(g.id, await createKeyPackage(certificate, mlsKey))
    const base = newGroupRow({
      id, kind: g.direct ? 'direct' : 'group', name: g.name, peerIdentity: g.direct ? toHex(g.peerIdentity) : null, creator: toHex(g.creator)
    }, state, { epoch: 0, parent: new Uint8Array() }, Number(g.createdAt))
    const row: GroupRow = { ...base, lamport: Number(g.lamport), active: g.active }
    writes.push({ kind: 'group', row })
    if (g.muted || g.archived) prefs.set(id, { muted: g.muted, archived: g.archived })
    const last = lastLamport.get(id)
    // Restored history counts as read.
    if (last !== undefined) writes.push(reads.ownPositionWrite(id, last))
    const members = g.members.map((m) => ({ identity: toHex(m.identity), peerId: peerIdToString(m.peerId) })).filter((m) => m.identity !== identityHex)
    if (g.active && members.length > 0) {
      const oldDevices = [...new Set([oldDevice, ...g.replacedDevices.map((d) => peerIdToString(d))])]
      writes.push(rejoinMarkWrite(id, { members, oldDevices, requested: false }))
      rejoining++
    }
  }
  if (prefs.size > 0) writes.push(prefsWrite(prefs))
  return { account, writes, rejoining }
}

/** Decrypts a backup file and restores it into an empty store as a new device (see {@link restoreBackup}). */
export async function importBackupFile (
  store: Store, file: Uint8Array, passphrase: string, device: NewDevice, now: number, onProgress?: (fraction: number) => void
): Promise<RestoredAccount> {
  if (await hasAccount(store)) throw new UsageError('this place already has an account; restore a backup only into a new, empty one')
  const contents = decodeBackupContents(await openBackup(file, passphrase, onProgress))
  const restored = await restoreBackup(store, contents, device, now)
  await store.apply([...(device.writes ?? []), ...restored.writes])
  return restored
}

/** Backs up this device's account into an encrypted file. */
export async function exportBackupFile (
  store: Store, account: Account, passphrase: string, options: CollectOptions & { onProgress?: (fraction: number) => void }
): Promise<Uint8Array> {
  checkNewPassphrase(passphrase)
  const contents = encodeBackupContents(await collectBackup(store, account, options))
  return await sealBackup(contents, passphrase, options.onProgress !== undefined ? { onProgress: options.onProgress } : {})
}
