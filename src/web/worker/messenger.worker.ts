/**
 * The messenger worker: the account, every MLS operation and the IndexedDB store run here, so the
 * page never blocks on crypto. The page reaches it through {@link WorkerApi}; it reaches the
 * page's libp2p node through {@link PageApi}.
 */
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { UsageError } from '../../core/errors.ts'
import { parseInviteLink } from '../../core/identity/invite.ts'
import { createAccount, DEVICE_KEY_META, hasAccount, loadAccount, type Account } from '../../core/messenger/account.ts'
import { Messenger } from '../../core/messenger/messenger.ts'
import type { Transport } from '../../core/messenger/ports.ts'
import { IndexedDbStore } from '../../store/indexeddb.browser.ts'
import { RpcEndpoint, type MessagePortLike } from '../rpc.ts'
import type { PageApi, UiMethod, WorkerApi, WorkerIdentity, WorkerTimings } from './protocol.ts'

const DATABASE = 'kith'

let store: IndexedDbStore | undefined
let messenger: Messenger | undefined
let identity: WorkerIdentity | undefined
let webBase = ''
let timings: WorkerTimings = {}
let addrs: string[] = []

function need (): Messenger {
  if (messenger === undefined) throw new UsageError('Kith is still starting')
  return messenger
}

async function openStore (): Promise<IndexedDbStore> {
  store ??= await IndexedDbStore.open(DATABASE)
  return store
}

function log (line: string): void {
  page.note('log', line)
}

let lastProgress = -1
/** Passes KDF progress to the page in whole percents, not on every block. */
function reportProgress (fraction: number): void {
  const percent = Math.floor(fraction * 100)
  if (percent === lastProgress) return
  lastProgress = percent
  page.note('progress', fraction)
}
/** Per peer, the row id of the last frame offered to the page this session. */
const offeredThrough = new Map<string, number>()

const transport: Transport = {
  listenAddrs: () => addrs,
  notify: (peerId) => { page.note('notify', peerId) },
  // The frames go with the notice, so the page sends them without asking (one hop, not three).
  offer: (peerId, frames) => {
    let after = offeredThrough.get(peerId) ?? null
    const offered = frames.map((f) => {
      const o = { rowId: f.rowId, frame: f.frame, messageId: f.messageId, after }
      after = f.rowId
      return o
    })
    if (after !== null) offeredThrough.set(peerId, after)
    page.note('offer', peerId, offered)
  },
  withdraw: (messageId) => { page.note('withdraw', messageId) },
  addAddresses: async (peerId, list) => { await page.call('addAddresses', peerId, [...list]) },
  fetchKeyPackage: async (peerId) => await page.call('fetchKeyPackage', peerId)
}

async function bind (account: Account, libp2pKey: Uint8Array): Promise<WorkerIdentity> {
  const s = await openStore()
  messenger = new Messenger({ store: s, transport, account, log }, { webBase, ...timings })
  messenger.subscribe((event) => { page.note('event', event) })
  identity = { name: account.certificate.displayName, identity: account.identityHex, peerId: account.peerId, libp2pKey }
  return identity
}

const api: WorkerApi = {
  async open (base, asked) {
    webBase = base
    timings = asked
    if (identity !== undefined) return identity
    const s = await openStore()
    if (!await hasAccount(s)) return null
    const account = await loadAccount(s)
    const key = await s.getMeta(DEVICE_KEY_META)
    if (key === undefined) throw new UsageError('this browser has an account but no device key; its storage is damaged')
    return await bind(account, key)
  },

  async onboard (displayName) {
    const s = await openStore()
    if (await hasAccount(s)) throw new UsageError('this browser already has an identity')
    const key = await generateKeyPair('Ed25519')
    const peerId = peerIdFromPrivateKey(key)
    const { account, writes } = await createAccount(displayName, peerId.toString(), peerId.toMultihash().bytes, Date.now())
    const libp2pKey = privateKeyToProtobuf(key)
    await s.apply([{ kind: 'meta', key: DEVICE_KEY_META, value: libp2pKey }, ...writes])
    return await bind(account, libp2pKey)
  },

  async restoreBackup (file, passphrase) {
    const s = await openStore()
    if (await hasAccount(s)) throw new UsageError('this browser already has an identity; a backup can only be restored into a fresh one')
    const { importBackupFile } = await import('../../core/messenger/account-backup.ts')
    const key = await generateKeyPair('Ed25519')
    const peerId = peerIdFromPrivateKey(key)
    const libp2pKey = privateKeyToProtobuf(key)
    const restored = await importBackupFile(s, file, passphrase, {
      peerId: peerId.toString(), peerIdBytes: peerId.toMultihash().bytes, writes: [{ kind: 'meta', key: DEVICE_KEY_META, value: libp2pKey }]
    }, Date.now(), reportProgress)
    log(`restored a backup as device ${peerId.toString()}; ${restored.rejoining} conversation(s) rejoining`)
    return await bind(await loadAccount(s), libp2pKey)
  },

  async exportBackup (passphrase, history) {
    return await need().exportBackup(passphrase, { history, onProgress: reportProgress })
  },

  async startMessenger (list) {
    addrs = list
    await need().start()
  },

  setAddrs (list) {
    addrs = list
  },

  async addContact (link) {
    const m = need()
    const invite = await parseInviteLink(link)
    const before = await m.contacts()
    const { contact } = await m.addContact(invite)
    const existing = before.some((c) => c.identity === contact.identity)
    const conversation = (await m.conversations()).find((c) => c.kind === 'direct' && c.peerIdentity === contact.identity)
    if (conversation === undefined) throw new UsageError(`no conversation with ${contact.displayName} was set up`)
    return { alias: contact.alias, conversationId: conversation.id, existing }
  },

  async checkInvite (link) {
    return await need().checkInvite(await parseInviteLink(link)) ?? null
  },

  async invoke<M extends UiMethod> (method: M, args: Parameters<Messenger[M]>): Promise<Awaited<ReturnType<Messenger[M]>>> {
    const m = need()
    const fn = m[method] as (...a: Parameters<Messenger[M]>) => Promise<Awaited<ReturnType<Messenger[M]>>>
    return await fn.apply(m, args)
  },

  async receive (fromPeer, frame) { return await need().receive(fromPeer, frame) },
  async nextFrames (peerId, after, limit) { return await need().nextFrames(peerId, after, limit) },
  async settleFrames (peerId, outcomes) { await need().settleFrames(peerId, outcomes) },
  async provideKeyPackage () { return await need().provideKeyPackage() },
  async ownMailboxes () { return await need().ownMailboxes() },
  async setOwnMailboxes (list) { await need().setOwnMailboxes(list) },
  async mailboxesOf (peerId) { return await need().mailboxesOf(peerId) },
  async framesDeposited (peerId, rowIds) { await need().framesDeposited(peerId, rowIds) },
  peerConnected (peerId) { messenger?.peerConnected(peerId) },
  async signDirectoryRecord (list, issuedAt, lifetimeMs) { return await need().signDirectoryRecord(list, issuedAt, lifetimeMs) },
  async identityOfDevice (peerId) { return await need().identityOfDevice(peerId) },
  async sendFile (conversationId, file, caption, preview) {
    const m = need()
    const { sealBrowserFile } = await import('./file-sealing.ts')
    const manifest = await sealBrowserFile(file, preview ?? undefined)
    await m.sendFile(conversationId, manifest, caption)
  },
  async flush () { await messenger?.flush() }
}

const page = new RpcEndpoint<WorkerApi, PageApi>(globalThis as unknown as MessagePortLike, api, log)
