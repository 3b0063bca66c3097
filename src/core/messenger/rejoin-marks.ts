/**
 * Conversations restored from a backup that this device has not been put back into yet. The old
 * device's MLS states are never continued (that would fork them): each restored conversation holds
 * a one-member placeholder state and this mark until a member's Welcome replaces it (rejoining.ts).
 * Marks are local, kept in the store's `meta` table:
 *
 * | key | value |
 * |---|---|
 * | `rejoin.<groupId hex>` | UTF-8 JSON `{ "members": [{ "identity", "peerId" }], "oldDevices": [peerId], "requested": bool, "keyPackages"?: [ref hex] }`; empty once rejoined |
 */
import { fromUtf8, utf8 } from '../bytes.ts'
import type { Store, Write } from './store.ts'

/** Prefix of the `meta` keys that hold marks. */
export const REJOIN_PREFIX = 'rejoin.'

/** Why and to whom a conversation is rejoining. */
export interface RejoinMark {
  /** The other member devices when the backup was made: who can put this device back. */
  readonly members: ReadonlyArray<{ readonly identity: string, readonly peerId: string }>
  /** Peer ids of this account's devices that the request asks members to remove. */
  readonly oldDevices: readonly string[]
  /** The requests are queued (they are built once this device's addresses are known). */
  readonly requested: boolean
  /** References (hex) of the KeyPackages the requests carry: kept until the mark is cleared. */
  readonly keyPackages?: readonly string[]
}

/** Parses a stored mark; undefined for an absent, cleared or damaged value. */
export function parseRejoinMark (value: Uint8Array | undefined): RejoinMark | undefined {
  if (value === undefined || value.length === 0) return undefined
  try {
    const raw = JSON.parse(fromUtf8(value)) as Partial<RejoinMark>
    if (!Array.isArray(raw.members) || !Array.isArray(raw.oldDevices) || typeof raw.requested !== 'boolean') return undefined
    const members = raw.members.filter((m) => typeof m?.identity === 'string' && typeof m.peerId === 'string')
    const keyPackages = Array.isArray(raw.keyPackages) ? raw.keyPackages.filter((k) => typeof k === 'string') : []
    return { members, oldDevices: raw.oldDevices.filter((d) => typeof d === 'string'), requested: raw.requested, ...(keyPackages.length > 0 ? { keyPackages } : {}) }
  } catch {
    return undefined
  }
}

/** The outbox `messageId` of a conversation's REJOIN frames, so the rest can be dropped once one is answered. */
export function rejoinOutboxId (groupId: string): string {
  return `rejoin-${groupId}`
}

/** The write that stores a mark, or (`undefined`) clears it. */
export function rejoinMarkWrite (groupId: string, mark: RejoinMark | undefined): Write {
  return { kind: 'meta', key: REJOIN_PREFIX + groupId, value: mark === undefined ? new Uint8Array() : utf8(JSON.stringify(mark)) }
}

/** Reads marks through the store, cached; {@link applied} keeps the cache behind the store. */
export class RejoinMarks {
  private readonly cache = new Map<string, RejoinMark | undefined>()

  constructor (private readonly store: Store) {}

  /** The mark of a conversation, if it is still rejoining. */
  async get (groupId: string): Promise<RejoinMark | undefined> {
    if (this.cache.has(groupId)) return this.cache.get(groupId)
    const mark = parseRejoinMark(await this.store.getMeta(REJOIN_PREFIX + groupId))
    this.cache.set(groupId, mark)
    return mark
  }

  /** KeyPackage references that pending rejoin requests carry: never dropped to make room. */
  async reservedKeyPackages (groupIds: readonly string[]): Promise<Set<string>> {
    const refs = new Set<string>()
    for (const id of groupIds) for (const ref of (await this.get(id))?.keyPackages ?? []) refs.add(ref)
    return refs
  }

  /** Forgets cached marks that a batch just wrote. */
  applied (writes: readonly Write[]): void {
    for (const w of writes) if (w.kind === 'meta' && w.key.startsWith(REJOIN_PREFIX)) this.cache.delete(w.key.slice(REJOIN_PREFIX.length))
  }
}
