/**
 * The page's side of calls (loaded on first use): local media, one {@link PeerLink} per other
 * participant (a full mesh), and the state the call screen renders. Call state and signalling live
 * in the worker's messenger (core/messenger/calls.ts); this follows its `calls` list and the
 * signals it hands over, and never decides who is in a call by itself. Each pair of participants
 * shares one peer connection (peer-link.ts), offered by the side `offersTo` names (offer-rule.ts).
 *
 * A device that leaves and joins again (hang-up, or a reload) is a new session of it: a link to a
 * device that sent HANGUP closes; an ACCEPT from a device whose link was made before that ACCEPT
 * arrived replaces the link (the old one set up with a peer connection that is gone, and if this
 * side offers, the new session waits for a new offer); and an offer with another DTLS fingerprint
 * than the link's starts a fresh link instead of a renegotiation.
 */
import { signal, type Signal } from '@preact/signals'
import { MAX_EARLY_OFFERS, MAX_MESH_PARTICIPANTS, RING_TIMEOUT_MS } from '../../core/calls/constants.ts'
import { formatCallDuration } from '../../core/calls/call-record.ts'
import type { CallView, EarlyOfferIn } from '../../core/messenger/messenger.ts'
import type { IncomingCallSignal } from '../client/call-signalling.ts'
import type { KithClient } from '../client/types.ts'
import { testHooks } from '../client/test-hooks.ts'
import { closeLocalMedia, openLocalMedia, type LocalMedia } from './local-media.ts'
import { offersTo } from './offer-rule.ts'
import { PeerLink, type MediaTransforms, type RemoteFlags } from './peer-link.ts'
import { attachSFrameTransform, createSFrameWorker, installEpochKeys, readSFrameStats, supportsSFrameTransform } from './sframe-keys.ts'
import type { SFrameStatsMessage } from './sframe-protocol.ts'
import type { EpochKeys } from '../../core/sframe/mls-keys.ts'

/** How often the connection indicators are refreshed from getStats. */
const STATS_EVERY_MS = 1000
/** How often voice levels are read, for who is speaking. */
const VOICE_EVERY_MS = 150
/** The voice level (RFC 6464, 0 to 1) from which a participant counts as speaking: above a quiet room's. */
const SPEAKING_LEVEL = 0.03
/** How long a tile stays lit after the voice drops, so that it does not flicker between words. */
const SPEAKING_HOLD_MS = 600
/** Bits of CTR space each transform worker of a call has (2^48 frames: years of video). */
const CTR_RANGE_BITS = 48n
/** How long the "call ended" bar stays. */
const ENDED_SHOWN_MS = 8000
/** How long "Cara joined the call" (or left it) stays on the call screen. */
const PRESENCE_SHOWN_MS = 6000

/** What a link needs to know of its call: the call id comes later for the caller's early offers. */
interface LinkCall {
  readonly id: string | Promise<string>
  readonly caller: { readonly device: string }
}

/** When no link of the call ever connected. */
const NO_PATH_NOTICE = 'The call could not connect: no network path was found between you (ICE failed). A TURN server in Settings → Network may help.'
/** When every link that was up stayed down for PeerLink's give-up time; it keeps restarting meanwhile. */
const PATH_LOST_NOTICE = 'The connection was lost: no network path is left between you. Kith keeps trying to reconnect; a TURN server in Settings → Network may help.'

/** What `call-status` says: `data-state` in the UI. */
export type CallStatus = 'ringing' | 'connecting' | 'connected' | 'ended'

/** One other participant as the call screen shows it. */
export interface ParticipantView {
  readonly device: string
  readonly identity: string
  readonly name: string
  readonly link: PeerLink | undefined
}

/** People who just joined, left or declined the call this device is in, said for a moment. */
export interface PresenceChange {
  readonly people: ReadonlyArray<{ readonly identity: string, readonly name: string }>
  readonly what: 'joined' | 'left' | 'declined'
}

/** Everything the call screen renders. */
export interface CallScreen {
  readonly call: CallView
  readonly status: CallStatus
  /** No link is up, and one was: the header says Reconnecting… while the links restart. */
  readonly reconnecting: boolean
  readonly local: LocalMedia | null
  readonly muted: boolean
  readonly cameraOn: boolean
  readonly sharing: boolean
  /** A sentence the person should read (fallback to audio-only, listen-only, a full call). */
  readonly notice: string | null
  /** While no link has a path (ICE failed, or a lost path stayed lost): shown before {@link notice}, which stays for when it goes. */
  readonly pathNotice: string | null
  readonly participants: readonly ParticipantView[]
  /** Who just joined, left or declined, once this device is in the call (a tile appearing or going is easy to miss). */
  readonly presence: PresenceChange | null
  /** The people this device's group call still rings (it started the call): a tile each until they join, decline or the ring ends. */
  readonly ringing: ReadonlyArray<{ readonly identity: string, readonly name: string }>
  /** Why the call ended, when it has. */
  readonly ended: string | null
}

/** The page's calls: at most one ringing or running call is shown at a time. */
export class CallManager {
  readonly screen: Signal<CallScreen | null> = signal(null)
  /** Moves on every stats refresh, so indicators re-render. */
  readonly tick = signal(0)
  /** The devices heard speaking just now (their tiles light up). */
  readonly speaking: Signal<ReadonlySet<string>> = signal(new Set())
  /** When each device's voice was last above {@link SPEAKING_LEVEL}. */
  private readonly lastVoice = new Map<string, number>()
  private voiceTimer: ReturnType<typeof setInterval> | undefined
  private readonly links = new Map<string, PeerLink>()
  private local: LocalMedia | null = null
  /** The ringing call this page declined last. */
  private declinedId: string | undefined
  private screenTrack: MediaStreamTrack | null = null
  private statsTimer: ReturnType<typeof setInterval> | undefined
  private endedTimer: ReturnType<typeof setTimeout> | undefined
  private presenceTimer: ReturnType<typeof setTimeout> | undefined
  /** See {@link CallScreen.ringing}, by identity. */
  private readonly ringing = new Map<string, { identity: string, name: string }>()
  private ringingTimer: ReturnType<typeof setTimeout> | undefined
  private joined = false
  /** While a start waits for the camera, the invite and the keys, or an answer for the worker: signals wait for it. */
  private opening: Promise<unknown> | null = null
  private transforms: MediaTransforms | undefined
  /**
   * The SFrame transform workers of the call this page is in, one per other participant, holding
   * the send and the receive transforms of that pair (docs/ARCHITECTURE.md, Calls, says what was
   * found about sharing workers in Chromium 156). They share this device's send KID, so each takes
   * its own CTR range.
   */
  private sframe: Map<string, { worker: Worker, ctrStart: bigint }> | null = null
  /** A transform worker started with the call, before anyone answers, so the first link need not wait for one. */
  private spareWorker: Worker | null = null
  /** Each device's incoming signals, handled one after another in the order they came. */
  private readonly signalQueues = new Map<string, Promise<void>>()
  /**
   * ACCEPTs seen from each device, by call and device (`callId/device`), counted as they arrive,
   * before any handling waits: one more than a link's {@link linkSessions} means the device joined
   * again after the link was made.
   */
  private readonly accepts = new Map<string, number>()
  /** For each link, the ACCEPTs seen from its device when it was made. */
  private readonly linkSessions = new Map<string, number>()
  /** Resolves once the worker has this device in the call: media signals go out only then. */
  private inCall: Promise<unknown> = Promise.resolve()
  /** While a call rings: lets the offers prepared for it go out, once it is answered. */
  private admit: (() => void) | null = null
  /**
   * The caller's links to devices it rang with an early offer that have not joined yet: they are
   * kept while the call rings, though those devices are not participants, and closed when a device
   * declines or the ring ends.
   */
  private readonly ringLinks = new Set<string>()
  private ringTimer: ReturnType<typeof setTimeout> | undefined
  private nextCtrRange = 0n
  private keys: EpochKeys | null = null
  /** The MLS epoch whose keys the transforms have (-1 before any). */
  keyedEpoch = -1n

  constructor (private readonly client: KithClient, private readonly log: (line: string) => void = () => {}) {
    client.callSignalling.listen((s) => {
      const device = s.from.device
      const key = `${s.signal.callId}/${device}`
      if (s.signal.type === 'accept') this.accepts.set(key, (this.accepts.get(key) ?? 0) + 1)
      this.log(`${s.signal.type}${s.signal.type === 'sdp' ? ` ${s.signal.sdpType}` : ''} arrived from ${device.slice(-8)}`)
      const accepts = this.accepts.get(key) ?? 0
      const next = (this.signalQueues.get(device) ?? Promise.resolve()).then(async () => { await this.onSignal(s, accepts) })
        .catch((err: unknown) => { this.log(`call signal failed: ${String(err)}`) })
      this.signalQueues.set(device, next)
      void next.then(() => { if (this.signalQueues.get(device) === next) this.signalQueues.delete(device) })
    })
    client.calls.subscribe((calls) => { this.onCalls(calls) })
    // A member added or removed moves the epoch: the media keys move with it (RFC 9605 §5.2).
    client.conversations.subscribe((list) => {
      const s = this.current
      if (s === null || s.ended !== null || this.sframe === null) return
      const c = list.find((x) => x.id === s.call.conversation)
      if (c !== undefined && BigInt(c.epoch) > this.keyedEpoch) void this.installKeys()
    })
  }

  /** The SFrame worker's counters, or null when media is not SFrame-encrypted. */
  async sframeStats (): Promise<SFrameStatsMessage | null> {
    if (this.sframe === null) return null
    const all = await Promise.all([...this.sframe.values()].map(async (w) => await readSFrameStats(w.worker)))
    const sum = (f: (x: SFrameStatsMessage) => number): number => all.reduce((n, x) => n + f(x), 0)
    return {
      type: 'stats',
      encrypted: sum((x) => x.encrypted),
      decrypted: sum((x) => x.decrypted),
      unkeyed: sum((x) => x.unkeyed),
      dropped: { unknownKid: sum((x) => x.dropped.unknownKid), authFailed: sum((x) => x.dropped.authFailed), replay: sum((x) => x.dropped.replay), malformed: sum((x) => x.dropped.malformed) },
      transforms: all.flatMap((x) => x.transforms)
    }
  }

  /** The transform worker for one participant, keyed like the others. */
  private workerFor (peer: string): Worker {
    const workers = this.sframe!
    let entry = workers.get(peer)
    if (entry === undefined) {
      entry = { worker: this.spareWorker ?? createSFrameWorker(), ctrStart: this.nextCtrRange++ << CTR_RANGE_BITS }
      this.spareWorker = null
      workers.set(peer, entry)
      if (this.keys !== null) installEpochKeys(entry.worker, this.keys, 1n, entry.ctrStart)
    }
    return entry.worker
  }

  /** Starts the SFrame transform worker; links made from now on encrypt and decrypt through it. */
  private startSFrame (): void {
    if (this.sframe !== null) return
    if (testHooks().sframe === false) {
      this.log('SFrame is switched off by a test hook: media is protected by DTLS only')
      return
    }
    if (!supportsSFrameTransform()) {
      this.log('no RTCRtpScriptTransform: media is protected by DTLS only')
      return
    }
    this.sframe = new Map()
    this.spareWorker = createSFrameWorker()
    this.transforms = {
      sender: (sender, peer) => { attachSFrameTransform(sender, this.workerFor(peer), { side: 'send', peer }) },
      receiver: (receiver, peer) => { attachSFrameTransform(receiver, this.workerFor(peer), { side: 'receive', peer }) }
    }
  }

  /** Hands the transforms the keys of the conversation's current epoch. */
  private async installKeys (conversation = this.current?.call.conversation): Promise<void> {
    const workers = this.sframe
    if (conversation === undefined || workers === null) return
    const keys = await this.client.callSignalling.keys(conversation)
    if (keys.epoch <= this.keyedEpoch || this.sframe !== workers) return
    // A new epoch's send key starts its CTRs afresh: the ranges stay disjoint under the new KID too.
    for (const w of workers.values()) installEpochKeys(w.worker, keys, 1n, w.ctrStart)
    this.keys = keys
    this.keyedEpoch = keys.epoch
    this.log(`media keys of epoch ${keys.epoch}`)
  }

  private get current (): CallScreen | null {
    return this.screen.value
  }

  private set (patch: Partial<CallScreen>): void {
    const s = this.current
    if (s !== null) this.screen.value = this.withStatus({ ...s, ...patch })
  }

  /** The status follows from the phase and the links (connected once any link is); who still rings, from {@link ringing}. */
  private withStatus (screen: CallScreen): CallScreen {
    const s = { ...screen, ringing: [...this.ringing.values()] }
    if (s.ended !== null) return { ...s, status: 'ended' }
    if (s.call.phase === 'ringing' || s.call.phase === 'calling') return { ...s, status: 'ringing' }
    const connected = [...this.links.values()].some((l) => l.state === 'connected')
    const failed = this.links.size > 0 && [...this.links.values()].every((l) => l.state === 'failed')
    const lost = [...this.links.values()].some((l) => l.wasConnected)
    return { ...s, status: connected ? 'connected' : 'connecting', reconnecting: !connected && lost, pathNotice: !failed ? null : lost ? PATH_LOST_NOTICE : NO_PATH_NOTICE }
  }

  /** Starts a call from the conversation header. */
  async start (conversationId: string, video: boolean): Promise<void> {
    if (this.current !== null && this.current.ended === null) throw new Error('You are already in a call.')
    this.reset()
    this.startSFrame()
    this.ringMembers(conversationId)
    // The invite goes out while the camera opens, and the media keys come meanwhile: the others
    // start ringing sooner. Offers that arrive meanwhile wait for all three (onSignal).
    this.log('call started')
    const media = openLocalMedia({ audio: true, video }).then((local) => { this.useLocalMedia(local); this.log('camera open'); return local })
    // The early offers are made while the camera opens; the INVITE carries them.
    let callId: { resolve: (id: string) => void, reject: (err: unknown) => void } | undefined
    const id = new Promise<string>((resolve, reject) => { callId = { resolve, reject } })
    id.catch(() => {})
    const started = this.offerEarly(conversationId, id).then(async (offers) => await this.client.callSignalling.start(conversationId, { audio: true, video }, offers))
    void started.then((c) => { callId!.resolve(c.id); this.log('invite sent') }, (err: unknown) => { callId!.reject(err) })
    const ready = Promise.all([media, started, started.then(async (c) => { await this.installKeys(c.conversation) })])
    this.opening = ready
    this.joined = true
    let local: LocalMedia
    let call: CallView
    try {
      [local, call] = await ready
    } catch (err) {
      this.teardown()
      throw err
    } finally {
      this.opening = null
    }
    this.screen.value = this.withStatus({
      call, status: 'ringing', reconnecting: false, pathNotice: null, local, muted: false, cameraOn: local.video !== null, sharing: false, notice: local.notice, participants: [], presence: null, ringing: [], ended: null
    })
    // Someone may have answered while the camera opened.
    this.onCalls(this.client.calls.value)
    this.startStats()
  }

  /**
   * Notes the other members of a group this device starts a call in as rung, until they join or
   * decline, or the ring ends. Not in a group larger than a call can be.
   */
  private ringMembers (conversationId: string): void {
    const conversation = this.client.conversations.value.find((c) => c.id === conversationId)
    const me = this.client.me.value?.identity
    if (conversation?.kind !== 'group' || conversation.members.length > MAX_MESH_PARTICIPANTS) return
    for (const m of conversation.members) if (m.identity !== me) this.ringing.set(m.identity, { identity: m.identity, name: m.name })
    this.ringingTimer = setTimeout(() => {
      this.ringing.clear()
      this.set({})
    }, testHooks().callRingTimeoutMs ?? RING_TIMEOUT_MS)
  }

  /** Joins a call that goes on without this device (its ring ran out, it declined or it left). */
  async join (callId: string, video: boolean): Promise<void> {
    if (this.current !== null && this.current.ended === null) throw new Error('You are already in a call.')
    const call = this.client.calls.value.find((c) => c.id === callId && c.phase === 'running')
    if (call === undefined) throw new Error('This call has ended.')
    if (call.full) throw new Error(`This call already has ${MAX_MESH_PARTICIPANTS} people, the most one call can have.`)
    this.reset()
    this.screen.value = this.withStatus({
      call, status: 'connecting', reconnecting: false, pathNotice: null, local: null, muted: false, cameraOn: false, sharing: false, notice: null, participants: this.participantsOf(call), presence: null, ringing: [], ended: null
    })
    try {
      await this.accept(video)
    } catch (err) {
      this.reset()
      throw err
    }
  }

  /** Answers the ringing call (or joins the running one), with the camera or audio only. */
  async accept (video: boolean): Promise<void> {
    const s = this.current
    if (s === null || (s.call.phase !== 'ringing' && s.call.phase !== 'running')) return
    if (s.call.full) {
      this.set({ notice: `This call already has ${MAX_MESH_PARTICIPANTS} people, the most one call can have.` })
      return
    }
    this.startSFrame()
    // The answer goes out while the camera opens and the media keys come. The offers of this side
    // are made meanwhile and go out right behind the answer, their tracks put in once the camera
    // is open; signals that arrive before the answer went out wait for it (onSignal).
    this.log('accepted')
    const media = openLocalMedia({ audio: true, video }).then((local) => { this.useLocalMedia(local); this.log('camera open'); return local })
    const answered = this.client.callSignalling.answer(s.call.id, { audio: true, video })
    const admit = this.admit
    void answered.then(() => { this.log('accept sent'); admit?.() }, () => {})
    this.opening = answered
    this.inCall = answered.catch(() => {})
    this.joined = true
    this.connectToParticipants(s.call)
    // The caller's early offer, applied while the call rang, is answered now: the answer goes right behind the ACCEPT.
    for (const [device, link] of this.links) void link.answerHeldOffer().catch((err: unknown) => { this.log(`answer to ${device.slice(-8)} failed: ${String(err)}`) })
    let local: LocalMedia
    let call: CallView
    try {
      [local, call] = await Promise.all([media, answered, answered.then(async () => { await this.installKeys(s.call.conversation) })])
    } catch (err) {
      this.joined = false
      for (const l of this.links.values()) l.close()
      this.links.clear()
      this.linkSessions.clear()
      throw err
    } finally {
      this.opening = null
    }
    this.set({ call, local, cameraOn: local.video !== null, notice: local.notice })
    this.shareFlags()
    // Connects to everyone in the call now, including those who joined while the camera opened.
    this.onCalls(this.client.calls.value)
    this.startStats()
  }

  /** Declines the ringing call. */
  async decline (): Promise<void> {
    const s = this.current
    if (s === null) return
    // The call leaves the worker's list before this returns: onCalls must not call it missed.
    this.declinedId = s.call.id
    try {
      await this.client.callSignalling.decline(s.call.id)
    } catch (err) {
      this.declinedId = undefined
      throw err
    }
    this.end('You declined')
  }

  /** Leaves the call. */
  async hangUp (): Promise<void> {
    const s = this.current
    if (s === null || s.ended !== null) return
    this.end(s.call.connectedAt === undefined ? 'You hung up' : formatCallDuration(Date.now() - s.call.connectedAt))
    await this.client.callSignalling.hangUp(s.call.id)
  }

  /** Mutes or unmutes the microphone: the others then receive silence. */
  toggleMute (): void {
    const s = this.current
    if (s === null || this.local?.audio == null) return
    const muted = !s.muted
    this.local.audio.enabled = !muted
    this.set({ muted })
    this.shareFlags()
  }

  /**
   * Turns the camera off (the others see no picture) or back on. In a call answered or made without
   * one (a voice call), the camera opens now: its track goes into each link's video section, which
   * every call has, so nothing is renegotiated and its frames are SFrame-encrypted like any other.
   */
  async toggleCamera (): Promise<void> {
    const s = this.current
    if (s === null || this.local === null) return
    if (this.local.video === null) {
      let stream: MediaStream
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: true })
      } catch (err) {
        this.set({ notice: `The camera could not be started: ${err instanceof Error ? err.message : String(err)}` })
        return
      }
      const track = stream.getVideoTracks()[0]
      // Hung up (or another call began), or the camera opened twice, while it started.
      const now = this.current
      if (track === undefined || now === null || now.ended !== null || now.call.id !== s.call.id || this.local === null || this.local.video !== null) {
        for (const t of stream.getTracks()) t.stop()
        return
      }
      this.local.stream.addTrack(track)
      this.local = { ...this.local, video: track }
      if (this.screenTrack === null) for (const l of this.links.values()) await l.replace(1, track)
      this.set({ local: this.local, cameraOn: true, notice: null })
      this.shareFlags()
      return
    }
    const cameraOn = !s.cameraOn
    this.local.video.enabled = cameraOn
    this.set({ cameraOn })
    this.shareFlags()
  }

  /** Starts or stops sharing the screen (shown large on the other side). */
  async toggleScreen (): Promise<void> {
    const s = this.current
    if (s === null) return
    if (this.screenTrack !== null) {
      this.stopScreen()
      return
    }
    let stream: MediaStream
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false })
    } catch (err) {
      this.set({ notice: `The screen could not be shared: ${err instanceof Error ? err.message : String(err)}` })
      return
    }
    const track = stream.getVideoTracks()[0]
    if (track === undefined) return
    this.screenTrack = track
    track.addEventListener('ended', () => { this.stopScreen() })
    for (const l of this.links.values()) await l.replace(1, track)
    this.set({ sharing: true })
    this.shareFlags()
  }

  /** Switches to another camera or microphone. */
  async pickDevice (kind: 'audioinput' | 'videoinput', deviceId: string): Promise<void> {
    const s = this.current
    if (s === null || this.local === null) return
    const fresh = await navigator.mediaDevices.getUserMedia(kind === 'audioinput' ? { audio: { deviceId: { exact: deviceId } } } : { video: { deviceId: { exact: deviceId } } })
    const track = kind === 'audioinput' ? fresh.getAudioTracks()[0] : fresh.getVideoTracks()[0]
    if (track === undefined) return
    const replaceSending = kind === 'audioinput' || this.screenTrack === null
    const old = kind === 'audioinput' ? this.local.audio : this.local.video
    if (old !== null) {
      this.local.stream.removeTrack(old)
      old.stop()
    }
    this.local.stream.addTrack(track)
    if (kind === 'audioinput') track.enabled = !s.muted
    else track.enabled = s.cameraOn
    this.local = { ...this.local, ...(kind === 'audioinput' ? { audio: track } : { video: track }) }
    if (replaceSending) for (const l of this.links.values()) await l.replace(kind === 'audioinput' ? 0 : 1, track)
    this.set({ local: this.local })
  }

  /** Closes the "call ended" bar. */
  dismiss (): void {
    if (this.current?.ended !== null) this.reset()
  }

  // ---------------------------------------------------------------- following the worker

  private onCalls (calls: readonly CallView[]): void {
    const s = this.current
    if (s !== null && s.ended === null) {
      const mine = calls.find((c) => c.id === s.call.id)
      // Gone, or going on without this device (its ring ran out): over here.
      if (mine === undefined || (mine.phase === 'running' && !this.joined)) {
        const connectedAt = s.call.connectedAt
        // A call whose last other participant went silent ended when it was last heard from, as its history says.
        const ended = this.client.lastEndedCall.value
        const until = mine === undefined && ended?.id === s.call.id && ended.endedAt !== undefined ? ended.endedAt : Date.now()
        const declined = mine === undefined && ended?.id === s.call.id && ended.outcome === 'declined'
        this.end(s.call.phase === 'ringing' ? (this.declinedId === s.call.id ? 'You declined' : 'Missed') : connectedAt !== undefined ? formatCallDuration(Math.max(0, until - connectedAt)) : declined ? 'Declined' : 'Not answered')
        return
      }
      if (this.joined && s.status === 'connected') this.notePresence(s.call, mine)
      for (const p of mine.participants) this.ringing.delete(p.identity)
      this.set({ call: mine, participants: this.participantsOf(mine) })
      // Links to devices no longer in the call close; new participants get one.
      const present = new Set(mine.participants.map((p) => p.device))
      for (const device of present) this.ringLinks.delete(device)
      for (const device of this.links.keys()) {
        if (!present.has(device) && !this.ringLinks.has(device)) this.dropLink(device)
      }
      // While an answer is on its way, accept() connects to whoever joined meanwhile.
      if (this.joined && this.opening === null) this.connectToParticipants(mine)
      this.set({ participants: this.participantsOf(mine) })
      return
    }
    // Nothing shown (or only an ended call): a new incoming call rings.
    const ringing = calls.find((c) => c.phase === 'ringing')
    if (ringing !== undefined) {
      this.reset()
      this.log(`ringing for call ${ringing.id.slice(0, 8)}`)
      this.screen.value = this.withStatus({
        call: ringing, status: 'ringing', reconnecting: false, pathNotice: null, local: null, muted: false, cameraOn: false, sharing: false, notice: null, participants: this.participantsOf(ringing), presence: null, ringing: [], ended: null
      })
      if (!ringing.full) this.prepare(ringing)
    }
  }

  /**
   * While a call rings, makes the offers this device will send if it answers (transform worker,
   * peer connections, ICE gathering), so that they go out right behind the answer. Nothing is
   * sent before then; a call declined or missed closes them.
   */
  private prepare (call: CallView): void {
    this.startSFrame()
    this.inCall = new Promise<void>((resolve) => { this.admit = resolve })
    // The caller's early offer is applied now (its remote description only: no ICE check, nothing
    // sent), to be answered on Accept; without one, this device offers to the caller (offer-rule.ts).
    const caller = call.caller.device
    if (call.offer !== undefined) {
      const link = this.newLink(caller, call)
      link.expectOffer()
      this.log(`offer from ${caller.slice(-8)} held until Accept`)
      void link.holdOffer(call.offer).catch((err: unknown) => { this.log(`the offer from ${caller.slice(-8)} could not be applied: ${String(err)}`) })
    }
    this.connectToParticipants(call)
  }

  /**
   * Says who joined or left between two views of the call. A person with another device still
   * in the call, or who moved from one device to another, neither came nor went.
   */
  private notePresence (before: CallView, after: CallView): void {
    const devicesBefore = new Set(before.participants.map((p) => p.device))
    const devicesAfter = new Set(after.participants.map((p) => p.device))
    const left = before.participants.filter((p) => !devicesAfter.has(p.device))
    const joined = after.participants.filter((p) => !devicesBefore.has(p.device))
    const identities = (list: typeof left): Set<string> => new Set(list.map((p) => p.identity))
    const stayed = identities(after.participants.filter((p) => devicesBefore.has(p.device)))
    const people = (list: typeof left, other: typeof left): PresenceChange['people'] => {
      const skip = new Set([...stayed, ...identities(other)])
      return [...new Map(list.filter((p) => !skip.has(p.identity)).map((p) => [p.identity, { identity: p.identity, name: p.name }])).values()]
    }
    const gone = people(left, joined)
    const came = people(joined, left)
    if (gone.length > 0) this.say({ people: gone, what: 'left' })
    else if (came.length > 0) this.say({ people: came, what: 'joined' })
  }

  /** Shows `change` for {@link PRESENCE_SHOWN_MS}, in place of the one before. */
  private say (change: PresenceChange): void {
    this.set({ presence: change })
    clearTimeout(this.presenceTimer)
    this.presenceTimer = setTimeout(() => { this.set({ presence: null }) }, PRESENCE_SHOWN_MS)
  }

  private participantsOf (call: CallView): ParticipantView[] {
    return call.participants.map((p) => ({ device: p.device, identity: p.identity, name: p.name, link: this.links.get(p.device) }))
  }

  /**
   * Offers a link to each participant this side offers to; for the others, which offer to it, gets
   * the answering side of the link ready before their offer comes (onSignal).
   */
  private connectToParticipants (call: CallView): void {
    const self = this.client.callSignalling.selfDevice()
    for (const p of call.participants) {
      if (this.links.has(p.device)) continue
      const link = this.newLink(p.device, call)
      if (offersTo(self, p.device, call.caller.device)) void link.offer().catch((err: unknown) => { this.log(`offer to ${p.device} failed: ${String(err)}`) })
      else link.expectOffer()
    }
  }

  /** Closes the link to `device` and ends its transform worker (a new link gets a fresh one: fresh replay windows). */
  private dropLink (device: string): void {
    this.links.get(device)?.close()
    this.links.delete(device)
    this.linkSessions.delete(device)
    this.ringLinks.delete(device)
    this.sframe?.get(device)?.worker.terminate()
    this.sframe?.delete(device)
  }

  /**
   * A link to `device` in `call`. `session` is the count of the device's ACCEPTs the link is for:
   * by default those seen so far; the caller's early offers are for the ACCEPT to come.
   */
  private newLink (device: string, call: LinkCall, session?: number): PeerLink {
    const callId = call.id
    this.log(`link to ${device.slice(-8)}${typeof callId === 'string' ? ` for call ${callId.slice(0, 8)}` : ''}`)
    const local = this.local ?? { stream: new MediaStream(), audio: null, video: null }
    const link = new PeerLink({
      device,
      iceServers: this.client.callSignalling.iceServers().map((x) => ({ ...x })),
      local: { stream: local.stream, audio: local.audio, video: local.video },
      send: async (signal) => {
        await this.inCall
        await this.client.callSignalling.send(await callId, signal)
      },
      changed: () => { this.set({}); this.tick.value++ },
      log: this.log,
      polite: !offersTo(this.client.callSignalling.selfDevice(), device, call.caller.device),
      ...(this.transforms !== undefined ? { transforms: this.transforms } : {})
    })
    this.links.set(device, link)
    // Told from the start (a link made from an early offer gets no SDP exchange that would share
    // them): otherwise the other side shows a camera that is not on as a black picture.
    const flags = this.ownFlags()
    if (flags !== undefined) link.setFlags(flags)
    this.linkSessions.set(device, session ?? (typeof callId === 'string' ? this.accepts.get(`${callId}/${device}`) ?? 0 : 0))
    if (this.screenTrack !== null) void link.replace(1, this.screenTrack)
    const s = this.current
    if (s !== null) this.set({ participants: this.participantsOf(s.call) })
    return link
  }

  /**
   * The caller's early offers (PROTOCOL.md §11.5): a link to every other device of the
   * conversation, offered before the INVITE goes out, which carries the SDPs; candidates found
   * later trickle once the call id is known. Only the caller's own addresses travel before anyone
   * accepts. A device that declines or does not answer before the ring ends has its link closed;
   * one whose offer could not be made gets one when it joins. None in a large conversation.
   */
  private async offerEarly (conversationId: string, callId: Promise<string>): Promise<EarlyOfferIn[]> {
    const self = this.client.callSignalling.selfDevice()
    const conversation = this.client.conversations.value.find((c) => c.id === conversationId)
    const devices = [...new Set(conversation?.members.map((m) => m.peerId) ?? [])].filter((d) => d !== self)
    if (devices.length === 0 || devices.length > MAX_EARLY_OFFERS || testHooks().earlyOffers === false) return []
    const call: LinkCall = { id: callId, caller: { device: self } }
    clearTimeout(this.ringTimer)
    this.ringTimer = setTimeout(() => {
      for (const device of [...this.ringLinks]) this.dropLink(device)
    }, testHooks().callRingTimeoutMs ?? RING_TIMEOUT_MS)
    const offers = await Promise.all(devices.map(async (device) => {
      this.ringLinks.add(device)
      try {
        return { toDevice: device, sdp: await this.newLink(device, call, 1).describeOffer() }
      } catch (err) {
        this.log(`early offer to ${device.slice(-8)} failed: ${String(err)}`)
        this.dropLink(device)
        return undefined
      }
    }))
    return offers.filter((o) => o !== undefined)
  }

  /** One signal from another device; `accepts` is how many ACCEPTs had come from it when this one came. */
  private async onSignal (s: IncomingCallSignal, accepts: number): Promise<void> {
    if (this.opening !== null) await this.opening.catch(() => {})
    const screen = this.current
    if (screen === null || screen.ended !== null || s.signal.callId !== screen.call.id) return
    const device = s.from.device
    if (!this.joined) {
      // Ringing: candidates the caller found after its early offer join it, to be answered on Accept.
      const link = screen.call.phase === 'ringing' && device === screen.call.caller.device ? this.links.get(device) : undefined
      if (link !== undefined && s.signal.type === 'ice') await link.receiveIce({ candidate: s.signal.candidate, sdpMid: s.signal.sdpMid, sdpMLineIndex: s.signal.sdpMLineIndex })
      return
    }
    this.log(`${s.signal.type}${s.signal.type === 'sdp' ? ` ${s.signal.sdpType}` : ''} from ${device.slice(-8)}`)
    if (s.signal.type === 'decline') {
      // A device this one offered to early will not answer.
      if (this.ringLinks.has(device)) this.dropLink(device)
      // In a group, the others go on: they are told who will not come (in a 1:1, the call ends).
      const conversation = this.client.conversations.value.find((c) => c.id === screen.call.conversation)
      const member = conversation?.kind === 'group' ? conversation.members.find((m) => m.identity === s.from.identity) : undefined
      if (member !== undefined) {
        this.ringing.delete(member.identity)
        this.say({ people: [{ identity: member.identity, name: member.name }], what: 'declined' })
      }
      return
    }
    // A link made after a later ACCEPT of the device (it left and came back meanwhile) is for the
    // new session: a HANGUP of the old one leaves it alone.
    const session = this.linkSessions.get(device)
    if (s.signal.type === 'hangup') {
      if (session !== undefined && session <= accepts) this.dropLink(device)
      return
    }
    if (s.signal.type === 'accept') {
      if (session !== undefined && session < accepts) {
        this.log(`${device.slice(-8)} joined again: its link is replaced`)
        this.dropLink(device)
      }
      if (this.opening === null) this.connectToParticipants(screen.call)
      return
    }
    if (s.signal.type === 'ice') {
      await this.links.get(device)?.receiveIce({ candidate: s.signal.candidate, sdpMid: s.signal.sdpMid, sdpMLineIndex: s.signal.sdpMLineIndex })
      return
    }
    if (s.signal.type !== 'sdp') return
    let link = this.links.get(device)
    if (s.signal.sdpType === 'offer' && link?.isNewSession(s.signal.sdp) === true) {
      this.log(`offer from ${device.slice(-8)} comes from a new peer connection: its link is replaced`)
      this.dropLink(device)
      link = undefined
    }
    if (s.signal.sdpType === 'offer' && link?.pc.signalingState === 'have-local-offer' && !offersTo(this.client.callSignalling.selfDevice(), device, screen.call.caller.device)) {
      // Both offered: this side's offer was an early one, which the other lost (it reloaded while
      // it rang). This side gives way on a fresh link rather than rolling its offer back.
      this.log(`offer from ${device.slice(-8)} crossed our early offer: its link is replaced`)
      this.dropLink(device)
      link = undefined
    }
    if (s.signal.sdpType === 'offer' && link === undefined) link = this.newLink(device, screen.call)
    if (link === undefined) return
    await link.receiveSdp(s.signal.sdpType, s.signal.sdp)
    this.shareFlags()
  }

  // ---------------------------------------------------------------- internals

  private shareFlags (): void {
    const flags = this.ownFlags()
    if (flags === undefined) return
    for (const l of this.links.values()) l.setFlags(flags)
  }

  /** What the others should show of this device: muted, camera on, sharing the screen. */
  private ownFlags (): RemoteFlags | undefined {
    const s = this.current
    if (s === null) return undefined
    const sharing = this.screenTrack !== null
    return { muted: s.muted || this.local?.audio == null, camera: sharing || s.cameraOn, screen: sharing }
  }

  /** The camera and microphone are open: links made before they were send them from now on. */
  private useLocalMedia (local: LocalMedia): void {
    this.local = local
    for (const l of this.links.values()) {
      void l.replace(0, local.audio)
      void l.replace(1, this.screenTrack ?? local.video)
    }
  }

  private stopScreen (): void {
    const track = this.screenTrack
    if (track === null) return
    this.screenTrack = null
    track.stop()
    // The camera comes back (or nothing, if there is none).
    for (const l of this.links.values()) void l.replace(1, this.local?.video ?? null)
    this.set({ sharing: false })
    this.shareFlags()
  }

  private startStats (): void {
    clearInterval(this.statsTimer)
    this.statsTimer = setInterval(() => {
      void Promise.all([...this.links.values()].map(async (l) => { await l.refreshStats().catch(() => {}) })).then(() => { this.tick.value++ })
    }, STATS_EVERY_MS)
    clearInterval(this.voiceTimer)
    this.voiceTimer = setInterval(() => { this.listen() }, VOICE_EVERY_MS)
  }

  /** Notes who is speaking: a voice above the level lights a tile, which stays lit a moment after it drops. */
  private listen (): void {
    const now = performance.now()
    const speaking = new Set<string>()
    for (const [device, link] of this.links) {
      if (link.state === 'connected' && link.voiceLevel() >= SPEAKING_LEVEL) this.lastVoice.set(device, now)
      const at = this.lastVoice.get(device)
      if (at !== undefined && now - at < SPEAKING_HOLD_MS && !link.flags.muted) speaking.add(device)
    }
    const was = this.speaking.value
    if (speaking.size !== was.size || [...speaking].some((d) => !was.has(d))) this.speaking.value = speaking
  }

  private end (why: string): void {
    const s = this.current
    if (s === null || s.ended !== null) return
    this.teardown()
    this.screen.value = { ...s, status: 'ended', ended: why, participants: [], presence: null, ringing: [] }
    this.endedTimer = setTimeout(() => { if (this.current?.ended != null) this.screen.value = null }, ENDED_SHOWN_MS)
  }

  private teardown (): void {
    clearInterval(this.statsTimer)
    this.statsTimer = undefined
    clearInterval(this.voiceTimer)
    this.voiceTimer = undefined
    this.lastVoice.clear()
    this.speaking.value = new Set()
    clearTimeout(this.ringTimer)
    this.ringTimer = undefined
    clearTimeout(this.presenceTimer)
    this.presenceTimer = undefined
    clearTimeout(this.ringingTimer)
    this.ringingTimer = undefined
    this.ringing.clear()
    for (const l of this.links.values()) l.close()
    this.links.clear()
    this.linkSessions.clear()
    this.ringLinks.clear()
    if (this.screenTrack !== null) this.screenTrack.stop()
    this.screenTrack = null
    if (this.local !== null) closeLocalMedia(this.local)
    this.local = null
    this.joined = false
    this.inCall = Promise.resolve()
    this.admit = null
    for (const w of this.sframe?.values() ?? []) w.worker.terminate()
    this.spareWorker?.terminate()
    this.spareWorker = null
    this.sframe = null
    this.keys = null
    this.nextCtrRange = 0n
    this.transforms = undefined
    this.keyedEpoch = -1n
  }

  private reset (): void {
    clearTimeout(this.endedTimer)
    this.teardown()
    // Counts of calls that are over; those of live calls stay, or a signal counted before would
    // take a link made now for an older one.
    const live = new Set(this.client.calls.value.map((c) => c.id))
    for (const key of this.accepts.keys()) if (!live.has(key.slice(0, key.indexOf('/')))) this.accepts.delete(key)
    this.screen.value = null
  }
}
