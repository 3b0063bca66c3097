/**
 * Kith's directory in the DHT (docs/PROTOCOL.md §10): the kad-dht validator and selector for the
 * `/kith/` key namespace, looking an account's record up, and publishing this account's record at
 * start, when this node's addresses change and before the record expires. Browsers run no DHT: they
 * reach it through a Node peer's `/kith/directory/1.0.0` (directory-access.ts).
 */
import type { Libp2p, PeerId } from '@libp2p/interface'
import type { KadDHT, SelectFn, ValidateFn } from '@libp2p/kad-dht'
import { toHex } from '../core/bytes.ts'
import { directoryKey, DIRECTORY_NAMESPACE } from '../core/directory/directory-key.ts'
import { selectDirectoryRecord } from '../core/directory/select.ts'
import { DirectoryRecordError, readDirectoryRecord, type VerifiedDirectoryRecord } from '../core/directory/verify.ts'
import type { DirectoryDevice } from '../core/directory/record.ts'
import type { DirectoryAccess } from '../core/directory/access.ts'
import { peerIdToString } from '../core/identity/peer-id.ts'
import { describeError, PeerError } from '../core/errors.ts'
import { RetryTimer, type RetryTimerOptions } from './retry-timer.ts'

/** Something to log through; secrets never reach it. */
export interface Log {
  (message: string): void
}

/** Options of the validator: time and where refusals are logged. */
export interface DirectoryValidatorOptions {
  readonly now?: () => number
  readonly log?: Log
  /** Keys whose highest seq is remembered, to refuse replays of older records (default 10,000). */
  readonly remember?: number
  /** Refusals logged per minute at most; the rest are counted in the next line (default 10). */
  readonly logPerMinute?: number
}

/** The kad-dht `validators` and `selectors` entries for Kith's namespace. */
export interface DirectoryRecordRules {
  readonly validators: Record<string, ValidateFn>
  readonly selectors: Record<string, SelectFn>
}

/**
 * The validator kad-dht runs on every record under `/kith/` it is asked to store or is given by a
 * peer, and the selector that picks the newest. The validator also remembers the highest seq it has
 * accepted per key: a replay of an older record (still signed, not yet expired) is refused by a node
 * that has seen a newer one, so it cannot roll the record it stores back.
 */
export function directoryRecordRules (options: DirectoryValidatorOptions = {}): DirectoryRecordRules {
  const now = options.now ?? Date.now
  const remember = options.remember ?? 10_000
  const highest = new Map<string, number>()
  // A peer can send forged records as fast as it likes: log a few, count the rest.
  const logLimit = options.logPerMinute ?? 10
  let windowStart = 0
  let logged = 0
  let suppressed = 0
  const logRefusal = (err: unknown): void => {
    const t = now()
    if (t - windowStart >= 60_000) {
      if (suppressed > 0) options.log?.(`${suppressed} more directory record(s) refused in the last minute`)
      windowStart = t
      logged = 0
      suppressed = 0
    }
    if (logged++ < logLimit) options.log?.(describeError(err))
    else suppressed++
  }
  const validate: ValidateFn = async (key, value) => {
    try {
      const record = await readDirectoryRecord(key, value, now())
      const id = toHex(record.identityKey)
      const seen = highest.get(id) ?? 0
      if (record.seq < seen) {
        throw new DirectoryRecordError(`directory record of account ${id.slice(0, 16)}… refused: seq ${record.seq} is older than seq ${seen} already seen here (a replay)`)
      }
      highest.delete(id)
      highest.set(id, record.seq)
      if (highest.size > remember) highest.delete(highest.keys().next().value!)
    } catch (err) {
      logRefusal(err)
      throw err
    }
  }
  const select: SelectFn = (_key, records) => selectDirectoryRecord(records)
  return { validators: { [DIRECTORY_NAMESPACE]: validate }, selectors: { [DIRECTORY_NAMESPACE]: select } }
}

/** Options of a lookup. */
export interface LookupOptions {
  readonly signal?: AbortSignal
  readonly now?: () => number
  /** Stop once this many peers have returned a valid record (default 3). */
  readonly quorum?: number
  /** Queries made when the ones before found no record (default 2). */
  readonly attempts?: number
}

/**
 * Looks the record of `identityKey` up in the DHT: the newest valid record among the first
 * `quorum` peers that return one, or undefined if every query ends with none. A second query is
 * made when the first finds none: a query that met slow or departed peers may end without having
 * reached the ones holding the record, and another walks a different path. Records that fail the
 * validator never get here (kad-dht drops them as it receives them).
 */
export async function lookupDirectoryRecord (dht: KadDHT, identityKey: Uint8Array, options: LookupOptions = {}): Promise<(VerifiedDirectoryRecord & { readonly encoded: Uint8Array }) | undefined> {
  const key = directoryKey(identityKey)
  const attempts = options.attempts ?? 2
  let found: Uint8Array[] = []
  for (let attempt = 1; attempt <= attempts && found.length === 0 && options.signal?.aborted !== true; attempt++) {
    found = await queryRecords(dht, key, options)
  }
  if (found.length === 0) return undefined
  const encoded = found[selectDirectoryRecord(found)]!
  return { ...await readDirectoryRecord(key, encoded, (options.now ?? Date.now)()), encoded }
}

/** One DHT query for `key`: the valid records it met, stopping at the quorum. */
async function queryRecords (dht: KadDHT, key: Uint8Array, options: LookupOptions): Promise<Uint8Array[]> {
  const quorum = options.quorum ?? 3
  const found: Uint8Array[] = []
  const stop = new AbortController()
  const signal = options.signal === undefined ? stop.signal : AbortSignal.any([options.signal, stop.signal])
  try {
    for await (const event of dht.get(key, { signal })) {
      if (event.name === 'PEER_RESPONSE' && event.record != null) found.push(event.record.value)
      else if (event.name === 'VALUE') found.push(event.value)
      if (found.length >= quorum) break
    }
  } catch (err) {
    if (found.length === 0) throw new PeerError(`directory lookup of ${new TextDecoder().decode(key).slice(10, 26)}… failed: ${describeError(err)}`, { cause: err })
  } finally {
    stop.abort()
  }
  return found
}

/** What `kith status` shows about this account's record. */
export interface PublishStatus {
  readonly seq: number
  readonly expiresAt: number
  readonly publishedAt: number
  /** DHT peers that acknowledged storing it. */
  readonly storedOn: number
}

/** What the publisher needs from the node. */
export interface DirectoryPublisherOptions {
  /** Signs this device's record, issued now, with the next seq (core/messenger/directory-record.ts). */
  readonly sign: (issuedAt: number, lifetimeMs: number) => Promise<{ encoded: Uint8Array, seq: number, expiresAt: number }>
  /** Record lifetime (default 24 h); republished after half of it. */
  readonly lifetimeMs?: number
  /** Wait after an address change before publishing, so a burst of changes makes one record. */
  readonly debounceMs?: number
  /** Backoff while no DHT peer takes the record. */
  readonly retry?: RetryTimerOptions
  readonly now?: () => number
  readonly log: Log
}

/** Default record lifetime: a day, well inside kad-dht's 48 h record lifetime. */
export const DEFAULT_RECORD_LIFETIME_MS = 24 * 60 * 60 * 1000

/** Publishes this account's directory record and keeps it fresh. */
export class DirectoryPublisher {
  private last: PublishStatus | undefined
  private running: Promise<void> | undefined
  private again = false
  private stopped = false
  private debounce: ReturnType<typeof setTimeout> | undefined
  private republish: ReturnType<typeof setTimeout> | undefined
  private readonly retry: RetryTimer
  private readonly onUpdate = (): void => { this.schedule() }
  /** Until a record is out, a new peer may be the DHT's first: try again without waiting out the backoff. */
  private readonly onConnect = (): void => { if (this.last === undefined) this.schedule() }

  constructor (private readonly libp2p: Libp2p, private readonly directory: DirectoryAccess, private readonly options: DirectoryPublisherOptions) {
    this.retry = new RetryTimer(options.retry ?? { initialMs: 1_000, maxMs: 60_000 }, () => { void this.publish() })
  }

  /** Publishes now, and again whenever this node's addresses change. */
  start (): void {
    this.libp2p.addEventListener('self:peer:update', this.onUpdate)
    this.libp2p.addEventListener('peer:identify', this.onConnect)
    void this.publish()
  }

  stop (): void {
    this.stopped = true
    this.libp2p.removeEventListener('self:peer:update', this.onUpdate)
    this.libp2p.removeEventListener('peer:identify', this.onConnect)
    this.retry.cancel()
    clearTimeout(this.debounce)
    clearTimeout(this.republish)
  }

  /** The last record that reached at least one DHT peer, if any. */
  status (): PublishStatus | undefined {
    return this.last
  }

  /** Publishes after the debounce delay (addresses just changed). */
  schedule (): void {
    if (this.stopped) return
    clearTimeout(this.debounce)
    this.debounce = setTimeout(() => { void this.publish() }, this.options.debounceMs ?? 500)
    this.debounce.unref?.()
  }

  /** Publishes a fresh record now; resolves when this attempt (or the one under way) ends. */
  async publish (): Promise<void> {
    if (this.stopped) return
    if (this.running !== undefined) {
      this.again = true
      return await this.running
    }
    this.running = this.publishOnce().finally(() => { this.running = undefined })
    await this.running
    if (this.again && !this.stopped) {
      this.again = false
      await this.publish()
    }
  }

  private async publishOnce (): Promise<void> {
    const { options } = this
    const now = options.now ?? Date.now
    const lifetimeMs = options.lifetimeMs ?? DEFAULT_RECORD_LIFETIME_MS
    try {
      const issuedAt = now()
      const { encoded, seq, expiresAt } = await options.sign(issuedAt, lifetimeMs)
      const storedOn = await this.directory.publish(encoded, AbortSignal.timeout(45_000))
      this.last = { seq, expiresAt, publishedAt: issuedAt, storedOn }
      options.log(`directory record seq ${seq} published on ${storedOn} DHT peers, expires ${new Date(expiresAt).toISOString()}`)
      this.retry.reset()
      clearTimeout(this.republish)
      if (!this.stopped) {
        this.republish = setTimeout(() => { void this.publish() }, lifetimeMs / 2)
        this.republish.unref?.()
      }
    } catch (err) {
      if (this.stopped) return
      options.log(`directory record not published, will retry: ${describeError(err)}`)
      this.retry.schedule()
    }
  }
}

/** The DHT routing table's size, for `kith status`: how many DHT peers this node knows. */
export function routingTableSize (dht: KadDHT): number {
  return (dht as Partial<{ routingTable: { size: number } }>).routingTable?.size ?? 0
}

/** The addresses of `peer` a record lists, over all devices, or [] if it does not list the peer. */
/** The entry of one device in a verified record, or undefined if the record does not list it. */
export function deviceEntryOf (record: VerifiedDirectoryRecord, peer: PeerId | string): DirectoryDevice | undefined {
  const id = peer.toString()
  const i = record.certificates.findIndex((c) => peerIdToString(c.peerId) === id)
  return i < 0 ? undefined : record.devices[i]
}

export function addressesOf (record: VerifiedDirectoryRecord, peer: PeerId | string): string[] {
  const id = peer.toString()
  const i = record.certificates.findIndex((c) => peerIdToString(c.peerId) === id)
  return i < 0 ? [] : [...record.devices[i]!.addrs]
}
