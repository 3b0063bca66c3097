/**
 * SQLite persistence through Node's built-in `node:sqlite`, in WAL mode with synchronous=NORMAL, so
 * a batch that {@link SqliteStore.apply} returned from survives `kill -9` (an OS crash may roll back the last ones).
 *
 * Group commit: {@link SqliteStore.stage} writes into a transaction that stays open until the work
 * the I/O at hand set off has run (`process.nextTick`), so the messages that arrived together share
 * one commit, and a lone message waits for no further I/O. Each batch is a savepoint inside it, so a
 * failing batch undoes only itself.
 */
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite'
import { CodecError, describeError } from '../core/errors.ts'
import type {
  ContactRow, DeviceRow, EpochRow, GroupRow, KeyPackageRow, MessageRow, MessageView, OutboxRow, PendingRow, Store, Write
} from '../core/messenger/store.ts'

const SCHEMA_VERSION = 2

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS contacts (identity TEXT PRIMARY KEY, alias TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL,
  verified INTEGER NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS devices (peer_id TEXT PRIMARY KEY, identity TEXT NOT NULL, certificate BLOB NOT NULL,
  addrs TEXT NOT NULL, updated_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS devices_identity ON devices(identity);
CREATE TABLE IF NOT EXISTS groups (id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, peer_identity TEXT,
  creator TEXT NOT NULL, state BLOB NOT NULL, epoch INTEGER NOT NULL, base_epoch INTEGER NOT NULL, base_parent BLOB NOT NULL,
  tip_hash BLOB NOT NULL, lamport INTEGER NOT NULL, own_seq INTEGER NOT NULL, active INTEGER NOT NULL, losers TEXT NOT NULL,
  created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS epochs (group_id TEXT NOT NULL, epoch INTEGER NOT NULL, state_before BLOB NOT NULL,
  commit_hash BLOB NOT NULL, parent_hash BLOB NOT NULL, intent TEXT, PRIMARY KEY (group_id, epoch));
CREATE TABLE IF NOT EXISTS messages (id TEXT PRIMARY KEY, group_id TEXT NOT NULL, sender_identity TEXT NOT NULL,
  sender_device TEXT NOT NULL, own INTEGER NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL, target TEXT, seq INTEGER NOT NULL,
  lamport INTEGER NOT NULL, sent_at INTEGER NOT NULL, received_at INTEGER NOT NULL, epoch INTEGER NOT NULL,
  recipients INTEGER NOT NULL, needs_send INTEGER NOT NULL, gap INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS messages_order ON messages(group_id, lamport, sender_identity, id);
CREATE INDEX IF NOT EXISTS messages_sender ON messages(group_id, sender_device, seq);
CREATE TABLE IF NOT EXISTS receipts (message_id TEXT NOT NULL, peer_id TEXT NOT NULL, PRIMARY KEY (message_id, peer_id));
CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, peer_id TEXT NOT NULL, group_id TEXT NOT NULL,
  message_id TEXT, frame BLOB NOT NULL, created_at INTEGER NOT NULL, deposited INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS outbox_peer ON outbox(peer_id, id);
CREATE INDEX IF NOT EXISTS outbox_message ON outbox(message_id);
CREATE TABLE IF NOT EXISTS seen (hash TEXT PRIMARY KEY, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS pending (id INTEGER PRIMARY KEY AUTOINCREMENT, group_id TEXT NOT NULL, epoch INTEGER NOT NULL,
  peer_id TEXT NOT NULL, frame BLOB NOT NULL, received_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS pending_group ON pending(group_id, epoch, id);
CREATE TABLE IF NOT EXISTS key_packages (ref TEXT PRIMARY KEY, public_package BLOB NOT NULL, init_private_key BLOB NOT NULL,
  hpke_private_key BLOB NOT NULL, created_at INTEGER NOT NULL);
`

type Row = Record<string, SQLInputValue>

const bytes = (v: unknown): Uint8Array => {
  if (v instanceof Uint8Array) return new Uint8Array(v)
  throw new CodecError('stored value is not a blob')
}
const num = (v: unknown): number => Number(v)
const str = (v: unknown): string => String(v)

function contactOf (r: Row): ContactRow {
  return { identity: str(r.identity), alias: str(r.alias), displayName: str(r.display_name), verified: r.verified === 1, createdAt: num(r.created_at) }
}
function deviceOf (r: Row): DeviceRow {
  let addrs: string[] = []
  try { addrs = JSON.parse(str(r.addrs)) as string[] } catch { addrs = [] }
  return { peerId: str(r.peer_id), identity: str(r.identity), certificate: bytes(r.certificate), addrs, updatedAt: num(r.updated_at) }
}
function groupOf (r: Row): GroupRow {
  let losers: string[] = []
  try { losers = JSON.parse(str(r.losers)) as string[] } catch { losers = [] }
  return {
    id: str(r.id),
    kind: r.kind === 'direct' ? 'direct' : 'group',
    name: str(r.name),
    peerIdentity: r.peer_identity == null ? null : str(r.peer_identity),
    creator: str(r.creator),
    state: bytes(r.state),
    epoch: num(r.epoch),
    baseEpoch: num(r.base_epoch),
    baseParent: bytes(r.base_parent),
    tipHash: bytes(r.tip_hash),
    lamport: num(r.lamport),
    ownSeq: num(r.own_seq),
    active: r.active === 1,
    losers,
    createdAt: num(r.created_at)
  }
}
function epochOf (r: Row): EpochRow {
  return {
    groupId: str(r.group_id), epoch: num(r.epoch), stateBefore: bytes(r.state_before), commitHash: bytes(r.commit_hash),
    parentHash: bytes(r.parent_hash), intent: r.intent == null ? null : str(r.intent)
  }
}
function messageOf (r: Row): MessageView {
  return {
    id: str(r.id),
    groupId: str(r.group_id),
    senderIdentity: str(r.sender_identity),
    senderDevice: str(r.sender_device),
    own: r.own === 1,
    kind: str(r.kind),
    text: str(r.text),
    target: r.target == null ? null : str(r.target),
    seq: num(r.seq),
    lamport: num(r.lamport),
    sentAt: num(r.sent_at),
    receivedAt: num(r.received_at),
    epoch: num(r.epoch),
    recipients: num(r.recipients),
    needsSend: r.needs_send === 1,
    gap: r.gap === 1,
    acknowledged: num(r.acknowledged ?? 0),
    stored: num(r.stored ?? 0)
  }
}

const MESSAGE_SELECT = `SELECT m.*, (SELECT COUNT(*) FROM receipts r WHERE r.message_id = m.id) AS acknowledged,
  (SELECT COUNT(*) FROM outbox o WHERE o.message_id = m.id AND o.deposited = 1) AS stored FROM messages m`

/**
 * Commits after which the write-ahead log is folded back into the database (a checkpoint) as soon
 * as the I/O at hand has been handled. SQLite's own automatic checkpoint runs inside the commit
 * that crosses its limit, and syncs the disk there: a message would wait for it.
 */
export const CHECKPOINT_COMMITS = 1000
/** A store with fewer commits than that checkpoints this often, when it has anything to fold. */
const CHECKPOINT_INTERVAL_MS = 1000

/** The transaction {@link SqliteStore.stage} keeps open, and who waits for its commit. */
interface OpenTransaction {
  readonly committed: Promise<void>
  readonly resolve: () => void
  readonly reject: (err: Error) => void
  /** The first outbox row id written in it: rows from here on are not durable yet. */
  outboxFrom: number | undefined
}

/** The SQLite implementation of {@link Store}. */
export class SqliteStore implements Store {
  private readonly db: DatabaseSync
  private readonly statements = new Map<string, StatementSync>()
  private open: OpenTransaction | undefined
  /** Set when a commit of staged batches failed: memory may be ahead of the disk from then on. */
  private failed: Error | undefined

  private commitsSinceCheckpoint = 0
  private checkpointQueued = false
  private readonly checkpointTimer: ReturnType<typeof setInterval>

  constructor (path: string) {
    this.db = new DatabaseSync(path)
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA wal_autocheckpoint = 0;')
    this.db.exec(SCHEMA)
    this.migrate()
    this.db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`)
    this.checkpointTimer = setInterval(() => { this.checkpoint() }, CHECKPOINT_INTERVAL_MS)
    this.checkpointTimer.unref()
  }

  /** Brings a store written by an older Kith up to {@link SCHEMA_VERSION}. */
  private migrate (): void {
    const version = Number((this.db.prepare('PRAGMA user_version').get() as Row | undefined)?.user_version ?? 0)
    // Version 2: outbox rows remember whether a mailbox holds a copy (the `stored` delivery state).
    if (version < 2) {
      const columns = this.db.prepare('PRAGMA table_info(outbox)').all() as Row[]
      if (!columns.some((c) => c.name === 'deposited')) this.db.exec('ALTER TABLE outbox ADD COLUMN deposited INTEGER NOT NULL DEFAULT 0')
    }
  }

  private stmt (sql: string): StatementSync {
    let s = this.statements.get(sql)
    if (s === undefined) {
      s = this.db.prepare(sql)
      this.statements.set(sql, s)
    }
    return s
  }

  private all (sql: string, ...params: SQLInputValue[]): Row[] {
    return this.stmt(sql).all(...params) as Row[]
  }

  private one (sql: string, ...params: SQLInputValue[]): Row | undefined {
    return this.stmt(sql).get(...params) as Row | undefined
  }

  private run (sql: string, ...params: SQLInputValue[]): void {
    this.stmt(sql).run(...params)
  }

  /** Applies one write; an `outbox` write returns its new row id. */
  private write (w: Write): number | undefined {
    switch (w.kind) {
      case 'meta':
        this.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', w.key, w.value)
        return
      case 'contact': {
        const r = w.row
        this.run(`INSERT INTO contacts (identity, alias, display_name, verified, created_at) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT(identity) DO UPDATE SET alias = excluded.alias, display_name = excluded.display_name, verified = excluded.verified`,
        r.identity, r.alias, r.displayName, r.verified ? 1 : 0, r.createdAt)
        return
      }
      case 'device': {
        const r = w.row
        this.run(`INSERT INTO devices (peer_id, identity, certificate, addrs, updated_at) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT(peer_id) DO UPDATE SET identity = excluded.identity, certificate = excluded.certificate,
          addrs = excluded.addrs, updated_at = excluded.updated_at`,
        r.peerId, r.identity, r.certificate, JSON.stringify(r.addrs), r.updatedAt)
        return
      }
      case 'device-drop': {
        this.run('DELETE FROM devices WHERE peer_id = ?', w.peerId)
        return
      }
      case 'group': {
        const r = w.row
        this.run(`INSERT INTO groups (id, kind, name, peer_identity, creator, state, epoch, base_epoch, base_parent, tip_hash,
          lamport, own_seq, active, losers, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, name = excluded.name, peer_identity = excluded.peer_identity,
          creator = excluded.creator, state = excluded.state, epoch = excluded.epoch, base_epoch = excluded.base_epoch,
          base_parent = excluded.base_parent, tip_hash = excluded.tip_hash, lamport = excluded.lamport,
          own_seq = excluded.own_seq, active = excluded.active, losers = excluded.losers`,
        r.id, r.kind, r.name, r.peerIdentity, r.creator, r.state, r.epoch, r.baseEpoch, r.baseParent, r.tipHash,
        r.lamport, r.ownSeq, r.active ? 1 : 0, JSON.stringify(r.losers.slice(-64)), r.createdAt)
        return
      }
      case 'group-clock':
        this.run('UPDATE groups SET lamport = ?, own_seq = ?, name = ? WHERE id = ?', w.lamport, w.ownSeq, w.name, w.id)
        return
      case 'epoch': {
        const r = w.row
        this.run(`INSERT OR REPLACE INTO epochs (group_id, epoch, state_before, commit_hash, parent_hash, intent)
          VALUES (?, ?, ?, ?, ?, ?)`, r.groupId, r.epoch, r.stateBefore, r.commitHash, r.parentHash, r.intent)
        return
      }
      case 'drop-epochs':
        this.run('DELETE FROM epochs WHERE group_id = ? AND epoch >= ?', w.groupId, w.fromEpoch)
        return
      case 'prune-epochs':
        this.run('DELETE FROM epochs WHERE group_id = ? AND epoch < ?', w.groupId, w.belowEpoch)
        return
      case 'message': {
        const r = w.row
        this.run(`INSERT OR IGNORE INTO messages (id, group_id, sender_identity, sender_device, own, kind, text, target, seq,
          lamport, sent_at, received_at, epoch, recipients, needs_send, gap) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        r.id, r.groupId, r.senderIdentity, r.senderDevice, r.own ? 1 : 0, r.kind, r.text, r.target, r.seq, r.lamport,
        r.sentAt, r.receivedAt, r.epoch, r.recipients, r.needsSend ? 1 : 0, r.gap ? 1 : 0)
        return
      }
      case 'message-resend':
        this.run('UPDATE messages SET needs_send = ?, recipients = ?, epoch = ? WHERE id = ?', w.needsSend ? 1 : 0, w.recipients, w.epoch, w.id)
        return
      case 'call-row':
        this.run("UPDATE messages SET text = ? WHERE id = ? AND kind = 'call'", w.text, w.id)
        return
      case 'outbox':
        return Number(this.stmt('INSERT INTO outbox (peer_id, group_id, message_id, frame, created_at) VALUES (?, ?, ?, ?, ?)')
          .run(w.peerId, w.groupId, w.messageId, w.frame, w.createdAt).lastInsertRowid)
      case 'outbox-done': {
        if (w.receipt) {
          this.run(`INSERT OR IGNORE INTO receipts (message_id, peer_id)
            SELECT message_id, peer_id FROM outbox WHERE id = ? AND message_id IS NOT NULL`, w.id)
        }
        this.run('DELETE FROM outbox WHERE id = ?', w.id)
        return
      }
      case 'outbox-deposited':
        for (const id of w.ids) this.run('UPDATE outbox SET deposited = 1 WHERE id = ?', id)
        return
      case 'outbox-drop-message':
        this.run('DELETE FROM outbox WHERE message_id = ?', w.messageId)
        this.run('DELETE FROM receipts WHERE message_id = ?', w.messageId)
        return
      case 'seen':
        this.run('INSERT OR IGNORE INTO seen (hash, at) VALUES (?, ?)', w.hash, w.at)
        return
      case 'pending':
        this.run('INSERT INTO pending (group_id, epoch, peer_id, frame, received_at) VALUES (?, ?, ?, ?, ?)',
          w.groupId, w.epoch, w.peerId, w.frame, w.receivedAt)
        return
      case 'pending-done':
        this.run('DELETE FROM pending WHERE id = ?', w.id)
        return
      case 'key-package': {
        const r = w.row
        this.run('INSERT OR REPLACE INTO key_packages (ref, public_package, init_private_key, hpke_private_key, created_at) VALUES (?, ?, ?, ?, ?)',
          r.ref, r.publicPackage, r.initPrivateKey, r.hpkePrivateKey, r.createdAt)
        return
      }
      case 'key-package-used':
        this.run('DELETE FROM key_packages WHERE ref = ?', w.ref)
    }
  }

  async apply (writes: readonly Write[]): Promise<number[]> {
    if (this.open === undefined && writes.length === 0) return []
    const ids = this.writeBatch(writes)
    this.commitOpen()
    if (this.failed !== undefined) throw this.failed
    return ids
  }

  async stage (writes: readonly Write[]): Promise<number[]> {
    return this.writeBatch(writes)
  }

  async durable (): Promise<void> {
    if (this.failed !== undefined) throw this.failed
    await this.open?.committed
  }

  /** Writes a batch as a savepoint of the open transaction, opening one (committed soon) if needed. */
  private writeBatch (writes: readonly Write[]): number[] {
    if (this.failed !== undefined) throw this.failed
    const ids: number[] = []
    if (writes.length === 0) return ids
    const open = this.open ?? this.begin()
    this.db.exec('SAVEPOINT batch')
    try {
      for (const w of writes) {
        const id = this.write(w)
        if (id !== undefined) ids.push(id)
      }
      this.db.exec('RELEASE batch')
    } catch (err) {
      this.db.exec('ROLLBACK TO batch')
      this.db.exec('RELEASE batch')
      throw err
    }
    open.outboxFrom ??= ids[0]
    return ids
  }

  private begin (): OpenTransaction {
    this.db.exec('BEGIN IMMEDIATE')
    let resolve = (): void => {}
    let reject = (_err: Error): void => {}
    const committed = new Promise<void>((res, rej) => { resolve = res; reject = rej })
    // Nobody may be waiting when a commit fails; the error still reaches every later write.
    committed.catch(() => {})
    const open: OpenTransaction = { committed, resolve, reject, outboxFrom: undefined }
    this.open = open
    // A tick scheduled from a promise job runs once every job queued has run: all the work the I/O
    // at hand set off (every frame of a chunk read from the network) is staged by then.
    process.nextTick(() => { if (this.open === open) this.commitOpen() })
    return open
  }

  /** Commits the open transaction, if any. A failure is kept: see {@link Store.durable}. */
  private commitOpen (): void {
    const open = this.open
    if (open === undefined) return
    this.open = undefined
    try {
      this.db.exec('COMMIT')
      open.resolve()
      // A caller that never yields to the event loop still gets a bounded log.
      if (++this.commitsSinceCheckpoint >= 10 * CHECKPOINT_COMMITS) this.checkpoint()
      else if (this.commitsSinceCheckpoint >= CHECKPOINT_COMMITS && !this.checkpointQueued) {
        this.checkpointQueued = true
        setImmediate(() => {
          this.checkpointQueued = false
          this.checkpoint()
        })
      }
    } catch (err) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK')
      this.failed = new Error(`the store could not commit, so Kith stopped writing to it (restart to go on; nothing acknowledged was lost): ${describeError(err)}`)
      open.reject(this.failed)
    }
  }

  /**
   * Folds committed pages from the write-ahead log into the database, outside any commit. PASSIVE
   * never waits for readers; what it cannot fold now, the next checkpoint does. A failure changes
   * nothing stored (the log keeps every commit), and the next one tries again.
   */
  private checkpoint (): void {
    if (!this.db.isOpen || this.open !== undefined || this.commitsSinceCheckpoint === 0) return
    try {
      this.db.exec('PRAGMA wal_checkpoint(PASSIVE)')
      this.commitsSinceCheckpoint = 0
    } catch {}
  }

  async getMeta (key: string): Promise<Uint8Array | undefined> {
    const r = this.one('SELECT value FROM meta WHERE key = ?', key)
    return r === undefined ? undefined : bytes(r.value)
  }

  async getContact (identity: string): Promise<ContactRow | undefined> {
    const r = this.one('SELECT * FROM contacts WHERE identity = ?', identity)
    return r === undefined ? undefined : contactOf(r)
  }

  async findContactByAlias (alias: string): Promise<ContactRow | undefined> {
    const r = this.one('SELECT * FROM contacts WHERE alias = ? COLLATE NOCASE', alias)
    return r === undefined ? undefined : contactOf(r)
  }

  async listContacts (): Promise<ContactRow[]> {
    return this.all('SELECT * FROM contacts ORDER BY alias COLLATE NOCASE').map(contactOf)
  }

  async getDevice (peerId: string): Promise<DeviceRow | undefined> {
    const r = this.one('SELECT * FROM devices WHERE peer_id = ?', peerId)
    return r === undefined ? undefined : deviceOf(r)
  }

  async devicesOf (identity: string): Promise<DeviceRow[]> {
    return this.all('SELECT * FROM devices WHERE identity = ?', identity).map(deviceOf)
  }

  async listDevices (): Promise<DeviceRow[]> {
    return this.all('SELECT * FROM devices').map(deviceOf)
  }

  async getGroup (id: string): Promise<GroupRow | undefined> {
    const r = this.one('SELECT * FROM groups WHERE id = ?', id)
    return r === undefined ? undefined : groupOf(r)
  }

  async findGroupsByName (name: string): Promise<GroupRow[]> {
    return this.all("SELECT * FROM groups WHERE kind = 'group' AND name = ? COLLATE NOCASE", name).map(groupOf)
  }

  async listGroups (): Promise<GroupRow[]> {
    return this.all('SELECT * FROM groups ORDER BY created_at').map(groupOf)
  }

  async getEpoch (groupId: string, epoch: number): Promise<EpochRow | undefined> {
    const r = this.one('SELECT * FROM epochs WHERE group_id = ? AND epoch = ?', groupId, epoch)
    return r === undefined ? undefined : epochOf(r)
  }

  async listEpochs (groupId: string): Promise<EpochRow[]> {
    return this.all('SELECT * FROM epochs WHERE group_id = ? ORDER BY epoch', groupId).map(epochOf)
  }

  async getMessage (id: string): Promise<MessageView | undefined> {
    const r = this.one(`${MESSAGE_SELECT} WHERE m.id = ?`, id)
    return r === undefined ? undefined : messageOf(r)
  }

  async hasMessage (id: string): Promise<boolean> {
    return this.one('SELECT 1 AS x FROM messages WHERE id = ?', id) !== undefined
  }

  async listMessages (groupId: string, limit = 10_000): Promise<MessageView[]> {
    return this.all(`SELECT * FROM (${MESSAGE_SELECT} WHERE m.group_id = ? ORDER BY m.lamport DESC, m.sender_identity DESC, m.id DESC LIMIT ?)
      ORDER BY lamport, sender_identity, id`, groupId, limit).map(messageOf)
  }

  async findTextRows (query: string, limit: number): Promise<MessageRow[]> {
    const needle = query.toLocaleLowerCase()
    const out: MessageRow[] = []
    // Local history is scanned in JavaScript: SQLite's LIKE and lower() fold ASCII only.
    for (const row of this.db.prepare("SELECT * FROM messages WHERE kind IN ('text', 'edit') ORDER BY received_at DESC, id").iterate()) {
      const m = messageOf(row as Row)
      if (!m.text.toLocaleLowerCase().includes(needle)) continue
      out.push(m)
      if (out.length >= limit) break
    }
    return out
  }

  async messagesToSend (groupId: string): Promise<MessageRow[]> {
    return this.all('SELECT * FROM messages WHERE group_id = ? AND own = 1 AND needs_send = 1 ORDER BY seq', groupId).map(messageOf)
  }

  async ownMessagesSince (groupId: string, epoch: number): Promise<MessageRow[]> {
    return this.all('SELECT * FROM messages WHERE group_id = ? AND own = 1 AND epoch >= ? ORDER BY seq', groupId, epoch).map(messageOf)
  }

  async lastSeq (groupId: string, senderDevice: string): Promise<number> {
    const r = this.one('SELECT MAX(seq) AS s FROM messages WHERE group_id = ? AND sender_device = ?', groupId, senderDevice)
    return num(r?.s ?? 0)
  }

  async listOutbox (peerId: string, afterId: number, limit: number): Promise<OutboxRow[]> {
    const below = this.open?.outboxFrom ?? Number.MAX_SAFE_INTEGER
    return this.all('SELECT * FROM outbox WHERE peer_id = ? AND id > ? AND id < ? ORDER BY id LIMIT ?', peerId, afterId, below, limit).map((r) => ({
      id: num(r.id), peerId: str(r.peer_id), groupId: str(r.group_id), messageId: r.message_id == null ? null : str(r.message_id),
      frame: bytes(r.frame), createdAt: num(r.created_at)
    }))
  }

  async outboxPeers (): Promise<string[]> {
    return this.all('SELECT DISTINCT peer_id FROM outbox').map((r) => str(r.peer_id))
  }

  async hasSeen (hash: string): Promise<boolean> {
    return this.one('SELECT 1 AS x FROM seen WHERE hash = ?', hash) !== undefined
  }

  async listPending (groupId: string): Promise<PendingRow[]> {
    return this.all('SELECT * FROM pending WHERE group_id = ? ORDER BY epoch, id', groupId).map((r) => ({
      id: num(r.id), groupId: str(r.group_id), epoch: num(r.epoch), peerId: str(r.peer_id), frame: bytes(r.frame), receivedAt: num(r.received_at)
    }))
  }

  async countPending (): Promise<number> {
    return num(this.one('SELECT COUNT(*) AS n FROM pending')?.n ?? 0)
  }

  async oldestPending (count: number): Promise<number[]> {
    return this.all('SELECT id FROM pending ORDER BY id LIMIT ?', count).map((r) => num(r.id))
  }

  async listKeyPackages (): Promise<KeyPackageRow[]> {
    return this.all('SELECT * FROM key_packages ORDER BY created_at').map((r) => ({
      ref: str(r.ref), publicPackage: bytes(r.public_package), initPrivateKey: bytes(r.init_private_key),
      hpkePrivateKey: bytes(r.hpke_private_key), createdAt: num(r.created_at)
    }))
  }

  async close (): Promise<void> {
    clearInterval(this.checkpointTimer)
    if (!this.db.isOpen) return
    this.commitOpen()
    this.db.close()
  }
}
