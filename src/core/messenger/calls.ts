/**
 * Calls in the messenger (docs/PROTOCOL.md §11): call signals go out as CALL control payloads
 * through the normal delivery, and incoming ones are checked (a call id seen before, an invite
 * older than {@link INVITE_MAX_AGE_MS}, a device not in the group: dropped and counted), moved
 * through the call state machine (calls/call-state.ts), and handed to the app as events. Media
 * never comes here: the app's peer connections do that. Each call leaves one history row when it
 * ends on this device (calls/call-record.ts); a call that goes on without this device stays
 * `running`, so it may join it later. The calls are kept in the store (calls/stored-calls.ts), so a
 * reload still rings for a live call. A device in a call sends ALIVE every
 * {@link CALL_ALIVE_INTERVAL_MS}; a participant not heard from for 4 of them has left (its tab was
 * closed, its machine lost power or network), here as on every device (calls/call-liveness.ts).
 */
import { fromHex, randomBytes, toHex } from '../bytes.ts'
import { advanceCall, canJoin, startIncomingCall, startOutgoingCall, type CallEvent, type CallRecord, type CallState } from '../calls/call-state.ts'
import { CALL_ROW_KIND, decodeCallRecordBody, describeCall, encodeCallRecordBody } from '../calls/call-record.ts'
import { CallLiveness, type SilentParticipant } from '../calls/call-liveness.ts'
import { CALL_ALIVE_INTERVAL_MS, CALL_ID_LENGTH, INVITE_MAX_AGE_MS, KEPT_CALL_MAX_AGE_MS, MAX_EARLY_OFFERS, MAX_MESH_PARTICIPANTS, RING_TIMEOUT_MS } from '../calls/constants.ts'
import { encodeStoredCalls, parseStoredCalls, STORED_CALLS_META } from '../calls/stored-calls.ts'
import { decodeCallSignal, encodeCallSignal, type CallMedia, type CallSignal } from '../calls/signal.ts'
import type { CallDropCounts, CallHistoryEntry, CallSignalOut, CallView, EarlyOfferIn, MediaSignalIn } from '../calls/call-view.ts'
import type { Payload } from '../conversation/payload.ts'
import { NotFoundError, UsageError, ValidationError, describeError } from '../errors.ts'
import { peerIdFromText, peerIdToString } from '../identity/peer-id.ts'
import { listMembers, type GroupState, type Member } from '../mls/group.ts'
import type { Conversations } from './conversations.ts'
import type { Engine } from './engine.ts'
import { epochKeys, type EpochKeys } from '../sframe/mls-keys.ts'
import type { Sender } from './sender.ts'
import type { MessageView, Write } from './store.ts'

/** Invites remembered for replay detection, at most (oldest forgotten first). */
const SEEN_CALLS = 1000
/** Call history rows read per conversation. */
const HISTORY_WINDOW = 2000

/** The signals handed to the app: all but ALIVE, which only this module reads. */
type AppSignal = Exclude<CallSignal, { type: 'alive' }>

function toSignalOut (s: AppSignal): CallSignalOut {
  const callId = toHex(s.callId)
  switch (s.type) {
    case 'invite':
    case 'accept':
      return { type: s.type, callId, media: s.media }
    case 'decline':
    case 'hangup':
      return { type: s.type, callId }
    case 'sdp':
      return { type: 'sdp', callId, toDevice: peerIdToString(s.toDevice), sdpType: s.sdpType, sdp: s.sdp }
    case 'ice':
      return { type: 'ice', callId, toDevice: peerIdToString(s.toDevice), candidate: s.candidate, sdpMid: s.sdpMid, sdpMLineIndex: s.sdpMLineIndex }
  }
}

function checkMedia (media: CallMedia): CallMedia {
  if (typeof media !== 'object' || media === null || typeof media.audio !== 'boolean' || typeof media.video !== 'boolean') {
    throw new ValidationError('call media is { audio: boolean, video: boolean }')
  }
  return { audio: media.audio, video: media.video }
}

function checkCallId (id: string): string {
  if (typeof id !== 'string' || !new RegExp(`^[0-9a-f]{${CALL_ID_LENGTH * 2}}$`).test(id)) throw new ValidationError(`a call id is ${CALL_ID_LENGTH * 2} lowercase hex digits`)
  return id
}

/** One device's calls. Incoming signals arrive under the conversation's lock (receiver.ts). */
export class Calls {
  private readonly active = new Map<string, CallState>()
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>()
  /** Call ids this device has seen an invite for (or started), oldest first. */
  private readonly seen = new Set<string>()
  /** The caller's early offer to this device, by call, while it rings (PROTOCOL.md §11.5); not kept across a restart. */
  private readonly offersHere = new Map<string, string>()
  private drops = { malformed: 0, replayed: 0, stale: 0, unknownDevice: 0, unknownCall: 0 }
  private unwatch: (() => void) | undefined
  private readonly liveness: CallLiveness
  /** The id of the last ALIVE sent per call, dropped from the outbox when the next one (or the HANGUP) goes. */
  private readonly lastAlive = new Map<string, string>()
  /**
   * By call, then device: the ids of the last SDP sent to it and of the candidates sent after it.
   * The next SDP to that device (an ICE restart's offer or its answer) replaces them in the outbox,
   * and HANGUP drops them.
   */
  private readonly mediaSent = new Map<string, Map<string, string[]>>()
  /** Calls whose liveness tick waits for, or holds, the conversation's lock: a tick never queues behind another. */
  private readonly ticking = new Set<string>()

  constructor (private readonly engine: Engine, private readonly sender: Sender, private readonly conversations: Conversations) {
    this.liveness = new CallLiveness({
      intervalMs: engine.options.callAliveIntervalMs ?? CALL_ALIVE_INTERVAL_MS,
      now: () => engine.clock.now(),
      calls: () => engine.stopped ? [] : this.active.values(),
      tick: (call, silent, selfSilent) => { this.livenessTick(call, silent, selfSilent) }
    })
  }

  /** Follows membership changes: a removed participant leaves the call; a removed self ends it. */
  watch (): void {
    this.unwatch?.()
    this.unwatch = this.engine.onGroupChanged((groupId, active, devices) => {
      for (const call of [...this.active.values()]) {
        if (call.conversation !== groupId) continue
        const at = this.engine.clock.now()
        if (!active) {
          void this.runLocked(groupId, async () => { await this.advanceLocked(call.id, { kind: 'removed', at }) })
          continue
        }
        const present = new Set(devices)
        for (const p of call.participants) {
          if (!present.has(p.device)) void this.runLocked(groupId, async () => { await this.advanceLocked(call.id, { kind: 'member-removed', device: p.device, at }) })
        }
      }
    })
  }

  /** Stops ring timers and ALIVE. */
  stop (): void {
    this.unwatch?.()
    for (const t of this.timers.values()) clearTimeout(t)
    this.timers.clear()
    this.liveness.stop()
  }

  /** Drops of incoming signals by reason. */
  dropCounts (): CallDropCounts {
    return { ...this.drops }
  }

  /** Calls that are ringing or running (with or without this device). */
  async list (): Promise<CallView[]> {
    return await Promise.all([...this.active.values()].map(async (c) => await this.view(c)))
  }

  /**
   * Takes up the calls kept before a restart (a page reload): one still ringing rings for the rest
   * of its time, or is recorded as missed; a call this device was in or calling from has lost its
   * media, so this device leaves it (the others are told) and may join it again while it runs.
   */
  async restore (): Promise<void> {
    const { engine } = this
    const now = engine.clock.now()
    for (const call of parseStoredCalls(await engine.store.getMeta(STORED_CALLS_META))) {
      if (this.active.has(call.id) || now - call.startedAt > KEPT_CALL_MAX_AGE_MS) continue
      this.remember(call.id)
      await this.runLocked(call.conversation, async () => {
        const group = await engine.load(call.conversation)
        if (group === undefined || !group.row.active) return
        this.active.set(call.id, call)
        if (call.phase === 'ringing') {
          this.armTimer(call)
          await this.announce(call)
        } else if (call.phase === 'running') {
          await this.announce(call)
        } else {
          await this.sendLocked(call.conversation, { type: 'hangup', callId: fromHex(call.id) })
          await this.advanceLocked(call.id, { kind: 'hang-up', at: now })
        }
      }).catch((err: unknown) => { engine.log(`call ${call.id.slice(0, 8)} could not be taken up again: ${describeError(err)}`) })
    }
    await this.persist()
    this.liveness.start()
  }

  /**
   * Starts a call in a conversation: rings every other member device. `offers` are the app's SDP
   * offers to those devices (early offers, PROTOCOL.md §11.5), which the INVITE carries.
   */
  async start (target: string, media: CallMedia, offers: readonly EarlyOfferIn[] = []): Promise<CallView> {
    const { engine } = this
    checkMedia(media)
    if (!Array.isArray(offers) || offers.length > MAX_EARLY_OFFERS) throw new ValidationError(`a call starts with at most ${MAX_EARLY_OFFERS} early offers`)
    const groupId = await this.conversations.resolveTarget(target)
    const busy = [...this.active.values()].find((c) => c.phase === 'joined' || c.phase === 'calling')
    if (busy !== undefined) throw new UsageError('you are already in a call; hang up first')
    const id = toHex(randomBytes(CALL_ID_LENGTH))
    const view = await engine.withLock(groupId, async () => {
      const group = await engine.load(groupId)
      if (group === undefined || !group.row.active) throw new UsageError('you are no longer a member of this conversation')
      const recipients = engine.recipientsOf(group.state)
      const invited = recipients.length
      if (invited === 0) throw new UsageError('nobody else is in this conversation to call')
      const wireOffers = offers.map((o) => {
        if (typeof o !== 'object' || o === null || typeof o.toDevice !== 'string' || typeof o.sdp !== 'string') throw new ValidationError('an early offer is { toDevice, sdp }')
        if (!recipients.includes(o.toDevice)) throw new ValidationError(`an early offer names device ${o.toDevice}, which is not another device of the conversation`)
        return { toDevice: peerIdFromText(o.toDevice), sdp: o.sdp }
      })
      const invite: CallSignal = { type: 'invite', callId: fromHex(id), media, ...(wireOffers.length > 0 ? { offers: wireOffers } : {}) }
      // The same checks as a receiver's (one offer per device, each an SDP).
      decodeCallSignal(encodeCallSignal(invite))
      const call = startOutgoingCall({ id, conversation: groupId, self: { identity: engine.identity, device: engine.account.peerId }, media, invited, at: engine.clock.now() })
      this.remember(id)
      this.active.set(id, call)
      this.armTimer(call)
      await this.sendLocked(groupId, invite)
      await this.persist()
      return await this.announce(call)
    })
    this.liveness.start()
    return view
  }

  /**
   * Joins a ringing call, or one that goes on without this device (its ring ran out, it declined
   * or it left). Refused when the call already has {@link MAX_MESH_PARTICIPANTS} people.
   */
  async answer (callId: string, media: CallMedia): Promise<CallView> {
    checkMedia(media)
    const call = this.require(callId)
    if (call.phase !== 'ringing' && call.phase !== 'running') throw new UsageError('you are already in this call')
    if (!canJoin(call)) throw new UsageError(`this call already has ${MAX_MESH_PARTICIPANTS} people, the most one call can have`)
    const view = await this.runLocked(call.conversation, async () => {
      await this.sendLocked(call.conversation, { type: 'accept', callId: fromHex(call.id), media })
      return await this.advanceLocked(call.id, { kind: 'answer', at: this.engine.clock.now() })
    })
    this.liveness.start()
    return view
  }

  /** Declines a ringing call: the others are told, and it is recorded as declined. */
  async decline (callId: string): Promise<CallView> {
    const call = this.require(callId)
    if (call.phase !== 'ringing') throw new UsageError('this call is not ringing')
    return await this.runLocked(call.conversation, async () => {
      await this.sendLocked(call.conversation, { type: 'decline', callId: fromHex(call.id) })
      return await this.advanceLocked(call.id, { kind: 'decline', at: this.engine.clock.now() })
    })
  }

  /** Leaves a call (or stops ringing it, for the caller before anyone joined). */
  async hangUp (callId: string): Promise<CallView> {
    const call = this.require(callId)
    if (call.phase === 'running') throw new UsageError('you are not in this call')
    return await this.runLocked(call.conversation, async () => await this.leaveLocked(call))
  }

  /** Sends HANGUP, which replaces this device's last ALIVE in the outbox, and leaves the call here. */
  private async leaveLocked (call: CallState): Promise<CallView> {
    const stale = [this.lastAlive.get(call.id), ...[...this.mediaSent.get(call.id)?.values() ?? []].flat()].filter((id) => id !== undefined)
    await this.sendLocked(call.conversation, { type: 'hangup', callId: fromHex(call.id) }, stale.map((messageId) => ({ kind: 'outbox-drop-message', messageId })))
    return await this.advanceLocked(call.id, { kind: 'hang-up', at: this.engine.clock.now() })
  }

  /** Sends an SDP or ICE candidate to one device in a call this device is in. */
  async sendMedia (callId: string, signal: MediaSignalIn): Promise<void> {
    const call = this.require(callId)
    if (call.phase !== 'joined' && call.phase !== 'calling') throw new UsageError('you are not in this call')
    let toDevice: Uint8Array
    try {
      toDevice = peerIdFromText(signal.toDevice)
    } catch {
      throw new ValidationError('a call signal names its device by peer id')
    }
    const wire: CallSignal = signal.type === 'sdp'
      ? { type: 'sdp', callId: fromHex(callId), toDevice, sdpType: signal.sdpType, sdp: signal.sdp }
      : { type: 'ice', callId: fromHex(callId), toDevice, candidate: signal.candidate, sdpMid: signal.sdpMid, sdpMLineIndex: signal.sdpMLineIndex }
    // SDPs and candidates are ephemeral: both sides of them are in the call, online, so none waits
    // in a mailbox. A new SDP to a device replaces the last one and the candidates that followed it.
    await this.runLocked(call.conversation, async () => {
      // Left while this waited for the lock: its HANGUP went, and dropped what was sent before.
      const now = this.active.get(callId)
      if (now?.phase !== 'joined' && now?.phase !== 'calling') throw new UsageError('you are not in this call')
      let sent = this.mediaSent.get(callId)
      if (sent === undefined) this.mediaSent.set(callId, sent = new Map())
      const stale = wire.type === 'sdp' ? sent.get(signal.toDevice) ?? [] : []
      const id = await this.sender.sendControlLocked(call.conversation, 'call', undefined, stale.map((messageId) => ({ kind: 'outbox-drop-message', messageId })), true, { call: encodeCallSignal(wire) })
      if (id === undefined) return
      sent.set(signal.toDevice, wire.type === 'sdp' ? [id] : [...(sent.get(signal.toDevice) ?? []), id])
    })
  }

  /**
   * The SFrame keys of the current epoch of a conversation this device is in a call in (RFC 9605
   * §5.2: the base key from the MLS exporter, one KID per member). The app asks again whenever the
   * conversation's epoch moves. `baseKey` is a secret: it goes to the media transforms only.
   */
  async mediaKeys (groupId: string): Promise<EpochKeys> {
    const call = [...this.active.values()].find((c) => c.conversation === groupId && (c.phase === 'joined' || c.phase === 'calling'))
    if (call === undefined) throw new UsageError('media keys are given only for a call this device is in')
    return await this.engine.withLock(groupId, async () => {
      const group = await this.engine.load(groupId)
      if (group === undefined || !group.row.active) throw new UsageError('you are no longer a member of this conversation')
      // Each call has its own keys: the call id is the exporter context (PROTOCOL.md §12).
      return await epochKeys(group.state, fromHex(call.id))
    })
  }

  /** Call history, newest first: of one conversation, or of all. */
  async history (groupId?: string): Promise<CallHistoryEntry[]> {
    const { engine } = this
    const ids = groupId !== undefined ? [groupId] : (await engine.store.listGroups()).map((g) => g.id)
    const out: CallHistoryEntry[] = []
    for (const id of ids) {
      const rows = (await engine.store.listMessages(id, HISTORY_WINDOW)).filter((r) => r.kind === CALL_ROW_KIND)
      if (rows.length === 0) continue
      const group = await engine.load(id)
      const conversationName = group === undefined
        ? ''
        : group.row.kind === 'direct' && group.row.peerIdentity !== null ? await engine.names.nameOf(group.row.peerIdentity) : group.row.name
      for (const row of rows) {
        const entry = await this.historyEntry(row, conversationName)
        if (entry !== undefined) out.push(entry)
      }
    }
    return out.sort((a, b) => b.startedAt - a.startedAt)
  }

  /** The history entry of a stored call row; undefined if it is malformed. */
  async historyEntry (row: MessageView, conversationName: string): Promise<CallHistoryEntry | undefined> {
    const body = decodeCallRecordBody(row.text)
    if (body === undefined) return undefined
    const callerName = row.senderIdentity === this.engine.identity ? 'You' : await this.engine.names.nameOf(row.senderIdentity)
    return {
      id: row.id, conversation: row.groupId, conversationName, direction: body.direction, callerIdentity: row.senderIdentity, callerName, video: body.video, outcome: body.outcome,
      startedAt: row.sentAt, durationMs: body.durationMs, text: describeCall(callerName, body)
    }
  }

  /**
   * A CALL payload from a member device, under the conversation's lock. Never throws: a signal that
   * cannot be used is dropped, counted and logged.
   */
  async receivedLocked (groupId: string, state: GroupState, sender: Member, payload: Payload): Promise<void> {
    const { engine } = this
    const from = peerIdToString(sender.certificate.peerId)
    const drop = (reason: keyof CallDropCounts, why: string): void => {
      this.drops = { ...this.drops, [reason]: this.drops[reason] + 1 }
      engine.log(`dropped call signal in ${groupId.slice(0, 12)} from ${from}: ${why}`)
    }
    if (payload.call === undefined) return drop('malformed', 'no signal')
    let signal: CallSignal
    try {
      signal = decodeCallSignal(payload.call)
    } catch (err) {
      return drop('malformed', describeError(err))
    }
    if (from === engine.account.peerId) return
    const callId = toHex(signal.callId)
    const now = engine.clock.now()
    // Any signal of a call followed here shows its sender is still there, even one for another
    // device. An ALIVE for any other call is no news (it ended here), and is not counted.
    if (this.active.get(callId)?.conversation === groupId) this.liveness.hear(callId, from, now)
    if (signal.type === 'alive') return
    const devices = listMembers(state).map((m) => peerIdToString(m.certificate.peerId))
    if ('toDevice' in signal) {
      const to = peerIdToString(signal.toDevice)
      if (!devices.includes(to)) return drop('unknownDevice', `it names device ${to}, which is not in the conversation`)
      if (to !== engine.account.peerId) return
    }
    const identity = toHex(sender.certificate.identityKey)
    try {
      if (signal.type === 'invite') {
        if (this.seen.has(callId)) return drop('replayed', `call ${callId.slice(0, 8)} was already seen`)
        this.remember(callId)
        const caller = { identity, device: from, media: signal.media }
        const call = startIncomingCall({ id: callId, conversation: groupId, caller, invited: devices.length - 1, at: payload.sentAt })
        const mine = signal.offers?.find((o) => peerIdToString(o.toDevice) === engine.account.peerId)
        if (mine !== undefined) this.offersHere.set(callId, mine.sdp)
        if (Math.abs(now - payload.sentAt) > INVITE_MAX_AGE_MS) {
          drop('stale', `invite for call ${callId.slice(0, 8)} is ${Math.round((now - payload.sentAt) / 1000)} s old`)
          // It no longer rings, but a person should still learn they missed it; the signals that
          // follow it (from a mailbox) tell whether the call still runs, to be joined.
          const { state, ended } = advanceCall(call, { kind: 'timeout', at: payload.sentAt })
          await this.recordLocked(groupId, ended)
          if (state.phase === 'running') {
            this.active.set(callId, state)
            this.liveness.start()
            await this.announce(state)
            await this.persist()
          }
          this.offersHere.delete(callId)
          return
        }
        this.active.set(callId, call)
        this.liveness.hear(callId, from, now)
        this.liveness.start()
        // An invite that waited in a mailbox rings for what is left of its time (armTimer).
        this.armTimer(call)
        await this.announce(call)
        await this.persist()
        this.emitSignal(groupId, identity, from, signal)
        return
      }
      const call = this.active.get(callId)
      if (call === undefined || call.conversation !== groupId) return drop('unknownCall', `call ${callId.slice(0, 8)} is not ringing or running here`)
      this.emitSignal(groupId, identity, from, signal)
      const event: CallEvent | undefined = signal.type === 'accept'
        ? { kind: 'accepted', from: { identity, device: from, media: signal.media }, at: now }
        : signal.type === 'decline'
          ? { kind: 'declined', from, at: now }
          : signal.type === 'hangup' ? { kind: 'hung-up', from, at: now } : undefined
      if (event !== undefined) {
        const after = await this.advanceLocked(callId, event)
        // Everyone this device called declined: those who declined stop following the call.
        if (call.phase === 'calling' && after.phase === 'ended') await this.sendLocked(groupId, { type: 'hangup', callId: signal.callId })
      }
    } catch (err) {
      drop('malformed', describeError(err))
    }
  }

  // ---------------------------------------------------------------- internals

  private require (callId: string): CallState {
    const call = this.active.get(checkCallId(callId))
    if (call === undefined) throw new NotFoundError(`no call ${callId.slice(0, 8)} is ringing or running`)
    return call
  }

  private async runLocked<T> (groupId: string, fn: () => Promise<T>): Promise<T> {
    return await this.engine.withLock(groupId, fn)
  }

  private remember (callId: string): void {
    this.seen.add(callId)
    if (this.seen.size > SEEN_CALLS) this.seen.delete(this.seen.values().next().value!)
  }

  private async sendLocked (groupId: string, call: CallSignal, extra: Write[] = []): Promise<void> {
    await this.sender.sendControlLocked(groupId, 'call', undefined, extra, false, { call: encodeCallSignal(call) })
  }

  private armTimer (call: CallState): void {
    const ring = this.engine.options.callRingTimeoutMs ?? RING_TIMEOUT_MS
    // Counted from the invite (by its sender's clock, within INVITE_MAX_AGE_MS of this one): an
    // invite that waited in a mailbox, or a call taken up after a reload, rings only for the rest.
    const ms = Math.min(ring, Math.max(0, call.startedAt + ring - this.engine.clock.now()))
    const timer = setTimeout(() => {
      this.timers.delete(call.id)
      const current = this.active.get(call.id)
      if (current === undefined || (current.phase !== 'ringing' && current.phase !== 'calling')) return
      void this.runLocked(call.conversation, async () => {
        // The caller stops the others ringing too.
        if (current.phase === 'calling') await this.sendLocked(call.conversation, { type: 'hangup', callId: fromHex(call.id) })
        await this.advanceLocked(call.id, { kind: 'timeout', at: this.engine.clock.now() })
      }).catch((err: unknown) => this.engine.log(`call ${call.id.slice(0, 8)} could not time out: ${describeError(err)}`))
    }, ms)
    this.timers.set(call.id, timer)
  }

  /** Applies an event to an active call, records it if it ended, and announces the new state. */
  private async advanceLocked (callId: string, event: CallEvent): Promise<CallView> {
    const call = this.active.get(callId)
    if (call === undefined) throw new NotFoundError(`no call ${callId.slice(0, 8)} is ringing or running`)
    const { state, ended } = advanceCall(call, event)
    if (state.phase !== 'ringing') this.offersHere.delete(callId)
    if (state.phase === 'ended') {
      this.active.delete(callId)
      this.liveness.forget(callId)
    } else {
      this.active.set(callId, state)
    }
    // Out of the call: its last ALIVE need not reach anyone any more.
    if (state.phase !== 'joined' && state.phase !== 'calling') {
      this.lastAlive.delete(callId)
      this.mediaSent.delete(callId)
    }
    if (state.phase !== 'ringing' && state.phase !== 'calling') {
      const timer = this.timers.get(callId)
      if (timer !== undefined) clearTimeout(timer)
      this.timers.delete(callId)
    }
    await this.recordLocked(call.conversation, ended)
    if (state === call) return await this.view(state)
    await this.persist()
    return await this.announce(state)
  }

  /**
   * Every ALIVE interval, for each call followed: the participants gone silent leave it here (unless
   * heard from while the lock was awaited), and a call this device is in gets its ALIVE (replacing
   * the last one in the outbox, as TYPING does). A device that was itself paused for longer than the
   * others wait has been dropped by them: it leaves the call, and may join again.
   */
  private livenessTick (call: CallState, silent: readonly SilentParticipant[], selfSilent: boolean): void {
    const inCall = call.phase === 'joined' || call.phase === 'calling'
    if ((!inCall && silent.length === 0) || this.ticking.has(call.id)) return
    this.ticking.add(call.id)
    void this.runLocked(call.conversation, async () => {
      const now = this.engine.clock.now()
      const current = this.active.get(call.id)
      if (current === undefined || this.engine.stopped) return
      const mine = current.phase === 'joined' || current.phase === 'calling'
      if (mine && selfSilent) {
        this.engine.log(`call ${call.id.slice(0, 8)}: this device was paused for longer than the others wait: it leaves the call`)
        await this.leaveLocked(current)
        return
      }
      for (const p of silent) {
        if (!this.active.has(call.id)) return
        // Heard from meanwhile (its signal held the lock before this tick): still there.
        if (this.liveness.lastHeard(call.id, p.device) !== p.lastHeard) continue
        this.engine.log(`call ${call.id.slice(0, 8)}: ${p.device.slice(-8)} was not heard from for ${Math.round((now - p.lastHeard) / 1000)} s: it left`)
        // It left when it was last heard from: the call's length does not count the silence.
        await this.advanceLocked(call.id, { kind: 'went-silent', device: p.device, at: p.lastHeard })
      }
      const after = this.active.get(call.id)
      if (after?.phase !== 'joined' && after?.phase !== 'calling') return
      const previous = this.lastAlive.get(call.id)
      const id = await this.sender.sendControlLocked(call.conversation, 'call', undefined, previous === undefined ? [] : [{ kind: 'outbox-drop-message', messageId: previous }], true, {
        call: encodeCallSignal({ type: 'alive', callId: fromHex(call.id) })
      })
      if (id !== undefined) this.lastAlive.set(call.id, id)
    }).catch((err: unknown) => { this.engine.log(`call ${call.id.slice(0, 8)}: ALIVE failed: ${describeError(err)}`) })
      .finally(() => { this.ticking.delete(call.id) })
  }

  /** Keeps the calls in the store, so that a reload takes them up again (see {@link restore}). */
  private async persist (): Promise<void> {
    await this.engine.store.apply([{ kind: 'meta', key: STORED_CALLS_META, value: encodeStoredCalls([...this.active.values()]) }])
  }

  /**
   * Writes a call's one history row and announces it. A device that joins a call it missed or
   * declined, or rejoins one it left, ends its part again: an answered part rewrites the row in
   * place (its length counts every part), so the history never keeps "Missed" for a call this
   * device was in.
   */
  private async recordLocked (groupId: string, record: CallRecord | undefined): Promise<void> {
    if (record === undefined) return
    const { engine } = this
    const group = await engine.load(groupId)
    if (group === undefined) return
    const earlier = await engine.store.getMessage(record.id)
    if (earlier !== undefined) {
      if (earlier.kind !== CALL_ROW_KIND || earlier.groupId !== groupId || record.outcome !== 'answered') return
      const text = encodeCallRecordBody(record)
      await engine.commit([{ kind: 'call-row', id: record.id, text }], [])
      engine.emit({ type: 'call-ended', conversation: groupId, callId: record.id, outcome: record.outcome })
      this.onRecorded?.({ ...earlier, text })
      return
    }
    const row: MessageView = {
      id: record.id,
      groupId,
      senderIdentity: record.callerIdentity,
      senderDevice: '',
      own: record.direction === 'outgoing',
      kind: CALL_ROW_KIND,
      text: encodeCallRecordBody(record),
      target: null,
      seq: 0,
      lamport: group.row.lamport + 1,
      sentAt: record.startedAt,
      receivedAt: engine.clock.now(),
      epoch: group.row.epoch,
      recipients: 0,
      needsSend: false,
      gap: false,
      acknowledged: 0
    }
    const updated = { ...group, row: { ...group.row, lamport: row.lamport } }
    const writes: Write[] = [
      { kind: 'message', row },
      { kind: 'group-clock', id: groupId, lamport: row.lamport, ownSeq: group.row.ownSeq, name: group.row.name }
    ]
    await engine.commit(writes, [updated])
    engine.emit({ type: 'call-ended', conversation: groupId, callId: record.id, outcome: record.outcome })
    this.onRecorded?.(row)
  }

  /** Set by the messenger: announces a stored call row as a timeline message. */
  onRecorded: ((row: MessageView) => void) | undefined

  private emitSignal (conversation: string, identity: string, device: string, signal: AppSignal): void {
    this.engine.emit({ type: 'call-signal', conversation, from: { identity, device }, signal: toSignalOut(signal) })
  }

  private async announce (call: CallState): Promise<CallView> {
    const view = await this.view(call)
    this.engine.emit({ type: 'call', call: view })
    return view
  }

  private async view (call: CallState): Promise<CallView> {
    const nameOf = this.engine.names.nameOf
    return {
      id: call.id,
      conversation: call.conversation,
      direction: call.direction,
      caller: { ...call.caller, name: call.caller.identity === this.engine.identity ? 'You' : await nameOf(call.caller.identity) },
      media: call.media,
      phase: call.phase,
      participants: await Promise.all(call.participants.map(async (p) => ({ ...p, name: await nameOf(p.identity) }))),
      startedAt: call.startedAt,
      ...(call.connectedAt !== undefined ? { connectedAt: call.connectedAt } : {}),
      ...(call.endedAt !== undefined ? { endedAt: call.endedAt } : {}),
      ...(call.outcome !== undefined ? { outcome: call.outcome } : {}),
      full: (call.phase === 'ringing' || call.phase === 'running') && !canJoin(call),
      ...(call.phase === 'ringing' && this.offersHere.has(call.id) ? { offer: this.offersHere.get(call.id)! } : {})
    }
  }
}
