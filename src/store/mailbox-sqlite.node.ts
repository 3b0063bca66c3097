/**
 * A mailbox node's mailboxes in SQLite (`DIR/mailbox.db`, apart from the account's own store), in
 * WAL mode with synchronous=NORMAL: an entry whose deposit was answered survives `kill -9`.
 * Each operation is one transaction that checks tokens and quotas before it changes anything.
 */
import { createHash } from 'node:crypto'
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite'
import { DEFAULT_QUOTAS, type MailboxQuotas } from '../core/mailbox/limits.ts'
import type { MailboxEntryRow, MailboxResult, MailboxStore } from '../core/mailbox/store.ts'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS mailboxes (id BLOB PRIMARY KEY, fetch_hash BLOB NOT NULL, deposit_hash BLOB NOT NULL,
  created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS entries (seq INTEGER PRIMARY KEY AUTOINCREMENT, mailbox_id BLOB NOT NULL, depositor TEXT NOT NULL,
  frame_hash BLOB NOT NULL, frame BLOB NOT NULL, bytes INTEGER NOT NULL, expires_at INTEGER NOT NULL,
  UNIQUE (mailbox_id, frame_hash));
CREATE INDEX IF NOT EXISTS entries_by_depositor ON entries (depositor);
CREATE INDEX IF NOT EXISTS entries_by_expiry ON entries (expires_at);
`

type Row = Record<string, SQLInputValue>

const refused = (error: string): MailboxResult<never> => ({ ok: false, refusal: 'refused', error })
const overQuota = (error: string): MailboxResult<never> => ({ ok: false, refusal: 'over-quota', error })

function sameBytes (a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  a.forEach((byte, i) => { diff |= byte ^ (b[i] ?? 0) })
  return diff === 0
}

/** The SQLite implementation of {@link MailboxStore}. */
export class SqliteMailboxStore implements MailboxStore {
  private readonly db: DatabaseSync
  private readonly statements = new Map<string, StatementSync>()

  constructor (path: string, readonly quotas: MailboxQuotas = DEFAULT_QUOTAS) {
    this.db = new DatabaseSync(path)
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;')
    this.db.exec(SCHEMA)
  }

  private sql (text: string): StatementSync {
    let s = this.statements.get(text)
    if (s === undefined) {
      s = this.db.prepare(text)
      this.statements.set(text, s)
    }
    return s
  }

  private get (text: string, ...params: SQLInputValue[]): Row | undefined {
    return this.sql(text).get(...params) as Row | undefined
  }

  /** Runs `fn` in one write transaction; a refusal or an error rolls it back. */
  private transaction<T> (fn: () => MailboxResult<T>): MailboxResult<T> {
    this.db.exec('BEGIN IMMEDIATE')
    try {
      const result = fn()
      this.db.exec(result.ok ? 'COMMIT' : 'ROLLBACK')
      return result
    } catch (err) {
      this.db.exec('ROLLBACK')
      throw err
    }
  }

  private depth (mailboxId: Uint8Array, now: number): number {
    return Number(this.get('SELECT COUNT(*) AS n FROM entries WHERE mailbox_id = ? AND expires_at > ?', mailboxId, now)?.n ?? 0)
  }

  /** The mailbox, if it exists and `fetchHash` is its own. */
  private owned (mailboxId: Uint8Array, fetchHash: Uint8Array): boolean {
    const row = this.get('SELECT fetch_hash FROM mailboxes WHERE id = ?', mailboxId)
    return row !== undefined && sameBytes(row.fetch_hash as Uint8Array, fetchHash)
  }

  open (mailboxId: Uint8Array, fetchHash: Uint8Array, depositHash: Uint8Array, now: number): MailboxResult<{ depth: number }> {
    return this.transaction<{ depth: number }>(() => {
      const row = this.get('SELECT fetch_hash FROM mailboxes WHERE id = ?', mailboxId)
      if (row !== undefined) {
        if (!sameBytes(row.fetch_hash as Uint8Array, fetchHash)) return refused('this mailbox id belongs to someone else')
        this.sql('UPDATE mailboxes SET deposit_hash = ? WHERE id = ?').run(depositHash, mailboxId)
        return { ok: true, value: { depth: this.depth(mailboxId, now) } }
      }
      const count = Number(this.get('SELECT COUNT(*) AS n FROM mailboxes')?.n ?? 0)
      if (count >= this.quotas.mailboxes) return overQuota(`this node holds its limit of ${this.quotas.mailboxes} mailboxes`)
      this.sql('INSERT INTO mailboxes (id, fetch_hash, deposit_hash, created_at) VALUES (?, ?, ?, ?)').run(mailboxId, fetchHash, depositHash, now)
      return { ok: true, value: { depth: 0 } }
    })
  }

  deposit (mailboxId: Uint8Array, depositHash: Uint8Array, depositor: string, frame: Uint8Array, expiresAt: number, now: number): MailboxResult<{ seq: number, depth: number }> {
    const frameHash = createHash('sha256').update(frame).digest()
    return this.transaction<{ seq: number, depth: number }>(() => {
      const box = this.get('SELECT deposit_hash FROM mailboxes WHERE id = ?', mailboxId)
      if (box === undefined || !sameBytes(box.deposit_hash as Uint8Array, depositHash)) return refused('no mailbox here admits this deposit token')
      const existing = this.get('SELECT seq FROM entries WHERE mailbox_id = ? AND frame_hash = ?', mailboxId, frameHash)
      if (existing !== undefined) return { ok: true, value: { seq: Number(existing.seq), depth: this.depth(mailboxId, now) } }
      const held = this.get('SELECT COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS b FROM entries WHERE mailbox_id = ? AND expires_at > ?', mailboxId, now)
      if (Number(held?.n) + 1 > this.quotas.entriesPerMailbox || Number(held?.b) + frame.length > this.quotas.bytesPerMailbox) {
        return overQuota('the recipient\'s mailbox is full')
      }
      const mine = this.get('SELECT COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS b FROM entries WHERE depositor = ? AND expires_at > ?', depositor, now)
      if (Number(mine?.n) + 1 > this.quotas.entriesPerDepositor || Number(mine?.b) + frame.length > this.quotas.bytesPerDepositor) {
        return overQuota('this depositor has too much waiting at this node')
      }
      const r = this.sql('INSERT INTO entries (mailbox_id, depositor, frame_hash, frame, bytes, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(mailboxId, depositor, frameHash, frame, frame.length, expiresAt)
      return { ok: true, value: { seq: Number(r.lastInsertRowid), depth: Number(held?.n) + 1 } }
    })
  }

  fetch (mailboxId: Uint8Array, fetchHash: Uint8Array, after: number, now: number, limits: { entries: number, bytes: number }): MailboxResult<{ entries: MailboxEntryRow[], more: boolean, depth: number }> {
    if (!this.owned(mailboxId, fetchHash)) return refused('no mailbox here opens with this fetch token')
    const rows = this.sql('SELECT seq, frame, expires_at, depositor FROM entries WHERE mailbox_id = ? AND seq > ? AND expires_at > ? ORDER BY seq LIMIT ?')
      .all(mailboxId, after, now, limits.entries + 1) as Row[]
    const entries: MailboxEntryRow[] = []
    let bytes = 0
    let more = false
    for (const r of rows) {
      const frame = r.frame as Uint8Array
      if (entries.length === limits.entries || (entries.length > 0 && bytes + frame.length > limits.bytes)) {
        more = true
        break
      }
      bytes += frame.length
      entries.push({ seq: Number(r.seq), frame: new Uint8Array(frame), expiresAt: Number(r.expires_at), depositor: String(r.depositor) })
    }
    return { ok: true, value: { entries, more, depth: this.depth(mailboxId, now) } }
  }

  ack (mailboxId: Uint8Array, fetchHash: Uint8Array, seqs: readonly number[], now: number): MailboxResult<{ depth: number }> {
    return this.transaction<{ depth: number }>(() => {
      if (!this.owned(mailboxId, fetchHash)) return refused('no mailbox here opens with this fetch token')
      const del = this.sql('DELETE FROM entries WHERE mailbox_id = ? AND seq = ?')
      for (const seq of seqs) del.run(mailboxId, seq)
      return { ok: true, value: { depth: this.depth(mailboxId, now) } }
    })
  }

  depths (): Array<{ mailboxId: Uint8Array, depth: number, bytes: number }> {
    const rows = this.sql(`SELECT m.id AS id, COUNT(e.seq) AS n, COALESCE(SUM(e.bytes), 0) AS b
      FROM mailboxes m LEFT JOIN entries e ON e.mailbox_id = m.id GROUP BY m.id`).all() as Row[]
    return rows.map((r) => ({ mailboxId: new Uint8Array(r.id as Uint8Array), depth: Number(r.n), bytes: Number(r.b) }))
  }

  sweep (now: number): number {
    return Number(this.sql('DELETE FROM entries WHERE expires_at <= ?').run(now).changes)
  }

  close (): void {
    this.db.close()
  }
}
