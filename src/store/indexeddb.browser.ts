/**
 * IndexedDB persistence for the browser app, through `idb`. It runs on the main thread or in a Web
 * Worker (it touches only `indexedDB`, `IDBKeyRange` and `crypto`), and answers every query as
 * `sqlite.node.ts` does; one contract suite (`test/unit/store/store-contract.test.ts`) runs against
 * both. Where SQLite leaves an order open (`devicesOf`, `listDevices`, ties), rows come in primary-key
 * order. Index keys compare strings by UTF-16 unit rather than SQLite's UTF-8 byte order; the two
 * agree on the ASCII ids and identities Kith stores, and `listContacts` sorts by code point itself.
 *
 * Sealing: on first open a non-extractable AES-256-GCM key is generated and kept, as a CryptoKey,
 * in the `keys` store. Every value that holds private keys or MLS secrets (each `meta` value,
 * `groups.state`, `epochs.stateBefore`, `keyPackages.initPrivateKey` and `.hpkePrivateKey`) is
 * stored as IV (12 random bytes) ‖ AES-GCM ciphertext and tag. The additional data names the store,
 * key and field, so a sealed value copied to another record does not open. This keeps secrets out of
 * plain view of anything that reads the database files or exports records; it does not stop code
 * running in this origin, which can ask the browser to use the key.
 *
 * The schema, and the checked conversion between rows and records, are in
 * indexeddb-schema.browser.ts.
 *
 * `hasMessage` runs for every message received, and a read transaction costs about a millisecond
 * in Chromium. So after its first call the store loads every message id into a Bloom filter (in the
 * background; reads answer meanwhile) and from then on answers "no" from memory; only a "maybe"
 * reads the database. Every message write passes through {@link IndexedDbStore.apply}, which adds
 * its id before its transaction starts, so the filter never misses a stored id. That holds while
 * this store is the only writer of the database, which the app's device lock ensures.
 */
import { unwrap, wrap, type IDBPTransaction } from 'idb'
import { compareBytes, concatBytes, utf8 } from '../core/bytes.ts'
import { BloomFilter } from './bloom-filter.ts'
import { CodecError, UsageError, strictAssert } from '../core/errors.ts'
import type {
  ContactRow, DeviceRow, EpochRow, GroupRow, KeyPackageRow, MessageRow, MessageView, OutboxRow, PendingRow, Store, Write
} from '../core/messenger/store.ts'
import {
  contactOf, contactRecord, copyBytes, deviceOf, deviceRecord, epochOf, epochRecord, foldCase, groupOf, groupRecord, keyPackageOf, keyPackageRecord,
  messageOf, metaValueOf, messageRecord, outboxOf, pendingOf, SCHEMA_VERSION, sealingKeyOf, upgrade, type KithDatabase, type KithSchema, type StoreName
} from './indexeddb-schema.browser.ts'

const SEALING_KEY_NAME = 'at-rest'
const IV_BYTES = 12
const TAG_BYTES = 16
/** Group records kept in memory at most (see {@link IndexedDbStore.apply}). */
const MAX_CACHED_GROUPS = 1000
/** Ids the first message-id filter is sized for at least (it is sized for twice what is stored). */
const MIN_FILTER_CAPACITY = 8192
/** SQLite's default `listMessages` limit. */
const DEFAULT_MESSAGE_LIMIT = 10_000

type WriteTx = IDBPTransaction<KithSchema, StoreName[], 'readwrite'>
type ReadTx = IDBPTransaction<KithSchema, StoreName[], 'readonly'>
type GroupRecord = KithSchema['groups']['value']
/** What the steps of one batch share: the group records it has written so far. */
interface Batch { readonly groups: Map<string, GroupRecord> }
/** One write's IndexedDB requests, run inside the batch's transaction; an `outbox` write returns its new key. */
type Step = (tx: WriteTx, batch: Batch) => Promise<number | void>

/** Frames of a message still queued for a device whose mailbox holds a copy. */
async function depositedCount (tx: ReadTx, messageId: string): Promise<number> {
  const rows = await tx.objectStore('outbox').index('message').getAll(messageId)
  return rows.filter((r) => (r as { deposited?: unknown }).deposited === true).length
}

/** The object stores each kind of write touches: the scope of a batch's one transaction. */
const WRITE_SCOPE: { readonly [K in Write['kind']]: readonly StoreName[] } = {
  meta: ['meta'],
  contact: ['contacts'],
  device: ['devices'],
  'device-drop': ['devices'],
  group: ['groups'],
  'group-clock': ['groups'],
  epoch: ['epochs'],
  'drop-epochs': ['epochs'],
  'prune-epochs': ['epochs'],
  message: ['messages'],
  'message-resend': ['messages'],
  'call-row': ['messages'],
  outbox: ['outbox'],
  'outbox-done': ['outbox', 'receipts'],
  'outbox-deposited': ['outbox'],
  'outbox-drop-message': ['outbox', 'receipts'],
  seen: ['seen'],
  pending: ['pending'],
  'pending-done': ['pending'],
  'key-package': ['keyPackages'],
  'key-package-used': ['keyPackages']
}
/** Options for {@link IndexedDbStore.open}. */
export interface IndexedDbStoreOptions {
  /** Defaults to `globalThis.indexedDB`. Must be of the global implementation: `idb` and key ranges use its classes. */
  factory?: IDBFactory
}

/** The IndexedDB implementation of {@link Store}. */
export class IndexedDbStore implements Store {
  private readonly db: KithDatabase
  private readonly sealingKey: CryptoKey
  /** Resolves once the last batch applied has created its transaction. */
  private lastBatchStarted: Promise<void> = Promise.resolve()
  /** Settles once every batch applied so far has committed (or failed). */
  private lastBatchDone: Promise<void> = Promise.resolve()
  /** Every stored message id may be in it (see the file comment); undefined until loaded. */
  private messageIds: BloomFilter | undefined
  /** Ids written while the filter loads, added once it has. */
  private idsWhileLoading: string[] | undefined
  /** Message ids of batches whose transaction does not exist yet: a load cannot see them. */
  private readonly unstartedIds = new Set<readonly string[]>()
  /** Group records as the last committed batch left them, so a clock update needs no read first. */
  private readonly groupRecords = new Map<string, GroupRecord>()
  /** Settles once the last batch that writes `groups` has committed or failed. */
  private lastGroupsBatch: Promise<void> = Promise.resolve()

  private constructor (db: KithDatabase, sealingKey: CryptoKey) {
    this.db = db
    this.sealingKey = sealingKey
  }

  /** Opens (creating or upgrading as needed) the database `name` and its sealing key. */
  static async open (name: string, options: IndexedDbStoreOptions = {}): Promise<IndexedDbStore> {
    const db = await openDatabase(options.factory ?? globalThis.indexedDB, name)
    try {
      return new IndexedDbStore(db, await loadSealingKey(db))
    } catch (err) {
      db.close()
      throw err
    }
  }

  async apply (writes: readonly Write[]): Promise<number[]> {
    const applied = this.applyInOrder(writes)
    const before = this.lastBatchDone
    this.lastBatchDone = applied.then(async () => { await before }, async () => { await before })
    return await applied
  }

  private async applyInOrder (writes: readonly Write[]): Promise<number[]> {
    const ids: number[] = []
    if (writes.length === 0) return ids
    // IndexedDB runs overlapping transactions in the order they were created. Creating them in call
    // order keeps batches in call order, as SQLite does, however long each one's sealing takes.
    const previous = this.lastBatchStarted
    let started = (): void => {}
    this.lastBatchStarted = new Promise((resolve) => { started = resolve })
    const messageIds = writes.flatMap((w) => (w.kind === 'message' ? [w.row.id] : []))
    this.unstartedIds.add(messageIds)
    const scope = [...new Set(writes.flatMap((w) => WRITE_SCOPE[w.kind]))]
    // A batch that writes groups starts once the one before it has committed or failed, so the
    // records it takes from memory are the ones on disk: a clock update then writes without reading.
    const groupsBefore = scope.includes('groups') ? this.lastGroupsBatch : undefined
    let groupsDone = (): void => {}
    if (groupsBefore !== undefined) this.lastGroupsBatch = new Promise((resolve) => { groupsDone = resolve })
    const batch: Batch = { groups: new Map() }
    try {
      // Sealing awaits WebCrypto, which would let the transaction auto-commit, so it all happens first.
      const steps = await Promise.all(writes.map(async (w) => await this.prepare(w)))
      await previous
      await groupsBefore
      // 'relaxed': committed once the browser has handed the data to the OS, so it survives a
      // crash of the tab or the browser but not of the OS, like SQLite's WAL with
      // synchronous=NORMAL in Node. 'strict' adds an fsync per batch: 70 → 44 ms p50 latency.
      const tx = this.db.transaction(scope, 'readwrite', { durability: 'relaxed' })
      this.unstartedIds.delete(messageIds)
      started()
      await settle(tx, async () => {
        for (const id of await Promise.all(runByStore(tx, writes, steps, batch))) {
          if (typeof id === 'number') ids.push(id)
        }
      })
      if (this.groupRecords.size + batch.groups.size > MAX_CACHED_GROUPS) this.groupRecords.clear()
      for (const [id, record] of batch.groups) this.groupRecords.set(id, record)
    } finally {
      this.unstartedIds.delete(messageIds)
      started()
      groupsDone()
    }
    return ids
  }

  /** IndexedDB commits a transaction once no request is pending, so nothing can stay staged. */
  async stage (writes: readonly Write[]): Promise<number[]> {
    return await this.apply(writes)
  }

  async durable (): Promise<void> {
    await this.lastBatchDone
  }

  private async prepare (w: Write): Promise<Step> {
    switch (w.kind) {
      case 'meta': {
        const record = { key: w.key, value: await this.seal(w.value, 'meta', w.key, 'value') }
        return async (tx) => { await tx.objectStore('meta').put(record) }
      }
      case 'contact': {
        const record = contactRecord(w.row)
        return async (tx) => {
          const store = tx.objectStore('contacts')
          const existing = await store.get(record.identity)
          // As SQLite's upsert: a known contact keeps the time it was first added.
          await store.put(existing === undefined ? record : { ...record, createdAt: contactOf(existing).createdAt })
        }
      }
      case 'device': {
        const record = deviceRecord(w.row)
        return async (tx) => { await tx.objectStore('devices').put(record) }
      }
      case 'device-drop': {
        const peerId = w.peerId
        return async (tx) => { await tx.objectStore('devices').delete(peerId) }
      }
      case 'group': {
        const record = groupRecord({ ...w.row, state: await this.seal(w.row.state, 'groups', w.row.id, 'state') })
        return async (tx, batch) => {
          const store = tx.objectStore('groups')
          const existing = batch.groups.get(record.id) ?? this.groupRecords.get(record.id) ?? await store.get(record.id)
          const next = existing === undefined ? record : { ...record, createdAt: groupOf(existing).createdAt }
          batch.groups.set(record.id, next)
          await store.put(next)
        }
      }
      case 'group-clock':
        return async (tx, batch) => {
          const store = tx.objectStore('groups')
          const existing = batch.groups.get(w.id) ?? this.groupRecords.get(w.id) ?? await store.get(w.id)
          if (existing === undefined) return
          const next = groupRecord({ ...groupOf(existing), lamport: w.lamport, ownSeq: w.ownSeq, name: w.name })
          batch.groups.set(w.id, next)
          await store.put(next)
        }
      case 'epoch': {
        const r = w.row
        const record = epochRecord({ ...r, stateBefore: await this.seal(r.stateBefore, 'epochs', [r.groupId, r.epoch], 'stateBefore') })
        return async (tx) => { await tx.objectStore('epochs').put(record) }
      }
      case 'drop-epochs':
        return async (tx) => { await tx.objectStore('epochs').delete(IDBKeyRange.bound([w.groupId, w.fromEpoch], [w.groupId, []])) }
      case 'prune-epochs':
        return async (tx) => { await tx.objectStore('epochs').delete(IDBKeyRange.bound([w.groupId], [w.groupId, w.belowEpoch], false, true)) }
      case 'message': {
        const record = messageRecord(w.row)
        this.noteMessageId(record.id)
        // As SQLite's INSERT OR IGNORE: the first row stored under an id stays.
        return async (tx) => { await addUnlessPresent(tx.objectStore('messages'), record) }
      }
      case 'message-resend':
        return async (tx) => {
          const store = tx.objectStore('messages')
          const existing = await store.get(w.id)
          if (existing === undefined) return
          await store.put(messageRecord({ ...messageOf(existing), needsSend: w.needsSend, recipients: w.recipients, epoch: w.epoch }))
        }
      case 'call-row':
        return async (tx) => {
          const store = tx.objectStore('messages')
          const existing = await store.get(w.id)
          if (existing === undefined) return
          const row = messageOf(existing)
          if (row.kind === 'call') await store.put(messageRecord({ ...row, text: w.text }))
        }
      case 'outbox': {
        const record = { peerId: w.peerId, groupId: w.groupId, messageId: w.messageId, frame: copyBytes(w.frame), createdAt: w.createdAt }
        return async (tx) => await tx.objectStore('outbox').add(record)
      }
      case 'outbox-done':
        return async (tx) => {
          const outbox = tx.objectStore('outbox')
          if (w.receipt) {
            const stored = await outbox.get(w.id)
            const row = stored === undefined ? undefined : outboxOf(stored)
            if (row?.messageId != null) await tx.objectStore('receipts').put({ messageId: row.messageId, peerId: row.peerId })
          }
          await outbox.delete(w.id)
        }
      case 'outbox-deposited':
        return async (tx) => {
          const outbox = tx.objectStore('outbox')
          for (const id of w.ids) {
            const stored = await outbox.get(id)
            if (stored !== undefined) await outbox.put({ ...stored, deposited: true })
          }
        }
      case 'outbox-drop-message':
        return async (tx) => {
          const outbox = tx.objectStore('outbox')
          const ids = await outbox.index('message').getAllKeys(w.messageId)
          await Promise.all(ids.map(async (id) => { await outbox.delete(id) }))
          await tx.objectStore('receipts').delete(prefix(w.messageId))
        }
      case 'seen':
        return async (tx) => { await addUnlessPresent(tx.objectStore('seen'), { hash: w.hash, at: w.at }) }
      case 'pending': {
        const record = { groupId: w.groupId, epoch: w.epoch, peerId: w.peerId, frame: copyBytes(w.frame), receivedAt: w.receivedAt }
        return async (tx) => { await tx.objectStore('pending').add(record) }
      }
      case 'pending-done':
        return async (tx) => { await tx.objectStore('pending').delete(w.id) }
      case 'key-package': {
        const r = w.row
        const [initPrivateKey, hpkePrivateKey] = await Promise.all([
          this.seal(r.initPrivateKey, 'keyPackages', r.ref, 'initPrivateKey'),
          this.seal(r.hpkePrivateKey, 'keyPackages', r.ref, 'hpkePrivateKey')
        ])
        const record = keyPackageRecord({ ...r, initPrivateKey, hpkePrivateKey })
        return async (tx) => { await tx.objectStore('keyPackages').put(record) }
      }
      case 'key-package-used':
        return async (tx) => { await tx.objectStore('keyPackages').delete(w.ref) }
    }
  }

  private async read<T> (names: StoreName[], body: (tx: ReadTx) => Promise<T>): Promise<T> {
    const tx = this.db.transaction(names, 'readonly')
    return await settle(tx, async () => await body(tx))
  }

  async getMeta (key: string): Promise<Uint8Array | undefined> {
    const stored = await this.read(['meta'], async (tx) => await tx.objectStore('meta').get(key))
    if (stored === undefined) return undefined
    return await this.unseal(metaValueOf(stored), 'meta', key, 'value')
  }

  async getContact (identity: string): Promise<ContactRow | undefined> {
    const stored = await this.read(['contacts'], async (tx) => await tx.objectStore('contacts').get(identity))
    return stored === undefined ? undefined : contactOf(stored)
  }

  async findContactByAlias (alias: string): Promise<ContactRow | undefined> {
    const stored = await this.read(['contacts'], async (tx) => await tx.objectStore('contacts').index('aliasFold').get(foldCase(alias)))
    return stored === undefined ? undefined : contactOf(stored)
  }

  async listContacts (): Promise<ContactRow[]> {
    const rows = (await this.read(['contacts'], async (tx) => await tx.objectStore('contacts').getAll())).map(contactOf)
    // SQLite orders NOCASE text by its UTF-8 bytes, i.e. by code point, which UTF-16 indexes do not.
    return rows.sort((a, b) => compareBytes(utf8(foldCase(a.alias)), utf8(foldCase(b.alias))))
  }

  async getDevice (peerId: string): Promise<DeviceRow | undefined> {
    const stored = await this.read(['devices'], async (tx) => await tx.objectStore('devices').get(peerId))
    return stored === undefined ? undefined : deviceOf(stored)
  }

  async devicesOf (identity: string): Promise<DeviceRow[]> {
    return (await this.read(['devices'], async (tx) => await tx.objectStore('devices').index('identity').getAll(identity))).map(deviceOf)
  }

  async listDevices (): Promise<DeviceRow[]> {
    return (await this.read(['devices'], async (tx) => await tx.objectStore('devices').getAll())).map(deviceOf)
  }

  async getGroup (id: string): Promise<GroupRow | undefined> {
    const stored = await this.read(['groups'], async (tx) => await tx.objectStore('groups').get(id))
    return stored === undefined ? undefined : await this.unsealGroup(groupOf(stored))
  }

  async findGroupsByName (name: string): Promise<GroupRow[]> {
    const stored = await this.read(['groups'], async (tx) => await tx.objectStore('groups').index('nameFold').getAll(foldCase(name)))
    return await Promise.all(stored.map(groupOf).filter((g) => g.kind === 'group').map(async (g) => await this.unsealGroup(g)))
  }

  async listGroups (): Promise<GroupRow[]> {
    const stored = await this.read(['groups'], async (tx) => await tx.objectStore('groups').index('createdAt').getAll())
    return await Promise.all(stored.map(groupOf).map(async (g) => await this.unsealGroup(g)))
  }

  async getEpoch (groupId: string, epoch: number): Promise<EpochRow | undefined> {
    const stored = await this.read(['epochs'], async (tx) => await tx.objectStore('epochs').get([groupId, epoch]))
    return stored === undefined ? undefined : await this.unsealEpoch(epochOf(stored))
  }

  async listEpochs (groupId: string): Promise<EpochRow[]> {
    const stored = await this.read(['epochs'], async (tx) => await tx.objectStore('epochs').getAll(prefix(groupId)))
    return await Promise.all(stored.map(epochOf).map(async (e) => await this.unsealEpoch(e)))
  }

  async getMessage (id: string): Promise<MessageView | undefined> {
    return await this.read(['messages', 'receipts', 'outbox'], async (tx) => {
      const [stored, acknowledged, deposited] = await Promise.all([tx.objectStore('messages').get(id), tx.objectStore('receipts').count(prefix(id)), depositedCount(tx, id)])
      return stored === undefined ? undefined : { ...messageOf(stored), acknowledged, stored: deposited }
    })
  }

  async hasMessage (id: string): Promise<boolean> {
    const filter = this.messageIds
    if (filter === undefined) this.loadMessageIds()
    else if (!filter.mightHave(id)) return false
    return await this.read(['messages'], async (tx) => await tx.objectStore('messages').getKey(id)) !== undefined
  }

  /** Records a message id about to be written, before its transaction exists (see the file comment). */
  private noteMessageId (id: string): void {
    if (this.idsWhileLoading !== undefined) {
      this.idsWhileLoading.push(id)
      return
    }
    if (this.messageIds === undefined) return
    this.messageIds.add(id)
    if (this.messageIds.full) {
      this.messageIds = undefined
      this.loadMessageIds()
    }
  }

  /**
   * Starts loading every stored message id into a new filter, unless that is under way. A
   * transaction created after a batch's sees it, and ids noted before are kept meanwhile.
   */
  private loadMessageIds (): void {
    if (this.idsWhileLoading !== undefined) return
    const noted = [...this.unstartedIds].flat()
    this.idsWhileLoading = noted
    this.read(['messages'], async (tx) => await tx.objectStore('messages').getAllKeys())
      .then((keys) => {
        const filter = new BloomFilter(Math.max(MIN_FILTER_CAPACITY, 2 * (keys.length + noted.length)))
        for (const k of keys) if (typeof k === 'string') filter.add(k)
        for (const id of noted) filter.add(id)
        this.messageIds = filter
      })
      .catch(() => { /* reads answer until a later call loads it again */ })
      .finally(() => { this.idsWhileLoading = undefined })
  }

  async listMessages (groupId: string, limit = DEFAULT_MESSAGE_LIMIT): Promise<MessageView[]> {
    const max = limitOf(limit)
    if (max === 0) return []
    return await this.read(['messages', 'receipts', 'outbox'], async (tx) => {
      const newestFirst: MessageRow[] = []
      let cursor = await tx.objectStore('messages').index('order').openCursor(prefix(groupId), 'prev')
      while (cursor !== null && (max === undefined || newestFirst.length < max)) {
        newestFirst.push(messageOf(cursor.value))
        cursor = await cursor.continue()
      }
      const rows = newestFirst.reverse()
      const receipts = tx.objectStore('receipts')
      const counts = await Promise.all(rows.map(async (m) => await receipts.count(prefix(m.id))))
      const deposited = await Promise.all(rows.map(async (m) => m.own ? await depositedCount(tx, m.id) : 0))
      return rows.map((m, i) => ({ ...m, acknowledged: counts[i] ?? 0, stored: deposited[i] ?? 0 }))
    })
  }

  async findTextRows (query: string, limit: number): Promise<MessageRow[]> {
    const needle = query.toLocaleLowerCase()
    const rows = await this.read(['messages'], async (tx) => {
      const found: MessageRow[] = []
      let cursor = await tx.objectStore('messages').openCursor()
      while (cursor !== null) {
        const m = messageOf(cursor.value)
        if ((m.kind === 'text' || m.kind === 'edit') && m.text.toLocaleLowerCase().includes(needle)) found.push(m)
        cursor = await cursor.continue()
      }
      return found
    })
    return rows.sort((a, b) => b.receivedAt - a.receivedAt || (a.id < b.id ? -1 : 1)).slice(0, limit)
  }

  async messagesToSend (groupId: string): Promise<MessageRow[]> {
    const range = IDBKeyRange.bound([groupId, 1, 1], [groupId, 1, 1, []])
    return (await this.read(['messages'], async (tx) => await tx.objectStore('messages').index('toSend').getAll(range))).map(messageOf)
  }

  async ownMessagesSince (groupId: string, epoch: number): Promise<MessageRow[]> {
    const range = IDBKeyRange.bound([groupId, 1, epoch], [groupId, 1, []])
    const rows = (await this.read(['messages'], async (tx) => await tx.objectStore('messages').index('ownByEpoch').getAll(range))).map(messageOf)
    return rows.sort((a, b) => a.seq - b.seq)
  }

  async lastSeq (groupId: string, senderDevice: string): Promise<number> {
    return await this.read(['messages'], async (tx) => {
      const cursor = await tx.objectStore('messages').index('sender').openKeyCursor(prefix(groupId, senderDevice), 'prev')
      if (cursor === null) return 0
      const seq = cursor.key[2]
      if (typeof seq !== 'number') throw new CodecError(`corrupt index "sender" of IndexedDB store "messages" at key ${JSON.stringify(cursor.primaryKey)}`)
      return seq
    })
  }

  async listOutbox (peerId: string, afterId: number, limit: number): Promise<OutboxRow[]> {
    const max = limitOf(limit)
    if (max === 0) return []
    const range = IDBKeyRange.bound([peerId, afterId], [peerId, []], true)
    return (await this.read(['outbox'], async (tx) => await tx.objectStore('outbox').index('peer').getAll(range, countOf(max)))).map(outboxOf)
  }

  async outboxPeers (): Promise<string[]> {
    return await this.read(['outbox'], async (tx) => {
      const peers: string[] = []
      let cursor = await tx.objectStore('outbox').index('peer').openKeyCursor()
      while (cursor !== null) {
        const peer = cursor.key[0]
        if (typeof peer !== 'string') throw new CodecError(`corrupt index "peer" of IndexedDB store "outbox" at key ${JSON.stringify(cursor.primaryKey)}`)
        peers.push(peer)
        // Skip the rest of this peer's rows (ids are finite): one cursor step per distinct peer.
        cursor = await cursor.continue([peer, Infinity])
      }
      return peers
    })
  }

  async hasSeen (hash: string): Promise<boolean> {
    return await this.read(['seen'], async (tx) => await tx.objectStore('seen').getKey(hash)) !== undefined
  }

  async listPending (groupId: string): Promise<PendingRow[]> {
    return (await this.read(['pending'], async (tx) => await tx.objectStore('pending').index('group').getAll(prefix(groupId)))).map(pendingOf)
  }

  async countPending (): Promise<number> {
    return await this.read(['pending'], async (tx) => await tx.objectStore('pending').count())
  }

  async oldestPending (count: number): Promise<number[]> {
    const max = limitOf(count)
    if (max === 0) return []
    const ids = await this.read(['pending'], async (tx) => await tx.objectStore('pending').getAllKeys(undefined, countOf(max)))
    for (const id of ids) {
      if (typeof id !== 'number') throw new CodecError(`corrupt key ${JSON.stringify(id)} in IndexedDB store "pending"`)
    }
    return ids
  }

  async listKeyPackages (): Promise<KeyPackageRow[]> {
    const stored = await this.read(['keyPackages'], async (tx) => await tx.objectStore('keyPackages').index('createdAt').getAll())
    return await Promise.all(stored.map(keyPackageOf).map(async (r) => {
      const [initPrivateKey, hpkePrivateKey] = await Promise.all([
        this.unseal(r.initPrivateKey, 'keyPackages', r.ref, 'initPrivateKey'),
        this.unseal(r.hpkePrivateKey, 'keyPackages', r.ref, 'hpkePrivateKey')
      ])
      return { ...r, initPrivateKey, hpkePrivateKey }
    }))
  }

  async close (): Promise<void> {
    this.db.close()
  }

  private async unsealGroup (g: GroupRow): Promise<GroupRow> {
    return { ...g, state: await this.unseal(g.state, 'groups', g.id, 'state') }
  }

  private async unsealEpoch (e: EpochRow): Promise<EpochRow> {
    return { ...e, stateBefore: await this.unseal(e.stateBefore, 'epochs', [e.groupId, e.epoch], 'stateBefore') }
  }

  private async seal (plain: Uint8Array, store: StoreName, key: IDBValidKey, field: string): Promise<Uint8Array> {
    const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES))
    const params = { name: 'AES-GCM', iv, additionalData: sealingContext(store, key, field) }
    const body = await globalThis.crypto.subtle.encrypt(params, this.sealingKey, plain as Uint8Array<ArrayBuffer>)
    return concatBytes(iv, new Uint8Array(body))
  }

  private async unseal (sealed: Uint8Array, store: StoreName, key: IDBValidKey, field: string): Promise<Uint8Array> {
    const where = `field "${field}" of IndexedDB store "${store}" at key ${JSON.stringify(key)}`
    if (sealed.length < IV_BYTES + TAG_BYTES) throw new CodecError(`cannot unseal ${where}: ${sealed.length} bytes is too short to be sealed`)
    const params = { name: 'AES-GCM', iv: sealed.subarray(0, IV_BYTES) as Uint8Array<ArrayBuffer>, additionalData: sealingContext(store, key, field) }
    try {
      return new Uint8Array(await globalThis.crypto.subtle.decrypt(params, this.sealingKey, sealed.subarray(IV_BYTES) as Uint8Array<ArrayBuffer>))
    } catch (err) {
      throw new CodecError(`cannot unseal ${where}: it was altered, moved, or sealed under another key`, { cause: err })
    }
  }
}

async function openDatabase (factory: IDBFactory, name: string): Promise<KithDatabase> {
  const request = factory.open(name, SCHEMA_VERSION)
  request.addEventListener('upgradeneeded', (event) => {
    upgrade(wrap(request.result) as unknown as KithDatabase, event.oldVersion)
  })
  try {
    const db = await wrap(request)
    strictAssert(db, 'IDBFactory.open resolved without a database')
    return db as unknown as KithDatabase
  } catch (err) {
    if ((err as { name?: unknown } | null)?.name === 'VersionError') {
      throw new UsageError(`IndexedDB database "${name}" was written by a newer Kith; update this app to open it`, { cause: err })
    }
    throw err
  }
}

/** Reads the sealing key, creating it on first open; if two tabs race, the key stored first wins. */
async function loadSealingKey (db: KithDatabase): Promise<CryptoKey> {
  const read = db.transaction('keys', 'readonly')
  const stored = await settle(read, async () => await read.store.get(SEALING_KEY_NAME))
  if (stored !== undefined) return sealingKeyOf(stored)
  const fresh = await globalThis.crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
  const tx = db.transaction('keys', 'readwrite', { durability: 'strict' })
  return await settle(tx, async () => {
    const raced = await tx.store.get(SEALING_KEY_NAME)
    if (raced !== undefined) return sealingKeyOf(raced)
    await tx.store.add({ name: SEALING_KEY_NAME, key: fresh })
    return fresh
  })
}

/**
 * Runs a batch's steps in `tx`: each after the earlier steps that touch one of its object stores,
 * and alongside the others. Every request is a round trip to the browser's storage process, so a
 * receive (seen, messages, groups) then waits for two in a row instead of six; steps on one store
 * keep the batch's order, so outbox keys are still given in write order.
 */
function runByStore (tx: WriteTx, writes: readonly Write[], steps: readonly Step[], batch: Batch): Array<Promise<number | void>> {
  const tails = new Map<StoreName, Promise<unknown>>()
  return steps.map(async (step, i) => {
    const names = WRITE_SCOPE[writes[i]!.kind]
    const before = names.map((n) => tails.get(n))
    const done = Promise.all(before).then(async () => await step(tx, batch))
    for (const n of names) tails.set(n, done)
    return await done
  })
}

/**
 * Adds `value` unless its key is taken, as SQLite's INSERT OR IGNORE: one request rather than a
 * lookup and then an add. The refused add is kept from aborting the transaction.
 */
async function addUnlessPresent (store: object, value: unknown): Promise<void> {
  const raw = (unwrap as (wrapped: object) => IDBObjectStore)(store)
  await new Promise<void>((resolve, reject) => {
    const request = raw.add(value)
    request.onsuccess = () => { resolve() }
    request.onerror = (event) => {
      if (request.error?.name !== 'ConstraintError') {
        reject(request.error ?? new Error('an IndexedDB add failed'))
        return
      }
      event.preventDefault()
      event.stopPropagation()
      resolve()
    }
  })
}

/** Runs `body` in `tx` and resolves once `tx` has committed; if anything fails, `tx` is aborted whole. */
async function settle<T> (tx: { readonly done: Promise<void>, abort: () => void }, body: () => Promise<T>): Promise<T> {
  // A failed request aborts the transaction by itself; keep that rejection handled until awaited.
  tx.done.catch(() => undefined)
  let result: T
  try {
    result = await body()
  } catch (err) {
    try { tx.abort() } catch { /* already aborted by the failed request */ }
    // Reject only once the rollback is final, so a caller that closes or retries sees it done.
    await tx.done.catch(() => undefined)
    throw err
  }
  await tx.done
  return result
}

/** Binds a sealed value to where it is stored. */
function sealingContext (store: StoreName, key: IDBValidKey, field: string): Uint8Array<ArrayBuffer> {
  return utf8(`kith/indexeddb/seal/v1\n${store}\n${JSON.stringify(key)}\n${field}`) as Uint8Array<ArrayBuffer>
}

/** Every key that starts with `parts`. */
function prefix (...parts: IDBValidKey[]): IDBKeyRange {
  // Arrays sort after every other key type, so [..., []] is above every key sharing the prefix.
  return IDBKeyRange.bound(parts, [...parts, []])
}

/** SQLite's LIMIT: a negative one means no limit; a fraction is an error, as SQLite's "datatype mismatch". */
function limitOf (limit: number): number | undefined {
  if (!Number.isInteger(limit)) throw new UsageError(`limit must be an integer, got ${limit}`)
  return limit < 0 ? undefined : limit
}

/** A `getAll` count: IndexedDB caps it at 2^32 - 1 and reads 0 as "all". */
function countOf (max: number | undefined): number | undefined {
  return max === undefined ? undefined : Math.min(max, 0xffff_ffff)
}

