/**
 * What a device does with its contacts' directory records (docs/PROTOCOL.md §10.4), on Node and in
 * the browser alike:
 * - first contact with a device that is offline: one of its published KeyPackages, and its intro
 *   mailboxes for the Welcome and the first messages;
 * - locating a contact whose known addresses fail: the addresses its record lists now.
 */
import { fromHex } from '../core/bytes.ts'
import type { DirectoryDevice } from '../core/directory/record.ts'
import { UsageError } from '../core/errors.ts'
import type { PeerMailbox } from '../core/messenger/mailboxes.ts'
import type { DirectoryAccess } from '../core/directory/access.ts'
import { addressesOf, deviceEntryOf } from './dht-directory.ts'
import type { Log } from './protocols/deliver.ts'

/** What these need from the runtime. */
export interface DirectoryContactDeps {
  readonly directory: DirectoryAccess
  /** The hex identity key of the account a known device belongs to. */
  readonly identityOf: (peerId: string) => Promise<string | undefined>
  /** Adds addresses to what is known of a device. */
  readonly addAddresses: (peerId: string, addrs: readonly string[]) => Promise<void>
  /** Replaces what is known of a device's addresses (its record is newer than what failed). */
  readonly replaceAddresses: (peerId: string, addrs: readonly string[]) => Promise<void>
  readonly log: Log
  /** How long a looked-up record is used before it is looked up again (default 60 s). */
  readonly cacheMs?: number
  /** The least time between two lookups that locate one account (default 10 s). */
  readonly locateIntervalMs?: number
}

/** First contact and locating contacts through their directory records. */
export class DirectoryContact {
  private readonly cache = new Map<string, { at: number, entry: DirectoryDevice | undefined }>()
  private readonly lastLocate = new Map<string, number>()

  constructor (private readonly deps: DirectoryContactDeps) {}

  private async entryOf (peerId: string): Promise<DirectoryDevice | undefined> {
    const cached = this.cache.get(peerId)
    if (cached !== undefined && Date.now() - cached.at < (this.deps.cacheMs ?? 60_000)) return cached.entry
    const identity = await this.deps.identityOf(peerId)
    if (identity === undefined) return undefined
    const record = await this.deps.directory.lookup(fromHex(identity), AbortSignal.timeout(15_000)).catch((err: unknown) => {
      this.deps.log(`directory: lookup for ${peerId} failed: ${(err as Error).message}`)
      return undefined
    })
    const entry = record === undefined ? undefined : deviceEntryOf(record, peerId)
    if (this.cache.size > 1000) this.cache.clear()
    this.cache.set(peerId, { at: Date.now(), entry })
    return entry
  }

  /**
   * A KeyPackage of an offline device from its record: a one-time one picked at random (several
   * people may add it from the same record; it keeps a used one for a while, see
   * core/messenger/published-key-packages.ts), else the last-resort one.
   */
  async keyPackage (peerId: string): Promise<{ keyPackage: Uint8Array, card: Uint8Array }> {
    const entry = await this.entryOf(peerId)
    if (entry === undefined) throw new UsageError(`no directory record lists ${peerId}`)
    const pick = entry.keyPackages.length > 0 ? entry.keyPackages[Math.floor(Math.random() * entry.keyPackages.length)]! : entry.lastResortKeyPackage
    if (pick.length === 0) throw new UsageError(`the directory record of ${peerId} holds no KeyPackage`)
    await this.deps.addAddresses(peerId, entry.addrs)
    this.deps.log(`directory: using a published KeyPackage of ${peerId}, which is offline`)
    return { keyPackage: pick, card: new Uint8Array() }
  }

  /** The intro mailboxes a device's record lists: where a first message may wait for it. */
  async introMailboxes (peerId: string): Promise<PeerMailbox[]> {
    const entry = await this.entryOf(peerId)
    return (entry?.introMailboxes ?? []).flatMap((m) => {
      const at = m.node.lastIndexOf('/p2p/')
      return at < 0 ? [] : [{ node: m.node.slice(at + 5), addrs: [m.node.slice(0, at)], mailboxId: m.mailboxId, depositToken: m.depositToken }]
    })
  }

  /**
   * The delivery service's `locate`: looks a contact's device up when the addresses known for it
   * fail, and replaces them with the ones its record lists. Resolves to whether it found any.
   */
  async locate (peerId: string): Promise<boolean> {
    const identity = await this.deps.identityOf(peerId)
    if (identity === undefined) return false
    const at = this.lastLocate.get(identity)
    if (at !== undefined && Date.now() - at < (this.deps.locateIntervalMs ?? 10_000)) return false
    this.lastLocate.set(identity, Date.now())
    if (this.lastLocate.size > 1000) this.lastLocate.delete(this.lastLocate.keys().next().value!)
    const record = await this.deps.directory.lookup(fromHex(identity), AbortSignal.timeout(15_000))
    if (record === undefined) {
      this.deps.log(`directory: no record found for ${peerId}`)
      return false
    }
    const addrs = addressesOf(record, peerId)
    this.deps.log(`directory: record seq ${record.seq} of ${peerId} lists ${addrs.length} address(es)`)
    if (addrs.length === 0) return false
    this.cache.set(peerId, { at: Date.now(), entry: deviceEntryOf(record, peerId) })
    await this.deps.replaceAddresses(peerId, addrs)
    return true
  }
}
