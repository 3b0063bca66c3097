/**
 * What every part of the messenger shares: its collaborators, the cache of group states, the
 * per-conversation locks that run a group's operations one at a time, and the one path every
 * write takes ({@link Engine.commit}), which keeps the caches behind the store and hands queued
 * frames to the delivery service only once they are durable.
 */
import { toHex } from '../bytes.ts'
import type { Invite } from '../identity/invite.ts'
import { peerIdToString } from '../identity/peer-id.ts'
import { decodeState, listMembers, ownLeafIndex, prepareToReceive, prepareToSend, type GroupState } from '../mls/group.ts'
import { getSuite } from '../mls/suite.ts'
import type { Account } from './account.ts'
import { SummaryCache } from './conversation-summary.ts'
import type { MessengerEvent } from './events.ts'
import { NameBook } from './name-book.ts'
import { OutboxMemory, type QueuedFrame } from './outbox-memory.ts'
import { systemClock, type Clock, type Log, type RunSoon, type Transport, type YieldToIo } from './ports.ts'
import { ReadState } from './read-state.ts'
import { RejoinMarks } from './rejoin-marks.ts'
import type { GroupRow, Store, Write } from './store.ts'
import { describeError, strictAssert } from '../errors.ts'

/** Collaborators of a messenger. */
export interface MessengerComponents {
  readonly store: Store
  readonly transport: Transport
  readonly account: Account
  readonly log: Log
  readonly clock?: Clock
  /** Called at the end of each send; by default it does not wait. */
  readonly yieldToIo?: YieldToIo
  /** Schedules work done ahead of need; by default `setTimeout(0)`. */
  readonly runSoon?: RunSoon
}

/** Timings, as options so tests need not wait. */
export interface MessengerOptions {
  /** First retry delay for reaching a contact whose 1:1 is not yet set up. */
  readonly establishRetryMs?: number
  /** Retry ceiling. */
  readonly establishRetryMaxMs?: number
  /** Base of the web app, used in invite links. */
  readonly webBase?: string
  /** Least time between two TYPINGs sent to one conversation (default 3 s). */
  readonly typingIntervalMs?: number
  /** A received TYPING is shown only if its `sent_at` is within this of the local clock (default 10 s). */
  readonly typingFreshMs?: number
  /** How long an unanswered call rings (default calls/constants.ts RING_TIMEOUT_MS). */
  readonly callRingTimeoutMs?: number
  /** How often a device in a call sends ALIVE (default calls/constants.ts CALL_ALIVE_INTERVAL_MS). */
  readonly callAliveIntervalMs?: number
}

/** A conversation's stored row and its MLS state in memory. */
export interface CachedGroup {
  row: GroupRow
  state: GroupState
  /** Application messages decrypted since the state was last written (see receiver.ts). */
  unsaved?: number
  /**
   * The own send generation of the stored state when it is ahead of `state`'s (see sender.ts);
   * undefined when the stored state was written from `state`'s epoch at its current send
   * generation. Writing `state` itself is always safe.
   */
  reserved?: number
}

/** What became of an incoming frame, as its acknowledgement reports it. */
export type Outcome = 'stored' | 'rejected'

/** An error's message for the log, whatever was thrown (re-exported for the messenger's modules). */
export { describeError }

/** SHA-256 of an MLS message, hex: the replay-detection and fork-choice key. */
export async function messageHash (message: Uint8Array): Promise<string> {
  return toHex(await (await getSuite()).hash.digest(message))
}

/** The shared state and write path of one device's messenger. */
export class Engine {
  readonly store: Store
  readonly transport: Transport
  readonly log: Log
  readonly clock: Clock
  readonly yieldToIo: YieldToIo
  readonly names: NameBook
  readonly summaries: SummaryCache
  readonly reads: ReadState
  /** Conversations restored from a backup and not yet rejoined. */
  readonly rejoins: RejoinMarks
  readonly outboxMemory = new OutboxMemory()
  /** Which message and conversation each queued outbox row belongs to, for delivery events. */
  readonly outboxMessages = new Map<number, { messageId: string | null, groupId: string }>()
  /** Contact identities by the alias (as typed) a send named them with; cleared on every contact write. */
  readonly aliases = new Map<string, string>()
  /**
   * Conversations by the id prefix a target named them with (no alias or group name matched it);
   * cleared by every write that could change that answer (see {@link forgetTargets}).
   */
  readonly targets = new Map<string, string>()
  /** Moves whenever {@link targets} is cleared, so that a lookup that raced a write is not kept. */
  targetsGeneration = 0
  /** Highest stored seq per conversation and sender device (`groupId deviceId`), as read or written. */
  readonly lastSeqs = new Map<string, number>()
  stopped = false
  private currentAccount: Account
  private readonly runSoon: RunSoon
  private readonly cache = new Map<string, CachedGroup>()
  private readonly locks = new Map<string, Promise<unknown>>()
  private readonly listeners = new Set<(e: MessengerEvent) => void>()
  private readonly groupListeners = new Set<(groupId: string, active: boolean, devices: readonly string[]) => void>()
  private readonly recipientsByTree = new WeakMap<GroupState['ratchetTree'], readonly string[]>()
  /** Conversations and senders (`groupId leaf`) whose next keys are about to be derived ahead. */
  private readonly preparing = new Set<string>()
  /** Events about staged writes, in order, each emitted once its write is durable. */
  private announcing: Promise<void> = Promise.resolve()
  /** Queued frames on their way to the delivery service, in order (see {@link handOver}). */
  private handingOver: Promise<void> = Promise.resolve()

  constructor (components: MessengerComponents, readonly options: MessengerOptions) {
    this.store = components.store
    this.transport = components.transport
    this.currentAccount = components.account
    this.log = components.log
    this.clock = components.clock ?? systemClock
    this.yieldToIo = components.yieldToIo ?? (async () => {})
    this.runSoon = components.runSoon ?? ((task) => { setTimeout(task, 0) })
    this.reads = new ReadState(this.store)
    this.rejoins = new RejoinMarks(this.store)
    const ownName = (): string => this.account.certificate.displayName
    this.names = new NameBook(this.store, { identity: this.account.identityHex, get displayName () { return ownName() } })
    this.summaries = new SummaryCache({ store: this.store, reads: this.reads, identity: this.account.identityHex })
  }

  /** This device's account, with its current device certificate. */
  get account (): Account {
    return this.currentAccount
  }

  /**
   * Switches to a re-issued certificate of the same device (profiles.ts), once it is stored: new
   * KeyPackages, groups and invites carry it from now on.
   */
  replaceAccount (account: Account): void {
    strictAssert(account.identityHex === this.currentAccount.identityHex && account.peerId === this.currentAccount.peerId, 'only the certificate of an account is replaced')
    this.currentAccount = account
    this.names.clear()
  }

  /** This device's identity key, hex. */
  get identity (): string {
    return this.account.identityHex
  }

  /** This device's invite. */
  invite (): Invite {
    return { certificate: this.account.certificate, addrs: this.transport.listenAddrs() }
  }

  // ---------------------------------------------------------------- events

  subscribe (listener: (e: MessengerEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * Listens for a conversation's state changing (a commit, a join, a rename): its id, whether it is
   * active, and its member devices. Unlike {@link subscribe} it costs no view building.
   */
  onGroupChanged (listener: (groupId: string, active: boolean, devices: readonly string[]) => void): () => void {
    this.groupListeners.add(listener)
    return () => this.groupListeners.delete(listener)
  }

  /** Tells the {@link onGroupChanged} listeners. */
  groupChanged (groupId: string, active: boolean, devices: readonly string[]): void {
    for (const l of this.groupListeners) {
      try { l(groupId, active, devices) } catch (err) { this.log(`group listener failed: ${describeError(err)}`) }
    }
  }

  /** Whether anyone listens: building an event's view is skipped otherwise. */
  get watched (): boolean {
    return this.listeners.size > 0
  }

  emit (event: MessengerEvent): void {
    for (const l of this.listeners) {
      try { l(event) } catch (err) { this.log(`event listener failed: ${describeError(err)}`) }
    }
  }

  /** Runs `fn` once everything staged so far is durable, after the announcements queued before it. */
  announceWhenDurable (fn: () => Promise<void>): void {
    const durable = this.store.durable()
    this.announcing = this.announcing
      .then(async () => { await durable; await fn() })
      .catch((err: unknown) => { this.log(`an event was not emitted: ${describeError(err)}`) })
  }

  // ---------------------------------------------------------------- serialisation and cache

  async withLock<T> (key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve()
    const run = previous.then(fn, fn)
    const settled = run.then(() => {}, () => {})
    this.locks.set(key, settled)
    try {
      return await run
    } finally {
      if (this.locks.get(key) === settled) this.locks.delete(key)
    }
  }

  /** A conversation from the cache, else from the store; undefined if there is none. */
  async load (groupId: string): Promise<CachedGroup | undefined> {
    const cached = this.cache.get(groupId)
    if (cached !== undefined) return cached
    const row = await this.store.getGroup(groupId)
    if (row === undefined) return undefined
    const group = { row, state: decodeState(row.state) }
    this.cache.set(groupId, group)
    return group
  }

  /** A conversation only if it is cached: for work that must not wait on the store. */
  cached (groupId: string): CachedGroup | undefined {
    return this.cache.get(groupId)
  }

  /** Every cached conversation, by id. */
  cachedGroups (): IterableIterator<[string, CachedGroup]> {
    return this.cache.entries()
  }

  /**
   * Applies writes, then updates the cache: the cache never runs ahead of the store. Frames it
   * queues go to the delivery service once they are durable. `staged` writes share a commit with
   * the others made while the current I/O is handled (see {@link Store.stage}); whoever reports
   * them (an ack, a send's result) awaits {@link Store.durable} first.
   */
  async commit (writes: Write[], groups: CachedGroup[] = [], staged = false): Promise<void> {
    const outboxIds = staged ? await this.store.stage(writes) : await this.store.apply(writes)
    const queued: Array<{ peerId: string, frame: QueuedFrame }> = []
    let i = 0
    for (const w of writes) {
      if (w.kind === 'outbox') queued.push({ peerId: w.peerId, frame: { rowId: outboxIds[i++]!, frame: w.frame, messageId: w.messageId, groupId: w.groupId } })
      else if (w.kind === 'outbox-drop-message') this.dropOffered(w.messageId)
    }
    if (queued.length > 0) this.handOver(queued, staged ? this.store.durable() : undefined)
    for (const w of writes) {
      if (w.kind !== 'message') continue
      const key = `${w.row.groupId} ${w.row.senderDevice}`
      const known = this.lastSeqs.get(key)
      if (known !== undefined && w.row.seq > known) this.lastSeqs.set(key, w.row.seq)
    }
    this.forgetTargets(writes)
    for (const g of groups) this.cache.set(g.row.id, g)
    if (writes.some((w) => w.kind === 'contact' || w.kind === 'device' || w.kind === 'device-drop')) {
      this.names.clear()
      this.aliases.clear()
    }
    this.reads.applied(writes)
    this.rejoins.applied(writes)
  }

  /**
   * Clears {@link targets} when `writes` may change what a target resolves to: a contact (its
   * alias), a conversation not cached (maybe new, so an id prefix may now match two), or a renamed
   * one. Called before the cache takes the written rows.
   */
  private forgetTargets (writes: readonly Write[]): void {
    const renamed = (id: string, name: string): boolean => this.cache.get(id)?.row.name !== name
    for (const w of writes) {
      if (w.kind === 'contact' || (w.kind === 'group' && renamed(w.row.id, w.row.name)) || (w.kind === 'group-clock' && renamed(w.id, w.name))) {
        this.targets.clear()
        this.targetsGeneration++
        return
      }
    }
  }

  /**
   * A message's queued frames were deleted: memory, and a transport they were offered to, forget
   * them. The withdrawal queues behind the hand-overs before it, so it follows every offer of the
   * frames it withdraws and precedes the offer of any frames queued for the message again.
   */
  private dropOffered (messageId: string): void {
    this.outboxMemory.dropMessage(messageId)
    const { transport } = this
    if (transport.withdraw === undefined) return
    this.handingOver = this.handingOver.then(() => {
      transport.withdraw?.(messageId)
      for (const [rowId, info] of this.outboxMessages) if (info.messageId === messageId) this.outboxMessages.delete(rowId)
    }).catch((err: unknown) => { this.log(`a withdrawal was not handed over: ${describeError(err)}`) })
  }

  /**
   * Gives queued frames to the delivery service once `durable` resolves (never if it rejects), in
   * the order they were written: the outbox memory must see a peer's frames in row id order.
   */
  private handOver (queued: ReadonlyArray<{ peerId: string, frame: QueuedFrame }>, durable: Promise<void> | undefined): void {
    this.handingOver = this.handingOver.then(async () => {
      try { await durable } catch { return }
      const peers = new Map<string, QueuedFrame[]>()
      for (const q of queued) {
        this.outboxMemory.add(q.peerId, q.frame)
        const frames = peers.get(q.peerId) ?? []
        frames.push(q.frame)
        peers.set(q.peerId, frames)
      }
      const { transport } = this
      for (const [p, frames] of peers) {
        if (transport.offer === undefined) {
          transport.notify(p)
          continue
        }
        // Settling them reports their messages' delivery states, as for frames read through nextFrames.
        for (const f of frames) this.outboxMessages.set(f.rowId, { messageId: f.messageId, groupId: f.groupId })
        transport.offer(p, frames.map((f) => ({ rowId: f.rowId, frame: f.frame, messageId: f.messageId })))
      }
    }).catch((err: unknown) => { this.log(`queued frames were not handed over: ${describeError(err)}`) })
  }

  /**
   * Derives, once the message at hand is out of the way, the keys of the next one sent in a
   * conversation by this device (`leaf` undefined) or by the member at `leaf`: three HMACs fewer
   * on that message's path.
   */
  prepareNext (groupId: string, leaf: number | undefined): void {
    const key = `${groupId} ${leaf ?? 'own'}`
    if (this.preparing.has(key)) return
    this.preparing.add(key)
    this.runSoon(() => {
      this.preparing.delete(key)
      const group = this.cache.get(groupId)
      if (group === undefined || this.stopped) return
      const prepared = leaf === undefined ? prepareToSend(group.state) : prepareToReceive(group.state, leaf)
      prepared.catch((err: unknown) => { this.log(`could not derive keys ahead in ${groupId.slice(0, 12)}: ${describeError(err)}`) })
    })
  }

  /** The devices a message goes to: every member leaf but this device's. */
  recipientsOf (state: GroupState): readonly string[] {
    // Only commits change the tree, so the list is kept per tree.
    let recipients = this.recipientsByTree.get(state.ratchetTree)
    if (recipients === undefined) {
      const own = ownLeafIndex(state)
      recipients = listMembers(state).filter((m) => m.leafIndex !== own).map((m) => peerIdToString(m.certificate.peerId))
      this.recipientsByTree.set(state.ratchetTree, recipients)
    }
    return recipients
  }
}
