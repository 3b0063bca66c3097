/**
 * Read positions and the read-receipt setting, kept in the store's `meta` table and cached in
 * memory. A position is a Lamport clock: everything at or before it counts as read.
 *
 * | key | value |
 * |---|---|
 * | `settings.read-receipts` | `1` (default) or `0` |
 * | `read.<groupId>` | this account's read position in a conversation (unread counts) |
 * | `receipt.<groupId>.<identity>` | the Lamport clock of the newest message another account's READ named |
 *
 * Values are decimal UTF-8. Writes are built here, applied by the messenger, and reported back
 * with {@link ReadState.applied}, so the cache never runs ahead of the disk.
 */
import { fromUtf8, utf8 } from '../bytes.ts'
import type { Store, Write } from './store.ts'

const READ_RECEIPTS_KEY = 'settings.read-receipts'
const OWN_PREFIX = 'read.'
const RECEIPT_PREFIX = 'receipt.'

function decodeNumber (value: Uint8Array | undefined, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(fromUtf8(value))
  return Number.isSafeInteger(n) && n >= 0 ? n : fallback
}

function metaWrite (key: string, value: number): Write {
  return { kind: 'meta', key, value: utf8(String(value)) }
}

/** Cached access to read positions and the read-receipt setting. */
export class ReadState {
  private readonly values = new Map<string, number>()

  constructor (private readonly store: Store) {}

  private async get (key: string, fallback: number): Promise<number> {
    let v = this.values.get(key)
    if (v === undefined) {
      v = decodeNumber(await this.store.getMeta(key), fallback)
      if (this.values.size > 100_000) this.values.clear()
      this.values.set(key, v)
    }
    return v
  }

  /** Whether READs are sent and others' READs shown (default on). */
  async readReceipts (): Promise<boolean> {
    return await this.get(READ_RECEIPTS_KEY, 1) !== 0
  }

  /** The write that turns read receipts on or off. */
  readReceiptsWrite (enabled: boolean): Write {
    return metaWrite(READ_RECEIPTS_KEY, enabled ? 1 : 0)
  }

  /** This account's read position in a conversation (0: nothing read). */
  async ownPosition (groupId: string): Promise<number> {
    return await this.get(OWN_PREFIX + groupId, 0)
  }

  /** The write that moves this account's read position. */
  ownPositionWrite (groupId: string, lamport: number): Write {
    return metaWrite(OWN_PREFIX + groupId, lamport)
  }

  /** Another account's read position, from its latest READ (0: none yet). */
  async peerPosition (groupId: string, identity: string): Promise<number> {
    return await this.get(`${RECEIPT_PREFIX}${groupId}.${identity}`, 0)
  }

  /** The write that records another account's read position. */
  peerPositionWrite (groupId: string, identity: string, lamport: number): Write {
    return metaWrite(`${RECEIPT_PREFIX}${groupId}.${identity}`, lamport)
  }

  /** Updates the cache from writes that were just applied. */
  applied (writes: readonly Write[]): void {
    for (const w of writes) {
      if (w.kind !== 'meta') continue
      if (w.key === READ_RECEIPTS_KEY || w.key.startsWith(OWN_PREFIX) || w.key.startsWith(RECEIPT_PREFIX)) {
        this.values.set(w.key, decodeNumber(w.value, 0))
      }
    }
  }
}
