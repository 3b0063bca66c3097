/**
 * Backing up an account and restoring it as a new device, on real SQLite stores: what comes back
 * (identity, contacts, devices, history, prefs), what is new (device key, MLS key, certificate),
 * the placeholder conversations and their rejoin marks, and what is refused.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { decodeBackupContents, encodeBackupContents } from '../../../../src/core/backup/backup-contents.ts'
import { toHex } from '../../../../src/core/bytes.ts'
import { CryptoVerificationError, UsageError } from '../../../../src/core/errors.ts'
import { issueDeviceCertificate } from '../../../../src/core/identity/device-certificate.ts'
import { exportSigningKey, generateSigningKey } from '../../../../src/core/identity/identity-key.ts'
import { encodeInvite } from '../../../../src/core/identity/invite.ts'
import { collectBackup, restoreBackup } from '../../../../src/core/messenger/account-backup.ts'
import { createAccount, loadAccount, type Account } from '../../../../src/core/messenger/account.ts'
import { newGroupRow } from '../../../../src/core/messenger/conversations.ts'
import { parseRejoinMark, REJOIN_PREFIX } from '../../../../src/core/messenger/rejoin-marks.ts'
import { commitChanges, createGroupState, decodeState, listMembers } from '../../../../src/core/mls/group.ts'
import { createKeyPackage, generateMlsSigningKey } from '../../../../src/core/mls/key-package.ts'
import { SqliteStore } from '../../../../src/store/sqlite.node.ts'
import { Deliver, DeliverKind, RejoinRequest } from '../../../../src/core/codec/envelope.ts'
import { Messenger } from '../../../../src/core/messenger/messenger.ts'
import type { Transport } from '../../../../src/core/messenger/ports.ts'
import { peerIdToString } from '../../../../src/core/identity/peer-id.ts'
import { asFileId, encodeManifest, type FileManifest } from '../../../../src/core/files/manifest.ts'
import { fileOfferWithdrawn, offerWrites, readFileOffer, readFileOfferOfMessage, withdrawWrites, type FileOfferRecord } from '../../../../src/core/messenger/file-offer-record.ts'
import type { MessageRow } from '../../../../src/core/messenger/store.ts'

let dir: string
let stores: SqliteStore[]

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kith-account-backup-'))
  stores = []
})
afterEach(async () => {
  for (const s of stores) await s.close()
  rmSync(dir, { recursive: true, force: true })
})

function openStore (name: string): SqliteStore {
  const s = new SqliteStore(join(dir, `${name}.db`))
  stores.push(s)
  return s
}

async function newDevice (): Promise<{ peerId: string, peerIdBytes: Uint8Array }> {
  const id = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  return { peerId: id.toString(), peerIdBytes: id.toMultihash().bytes }
}

/** Alice's store: her account, Bob as a verified contact with his device, and their 1:1 with one message. */
async function aliceWithBob (): Promise<{ store: SqliteStore, account: Account, bobIdentity: string, bobPeer: string, groupId: string }> {
  const store = openStore('alice')
  const device = await newDevice()
  const { account, writes } = await createAccount('Alice', device.peerId, device.peerIdBytes, 1000)
  const bobKey = await generateSigningKey()
  const bobMls = await generateMlsSigningKey()
  const bobDevice = await newDevice()
  const bobCert = await issueDeviceCertificate(bobKey, { peerId: bobDevice.peerIdBytes, mlsSignatureKey: bobMls.publicKey, displayName: 'Bob', createdAt: 1 })
  const bobIdentity = toHex(bobKey.publicKey)
  const groupId = toHex(crypto.getRandomValues(new Uint8Array(32)))
  const created = await createGroupState(Uint8Array.from(Buffer.from(groupId, 'hex')), await createKeyPackage(account.certificate, account.mlsKey))
  const added = await commitChanges(created, { add: [(await createKeyPackage(bobCert, bobMls)).publicPackage], parent: new Uint8Array() })
  const row = { ...newGroupRow({ id: groupId, kind: 'direct', name: '', peerIdentity: bobIdentity, creator: account.identityHex }, added.state, { epoch: 0, parent: new Uint8Array() }, 5), lamport: 3 }
  await store.apply([
    ...writes,
    { kind: 'contact', row: { identity: bobIdentity, alias: 'bob', displayName: 'Bob', verified: true, createdAt: 2 } },
    { kind: 'device', row: { peerId: bobDevice.peerId, identity: bobIdentity, certificate: encodeInvite({ certificate: bobCert, addrs: ['/ip4/127.0.0.1/tcp/4001'] }), addrs: ['/ip4/127.0.0.1/tcp/4001'], updatedAt: 2 } },
    { kind: 'group', row },
    {
      kind: 'message',
      row: {
        id: 'aa'.repeat(16), groupId, senderIdentity: account.identityHex, senderDevice: account.peerId, own: true, kind: 'text', text: 'hello Bob',
        target: null, seq: 1, lamport: 3, sentAt: 10, receivedAt: 10, epoch: 1, recipients: 1, needsSend: false, gap: false
      }
    }
  ])
  return { store, account, bobIdentity, bobPeer: bobDevice.peerId, groupId }
}

describe('account backup', () => {
  it('restores the same identity as a new device, with its contacts, history, and the 1:1 rejoining', async () => {
    const alice = await aliceWithBob()
    const contents = decodeBackupContents(encodeBackupContents(await collectBackup(alice.store, alice.account, { history: true, now: 20 })))
    expect(contents.messages).toHaveLength(1)

    const target = openStore('restored')
    const device = await newDevice()
    const restored = await restoreBackup(target, contents, device, 30)
    await target.apply(restored.writes)
    expect(restored.rejoining).toBe(1)

    const account = await loadAccount(target)
    expect(account.identityHex).toBe(alice.account.identityHex)
    expect(account.peerId).toBe(device.peerId)
    expect(account.peerId).not.toBe(alice.account.peerId)
    expect(account.mlsKey.publicKey).not.toEqual(alice.account.mlsKey.publicKey)
    expect(account.certificate.displayName).toBe('Alice')

    expect(await target.listContacts()).toEqual([{ identity: alice.bobIdentity, alias: 'bob', displayName: 'Bob', verified: true, createdAt: 2 }])
    expect((await target.getDevice(alice.bobPeer))?.addrs).toEqual(['/ip4/127.0.0.1/tcp/4001'])
    const [message] = await target.listMessages(alice.groupId)
    expect(message).toMatchObject({ text: 'hello Bob', own: true, senderDevice: alice.account.peerId, needsSend: false })

    // A placeholder of the new device alone, never the old device's MLS state.
    const group = await target.getGroup(alice.groupId)
    expect(group).toMatchObject({ kind: 'direct', peerIdentity: alice.bobIdentity, epoch: 0, lamport: 3, active: true })
    expect(listMembers(decodeState(group!.state)).map((m) => toHex(m.certificate.peerId))).toEqual([toHex(device.peerIdBytes)])
    const mark = parseRejoinMark(await target.getMeta(REJOIN_PREFIX + alice.groupId))
    expect(mark).toEqual({ members: [{ identity: alice.bobIdentity, peerId: alice.bobPeer }], oldDevices: [alice.account.peerId], requested: false })
    expect(await target.listKeyPackages()).toEqual([])
  })

  it('queues one REJOIN per member device at start, and keeps its KeyPackage however many others are handed out', async () => {
    const alice = await aliceWithBob()
    const target = openStore('restored')
    const restored = await restoreBackup(target, await collectBackup(alice.store, alice.account, { history: false, now: 20 }), await newDevice(), 30)
    await target.apply(restored.writes)
    const notified: string[] = []
    const transport: Transport = { listenAddrs: () => [], notify: (p) => { notified.push(p) }, addAddresses: async () => {}, fetchKeyPackage: async () => { throw new Error('offline') } }
    const messenger = new Messenger({ store: target, transport, account: await loadAccount(target), log: () => {} })
    await messenger.start()
    messenger.stop()
    const [frame] = await target.listOutbox(alice.bobPeer, 0, 10)
    expect(Deliver.decode(frame!.frame).kind).toBe(DeliverKind.REJOIN)
    const request = RejoinRequest.decode(Deliver.decode(frame!.frame).message)
    expect(toHex(request.groupId)).toBe(alice.groupId)
    expect(request.oldDevices.map((d) => peerIdToString(d))).toEqual([alice.account.peerId])
    const mark = parseRejoinMark(await target.getMeta(REJOIN_PREFIX + alice.groupId))
    expect(mark?.requested).toBe(true)
    expect(mark?.keyPackages).toHaveLength(1)
    expect((await messenger.conversation(alice.groupId)).rejoining).toEqual(['bob'])
    await expect(messenger.send(alice.groupId, 'too early')).rejects.toThrow(/rejoining after a restore; you can send once bob puts this device back in/)
    for (let i = 0; i < 105; i++) await messenger.provideKeyPackage()
    const refs = (await target.listKeyPackages()).map((k) => k.ref)
    expect(refs).toHaveLength(100)
    expect(refs).toContain(mark!.keyPackages![0])
  })

  it('a backup made before rejoining still names the members and every device to replace', async () => {
    const alice = await aliceWithBob()
    const first = openStore('first')
    const firstDevice = await newDevice()
    await first.apply((await restoreBackup(first, await collectBackup(alice.store, alice.account, { history: false, now: 20 }), firstDevice, 30)).writes)
    const again = decodeBackupContents(encodeBackupContents(await collectBackup(first, await loadAccount(first), { history: false, now: 40 })))
    const second = openStore('second')
    await second.apply((await restoreBackup(second, again, await newDevice(), 50)).writes)
    const mark = parseRejoinMark(await second.getMeta(REJOIN_PREFIX + alice.groupId))
    expect(mark?.members).toEqual([{ identity: alice.bobIdentity, peerId: alice.bobPeer }])
    expect(new Set(mark?.oldDevices)).toEqual(new Set([firstDevice.peerId, alice.account.peerId]))
  })

  it('keeps the files of the history: each offer with its key, and a withdrawn file as withdrawn', async () => {
    const alice = await aliceWithBob()
    const manifest = (id: number): FileManifest => ({
      fileId: asFileId(new Uint8Array(16).fill(id)), name: `file-${id}.pdf`, size: 3000, mimeType: 'application/pdf', chunkSize: 65536,
      key: crypto.getRandomValues(new Uint8Array(32)), merkleRoot: crypto.getRandomValues(new Uint8Array(32))
    })
    const kept = manifest(1)
    const withdrawn = manifest(2)
    const fileRow = (id: string, seq: number, caption: string): MessageRow => ({
      id, groupId: alice.groupId, senderIdentity: alice.bobIdentity, senderDevice: alice.bobPeer, own: false, kind: 'file', text: caption,
      target: null, seq, lamport: 3 + seq, sentAt: 100 + seq, receivedAt: 100 + seq, epoch: 1, recipients: 0, needsSend: false, gap: false
    })
    const at = (row: MessageRow, m: FileManifest): FileOfferRecord => ({
      messageId: row.id, groupId: row.groupId, senderIdentity: row.senderIdentity, senderDevice: row.senderDevice, caption: row.text, sentAt: row.sentAt, manifest: m
    })
    const keptRow = fileRow('b1'.repeat(16), 2, 'the plan')
    const withdrawnRow = fileRow('b2'.repeat(16), 3, '')
    await alice.store.apply([
      { kind: 'message', row: keptRow }, ...offerWrites(at(keptRow, kept)),
      { kind: 'message', row: withdrawnRow }, ...offerWrites(at(withdrawnRow, withdrawn))
    ])
    await alice.store.apply(withdrawWrites(at(withdrawnRow, withdrawn)))

    const contents = decodeBackupContents(encodeBackupContents(await collectBackup(alice.store, alice.account, { history: true, now: 20 })))
    expect(contents.files).toHaveLength(2)
    const target = openStore('restored')
    await target.apply((await restoreBackup(target, contents, await newDevice(), 30)).writes)
    expect(await readFileOfferOfMessage(target, keptRow.id)).toEqual(at(keptRow, kept))
    expect(await readFileOffer(target, toHex(withdrawn.fileId))).toBeUndefined()
    expect(await fileOfferWithdrawn(target, toHex(withdrawn.fileId))).toBe(true)

    // An offer that is not the file it is listed as, or no offer at all, is refused by name.
    const swapped = { ...contents, files: contents.files.map((f) => ({ ...f, offer: f.offer.length > 0 ? encodeManifest(manifest(3)) as Uint8Array<ArrayBuffer> : f.offer })) }
    await expect(restoreBackup(openStore('swapped'), swapped, await newDevice(), 30)).rejects.toThrow(`the offer listed as file ${'01'.repeat(16)} is file ${'03'.repeat(16)}`)
    const garbage = { ...contents, files: contents.files.map((f) => ({ ...f, offer: f.offer.length > 0 ? new Uint8Array([0xff, 0xff]) : f.offer })) }
    await expect(restoreBackup(openStore('garbage'), garbage, await newDevice(), 30)).rejects.toThrow(`the offer of file ${'01'.repeat(16)} does not decode`)
  })

  it('keeps thumbnails with the newest files until their budget is spent; older offers go without theirs', async () => {
    const alice = await aliceWithBob()
    const rows: MessageRow[] = []
    const offers: FileOfferRecord[] = []
    for (let i = 1; i <= 3; i++) {
      const row: MessageRow = {
        id: `c${i}`.repeat(16), groupId: alice.groupId, senderIdentity: alice.bobIdentity, senderDevice: alice.bobPeer, own: false, kind: 'file', text: '',
        target: null, seq: i + 1, lamport: 3 + i, sentAt: 100 * i, receivedAt: 100 * i, epoch: 1, recipients: 0, needsSend: false, gap: false
      }
      const manifest: FileManifest = {
        fileId: asFileId(new Uint8Array(16).fill(i)), name: `photo-${i}.jpg`, size: 90_000, mimeType: 'image/jpeg', chunkSize: 65536,
        key: new Uint8Array(32).fill(i), merkleRoot: new Uint8Array(32).fill(i), thumbnail: { type: 'image/jpeg', ciphertext: new Uint8Array(20_000).fill(i) }
      }
      rows.push(row)
      offers.push({ messageId: row.id, groupId: row.groupId, senderIdentity: row.senderIdentity, senderDevice: row.senderDevice, caption: '', sentAt: row.sentAt, manifest })
    }
    await alice.store.apply(rows.flatMap((row, i) => [{ kind: 'message', row } as const, ...offerWrites(offers[i]!)]))
    // Room for two offers with their thumbnails (about 20 KB each), not three.
    const contents = await collectBackup(alice.store, alice.account, { history: true, now: 20, thumbnailBudget: 45_000 })
    const target = openStore('restored')
    await target.apply((await restoreBackup(target, decodeBackupContents(encodeBackupContents(contents)), await newDevice(), 30)).writes)
    const thumbs = await Promise.all(rows.map(async (r) => (await readFileOfferOfMessage(target, r.id))?.manifest.thumbnail?.ciphertext.length))
    expect(thumbs).toEqual([undefined, 20_000, 20_000])
    // Without its thumbnail the oldest offer is the same file: its key and root are kept.
    expect((await readFileOfferOfMessage(target, rows[0]!.id))?.manifest).toMatchObject({ key: offers[0]!.manifest.key, merkleRoot: offers[0]!.manifest.merkleRoot, name: 'photo-1.jpg' })
  })

  it('leaves history out unless asked', async () => {
    const alice = await aliceWithBob()
    const contents = await collectBackup(alice.store, alice.account, { history: false, now: 20 })
    expect(contents.history).toBe(false)
    expect(contents.messages).toEqual([])
    expect(contents.files).toEqual([])
  })

  it('refuses a store that has an account, and a key pair whose halves do not match', async () => {
    const alice = await aliceWithBob()
    const contents = await collectBackup(alice.store, alice.account, { history: false, now: 20 })
    await expect(restoreBackup(alice.store, contents, await newDevice(), 30)).rejects.toThrow(UsageError)
    const other = await exportSigningKey(await generateSigningKey(true))
    await expect(restoreBackup(openStore('mismatch'), { ...contents, identityPrivate: other as Uint8Array<ArrayBuffer> }, await newDevice(), 30))
      .rejects.toThrow(CryptoVerificationError)
  })
})
