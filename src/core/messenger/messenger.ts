/**
 * The messenger: Kith's conversation engine. It turns user intents (add a contact, send, add a
 * member) into MLS operations, durable writes and outbox frames, and turns incoming frames into
 * stored messages. All I/O goes through the injected {@link Store} and {@link Transport}; every
 * group's operations run one at a time, and nothing is sent or acknowledged before it is stored.
 */
import { decodeMlsMessage, type KeyPackage } from 'ts-mls'
import { Deliver, DeliverKind } from '../codec/envelope.ts'
import { equalBytes, fromHex, randomBytes, toHex } from '../bytes.ts'
import { KithError, NotFoundError, strictAssert, UsageError, ValidationError } from '../errors.ts'
import { decodeInvite, encodeInvite, formatInviteLink, type Invite } from '../identity/invite.ts'
import { peerIdToString } from '../identity/peer-id.ts'
import { computeSafetyNumber } from '../identity/safety-number.ts'
import { directConversationId, keepsDirectGroupOf } from '../conversation/direct-conversation.ts'
import type { DeliveryState } from '../conversation/delivery-state.ts'
import type { FoldedMessage } from '../conversation/message-fold.ts'
import {
  decodePayload, encodePayload, isActionKind, isControlKind, newMessageId, validateReaction, validateText, type Payload
} from '../conversation/payload.ts'
import { decideCommit, type ChainView } from '../mls/fork-choice.ts'
import {
  commitChanges, createGroupState, decodeState, encodeState, encryptApplication, epochOf, joinFromWelcome, listMembers,
  ownLeafIndex, prepareToReceive, prepareToSend, processMessage, readMlsMessage, reserveSendGenerations, sendGeneration, type GroupState, type IncomingMls, type Member
} from '../mls/group.ts'
import { createKeyPackage, readPeerKeyPackage, type OwnKeyPackage } from '../mls/key-package.ts'
import { getSuite, RETAINED_EPOCHS } from '../mls/suite.ts'
import type { Account } from './account.ts'
import { SUMMARY_WINDOW, SummaryCache } from './conversation-summary.ts'
import { foldWindow, missingQuotes, stateOf, toMessageOut, unfolded, type MessageOut, type MessageViewContext } from './message-view.ts'
import { NameBook } from './name-book.ts'
import { OutboxMemory, type QueuedFrame } from './outbox-memory.ts'
import { systemClock, type Clock, type Log, type RunSoon, type Transport, type YieldToIo } from './ports.ts'
import { ReadState } from './read-state.ts'
import type { ContactRow, GroupRow, MessageRow, MessageView, PendingRow, Store, Write } from './store.ts'

/** Outstanding one-time KeyPackages kept at most. */
const MAX_KEY_PACKAGES = 100
/** Frames kept waiting for a future epoch or an unknown group, at most. */
const MAX_PENDING = 2000
/** Rows read to fold one message's view for an event; actions older than them are not reflected. */
const EVENT_WINDOW = 1000
/** `messages(target, limit)` reads this many rows per text message wanted: actions share the table. */
const HISTORY_ROWS_PER_MESSAGE = 4
/** A stored action that failed validation: kept only so the sender's sequence has no false gap. */
const IGNORED_KIND = 'ignored'

export type { MessageOut, QuoteOut, ReactionOut } from './message-view.ts'

/** A contact as the CLI and UI show it. */
export interface ContactView {
  readonly alias: string
  readonly displayName: string
  readonly identity: string
  readonly verified: boolean
  readonly devices: readonly string[]
}

/** A conversation as the CLI and UI show it. */
export interface ConversationView {
  readonly id: string
  readonly kind: 'direct' | 'group'
  readonly name: string
  readonly epoch: number
  readonly active: boolean
  readonly members: ReadonlyArray<{ identity: string, name: string, peerId: string }>
  /** For a 1:1: the other account's identity key (hex). */
  readonly peerIdentity: string | null
  /** Others' undeleted text messages after this account's read position. */
  readonly unread: number
  /** The newest undeleted text message. */
  readonly lastMessage: { text: string, senderName: string, own: boolean, sentAt: number } | null
}

/**
 * Something that happened, for live views. `message` comes for a new message and again whenever
 * its view changes (edit, delete, reaction, read state): consumers upsert by id.
 */
export type MessengerEvent =
  | { type: 'message', message: MessageOut }
  | { type: 'message-state', id: string, conversation: string, state: DeliveryState }
  | { type: 'conversation', conversation: ConversationView }
  | { type: 'typing', conversation: string, identity: string, name: string }

/** Options of {@link Messenger.send}. */
export interface SendOptions {
  /** Id (or a unique prefix of at least 6 hex digits) of the message this one replies to. */
  readonly replyTo?: string
}

/** Per-account settings. */
export interface MessengerSettings {
  /** Send READs, and show others' (default true). */
  readonly readReceipts: boolean
}

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
}

/** What checking an incoming or own action against its target found. */
type ActionCheck = { ok: true, target: MessageView } | { ok: false, reason: string }

interface CachedGroup {
  row: GroupRow
  state: GroupState
  /** Application messages decrypted since the state was last written (see storeApplication). */
  unsaved?: number
  /**
   * The own send generation of the stored state when it is ahead of `state`'s (see
   * {@link SEND_RESERVATION}); undefined when the stored state was written from `state`'s epoch
   * at its current send generation. Writing `state` itself is always safe.
   */
  reserved?: number
}

/**
 * A sender's state changes on every message only by ratcheting its own chain, and writing it costs
 * more than encrypting. So a send that finds the stored state's own generation used up stores one
 * moved this many generations ahead, and the next sends store no state at all: after a crash the
 * stored state skips past every generation they used, so no key is ever used twice.
 */
const SEND_RESERVATION = 64

/**
 * A receiver's state changes on every decryption only by ratcheting one sender's chain. Writing it
 * after every message costs more than the rest of receiving; an older state on disk can still
 * ratchet forward to any later message, and replays are caught by the `seen` table. So it is
 * written every this many messages, on every commit and send, and at shutdown.
 */
const RECEIVE_SAVE_INTERVAL = 32

interface CommitIntent {
  add: string[]
  remove: string[]
}

type Outcome = 'stored' | 'rejected'
type PrivateMls = Extract<IncomingMls, { kind: 'private' }>

/** The lock incoming Welcomes take, so that they too are handled in arrival order. */
const WELCOME_LOCK = 'welcome'

/** SHA-256 of an MLS message, hex: the replay-detection and fork-choice key. */
async function messageHash (message: Uint8Array): Promise<string> {
  return toHex(await (await getSuite()).hash.digest(message))
}

/** Whether an incoming MLS message carries application data (a chat message, READ or TYPING). */
function isApplication (incoming: IncomingMls): boolean {
  return incoming.kind === 'private' && incoming.contentType === 'application'
}

/** Decodes a held frame; undefined if it is not a private MLS message (it never should be). */
function decodeHeld (bytes: Uint8Array): { frame: Deliver, incoming: PrivateMls } | undefined {
  try {
    const frame = Deliver.decode(bytes)
    const incoming = readMlsMessage(frame.message)
    return incoming.kind === 'private' ? { frame, incoming } : undefined
  } catch {
    return undefined
  }
}

function describeError (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** The conversation engine of one device. */
export class Messenger {
  private readonly store: Store
  private readonly transport: Transport
  private readonly account: Account
  private readonly log: Log
  private readonly clock: Clock
  private readonly yieldToIo: YieldToIo
  private readonly runSoon: RunSoon
  /** Conversations and senders (`groupId leaf`) whose next keys are about to be derived ahead. */
  private readonly preparing = new Set<string>()
  private readonly cache = new Map<string, CachedGroup>()
  private readonly locks = new Map<string, Promise<unknown>>()
  private readonly listeners = new Set<(e: MessengerEvent) => void>()
  private readonly outboxMessages = new Map<number, { messageId: string | null, groupId: string }>()
  private readonly outboxMemory = new OutboxMemory()
  private readonly recipientsByTree = new WeakMap<GroupState['ratchetTree'], readonly string[]>()
  /** Contact identities by the alias (as typed) a send named them with; cleared on every contact write. */
  private readonly aliases = new Map<string, string>()
  /** Highest stored seq per conversation and sender device (`groupId deviceId`), as read or written. */
  private readonly lastSeqs = new Map<string, number>()
  private readonly hintedAddrs = new Map<string, string[]>()
  private readonly directIds = new Map<string, string>()
  private readonly establishTimers = new Map<string, { timer: ReturnType<typeof setTimeout>, attempt: number }>()
  private readonly names: NameBook
  private readonly summaries: SummaryCache
  private readonly typingSentAt = new Map<string, number>()
  /** Per conversation: the id of the last TYPING queued, whose outbox rows the next one replaces. */
  private readonly typingQueued = new Map<string, string>()
  private readonly reads: ReadState
  /** Events about staged writes, in order, each emitted once its write is durable. */
  private announcing: Promise<void> = Promise.resolve()
  /** Queued frames on their way to the delivery service, in order (see {@link handOver}). */
  private handingOver: Promise<void> = Promise.resolve()
  private stopped = false

  constructor (components: MessengerComponents, private readonly options: MessengerOptions = {}) {
    this.store = components.store
    this.transport = components.transport
    this.account = components.account
    this.log = components.log
    this.clock = components.clock ?? systemClock
    this.yieldToIo = components.yieldToIo ?? (async () => {})
    this.runSoon = components.runSoon ?? ((task) => { setTimeout(task, 0) })
    this.reads = new ReadState(this.store)
    this.names = new NameBook(this.store, { identity: this.account.identityHex, displayName: this.account.certificate.displayName })
    this.summaries = new SummaryCache({ store: this.store, reads: this.reads, identity: this.account.identityHex })
  }

  /** This device's identity key, hex. */
  get identity (): string {
    return this.account.identityHex
  }

  /** Resumes work left from a previous run: queued frames, unfinished 1:1 set-ups, pending sends. */
  async start (): Promise<void> {
    for (const device of await this.store.listDevices()) {
      if (device.addrs.length > 0) await this.transport.addAddresses(device.peerId, device.addrs).catch(() => {})
    }
    for (const peer of await this.store.outboxPeers()) this.transport.notify(peer)
    for (const row of await this.store.listGroups()) {
      if (row.kind === 'direct' && row.active && row.peerIdentity !== null) {
        const group = await this.load(row.id)
        if (group !== undefined && listMembers(group.state).length < 2) this.scheduleEstablish(row.peerIdentity, 0)
      }
    }
  }

  /** Writes group states that have decrypted messages since they were last written. */
  async flush (): Promise<void> {
    for (const [id, group] of this.cache) {
      if ((group.unsaved ?? 0) === 0) continue
      await this.withLock(id, async () => {
        const current = this.cache.get(id)
        if (current === undefined || (current.unsaved ?? 0) === 0) return
        const row = { ...current.row, state: encodeState(current.state) }
        await this.commit([{ kind: 'group', row }], [{ row, state: current.state, unsaved: 0 }])
      })
    }
  }

  /** Stops timers; the store and transport are closed by their owners. */
  stop (): void {
    this.stopped = true
    for (const { timer } of this.establishTimers.values()) clearTimeout(timer)
    this.establishTimers.clear()
  }

  /** Subscribes to events; returns the unsubscribe function. */
  subscribe (listener: (e: MessengerEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private emit (event: MessengerEvent): void {
    for (const l of this.listeners) {
      try { l(event) } catch (err) { this.log(`event listener failed: ${describeError(err)}`) }
    }
  }

  // ---------------------------------------------------------------- serialisation and cache

  private async withLock<T> (key: string, fn: () => Promise<T>): Promise<T> {
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

  private async load (groupId: string): Promise<CachedGroup | undefined> {
    const cached = this.cache.get(groupId)
    if (cached !== undefined) return cached
    const row = await this.store.getGroup(groupId)
    if (row === undefined) return undefined
    const group = { row, state: decodeState(row.state) }
    this.cache.set(groupId, group)
    return group
  }

  /**
   * Applies writes, then updates the cache: the cache never runs ahead of the store. Frames it
   * queues go to the delivery service once they are durable. `staged` writes share a commit with
   * the others made while the current I/O is handled (see {@link Store.stage}); whoever reports
   * them (an ack, a send's result) awaits {@link Store.durable} first.
   */
  private async commit (writes: Write[], groups: CachedGroup[] = [], staged = false): Promise<void> {
    const outboxIds = staged ? await this.store.stage(writes) : await this.store.apply(writes)
    const queued: Array<{ peerId: string, frame: QueuedFrame }> = []
    let i = 0
    for (const w of writes) {
      if (w.kind === 'outbox') queued.push({ peerId: w.peerId, frame: { rowId: outboxIds[i++]!, frame: w.frame, messageId: w.messageId, groupId: w.groupId } })
      else if (w.kind === 'outbox-drop-message') this.outboxMemory.dropMessage(w.messageId)
    }
    if (queued.length > 0) this.handOver(queued, staged ? this.store.durable() : undefined)
    for (const w of writes) {
      if (w.kind !== 'message') continue
      const key = `${w.row.groupId} ${w.row.senderDevice}`
      const known = this.lastSeqs.get(key)
      if (known !== undefined && w.row.seq > known) this.lastSeqs.set(key, w.row.seq)
    }
    for (const g of groups) this.cache.set(g.row.id, g)
    if (writes.some((w) => w.kind === 'contact' || w.kind === 'device')) {
      this.names.clear()
      this.aliases.clear()
    }
    this.reads.applied(writes)
  }

  /**
   * Gives queued frames to the delivery service once `durable` resolves (never if it rejects), in
   * the order they were written: the outbox memory must see a peer's frames in row id order.
   */
  private handOver (queued: ReadonlyArray<{ peerId: string, frame: QueuedFrame }>, durable: Promise<void> | undefined): void {
    this.handingOver = this.handingOver.then(async () => {
      try { await durable } catch { return }
      const peers = new Set<string>()
      for (const q of queued) {
        this.outboxMemory.add(q.peerId, q.frame)
        peers.add(q.peerId)
      }
      for (const p of peers) this.transport.notify(p)
    }).catch((err: unknown) => { this.log(`queued frames were not handed over: ${describeError(err)}`) })
  }

  /**
   * Derives, once the message at hand is out of the way, the keys of the next one sent in a
   * conversation by this device (`leaf` undefined) or by the member at `leaf`: three HMACs fewer
   * on that message's path.
   */
  private prepareNext (groupId: string, leaf: number | undefined): void {
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

  /** Runs `fn` once everything staged so far is durable, after the announcements queued before it. */
  private announceWhenDurable (fn: () => Promise<void>): void {
    const durable = this.store.durable()
    this.announcing = this.announcing
      .then(async () => { await durable; await fn() })
      .catch((err: unknown) => { this.log(`an event was not emitted: ${describeError(err)}`) })
  }

  // ---------------------------------------------------------------- identity and contacts

  /** This device's invite. */
  invite (): Invite {
    return { certificate: this.account.certificate, addrs: this.transport.listenAddrs() }
  }

  /** This device's invite link. */
  inviteLink (): string {
    return formatInviteLink(this.invite(), this.options.webBase)
  }

  private async uniqueAlias (wanted: string, identity: string): Promise<string> {
    const base = wanted.trim().length > 0 ? wanted.trim() : 'contact'
    for (let i = 1; ; i++) {
      const alias = i === 1 ? base : `${base}-${i}`
      const existing = await this.store.findContactByAlias(alias)
      if (existing === undefined || existing.identity === identity) return alias
    }
  }

  private deviceWrites (invite: Invite): Write[] {
    const cert = invite.certificate
    return [{
      kind: 'device',
      row: { peerId: peerIdToString(cert.peerId), identity: toHex(cert.identityKey), certificate: encodeInvite(invite), addrs: [...invite.addrs], updatedAt: this.clock.now() }
    }]
  }

  /** Adds (or renames) a contact from a verified invite, and sets up the 1:1 conversation. */
  async addContact (invite: Invite, alias?: string): Promise<{ contact: ContactView, safetyNumber: string }> {
    const identity = toHex(invite.certificate.identityKey)
    if (identity === this.identity) throw new UsageError('that invite is your own')
    if (alias !== undefined) {
      if (alias.trim().length === 0 || alias.length > 64 || /\s/.test(alias.trim())) throw new ValidationError('alias must be 1-64 characters without spaces')
      const taken = await this.store.findContactByAlias(alias)
      if (taken !== undefined && taken.identity !== identity) throw new UsageError(`alias "${alias}" already names another contact`)
    }
    const existing = await this.store.getContact(identity)
    const row: ContactRow = {
      identity,
      alias: alias ?? existing?.alias ?? await this.uniqueAlias(invite.certificate.displayName.replace(/\s+/g, '-').toLowerCase(), identity),
      displayName: invite.certificate.displayName,
      verified: existing?.verified ?? false,
      createdAt: existing?.createdAt ?? this.clock.now()
    }
    await this.commit([{ kind: 'contact', row }, ...this.deviceWrites(invite)])
    await this.transport.addAddresses(peerIdToString(invite.certificate.peerId), invite.addrs).catch(() => {})
    await this.ensureDirect(identity)
    return { contact: await this.contactView(row), safetyNumber: await computeSafetyNumber(this.account.identity.publicKey, invite.certificate.identityKey) }
  }

  private async contactView (row: ContactRow): Promise<ContactView> {
    const devices = await this.store.devicesOf(row.identity)
    return { alias: row.alias, displayName: row.displayName, identity: row.identity, verified: row.verified, devices: devices.map((d) => d.peerId) }
  }

  /** All contacts. */
  async contacts (): Promise<ContactView[]> {
    return await Promise.all((await this.store.listContacts()).map(async (c) => await this.contactView(c)))
  }

  /** Finds a contact by alias, or throws a {@link NotFoundError} naming it. */
  async requireContact (alias: string): Promise<ContactRow> {
    const c = await this.store.findContactByAlias(alias)
    if (c === undefined) throw new NotFoundError(`no contact named "${alias}"; see \`kith contacts\``)
    return c
  }

  /** The safety number shared with a contact. */
  async safetyNumber (alias: string): Promise<{ contact: ContactView, safetyNumber: string }> {
    const c = await this.requireContact(alias)
    return { contact: await this.contactView(c), safetyNumber: await computeSafetyNumber(this.account.identity.publicKey, fromHex(c.identity)) }
  }

  /** Marks a contact verified after the safety numbers were compared. */
  async markVerified (alias: string, verified: boolean): Promise<ContactView> {
    const c = await this.requireContact(alias)
    const row = { ...c, verified }
    await this.commit([{ kind: 'contact', row }])
    return await this.contactView(row)
  }

  // ---------------------------------------------------------------- conversations

  private async newOwnKeyPackage (): Promise<OwnKeyPackage> {
    return await createKeyPackage(this.account.certificate, this.account.mlsKey)
  }

  private groupRow (fields: Pick<GroupRow, 'id' | 'kind' | 'name' | 'peerIdentity' | 'creator'>, state: GroupState, base: { epoch: number, parent: Uint8Array }): GroupRow {
    return {
      ...fields,
      state: encodeState(state),
      epoch: epochOf(state),
      baseEpoch: base.epoch,
      baseParent: base.parent,
      tipHash: base.parent,
      lamport: 0,
      ownSeq: 0,
      active: true,
      losers: [],
      createdAt: this.clock.now()
    }
  }

  /** The 1:1 group id with an account (hex), cached: it is needed on every send to a contact. */
  private async directIdWith (peerIdentity: string): Promise<string> {
    let id = this.directIds.get(peerIdentity)
    if (id === undefined) {
      id = toHex(await directConversationId(this.account.identity.publicKey, fromHex(peerIdentity)))
      if (this.directIds.size > 10_000) this.directIds.clear()
      this.directIds.set(peerIdentity, id)
    }
    return id
  }

  /** True if `groupId` is the 1:1 id of this account with one of its contacts. */
  private async isDirectIdOfContact (groupId: string): Promise<boolean> {
    for (const c of await this.store.listContacts()) {
      if (await this.directIdWith(c.identity) === groupId) return true
    }
    return false
  }

  private async ensureDirect (peerIdentity: string): Promise<string> {
    const id = await this.directIdWith(peerIdentity)
    const cached = this.cache.get(id)
    if (cached !== undefined && cached.row.kind === 'direct' && cached.row.peerIdentity === peerIdentity) return id
    await this.withLock(id, async () => {
      const existing = await this.load(id)
      if (existing !== undefined && existing.row.kind === 'direct' && existing.row.peerIdentity === peerIdentity) return
      if (existing !== undefined) this.log(`conversation ${id.slice(0, 12)} squatted on the 1:1 id with ${peerIdentity.slice(0, 12)}: replacing it`)
      const state = await createGroupState(fromHex(id), await this.newOwnKeyPackage())
      const row = this.groupRow({ id, kind: 'direct', name: '', peerIdentity, creator: this.identity }, state, { epoch: 0, parent: new Uint8Array() })
      await this.commit([{ kind: 'drop-epochs', groupId: id, fromEpoch: 0 }, { kind: 'group', row }], [{ row, state }])
    })
    this.scheduleEstablish(peerIdentity, 0)
    return id
  }

  /** Tries to add the contact's devices to our 1:1, retrying with backoff while they are offline. */
  private scheduleEstablish (peerIdentity: string, attempt: number): void {
    if (this.stopped || this.establishTimers.has(peerIdentity)) return
    const initial = this.options.establishRetryMs ?? 500
    const max = this.options.establishRetryMaxMs ?? 30_000
    const delay = attempt === 0 ? 0 : Math.min(max, initial * 2 ** (attempt - 1))
    const timer = setTimeout(() => {
      this.establishTimers.delete(peerIdentity)
      void this.establishDirect(peerIdentity).then((done) => {
        if (!done) this.scheduleEstablish(peerIdentity, attempt + 1)
      })
    }, delay)
    timer.unref?.()
    this.establishTimers.set(peerIdentity, { timer, attempt })
  }

  /** A peer connected: if a 1:1 with its account is waiting to be set up, try now. */
  peerConnected (peerId: string): void {
    void this.store.getDevice(peerId).then((device) => {
      if (device === undefined) return
      const pending = this.establishTimers.get(device.identity)
      if (pending !== undefined) {
        clearTimeout(pending.timer)
        this.establishTimers.delete(device.identity)
        this.scheduleEstablish(device.identity, 0)
      }
    }).catch(() => {})
  }

  private async establishDirect (peerIdentity: string): Promise<boolean> {
    const id = await this.directIdWith(peerIdentity)
    const group = await this.load(id)
    if (group === undefined || !group.row.active) return true
    const present = new Set(listMembers(group.state).map((m) => toHex(m.certificate.identityKey)))
    if (present.has(peerIdentity)) return true
    if (group.row.creator !== this.identity) return true
    try {
      await this.addDevicesOf(id, peerIdentity)
      return true
    } catch (err) {
      this.log(`1:1 with ${peerIdentity.slice(0, 16)} not set up yet: ${describeError(err)}`)
      return false
    }
  }

  /** Creates a group conversation. */
  async createGroup (name: string): Promise<ConversationView> {
    const trimmed = name.trim()
    if (trimmed.length === 0 || trimmed.length > 128) throw new ValidationError('group name must be 1-128 characters')
    if ((await this.store.findGroupsByName(trimmed)).length > 0) throw new UsageError(`a group named "${trimmed}" already exists`)
    const id = toHex(randomBytes(32))
    const state = await createGroupState(fromHex(id), await this.newOwnKeyPackage())
    const row = this.groupRow({ id, kind: 'group', name: trimmed, peerIdentity: null, creator: this.identity }, state, { epoch: 0, parent: new Uint8Array() })
    await this.commit([{ kind: 'group', row }], [{ row, state }])
    const view = await this.conversationView({ row, state })
    this.emit({ type: 'conversation', conversation: view })
    return view
  }

  /** Resolves a contact alias (its 1:1), a group name, or a conversation id prefix. */
  async resolveTarget (target: string): Promise<string> {
    const known = this.aliases.get(target)
    if (known !== undefined) return await this.ensureDirect(known)
    const contact = await this.store.findContactByAlias(target)
    if (contact !== undefined) {
      if (this.aliases.size >= 10_000) this.aliases.clear()
      this.aliases.set(target, contact.identity)
      return await this.ensureDirect(contact.identity)
    }
    const groups = await this.store.findGroupsByName(target)
    if (groups.length === 1) return groups[0]!.id
    if (groups.length > 1) throw new UsageError(`several groups are named "${target}"; use its id`)
    if (/^[0-9a-f]{8,64}$/.test(target)) {
      const matches = (await this.store.listGroups()).filter((g) => g.id.startsWith(target))
      if (matches.length === 1) return matches[0]!.id
    }
    throw new NotFoundError(`no contact or group named "${target}"; see \`kith contacts\` and \`kith groups\``)
  }

  private async requireGroup (target: string): Promise<CachedGroup> {
    const id = await this.resolveTarget(target)
    const group = await this.load(id)
    if (group === undefined) throw new NotFoundError(`conversation ${id} is missing`)
    return group
  }

  private async conversationView (group: CachedGroup): Promise<ConversationView> {
    const members = await Promise.all(listMembers(group.state).map(async (m) => {
      const identity = toHex(m.certificate.identityKey)
      return { identity, name: await this.names.nameOf(identity), peerId: peerIdToString(m.certificate.peerId) }
    }))
    let name = group.row.name
    if (group.row.kind === 'direct' && group.row.peerIdentity !== null) name = await this.names.nameOf(group.row.peerIdentity)
    const summary = await this.summaries.get(group.row.id)
    const last = summary.last
    return {
      id: group.row.id,
      kind: group.row.kind,
      name,
      epoch: group.row.epoch,
      active: group.row.active,
      members,
      peerIdentity: group.row.kind === 'direct' ? group.row.peerIdentity : null,
      unread: summary.unread.size,
      lastMessage: last === null ? null : { text: last.text, senderName: await this.names.nameOf(last.senderIdentity), own: last.own, sentAt: last.sentAt }
    }
  }

  /** All conversations. */
  async conversations (): Promise<ConversationView[]> {
    const out: ConversationView[] = []
    for (const row of await this.store.listGroups()) {
      const g = await this.load(row.id)
      if (g !== undefined) out.push(await this.conversationView(g))
    }
    return out
  }

  /** One conversation, by target. */
  async conversation (target: string): Promise<ConversationView> {
    return await this.conversationView(await this.requireGroup(target))
  }

  /** Adds a contact's devices to a group. */
  async addMember (target: string, alias: string): Promise<ConversationView> {
    const group = await this.requireGroup(target)
    if (group.row.kind !== 'group') throw new UsageError('members are added to groups, not to 1:1 conversations')
    const contact = await this.requireContact(alias)
    await this.addDevicesOf(group.row.id, contact.identity)
    return await this.conversationView((await this.load(group.row.id))!)
  }

  /** Removes every device of a contact from a group. */
  async removeMember (target: string, alias: string): Promise<ConversationView> {
    const group = await this.requireGroup(target)
    if (group.row.kind !== 'group') throw new UsageError('members are removed from groups, not from 1:1 conversations')
    const contact = await this.requireContact(alias)
    await this.withLock(group.row.id, async () => {
      await this.commitLocked(group.row.id, { add: [], remove: [contact.identity] }, [])
    })
    return await this.conversationView((await this.load(group.row.id))!)
  }

  /** Rotates this device's keys in a conversation (an MLS update commit), for post-compromise security. */
  async rekey (target: string): Promise<ConversationView> {
    const group = await this.requireGroup(target)
    await this.withLock(group.row.id, async () => {
      await this.commitLocked(group.row.id, { add: [], remove: [] }, [])
    })
    return await this.conversationView((await this.load(group.row.id))!)
  }

  /** Fetches KeyPackages from the account's devices and commits their addition. */
  private async addDevicesOf (groupId: string, identity: string): Promise<void> {
    const devices = await this.store.devicesOf(identity)
    if (devices.length === 0) throw new NotFoundError('no known device for that contact')
    const fetched: Array<{ kp: Awaited<ReturnType<typeof readPeerKeyPackage>>, device: { peerId: string } }> = []
    for (const device of devices) {
      const response = await this.transport.fetchKeyPackage(device.peerId)
      const kp = await readPeerKeyPackage(response.keyPackage, { identityKey: fromHex(identity), peerId: (await decodeInvite(device.certificate)).certificate.peerId })
      fetched.push({ kp, device })
    }
    await this.withLock(groupId, async () => {
      await this.commitLocked(groupId, { add: fetched.map((f) => f.device.peerId), remove: [] }, fetched.map((f) => f.kp.keyPackage))
    })
  }

  /** Commits adds/removes in a locked group, stores it, and queues the commit and welcome. */
  private async commitLocked (groupId: string, intent: CommitIntent, keyPackages: readonly KeyPackage[]): Promise<void> {
    const group = await this.load(groupId)
    if (group === undefined) throw new NotFoundError('conversation is missing')
    if (!group.row.active) throw new UsageError('you are no longer a member of this group')
    const before = listMembers(group.state)
    const removeLeaves = before.filter((m) => intent.remove.includes(toHex(m.certificate.identityKey)) && m.leafIndex !== ownLeafIndex(group.state)).map((m) => m.leafIndex)
    if (intent.remove.length > 0 && removeLeaves.length === 0) throw new UsageError('that contact is not a member of this group')
    const presentPeers = new Set(before.map((m) => peerIdToString(m.certificate.peerId)))
    // keyPackages[i] belongs to intent.add[i]; devices already in the group are skipped.
    const adds = keyPackages.filter((_, i) => !presentPeers.has(intent.add[i] ?? ''))
    if (intent.add.length > 0 && adds.length === 0 && removeLeaves.length === 0) return
    const result = await commitChanges(group.state, { add: adds, removeLeaves, parent: group.row.tipHash })
    const epoch = group.row.epoch
    const now = this.clock.now()
    const writes: Write[] = [
      { kind: 'epoch', row: { groupId, epoch, stateBefore: encodeState(group.state), commitHash: result.commitHash, parentHash: group.row.tipHash, intent: JSON.stringify(intent) } },
      { kind: 'prune-epochs', groupId, belowEpoch: epoch + 1 - RETAINED_EPOCHS }
    ]
    const row: GroupRow = { ...group.row, state: encodeState(result.state), epoch: epochOf(result.state), tipHash: result.commitHash }
    writes.push({ kind: 'group', row })
    const hints = adds.length > 0 ? await this.hintsFor(result.state) : []
    const commitFrame = Deliver.encode({ id: randomBytes(16) as Uint8Array<ArrayBuffer>, kind: DeliverKind.MLS, message: result.commit as Uint8Array<ArrayBuffer>, card: new Uint8Array(), hints, commitHash: new Uint8Array() })
    for (const m of before) {
      if (m.leafIndex === ownLeafIndex(group.state)) continue
      const peerId = peerIdToString(m.certificate.peerId)
      writes.push({ kind: 'outbox', peerId, groupId, messageId: null, frame: commitFrame, createdAt: now })
    }
    if (result.welcome !== undefined) {
      const welcomeFrame = Deliver.encode({
        id: randomBytes(16) as Uint8Array<ArrayBuffer>, kind: DeliverKind.WELCOME, message: result.welcome as Uint8Array<ArrayBuffer>,
        card: encodeInvite(this.invite()) as Uint8Array<ArrayBuffer>, hints, commitHash: result.commitHash as Uint8Array<ArrayBuffer>
      })
      for (const peerId of intent.add) {
        if (presentPeers.has(peerId)) continue
        writes.push({ kind: 'outbox', peerId, groupId, messageId: null, frame: welcomeFrame, createdAt: now })
      }
    }
    const updated = { row, state: result.state }
    await this.commit(writes, [updated])
    if (adds.length > 0 && row.kind === 'group') await this.sendLocked(groupId, { kind: 'group-meta', text: '', groupName: row.name })
    await this.resendLocked(groupId)
    this.emit({ type: 'conversation', conversation: await this.conversationView(updated) })
  }

  private async hintsFor (state: GroupState): Promise<Array<{ peerId: Uint8Array<ArrayBuffer>, addrs: string[] }>> {
    const hints = []
    for (const m of listMembers(state)) {
      const peerId = peerIdToString(m.certificate.peerId)
      const addrs = peerId === this.account.peerId ? this.transport.listenAddrs() : (await this.store.getDevice(peerId))?.addrs ?? []
      if (addrs.length > 0) hints.push({ peerId: m.certificate.peerId as Uint8Array<ArrayBuffer>, addrs: addrs.slice(0, 16) })
      if (hints.length >= 32) break
    }
    return hints
  }

  // ---------------------------------------------------------------- sending

  /** Sends a text message (optionally a reply) to a contact or group. Resolves once it is stored and queued. */
  async send (target: string, text: string, options: SendOptions = {}): Promise<MessageOut> {
    validateText(text)
    const groupId = await this.resolveTarget(target)
    const replyTo = options.replyTo === undefined ? undefined : await this.requireMessage(groupId, options.replyTo)
    const row = await this.withLock(groupId, async () => await this.sendLocked(groupId, {
      kind: 'text', text, ...(replyTo !== undefined ? { target: fromHex(replyTo.id) } : {})
    }, true))
    // Sends made while this one waits share its commit.
    await this.store.durable()
    const view = await this.announceNewText({ ...row, acknowledged: 0 })
    await this.yieldToIo()
    return view
  }

  /** Replaces the text of one of your own messages for everyone (an EDIT); returns its new view. */
  async edit (target: string, messageId: string, text: string): Promise<MessageOut> {
    validateText(text)
    const groupId = await this.resolveTarget(target)
    const m = await this.requireOwnLiveMessage(groupId, messageId, 'edit')
    await this.withLock(groupId, async () => await this.sendLocked(groupId, { kind: 'edit', text, target: fromHex(m.id) }))
    return await this.announceChange(groupId, m.id, true)
  }

  /** Deletes one of your own messages for everyone (a DELETE); returns its new view. */
  async deleteMessage (target: string, messageId: string): Promise<MessageOut> {
    const groupId = await this.resolveTarget(target)
    const m = await this.requireOwnLiveMessage(groupId, messageId, 'delete')
    await this.withLock(groupId, async () => await this.sendLocked(groupId, { kind: 'delete', text: '', target: fromHex(m.id) }))
    return await this.announceChange(groupId, m.id, true)
  }

  /** Sets your reaction to a message (one per account; '' removes it); returns the message's new view. */
  async react (target: string, messageId: string, emoji: string): Promise<MessageOut> {
    if (emoji !== '') validateReaction(emoji)
    const groupId = await this.resolveTarget(target)
    const m = await this.requireMessage(groupId, messageId)
    if ((await this.viewOf(groupId, m)).deleted) throw new UsageError(`message ${m.id.slice(0, 8)} was deleted; it takes no reactions`)
    await this.withLock(groupId, async () => await this.sendLocked(groupId, { kind: 'reaction', text: emoji, target: fromHex(m.id) }))
    return await this.announceChange(groupId, m.id, false)
  }

  /**
   * Marks a conversation read up to its newest message (for unread counts) and, when read receipts
   * are on and something newer came from others, tells them with a READ.
   */
  async markRead (target: string): Promise<ConversationView> {
    const groupId = await this.resolveTarget(target)
    const moved = await this.withLock(groupId, async () => {
      const group = await this.load(groupId)
      if (group === undefined) return false
      const texts = (await this.store.listMessages(groupId, SUMMARY_WINDOW)).filter((m) => m.kind === 'text')
      const newest = texts.at(-1)
      const before = await this.reads.ownPosition(groupId)
      if (newest === undefined || newest.lamport <= before) return false
      const writes = [this.reads.ownPositionWrite(groupId, newest.lamport)]
      const fromOthers = texts.some((m) => m.senderIdentity !== this.identity && m.lamport > before)
      if (fromOthers && group.row.active && await this.reads.readReceipts()) {
        await this.sendControlLocked(groupId, 'read', fromHex(newest.id), writes, false)
      } else {
        await this.commit(writes)
      }
      this.summaries.invalidate(groupId)
      return true
    })
    const view = await this.conversationView((await this.load(groupId))!)
    if (moved) this.emit({ type: 'conversation', conversation: view })
    return view
  }

  /**
   * Tells the others you are typing (a TYPING). At most one is sent per conversation every
   * `typingIntervalMs`; returns false when this call was throttled or there is nobody to tell.
   */
  async typing (target: string): Promise<boolean> {
    const groupId = await this.resolveTarget(target)
    const now = this.clock.now()
    const last = this.typingSentAt.get(groupId)
    if (last !== undefined && now - last < (this.options.typingIntervalMs ?? 3000) && now >= last) return false
    this.typingSentAt.set(groupId, now)
    return await this.withLock(groupId, async () => {
      // A TYPING still queued for an offline device is stale once the next one is: replace it, so the queue stays short.
      const previous = this.typingQueued.get(groupId)
      const id = await this.sendControlLocked(groupId, 'typing', undefined, previous === undefined ? [] : [{ kind: 'outbox-drop-message', messageId: previous }], true)
      if (id !== undefined) this.typingQueued.set(groupId, id)
      return id !== undefined
    })
  }

  /** Leaves a group: tells the members (a LEAVE), one of whom commits your removal, and stops taking part. */
  async leave (target: string): Promise<ConversationView> {
    const group = await this.requireGroup(target)
    if (group.row.kind !== 'group') throw new UsageError('a 1:1 conversation cannot be left; only groups can')
    if (!group.row.active) throw new UsageError(`you are no longer a member of ${group.row.name}`)
    const groupId = group.row.id
    const updated = await this.withLock(groupId, async () => {
      await this.sendLocked(groupId, { kind: 'leave', text: '' })
      const current = (await this.load(groupId))!
      const left = { ...current, row: { ...current.row, active: false } }
      await this.commit([{ kind: 'group', row: left.row }], [left])
      return left
    })
    this.log(`left group ${groupId.slice(0, 12)}`)
    const view = await this.conversationView(updated)
    this.emit({ type: 'conversation', conversation: view })
    return view
  }

  /** This account's settings. */
  async settings (): Promise<MessengerSettings> {
    return { readReceipts: await this.reads.readReceipts() }
  }

  /** Turns read receipts on or off: when off, no READ is sent and others' are not shown. */
  async setReadReceipts (enabled: boolean): Promise<MessengerSettings> {
    if (typeof enabled !== 'boolean') throw new ValidationError('read receipts are turned on or off with true or false')
    await this.commit([this.reads.readReceiptsWrite(enabled)])
    return await this.settings()
  }

  /**
   * Finds a text message of a conversation by id or by a unique prefix of at least 6 hex digits,
   * or throws an error saying what was wrong.
   */
  private async requireMessage (groupId: string, ref: string): Promise<MessageView> {
    if (typeof ref !== 'string' || !/^[0-9a-fA-F]{6,32}$/.test(ref)) throw new ValidationError(`message id must be 6 to 32 hex digits, got ${JSON.stringify(String(ref))}`)
    const wanted = ref.toLowerCase()
    if (wanted.length === 32) {
      const m = await this.store.getMessage(wanted)
      if (m === undefined || m.groupId !== groupId || m.kind !== 'text') throw new NotFoundError(`no message ${wanted.slice(0, 8)} in this conversation`)
      return m
    }
    const matches = (await this.store.listMessages(groupId)).filter((m) => m.kind === 'text' && m.id.startsWith(wanted))
    if (matches.length > 1) throw new UsageError(`message id ${wanted} matches ${matches.length} messages; give more digits`)
    if (matches[0] === undefined) throw new NotFoundError(`no message ${wanted} in this conversation`)
    return matches[0]
  }

  /** A message you may edit or delete: your own, and not deleted. */
  private async requireOwnLiveMessage (groupId: string, ref: string, action: 'edit' | 'delete'): Promise<MessageView> {
    const m = await this.requireMessage(groupId, ref)
    if (m.senderIdentity !== this.identity) throw new UsageError(`you can only ${action} your own messages; ${m.id.slice(0, 8)} is someone else's`)
    if ((await this.viewOf(groupId, m)).deleted) throw new UsageError(`message ${m.id.slice(0, 8)} was already deleted`)
    return m
  }

  /**
   * Sends a READ or TYPING: seq 0, the current Lamport clock, never stored as a message. With
   * `droppable`, its outbox rows carry the payload id (returned), so a later write can drop them.
   * Returns undefined when there was nobody to send to.
   */
  private async sendControlLocked (groupId: string, kind: 'read' | 'typing', target: Uint8Array | undefined, extra: Write[], droppable: boolean): Promise<string | undefined> {
    const group = await this.load(groupId)
    if (group === undefined) throw new NotFoundError('conversation is missing')
    if (!group.row.active) throw new UsageError('you are no longer a member of this conversation')
    const recipients = this.recipientsOf(group.state)
    if (recipients.length === 0) {
      if (extra.length > 0) await this.commit(extra)
      return undefined
    }
    const payload: Payload = {
      id: newMessageId(), kind, text: '', sentAt: this.clock.now(), seq: 0, lamport: group.row.lamport, ...(target !== undefined ? { target } : {})
    }
    const id = toHex(payload.id)
    const encrypted = await encryptApplication(group.state, encodePayload(payload))
    const writes: Write[] = [...extra]
    this.queueFrame(writes, groupId, droppable ? id : null, encrypted.message, recipients)
    const updated = await this.afterSend(group, encrypted.state, group.row, writes)
    await this.commit(writes, [updated])
    return id
  }

  /** Encrypts, stores and queues one message; `staged` leaves awaiting its durability to the caller. */
  private async sendLocked (groupId: string, content: Pick<Payload, 'kind' | 'text'> & { groupName?: string, target?: Uint8Array }, staged = false): Promise<MessageRow> {
    const group = await this.load(groupId)
    if (group === undefined) throw new NotFoundError('conversation is missing')
    if (!group.row.active) throw new UsageError('you are no longer a member of this conversation')
    const payload: Payload = {
      id: newMessageId(),
      kind: content.kind,
      text: content.text,
      sentAt: this.clock.now(),
      seq: group.row.ownSeq + 1,
      lamport: group.row.lamport + 1,
      ...(content.groupName !== undefined ? { groupName: content.groupName } : {}),
      ...(content.target !== undefined ? { target: content.target } : {})
    }
    const message: MessageRow = {
      id: toHex(payload.id),
      groupId,
      senderIdentity: this.identity,
      senderDevice: this.account.peerId,
      own: true,
      kind: payload.kind,
      text: payload.text,
      target: payload.target === undefined ? null : toHex(payload.target),
      seq: payload.seq,
      lamport: payload.lamport,
      sentAt: payload.sentAt,
      receivedAt: payload.sentAt,
      epoch: group.row.epoch,
      recipients: 0,
      needsSend: true,
      gap: false
    }
    const recipients = this.recipientsOf(group.state)
    let state = group.state
    const writes: Write[] = []
    if (recipients.length > 0) {
      const encrypted = await encryptApplication(state, encodePayload(payload))
      state = encrypted.state
      this.queueFrame(writes, groupId, message.id, encrypted.message, recipients)
      writes.push({ kind: 'message', row: { ...message, recipients: recipients.length, needsSend: false } })
    } else {
      writes.push({ kind: 'message', row: message })
    }
    const updated = await this.afterSend(group, state, { ...group.row, ownSeq: payload.seq, lamport: payload.lamport }, writes)
    await this.commit(writes, [updated], staged)
    if (recipients.length > 0) this.prepareNext(groupId, undefined)
    if (payload.kind === 'text') await this.summaries.noteNewText({ ...message, acknowledged: 0 })
    return { ...message, recipients: recipients.length, needsSend: recipients.length === 0 }
  }

  /**
   * The group after own messages moved its state to `state`: stores the row's counters, and the
   * state only when the stored one's send generations are used up (then reserving the next
   * {@link SEND_RESERVATION}).
   */
  private async afterSend (group: CachedGroup, state: GroupState, row: GroupRow, writes: Write[]): Promise<CachedGroup> {
    const stored = group.reserved ?? sendGeneration(group.state)
    const next = sendGeneration(state)
    if (next <= stored) {
      writes.push({ kind: 'group-clock', id: row.id, lamport: row.lamport, ownSeq: row.ownSeq, name: row.name })
      return { row, state, unsaved: group.unsaved, reserved: stored }
    }
    const reserved = next + SEND_RESERVATION
    const saved: GroupRow = { ...row, state: encodeState(await reserveSendGenerations(state, reserved)) }
    writes.push({ kind: 'group', row: saved })
    return { row: saved, state, reserved }
  }

  /** The devices a message goes to: every member leaf but this device's. */
  private recipientsOf (state: GroupState): readonly string[] {
    // Only commits change the tree, so the list is kept per tree.
    let recipients = this.recipientsByTree.get(state.ratchetTree)
    if (recipients === undefined) {
      const own = ownLeafIndex(state)
      recipients = listMembers(state).filter((m) => m.leafIndex !== own).map((m) => peerIdToString(m.certificate.peerId))
      this.recipientsByTree.set(state.ratchetTree, recipients)
    }
    return recipients
  }

  private queueFrame (writes: Write[], groupId: string, messageId: string | null, mls: Uint8Array, peers: readonly string[]): void {
    const frame = Deliver.encode({ id: randomBytes(16) as Uint8Array<ArrayBuffer>, kind: DeliverKind.MLS, message: mls as Uint8Array<ArrayBuffer>, card: new Uint8Array(), hints: [], commitHash: new Uint8Array() })
    const now = this.clock.now()
    for (const peerId of peers) writes.push({ kind: 'outbox', peerId, groupId, messageId, frame, createdAt: now })
  }

  /** Encrypts and queues own messages marked for (re)sending, in their original order. */
  private async resendLocked (groupId: string): Promise<void> {
    const group = await this.load(groupId)
    if (group === undefined || !group.row.active) return
    const recipients = this.recipientsOf(group.state)
    if (recipients.length === 0) return
    const pending = await this.store.messagesToSend(groupId)
    if (pending.length === 0) return
    let state = group.state
    const writes: Write[] = []
    for (const m of pending) {
      const payload: Payload = {
        id: fromHex(m.id), kind: m.kind as Payload['kind'], text: m.text, sentAt: m.sentAt, seq: m.seq, lamport: m.lamport,
        ...(m.target !== null ? { target: fromHex(m.target) } : {}),
        ...(m.kind === 'group-meta' ? { groupName: group.row.name } : {})
      }
      const encrypted = await encryptApplication(state, encodePayload(payload))
      state = encrypted.state
      writes.push({ kind: 'outbox-drop-message', messageId: m.id })
      this.queueFrame(writes, groupId, m.id, encrypted.message, recipients)
      writes.push({ kind: 'message-resend', id: m.id, needsSend: false, recipients: recipients.length, epoch: group.row.epoch })
    }
    await this.commit(writes, [await this.afterSend(group, state, group.row, writes)])
    this.log(`re-sent ${pending.length} message(s) in ${groupId.slice(0, 12)}`)
  }

  // ---------------------------------------------------------------- outbox (for the delivery service)

  /** Next queued frames for a peer. */
  async nextFrames (peerId: string, afterRowId: number, limit: number): Promise<Array<{ rowId: number, frame: Uint8Array }>> {
    let frames = this.outboxMemory.next(peerId, afterRowId, limit)
    if (frames === undefined) {
      const token = this.outboxMemory.beginRead()
      frames = (await this.store.listOutbox(peerId, afterRowId, limit)).map((r) => ({ rowId: r.id, frame: r.frame, messageId: r.messageId, groupId: r.groupId }))
      this.outboxMemory.readFromStore(peerId, afterRowId, limit, frames, token)
    }
    for (const f of frames) this.outboxMessages.set(f.rowId, { messageId: f.messageId, groupId: f.groupId })
    return frames.map((f) => ({ rowId: f.rowId, frame: f.frame }))
  }

  /**
   * A peer acknowledged (or rejected) queued frames: one write for all, then their new states. The
   * write is staged: lost in a crash, it only makes the frames go again, and the peer drops repeats.
   */
  async settleFrames (peerId: string, outcomes: ReadonlyArray<{ rowId: number, status: Outcome }>): Promise<void> {
    if (outcomes.length === 0) return
    await this.store.stage(outcomes.map((o) => ({ kind: 'outbox-done', id: o.rowId, receipt: o.status === 'stored' })))
    this.outboxMemory.settled(peerId, new Set(outcomes.map((o) => o.rowId)))
    const watched = this.listeners.size > 0
    const messageIds: string[] = []
    for (const o of outcomes) {
      const info = this.outboxMessages.get(o.rowId)
      this.outboxMessages.delete(o.rowId)
      if (o.status === 'rejected') this.log(`${peerId} rejected frame ${o.rowId}`)
      if (info?.messageId != null && watched) messageIds.push(info.messageId)
    }
    const positions = new Map<string, number[]>()
    for (const id of messageIds) {
      const m = await this.store.getMessage(id)
      if (m === undefined || m.kind !== 'text') continue
      let readPositions = positions.get(m.groupId)
      if (readPositions === undefined) {
        readPositions = await this.readPositions(m.groupId)
        positions.set(m.groupId, readPositions)
      }
      this.emit({ type: 'message-state', id: m.id, conversation: m.groupId, state: stateOf(m, readPositions) })
    }
  }

  // ---------------------------------------------------------------- history

  /**
   * Read positions of every other member account of a conversation, for the `read` state; none
   * while read receipts are off, since then others' receipts are not shown either.
   */
  private async readPositions (groupId: string): Promise<number[]> {
    const group = await this.load(groupId)
    if (group === undefined || !await this.reads.readReceipts()) return []
    const others = new Set(listMembers(group.state).map((m) => toHex(m.certificate.identityKey)))
    others.delete(this.identity)
    return await Promise.all([...others].map(async (identity) => await this.reads.peerPosition(groupId, identity)))
  }

  private async viewContext (groupId: string): Promise<MessageViewContext> {
    return { nameOf: this.names.nameOf, readPositions: await this.readPositions(groupId) }
  }

  /** Rows that replies in `window` quote but the window does not hold. */
  private async quotedRows (window: readonly MessageView[]): Promise<MessageView[]> {
    const rows = await Promise.all(missingQuotes(window).map(async (id) => await this.store.getMessage(id)))
    return rows.filter((r) => r !== undefined)
  }

  /**
   * A conversation's text messages in display order, with edits, deletes, reactions and read
   * state folded in: one read of the latest rows (up to {@link HISTORY_ROWS_PER_MESSAGE} per message
   * wanted, since actions share the table) plus one lookup per quoted message outside them.
   */
  async messages (target: string, limit?: number): Promise<MessageOut[]> {
    const groupId = await this.resolveTarget(target)
    const window = await this.store.listMessages(groupId, limit === undefined ? undefined : Math.min(limit * HISTORY_ROWS_PER_MESSAGE, 100_000))
    const folded = foldWindow(groupId, window, await this.quotedRows(window))
    const inWindow = new Set(window.map((r) => r.id))
    let shown = [...folded.values()].filter((f) => inWindow.has(f.row.id))
    if (limit !== undefined) shown = shown.slice(-limit)
    const ctx = await this.viewContext(groupId)
    return await Promise.all(shown.map(async (f) => await toMessageOut(f, folded, ctx)))
  }

  /** The folded view of one message, from the latest rows (and the message itself if older). */
  private async viewOf (groupId: string, m: MessageView): Promise<FoldedMessage<MessageView>> {
    return (await this.foldAround(groupId, m)).get(m.id) ?? unfolded(m)
  }

  /** Folds the latest rows, plus `m` and the message it quotes when they are older. */
  private async foldAround (groupId: string, m: MessageView): Promise<Map<string, FoldedMessage<MessageView>>> {
    const window = await this.store.listMessages(groupId, EVENT_WINDOW)
    const ids = new Set(window.map((r) => r.id))
    const context = ids.has(m.id) ? [] : [m]
    if (m.target !== null && !ids.has(m.target)) {
      const quoted = await this.store.getMessage(m.target)
      if (quoted !== undefined) context.push(quoted)
    }
    return foldWindow(groupId, window, context)
  }

  /** Builds and emits the view of a text message just stored (own or received). */
  private async announceNewText (row: MessageView): Promise<MessageOut> {
    // Read positions only mark own messages read, and none can be at a message just stored: a
    // position is the clock of a message this device holds, and an own new message's clock is past
    // every one of those.
    const ctx: MessageViewContext = { nameOf: this.names.nameOf, readPositions: [] }
    // A reply's quote may have been edited or deleted: fold around it. A plain message needs no fold.
    const view = row.target === null
      ? await toMessageOut(unfolded(row), new Map(), ctx)
      : await toMessageOut(unfolded(row), await this.foldAround(row.groupId, row), ctx)
    this.emit({ type: 'message', message: view })
    const group = this.cache.get(row.groupId)
    if (group !== undefined && this.listeners.size > 0) this.emit({ type: 'conversation', conversation: await this.conversationView(group) })
    return view
  }

  /**
   * Emits the new view of a message an edit, delete or reaction changed; with `summary`, also the
   * conversation, whose last message or unread count may have changed.
   */
  private async announceChange (groupId: string, messageId: string, summary: boolean): Promise<MessageOut> {
    const m = await this.store.getMessage(messageId)
    strictAssert(m !== undefined, 'a message that was acted on is stored')
    const folded = await this.foldAround(groupId, m)
    const view = await toMessageOut(folded.get(m.id) ?? unfolded(m), folded, await this.viewContext(groupId))
    this.emit({ type: 'message', message: view })
    if (summary) {
      this.summaries.invalidate(groupId)
      const group = this.cache.get(groupId)
      if (group !== undefined) this.emit({ type: 'conversation', conversation: await this.conversationView(group) })
    }
    return view
  }

  // ---------------------------------------------------------------- receiving

  /**
   * Handles one incoming frame; resolves once its outcome is durable. Never throws for bad input.
   * Frames of one conversation are handled in the order this is called: its lock is taken before
   * the first await. Frames that arrive together share one commit (see {@link Store.stage}).
   */
  async receive (fromPeer: string, frame: Deliver): Promise<Outcome> {
    if (this.stopped) throw new KithError('messenger stopped')
    let incoming: IncomingMls
    try {
      incoming = readMlsMessage(frame.message)
    } catch (err) {
      this.log(`dropped malformed message from ${fromPeer}: ${describeError(err)}`)
      return 'rejected'
    }
    const key = incoming.kind === 'welcome' ? WELCOME_LOCK : toHex(incoming.groupId)
    const message = incoming
    const outcome = await this.withLock(key, async () => await this.receiveLocked(fromPeer, frame, message))
    await this.store.durable()
    return outcome
  }

  private async receiveLocked (fromPeer: string, frame: Deliver, incoming: IncomingMls): Promise<Outcome> {
    const hash = await messageHash(frame.message)
    // Application data is checked for a repeat only if it is refused (see receivePrivate): a repeat
    // no longer decrypts, since its key was deleted when it was first read.
    if (!isApplication(incoming) && await this.store.hasSeen(hash)) {
      this.log(`dropped replayed message ${hash.slice(0, 12)} from ${fromPeer}`)
      return 'stored'
    }
    await this.learnHints(frame)
    try {
      if (incoming.kind === 'welcome') return await this.receiveWelcome(fromPeer, frame, incoming.welcome, hash)
      const outcome = await this.receivePrivate(fromPeer, toHex(incoming.groupId), frame, incoming, hash, true)
      return outcome === 'held' ? 'stored' : outcome
    } catch (err) {
      if (err instanceof KithError) {
        this.log(`dropped message from ${fromPeer}: ${describeError(err)}`)
        return 'rejected'
      }
      throw err
    }
  }

  /** Remembers addresses a frame carries for member devices, so they can be reached. */
  private async learnHints (frame: Deliver): Promise<void> {
    for (const hint of frame.hints) {
      let peerId: string
      try { peerId = peerIdToString(hint.peerId) } catch { continue }
      if (peerId === this.account.peerId || !hint.addrs.every((a) => a.startsWith('/') && a.length <= 256)) continue
      this.hintedAddrs.set(peerId, [...hint.addrs])
      if (this.hintedAddrs.size > 1000) this.hintedAddrs.delete(this.hintedAddrs.keys().next().value!)
      await this.transport.addAddresses(peerId, hint.addrs).catch(() => {})
    }
  }

  private async keepPending (groupId: string, epoch: number, fromPeer: string, frame: Deliver, why: string): Promise<Outcome> {
    const writes: Write[] = []
    if (await this.store.countPending() >= MAX_PENDING) {
      for (const id of await this.store.oldestPending(100)) writes.push({ kind: 'pending-done', id })
      this.log('pending buffer full: dropped the 100 oldest frames')
    }
    writes.push({ kind: 'pending', groupId, epoch, peerId: fromPeer, frame: Deliver.encode(frame), receivedAt: this.clock.now() })
    await this.store.apply(writes)
    this.log(`holding message for ${groupId.slice(0, 12)} epoch ${epoch}: ${why}`)
    return 'stored'
  }

  /** Processes a private message for a locked group. `fresh` is false when replaying a held frame. */
  private async receivePrivate (fromPeer: string, groupId: string, frame: Deliver, incoming: PrivateMls, hash: string, fresh: boolean, pendingId?: number): Promise<Outcome | 'held'> {
    const done: Write[] = pendingId === undefined ? [] : [{ kind: 'pending-done', id: pendingId }]
    const hold = async (why: string): Promise<Outcome | 'held'> => {
      if (!fresh) return 'held'
      return await this.keepPending(groupId, incoming.epoch, fromPeer, frame, why)
    }
    const reject = async (why: string): Promise<Outcome> => {
      // A repeat of application data already handled (a resend whose ack was lost, or a replay) is acknowledged as stored.
      if (fresh && isApplication(incoming) && await this.store.hasSeen(hash)) {
        this.log(`dropped replayed message ${hash.slice(0, 12)} from ${fromPeer}`)
        return 'stored'
      }
      this.log(`dropped message for ${groupId.slice(0, 12)} from ${fromPeer}: ${why}`)
      if (done.length > 0) await this.store.apply(done)
      return 'rejected'
    }
    const group = await this.load(groupId)
    if (group === undefined) return await hold('unknown conversation (welcome not here yet?)')
    if (!group.row.active) return await reject('this device is no longer a member')
    if (incoming.epoch > group.row.epoch) return await hold('future epoch')

    if (incoming.contentType === 'application') {
      let result
      try {
        result = await processMessage(group.state, incoming.message)
      } catch (err) {
        return await reject(describeError(err))
      }
      if (result.kind !== 'application') return await reject('unexpected content')
      let payload: Payload
      try {
        payload = decodePayload(result.plaintext)
      } catch (err) {
        return await reject(`bad payload: ${describeError(err)}`)
      }
      const outcome = await this.storeApplication(group, result.state, result.sender, payload, hash, done)
      if (incoming.epoch === group.row.epoch) this.prepareNext(groupId, result.sender.leafIndex)
      return outcome
    }
    if (incoming.contentType !== 'commit') return await reject('standalone proposals are not accepted')

    const losers = new Set(group.row.losers)
    const epochRows = new Map((await this.store.listEpochs(groupId)).map((e) => [e.epoch, e]))
    const view: ChainView = {
      currentEpoch: group.row.epoch,
      baseEpoch: group.row.baseEpoch,
      baseParent: group.row.baseParent,
      applied: (e) => epochRows.get(e),
      losers
    }
    const decision = decideCommit(view, { epoch: incoming.epoch, hash: fromHex(hash), parent: incoming.authenticatedData })
    switch (decision.kind) {
      case 'wait':
        return await hold(decision.reason)
      case 'duplicate':
        await this.store.apply([...done, { kind: 'seen', hash, at: this.clock.now() }])
        return 'stored'
      case 'lose': {
        this.log(`commit ${hash.slice(0, 12)} in ${groupId.slice(0, 12)} lost: ${decision.reason}`)
        const row = { ...group.row, losers: [...group.row.losers, hash] }
        await this.commit([...done, { kind: 'group', row }, { kind: 'seen', hash, at: this.clock.now() }], [{ ...group, row }])
        return 'stored'
      }
      case 'apply':
        return await this.applyCommit(group, group.state, group.row, incoming.message, hash, incoming.authenticatedData, done, [])
      case 'switch': {
        const fork = epochRows.get(decision.epoch)!
        const rolledBack = decodeState(fork.stateBefore)
        const lost = [...epochRows.values()].filter((e) => e.epoch >= decision.epoch)
        this.log(`commit ${hash.slice(0, 12)} wins epoch ${decision.epoch} of ${groupId.slice(0, 12)}: rolling back ${lost.length} commit(s)`)
        const base: GroupRow = {
          ...group.row, epoch: decision.epoch, tipHash: fork.parentHash, losers: [...group.row.losers, ...lost.map((e) => toHex(e.commitHash))]
        }
        return await this.applyCommit(group, rolledBack, base, incoming.message, hash, incoming.authenticatedData, [...done, { kind: 'drop-epochs', groupId, fromEpoch: decision.epoch }], lost.map((e) => e.intent))
      }
    }
  }

  private async applyCommit (
    group: CachedGroup, state: GroupState, row: GroupRow, message: Parameters<typeof processMessage>[1], hash: string,
    parent: Uint8Array, extra: Write[], lostIntents: Array<string | null>
  ): Promise<Outcome> {
    let result
    try {
      result = await processMessage(state, message)
    } catch (err) {
      this.log(`dropped commit for ${row.id.slice(0, 12)}: ${describeError(err)}`)
      if (extra.some((w) => w.kind === 'pending-done')) await this.store.apply(extra.filter((w) => w.kind === 'pending-done'))
      return 'rejected'
    }
    if (result.kind !== 'commit') return 'rejected'
    const epoch = row.epoch
    const newRow: GroupRow = {
      ...row, state: encodeState(result.state), epoch: epochOf(result.state), tipHash: fromHex(hash), active: !result.removedSelf
    }
    const writes: Write[] = [
      ...extra,
      { kind: 'epoch', row: { groupId: row.id, epoch, stateBefore: encodeState(state), commitHash: fromHex(hash), parentHash: parent, intent: null } },
      { kind: 'prune-epochs', groupId: row.id, belowEpoch: epoch + 1 - RETAINED_EPOCHS },
      { kind: 'group', row: newRow },
      { kind: 'seen', hash, at: this.clock.now() }
    ]
    // Devices of new members become reachable: record their certificates.
    for (const m of listMembers(result.state)) await this.rememberMember(m, writes)
    // Own messages sent in epochs that were rolled back are undecryptable for the winners: resend.
    if (row.epoch < group.row.epoch) {
      // Messages encrypted in epochs after the fork point used the losing branch's keys.
      for (const m of await this.store.ownMessagesSince(row.id, epoch + 1)) {
        writes.push({ kind: 'message-resend', id: m.id, needsSend: true, recipients: m.recipients, epoch: m.epoch })
        writes.push({ kind: 'outbox-drop-message', messageId: m.id })
      }
    }
    const updated = { row: newRow, state: result.state }
    await this.commit(writes, [updated])
    if (result.removedSelf) this.log(`removed from ${row.id.slice(0, 12)} by a commit`)
    this.emit({ type: 'conversation', conversation: await this.conversationView(updated) })
    if (newRow.active) {
      await this.redoIntents(row.id, lostIntents)
      await this.resendLocked(row.id)
      await this.drainPendingLocked(row.id)
    }
    return 'stored'
  }

  private async rememberMember (m: Member, writes: Write[]): Promise<void> {
    const peerId = peerIdToString(m.certificate.peerId)
    if (peerId === this.account.peerId) return
    const known = await this.store.getDevice(peerId)
    if (known !== undefined) return
    const addrs = this.hintedAddrs.get(peerId) ?? []
    const card = encodeInvite({ certificate: m.certificate, addrs })
    writes.push({ kind: 'device', row: { peerId, identity: toHex(m.certificate.identityKey), certificate: card, addrs, updatedAt: this.clock.now() } })
  }

  /** Redoes the adds and removes of own commits that lost a fork. */
  private async redoIntents (groupId: string, intents: Array<string | null>): Promise<void> {
    for (const raw of intents) {
      if (raw === null) continue
      let intent: CommitIntent
      try { intent = JSON.parse(raw) as CommitIntent } catch { continue }
      const group = await this.load(groupId)
      if (group === undefined || !group.row.active) return
      const members = listMembers(group.state)
      const memberPeers = new Set(members.map((m) => peerIdToString(m.certificate.peerId)))
      const memberIds = new Set(members.map((m) => toHex(m.certificate.identityKey)))
      const remove = intent.remove.filter((i) => memberIds.has(i))
      const addPeers = intent.add.filter((p) => !memberPeers.has(p))
      try {
        const kps = []
        for (const peerId of addPeers) {
          const device = await this.store.getDevice(peerId)
          if (device === undefined) continue
          const response = await this.transport.fetchKeyPackage(peerId)
          kps.push((await readPeerKeyPackage(response.keyPackage, { identityKey: fromHex(device.identity) })).keyPackage)
        }
        if (remove.length > 0 || kps.length > 0) {
          this.log(`redoing a commit that lost a fork in ${groupId.slice(0, 12)}`)
          await this.commitLocked(groupId, { add: addPeers, remove }, kps)
        }
      } catch (err) {
        this.log(`could not redo a lost commit in ${groupId.slice(0, 12)}: ${describeError(err)}`)
      }
    }
  }

  /** The highest seq stored from a sender device in a conversation (0 if none). */
  private async lastSeq (groupId: string, senderDevice: string): Promise<number> {
    const key = `${groupId} ${senderDevice}`
    let seq = this.lastSeqs.get(key)
    if (seq === undefined) {
      seq = await this.store.lastSeq(groupId, senderDevice)
      if (this.lastSeqs.size >= 10_000) this.lastSeqs.clear()
      this.lastSeqs.set(key, seq)
    }
    return seq
  }

  private async storeApplication (group: CachedGroup, state: GroupState, sender: Member, payload: Payload, hash: string, done: Write[]): Promise<Outcome> {
    const senderIdentity = toHex(sender.certificate.identityKey)
    if (isControlKind(payload.kind)) return await this.receiveControl(group, state, senderIdentity, payload, hash, done)
    const senderDevice = peerIdToString(sender.certificate.peerId)
    const id = toHex(payload.id)
    const lamport = Math.max(group.row.lamport, payload.lamport)
    const unsaved = (group.unsaved ?? 0) + 1
    const save = unsaved >= RECEIVE_SAVE_INTERVAL || payload.kind === 'group-meta'
    let row: GroupRow = { ...group.row, state: save ? encodeState(state) : group.row.state, lamport }
    const writes: Write[] = [...done, { kind: 'seen', hash, at: this.clock.now() }]
    const duplicate = await this.store.hasMessage(id)
    let stored: MessageView | undefined
    if (!duplicate) {
      if (payload.kind === 'group-meta') {
        if (row.kind === 'group' && payload.groupName !== undefined && payload.groupName.trim().length > 0) row = { ...row, name: payload.groupName.trim() }
      }
      let kind: string = payload.kind
      let text = payload.text
      if (isActionKind(payload.kind)) {
        const check = await this.checkAction(group.row.id, senderIdentity, payload)
        if (!check.ok) {
          // Dropped, but kept as a placeholder: its seq is real, and the next message must not look like a gap.
          this.log(`ignored ${payload.kind} ${id.slice(0, 8)} in ${group.row.id.slice(0, 12)} from ${senderDevice}: ${check.reason}`)
          kind = IGNORED_KIND
          text = ''
        }
      }
      const lastSeq = await this.lastSeq(group.row.id, senderDevice)
      stored = {
        id,
        groupId: group.row.id,
        senderIdentity,
        senderDevice,
        own: false,
        kind,
        text,
        target: payload.target === undefined ? null : toHex(payload.target),
        seq: payload.seq,
        lamport: payload.lamport,
        sentAt: payload.sentAt,
        receivedAt: this.clock.now(),
        epoch: group.row.epoch,
        recipients: 0,
        needsSend: false,
        gap: payload.seq > lastSeq + 1,
        acknowledged: 0
      }
      writes.push({ kind: 'message', row: stored })
    }
    writes.push(save ? { kind: 'group', row } : { kind: 'group-clock', id: row.id, lamport: row.lamport, ownSeq: row.ownSeq, name: row.name })
    await this.commit(writes, [save ? { row, state } : { row, state, unsaved, reserved: group.reserved }], true)
    if (stored === undefined) return 'stored'
    const m = stored
    if (m.kind === 'text') await this.summaries.noteNewText(m)
    this.announceWhenDurable(async () => {
      switch (m.kind) {
        case 'text':
          await this.announceNewText(m)
          break
        case 'group-meta':
          this.emit({ type: 'conversation', conversation: await this.conversationView({ row, state }) })
          break
        case 'edit':
        case 'delete':
        case 'reaction':
          await this.announceChange(row.id, m.target!, m.kind !== 'reaction')
          break
        case 'leave':
          this.onLeave(row.id, senderIdentity)
      }
    })
    return 'stored'
  }

  /**
   * Checks an incoming EDIT, DELETE, REACTION or READ against its target: a text message of the
   * same conversation that it comes after, and for an EDIT or DELETE, one by the same account.
   */
  private async checkAction (groupId: string, senderIdentity: string, payload: Payload): Promise<ActionCheck> {
    const target = payload.target === undefined ? undefined : await this.store.getMessage(toHex(payload.target))
    if (target === undefined) return { ok: false, reason: 'its target message is unknown here' }
    if (target.groupId !== groupId) return { ok: false, reason: 'its target message is in another conversation' }
    if (target.kind !== 'text') return { ok: false, reason: 'its target is not a text message' }
    if ((payload.kind === 'edit' || payload.kind === 'delete') && target.senderIdentity !== senderIdentity) {
      return { ok: false, reason: 'only the author may edit or delete a message' }
    }
    // A READ carries the reader's clock unchanged; every other action moved the clock past its target.
    if (payload.kind === 'read' ? payload.lamport < target.lamport : payload.lamport <= target.lamport) {
      return { ok: false, reason: 'its Lamport clock is not after its target\'s' }
    }
    return { ok: true, target }
  }

  /** Handles a READ or TYPING: nothing is stored but the seen hash (and, for a READ, a read position). */
  private async receiveControl (group: CachedGroup, state: GroupState, senderIdentity: string, payload: Payload, hash: string, done: Write[]): Promise<Outcome> {
    const groupId = group.row.id
    const unsaved = (group.unsaved ?? 0) + 1
    const save = unsaved >= RECEIVE_SAVE_INTERVAL
    const row: GroupRow = save ? { ...group.row, state: encodeState(state) } : group.row
    const writes: Write[] = [...done, { kind: 'seen', hash, at: this.clock.now() }]
    if (save) writes.push({ kind: 'group', row })
    let readMoved: { before: number[], position: number } | undefined
    if (payload.kind === 'read' && senderIdentity !== this.identity) {
      const check = await this.checkAction(groupId, senderIdentity, payload)
      if (!check.ok) {
        this.log(`ignored read receipt in ${groupId.slice(0, 12)} from ${senderIdentity.slice(0, 12)}: ${check.reason}`)
      } else if (check.target.lamport > await this.reads.peerPosition(groupId, senderIdentity)) {
        readMoved = { before: await this.readPositions(groupId), position: check.target.lamport }
        writes.push(this.reads.peerPositionWrite(groupId, senderIdentity, check.target.lamport))
      }
    }
    await this.commit(writes, [save ? { row, state } : { row, state, unsaved, reserved: group.reserved }], true)
    const fresh = Math.abs(this.clock.now() - payload.sentAt) <= (this.options.typingFreshMs ?? 10_000)
    this.announceWhenDurable(async () => {
      if (payload.kind === 'typing' && senderIdentity !== this.identity && fresh) {
        this.emit({ type: 'typing', conversation: groupId, identity: senderIdentity, name: await this.names.nameOf(senderIdentity) })
      }
      if (readMoved !== undefined) await this.announceReads(groupId, readMoved.before)
    })
    return 'stored'
  }

  /** Emits the own messages that a read position moving made `read` for everyone. */
  private async announceReads (groupId: string, before: readonly number[]): Promise<void> {
    const after = await this.readPositions(groupId)
    if (after.length === 0) return
    const was = before.length === 0 ? 0 : Math.min(...before)
    const now = Math.min(...after)
    if (now <= was) return
    const rows = await this.store.listMessages(groupId, EVENT_WINDOW)
    const changed = rows.filter((r) => r.own && r.kind === 'text' && r.recipients > 0 && r.lamport > was && r.lamport <= now)
    if (changed.length === 0) return
    const folded = foldWindow(groupId, rows, await this.quotedRows(changed))
    const ctx = { nameOf: this.names.nameOf, readPositions: after }
    for (const r of changed) {
      const view = await toMessageOut(folded.get(r.id) ?? unfolded(r), folded, ctx)
      this.emit({ type: 'message', message: view })
      this.emit({ type: 'message-state', id: view.id, conversation: groupId, state: view.state })
    }
  }

  /**
   * A member sent LEAVE. The remaining member device with the lowest leaf index commits the
   * removal of every device of that account; fork choice settles two that do it at once.
   */
  private onLeave (groupId: string, leaver: string): void {
    const group = this.cache.get(groupId)
    if (group === undefined || group.row.kind !== 'group' || !group.row.active || leaver === this.identity) return
    const remaining = listMembers(group.state).filter((m) => toHex(m.certificate.identityKey) !== leaver)
    if (remaining.length === 0 || remaining[0]!.leafIndex !== ownLeafIndex(group.state)) return
    this.log(`${leaver.slice(0, 12)} left ${groupId.slice(0, 12)}: committing their removal`)
    // Queued behind the frame being handled, which must be acknowledged first.
    void this.withLock(groupId, async () => {
      const current = await this.load(groupId)
      if (current === undefined || !current.row.active) return
      if (!listMembers(current.state).some((m) => toHex(m.certificate.identityKey) === leaver)) return
      await this.commitLocked(groupId, { add: [], remove: [leaver] }, [])
    }).catch((err: unknown) => this.log(`could not remove ${leaver.slice(0, 12)} from ${groupId.slice(0, 12)} after they left: ${describeError(err)}`))
  }

  /** Replays held frames of a locked group until none makes progress. */
  private async drainPendingLocked (groupId: string): Promise<void> {
    for (let pass = 0; pass < 64; pass++) {
      const held: PendingRow[] = await this.store.listPending(groupId)
      let progressed = false
      for (const p of held) {
        const decoded = decodeHeld(p.frame)
        if (decoded === undefined) {
          await this.store.apply([{ kind: 'pending-done', id: p.id }])
          continue
        }
        const { frame, incoming } = decoded
        const hash = await messageHash(frame.message)
        if (await this.store.hasSeen(hash)) {
          await this.store.apply([{ kind: 'pending-done', id: p.id }])
          continue
        }
        const outcome = await this.receivePrivate(p.peerId, groupId, frame, incoming, hash, false, p.id)
        if (outcome !== 'held') progressed = true
        const group = this.cache.get(groupId)
        if (group === undefined || !group.row.active) return
      }
      if (!progressed) return
    }
  }

  private async receiveWelcome (fromPeer: string, frame: Deliver, welcome: Parameters<typeof joinFromWelcome>[0], hash: string): Promise<Outcome> {
    let card: Invite
    try {
      card = await decodeInvite(frame.card)
    } catch (err) {
      this.log(`dropped welcome from ${fromPeer}: bad card: ${describeError(err)}`)
      return 'rejected'
    }
    if (peerIdToString(card.certificate.peerId) !== fromPeer) {
      this.log(`dropped welcome from ${fromPeer}: its card names another device`)
      return 'rejected'
    }
    // Find the KeyPackage this welcome is addressed to.
    const rows = await this.store.listKeyPackages()
    const targets = new Set(welcome.secrets.map((s) => toHex(s.newMember)))
    const row = rows.find((r) => targets.has(r.ref))
    if (row === undefined) {
      this.log(`dropped welcome from ${fromPeer}: not addressed to any key package of this device`)
      return 'rejected'
    }
    const own = await this.ownKeyPackageFromRow(row)
    const state = await joinFromWelcome(welcome, own)
    const groupId = toHex(state.groupContext.groupId)
    const welcomer = toHex(card.certificate.identityKey)
    if (!listMembers(state).some((m) => toHex(m.certificate.identityKey) === welcomer)) {
      this.log(`dropped welcome from ${fromPeer}: the sender is not a member of the group`)
      return 'rejected'
    }
    const directId = await this.directIdWith(welcomer)
    const kind: GroupRow['kind'] = directId === groupId ? 'direct' : 'group'
    return await this.withLock(groupId, async (): Promise<Outcome> => {
      const existing = await this.load(groupId)
      const writes: Write[] = [{ kind: 'seen', hash, at: this.clock.now() }, { kind: 'key-package-used', ref: row.ref }]
      const joined = new Set(listMembers(state).map((m) => toHex(m.certificate.identityKey)))
      if (kind === 'direct' && (joined.size !== 2 || !joined.has(this.identity))) {
        this.log(`refused welcome from ${fromPeer}: a 1:1 must hold exactly its two accounts`)
        await this.store.apply(writes)
        return 'rejected'
      }
      if (kind === 'group' && await this.isDirectIdOfContact(groupId)) {
        this.log(`refused welcome from ${fromPeer}: the group id belongs to a 1:1 with someone else`)
        await this.store.apply(writes)
        return 'rejected'
      }
      if (existing !== undefined && existing.row.active) {
        // Only the other party of a 1:1 (when the tie-break keeps theirs) or a member of a group
        // re-adding us after a fork may replace a conversation; anyone else would take it over.
        const replace = existing.row.kind === 'direct'
          ? kind === 'direct' && existing.row.peerIdentity === welcomer && existing.row.creator !== welcomer &&
            equalBytes(keepsDirectGroupOf(fromHex(existing.row.creator), card.certificate.identityKey), card.certificate.identityKey)
          : kind === 'group' && listMembers(existing.state).some((m) => toHex(m.certificate.identityKey) === welcomer) && epochOf(state) >= existing.row.epoch
        if (!replace) {
          this.log(`ignored welcome to ${groupId.slice(0, 12)} from ${fromPeer}: keeping the conversation we have`)
          await this.store.apply(writes)
          return 'rejected'
        }
        this.log(`replacing conversation ${groupId.slice(0, 12)} with the one ${fromPeer} sent`)
        for (const m of await this.store.ownMessagesSince(groupId, 0)) {
          writes.push({ kind: 'message-resend', id: m.id, needsSend: true, recipients: m.recipients, epoch: m.epoch })
          writes.push({ kind: 'outbox-drop-message', messageId: m.id })
        }
        writes.push({ kind: 'drop-epochs', groupId, fromEpoch: 0 })
      }
      if (await this.store.getContact(welcomer) === undefined) {
        const alias = await this.uniqueAlias(card.certificate.displayName.replace(/\s+/g, '-').toLowerCase(), welcomer)
        writes.push({ kind: 'contact', row: { identity: welcomer, alias, displayName: card.certificate.displayName, verified: false, createdAt: this.clock.now() } })
      }
      writes.push(...this.deviceWrites(card))
      for (const m of listMembers(state)) await this.rememberMember(m, writes)
      const epoch = epochOf(state)
      const base = this.groupRow({ id: groupId, kind, name: kind === 'group' ? 'group' : '', peerIdentity: kind === 'direct' ? welcomer : null, creator: welcomer }, state, { epoch, parent: frame.commitHash })
      const newRow: GroupRow = {
        ...base,
        lamport: existing?.row.lamport ?? 0,
        ownSeq: existing?.row.ownSeq ?? 0,
        name: existing?.row.kind === 'group' ? existing.row.name : base.name,
        createdAt: existing?.row.createdAt ?? base.createdAt
      }
      writes.push({ kind: 'group', row: newRow })
      const updated = { row: newRow, state }
      await this.commit(writes, [updated])
      await this.transport.addAddresses(fromPeer, card.addrs).catch(() => {})
      this.log(`joined ${kind} conversation ${groupId.slice(0, 12)} from ${fromPeer}`)
      this.emit({ type: 'conversation', conversation: await this.conversationView(updated) })
      await this.resendLocked(groupId)
      await this.drainPendingLocked(groupId)
      return 'stored'
    })
  }

  // ---------------------------------------------------------------- key packages

  private async ownKeyPackageFromRow (row: { publicPackage: Uint8Array, initPrivateKey: Uint8Array, hpkePrivateKey: Uint8Array, ref: string }): Promise<OwnKeyPackage> {
    const decoded = decodeMlsMessage(row.publicPackage, 0)?.[0]
    if (decoded === undefined || decoded.wireformat !== 'mls_key_package') throw new ValidationError('stored key package is corrupt')
    return {
      ref: fromHex(row.ref),
      publicPackage: decoded.keyPackage,
      privatePackage: { initPrivateKey: row.initPrivateKey, hpkePrivateKey: row.hpkePrivateKey, signaturePrivateKey: this.account.mlsKey.signKey },
      encoded: row.publicPackage
    }
  }

  /** Makes a one-time KeyPackage for a peer that wants to add this device, and stores its private half. */
  async provideKeyPackage (): Promise<{ keyPackage: Uint8Array, card: Uint8Array }> {
    const kp = await this.newOwnKeyPackage()
    const writes: Write[] = [{
      kind: 'key-package',
      row: { ref: toHex(kp.ref), publicPackage: kp.encoded, initPrivateKey: kp.privatePackage.initPrivateKey, hpkePrivateKey: kp.privatePackage.hpkePrivateKey, createdAt: this.clock.now() }
    }]
    const existing = await this.store.listKeyPackages()
    for (const old of existing.slice(0, Math.max(0, existing.length + 1 - MAX_KEY_PACKAGES))) writes.push({ kind: 'key-package-used', ref: old.ref })
    await this.store.apply(writes)
    return { keyPackage: kp.encoded, card: encodeInvite(this.invite()) }
  }
}
