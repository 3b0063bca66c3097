/**
 * The media between this device and one other in a call: one RTCPeerConnection carrying both
 * directions (the mesh has one per pair of participants). Two media sections, fixed for the life
 * of the link: microphone, and video (the camera, or the screen while it is shared), each
 * send-and-receive, plus a data channel negotiated with id 0 that tells the other side what to
 * show about this one (muted, camera off, sharing the screen).
 *
 * One side of the pair offers (`offersTo`, offer-rule.ts). The offering side adds its two sections
 * with addTransceiver; the answering side adds its tracks with addTrack before it applies the
 * offer, whose sections then take those transceivers over (JSEP §5.10). Either way the SFrame send
 * and receive transforms of both sections go on right after the transceiver exists, before the
 * offer or answer (w3c/webrtc-encoded-transform#314), so every transform is in place before media
 * can flow. An offer on a link that has one already is a renegotiation, and is answered, unless it
 * comes from a new peer connection on the other side ({@link PeerLink.isNewSession}): the call then
 * replaces the link.
 *
 * The SDP goes out as soon as it has a candidate (ICE servers of its own are rare, and loopback
 * and LAN host candidates come within milliseconds); candidates found later trickle as ICE signals.
 *
 * A link that was up and loses its path is restarted by the offering side (path-recovery.ts,
 * PROTOCOL.md §11.7): an ICE restart offer renegotiates nothing but ICE, so the sections and their
 * transforms stay.
 */
import type { MediaSignalIn } from '../../core/messenger/messenger.ts'
import { isNewDtlsSession } from './dtls-fingerprint.ts'
import { firstCandidates, worthTrickling } from './candidate-gathering.ts'
import { LinkStatsMeter, type LinkStats } from './link-stats.ts'
import { PathRecovery, type LinkState } from './path-recovery.ts'
import { blankTrack, silentTrack } from './placeholder-tracks.ts'

/** A voice level older than this is no longer heard. */
const VOICE_FRESH_MS = 500
/** The media sections of a link, in order. */
const KINDS = ['audio', 'video'] as const

/** Sets encoded transforms on a link's senders and receivers (SFrame). */
export interface MediaTransforms {
  sender (sender: RTCRtpSender, peer: string): void
  receiver (receiver: RTCRtpReceiver, peer: string): void
}

/** What one side tells the other about its media over the data channel. */
export interface RemoteFlags {
  readonly muted: boolean
  readonly camera: boolean
  readonly screen: boolean
}

/** What a link needs from the call. */
export interface PeerLinkOptions {
  readonly device: string
  readonly iceServers: RTCIceServer[]
  readonly local: { stream: MediaStream, audio: MediaStreamTrack | null, video: MediaStreamTrack | null }
  readonly send: (signal: MediaSignalIn) => Promise<void>
  readonly changed: () => void
  readonly log: (line: string) => void
  readonly transforms?: MediaTransforms
  /** In a glare (both sides offered at once), whether this side gives way: exactly one side of a pair is polite. */
  readonly polite: boolean
}

/** The media of one participant of a call. */
export class PeerLink {
  readonly pc: RTCPeerConnection
  /** What the other side sends: its microphone and its video section. */
  readonly remote = new MediaStream()
  /**
   * Its microphone alone, to play out through an audio element: a video element whose video track
   * never gets a frame (a voice call, a camera that is off from the start) never starts playing,
   * and so never plays the sound either.
   */
  readonly remoteAudio = new MediaStream()
  flags: RemoteFlags = { muted: false, camera: true, screen: false }
  state: LinkState = 'new'
  private readonly meter = new LinkStatsMeter()
  /** This side's senders, by section (0 microphone, 1 video), once the link has its sections. */
  private senders: RTCRtpSender[] = []
  private readonly channel: RTCDataChannel
  private ownFlags: RemoteFlags = { muted: false, camera: true, screen: false }
  /** Tracks this side sends, by section, also before the sections exist. */
  private readonly sending: Array<MediaStreamTrack | null>
  /** Placeholder tracks holding the sections of a side that has no microphone or camera, until the offer is in. */
  private readonly placeholders: MediaStreamTrack[] = []
  /** Whether an offer and its answer have been applied. */
  private negotiated = false
  /** Whether this side's description went out: candidates found after it trickle. */
  private described = false
  /** Candidates from the other side that came before its description. */
  private readonly earlyCandidates: RTCIceCandidateInit[] = []
  /** An offer applied while the call rang ({@link holdOffer}), and the answer made for it (not applied), for Accept. */
  private held: Promise<RTCSessionDescriptionInit> | undefined
  private readonly createdAt = performance.now()
  private readonly recovery: PathRecovery

  constructor (private readonly options: PeerLinkOptions) {
    this.pc = new RTCPeerConnection({ iceServers: options.iceServers, bundlePolicy: 'max-bundle' })
    this.recovery = new PathRecovery({
      polite: options.polite,
      connectionState: () => this.pc.connectionState,
      answering: () => this.pc.signalingState === 'have-remote-offer',
      restart: async () => { await this.restartIce() },
      changed: (state) => { this.state = state; options.changed() },
      log: (line) => { options.log(`${options.device.slice(-8)}: ${line}`) }
    })
    this.sending = [options.local.audio, options.local.video]
    this.channel = this.pc.createDataChannel('kith-call', { negotiated: true, id: 0 })
    this.channel.onmessage = (e) => { this.readFlags(e.data) }
    this.channel.onopen = () => { this.sendFlags() }
    this.pc.onconnectionstatechange = () => { this.updateState() }
    this.pc.oniceconnectionstatechange = () => {
      if (this.pc.iceConnectionState === 'connected') options.log(`ICE connected to ${options.device.slice(-8)}`)
    }
    this.pc.onicecandidate = (e) => {
      if (!this.described || e.candidate === null || !worthTrickling(e.candidate.candidate)) return
      void options.send({ type: 'ice', toDevice: options.device, candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid ?? '', sdpMLineIndex: e.candidate.sdpMLineIndex ?? 0 })
        .catch((err: unknown) => { options.log(`ICE candidate to ${options.device.slice(-8)} not sent: ${String(err)}`) })
    }
  }

  /**
   * The answering side, ahead of the offer (when the other joins): adds this side's tracks with
   * addTrack (a silent or blank placeholder where it has none, replaced by nothing once the offer
   * is in), and their transforms with them, so that only the offer itself is left to apply.
   */
  expectOffer (): void {
    if (this.senders.length > 0) return
    this.senders = KINDS.map((kind, i) => {
      let track = this.sending[i] ?? null
      if (track === null) {
        track = kind === 'audio' ? silentTrack() : blankTrack()
        this.placeholders.push(track)
      }
      const sender = this.pc.addTrack(track, this.options.local.stream)
      this.attach(this.pc.getTransceivers().find((t) => t.sender === sender)!)
      return sender
    })
  }

  /** The offering side: both sections send and receive, transforms on, then the offer. */
  async offer (): Promise<void> {
    await this.makeOffer()
    await this.sendDescription()
  }

  /**
   * The caller's early offer (PROTOCOL.md §11.5): made like {@link offer}, but returned, to travel
   * inside the INVITE, instead of sent on its own. Candidates found after it trickle.
   */
  async describeOffer (): Promise<string> {
    await this.makeOffer()
    const description = await this.describe(true)
    if (description === null) throw new Error(`no offer to ${this.options.device.slice(-8)} was made`)
    return description.sdp
  }

  private async makeOffer (): Promise<void> {
    const { local } = this.options
    this.senders = KINDS.map((kind, i) => {
      const transceiver = this.pc.addTransceiver(this.sending[i] ?? kind, { direction: 'sendrecv', streams: [local.stream] })
      this.attach(transceiver)
      return transceiver.sender
    })
    this.state = 'connecting'
    await this.pc.setLocalDescription(await this.pc.createOffer())
  }

  /**
   * Whether an offer comes from another peer connection than the one this link set up with (its
   * DTLS fingerprint differs): the other side reloaded or joined again, and this link is stale.
   * Applied here it would be a renegotiation that changes the certificate, which Chromium refuses.
   */
  isNewSession (offer: string): boolean {
    const current = this.pc.remoteDescription
    return current !== null && isNewDtlsSession(current.sdp, offer)
  }

  /** An SDP from the other side: an offer is answered (glare resolved politely); an answer completes ours. */
  async receiveSdp (type: 'offer' | 'answer', sdp: string): Promise<void> {
    if (type === 'answer') {
      if (this.pc.signalingState !== 'have-local-offer') {
        this.options.log(`ignored an answer from ${this.options.device.slice(-8)}: no offer of ours is open`)
        this.recovery.staleAnswer()
        return
      }
      await this.pc.setRemoteDescription({ type, sdp })
      this.negotiated = true
    } else if (this.pc.signalingState === 'have-local-offer') {
      // Both sides offered (they disagreed on who offers): the impolite side's offer wins.
      if (!this.options.polite) {
        this.options.log(`ignored an offer from ${this.options.device.slice(-8)} that crossed ours`)
        return
      }
      await this.pc.setLocalDescription({ type: 'rollback' })
      this.forgetSections()
      await this.answer(sdp)
    } else if (!this.negotiated) {
      await this.answer(sdp)
    } else {
      // A renegotiation (an ICE restart, for one): the sections and their transforms stay.
      await this.pc.setRemoteDescription({ type, sdp })
      this.described = false
      await this.pc.setLocalDescription(await this.pc.createAnswer())
      await this.sendDescription()
    }
    for (const c of this.earlyCandidates.splice(0)) await this.addCandidate(c)
  }

  /**
   * The caller's early offer, while this device rings (PROTOCOL.md §11.5): applies it as the remote
   * description and makes the answer, but does not apply that: without a local description no ICE
   * check starts, so nothing reaches the caller (not even this device's address) before
   * {@link answerHeldOffer}.
   */
  async holdOffer (sdp: string): Promise<void> {
    if (this.held !== undefined || this.negotiated) return
    // Set before any await: an Accept that comes next answers it (answerHeldOffer).
    const held = this.applyOffer(sdp).then(async () => {
      for (const c of this.earlyCandidates.splice(0)) await this.addCandidate(c)
      return await this.pc.createAnswer()
    })
    this.held = held
    await held
  }

  /**
   * On Accept: applies the answer {@link holdOffer} made and sends it. The placeholders holding the
   * sections give way afterwards, off the answer's path (they change nothing in the SDP).
   */
  async answerHeldOffer (): Promise<void> {
    const held = this.held
    if (held === undefined) return
    this.held = undefined
    await this.pc.setLocalDescription(await held)
    this.negotiated = true
    void this.dropPlaceholders().catch((err: unknown) => { this.options.log(`placeholders to ${this.options.device.slice(-8)} not removed: ${String(err)}`) })
    // On the call's critical path: the caller needs this answer to finish ICE and DTLS, and this
    // side's checks already reach the candidates of its offer. So it goes at once, and this side's
    // candidates trickle behind it.
    await this.sendDescription(false)
  }

  /** A candidate the other side trickled. */
  async receiveIce (candidate: RTCIceCandidateInit): Promise<void> {
    if (this.pc.remoteDescription === null) {
      this.earlyCandidates.push(candidate)
      return
    }
    await this.addCandidate(candidate)
  }

  /** Replaces what this side sends in one section: 0 microphone, 1 video (camera or screen). */
  async replace (section: 0 | 1, track: MediaStreamTrack | null): Promise<void> {
    this.sending[section] = track
    await this.senders[section]?.replaceTrack(track)
  }

  /** Tells the other side what it should show about this one. */
  setFlags (flags: RemoteFlags): void {
    this.ownFlags = flags
    this.sendFlags()
  }

  /** The connection indicator, as of the last {@link refreshStats}. */
  get stats (): LinkStats {
    return this.meter.stats
  }

  /**
   * The other side's voice level now, 0 to 1 (RFC 6464, as the audio receiver's synchronization
   * sources report it; read without a getStats round), or 0 when no audio came in the last half
   * second or the other side says it is muted.
   */
  voiceLevel (): number {
    if (this.flags.muted) return 0
    const receiver = this.pc.getReceivers().find((r) => r.track.kind === 'audio')
    let level = 0
    for (const s of receiver?.getSynchronizationSources() ?? []) {
      // Chromium has given this on the Unix clock; the specification, on the page's.
      const age = Math.min(Math.abs(Date.now() - s.timestamp), Math.abs(performance.now() - s.timestamp))
      if (age < VOICE_FRESH_MS) level = Math.max(level, s.audioLevel ?? 0)
    }
    return level
  }

  /** Reads getStats into {@link stats}. */
  async refreshStats (): Promise<void> {
    this.meter.read(await this.pc.getStats(), performance.now(), this.flags.screen)
  }

  /** Every sender and receiver this link has (for checks that each has its transform). */
  endpoints (): Array<RTCRtpSender | RTCRtpReceiver> {
    return [...this.pc.getSenders(), ...this.pc.getReceivers()]
  }

  /** Whether it was ever connected. */
  get wasConnected (): boolean {
    return this.recovery.wasConnected
  }

  /** Ends the link. */
  close (): void {
    this.state = 'closed'
    this.recovery.stop()
    for (const p of this.placeholders.splice(0)) p.stop()
    this.channel.close()
    this.pc.close()
  }

  /**
   * The answering side. Its tracks go on with addTrack (a silent or blank placeholder where it has
   * none, replaced by nothing after), and their transforms with them, before the offer is applied.
   */
  private async answer (sdp: string): Promise<void> {
    await this.applyOffer(sdp)
    await this.answerApplied()
  }

  /** The first half of answering: this side's sections, then the offer as the remote description. */
  private async applyOffer (sdp: string): Promise<void> {
    if (this.senders.length === 0) this.expectOffer()
    this.state = 'connecting'
    await this.pc.setRemoteDescription({ type: 'offer', sdp })
    const sections = this.pc.getTransceivers().filter((t) => t.direction !== 'stopped')
    if (sections.length !== KINDS.length || sections.some((t) => t.mid === null)) {
      throw new Error(`the offer from ${this.options.device.slice(-8)} has ${sections.length} media sections; a Kith call has ${KINDS.length}, microphone then video`)
    }
  }

  /** The second half: the answer, sent once it has candidates. */
  private async answerApplied (): Promise<void> {
    await this.dropPlaceholders()
    await this.pc.setLocalDescription(await this.pc.createAnswer())
    this.negotiated = true
    await this.sendDescription()
  }

  /** Sections that still have no track of this side's send nothing; their placeholders stop. */
  private async dropPlaceholders (): Promise<void> {
    for (const [i, track] of this.sending.entries()) if (track === null) await this.senders[i]!.replaceTrack(null)
    for (const p of this.placeholders.splice(0)) p.stop()
  }

  /** Puts a section's SFrame transforms on and shows what it receives. */
  private attach (transceiver: RTCRtpTransceiver): void {
    const t = this.options.transforms
    t?.sender(transceiver.sender, this.options.device)
    t?.receiver(transceiver.receiver, this.options.device)
    const track = transceiver.receiver.track
    this.remote.addTrack(track)
    if (track.kind === 'audio') this.remoteAudio.addTrack(track)
    // The first media packet of the section (the call-setup timeline).
    track.addEventListener('unmute', () => { this.options.log(`${track.kind} from ${this.options.device.slice(-8)} flows`) }, { once: true })
  }

  /** After a rollback: the sections of our own offer stop; those of the answer replace them. */
  private forgetSections (): void {
    for (const t of this.remote.getTracks()) this.remote.removeTrack(t)
    for (const t of this.remoteAudio.getTracks()) this.remoteAudio.removeTrack(t)
    for (const t of this.pc.getTransceivers()) t.stop()
    this.senders = []
  }

  private async addCandidate (candidate: RTCIceCandidateInit): Promise<void> {
    await this.pc.addIceCandidate(candidate).catch((err: unknown) => { this.options.log(`ICE candidate from ${this.options.device.slice(-8)} refused: ${String(err)}`) })
  }

  /** Connected, failed, reconnecting, or still on its way. */
  private updateState (): void {
    if (this.state === 'closed') return
    const s = this.pc.connectionState
    if (s === 'connected' && !this.recovery.wasConnected) this.options.log(`connected to ${this.options.device.slice(-8)} after ${Math.round(performance.now() - this.createdAt)} ms`)
    this.state = this.recovery.update(s)
    this.options.changed()
  }

  /** An ICE restart offer: new credentials, the candidates of the network as it is now, nothing else changed. */
  private async restartIce (): Promise<void> {
    this.pc.restartIce()
    // The candidates found before the offer goes out are in it; those after trickle.
    this.described = false
    await this.pc.setLocalDescription(await this.pc.createOffer({ iceRestart: true }))
    await this.sendDescription()
  }

  /** This side's description, once it has a candidate unless `waitForCandidates` is false; later candidates trickle. */
  private async describe (waitForCandidates: boolean): Promise<RTCSessionDescription | null> {
    const since = performance.now()
    if (waitForCandidates) await firstCandidates(this.pc)
    const description = this.pc.localDescription
    if (description === null) return null
    this.described = true
    const candidates = description.sdp.split('\r\na=candidate:').length - 1
    this.options.log(`${description.type} to ${this.options.device.slice(-8)} with ${candidates} candidates after ${Math.round(performance.now() - since)} ms`)
    return description
  }

  /** Sends this side's description (see {@link describe}); later candidates trickle. */
  private async sendDescription (waitForCandidates = true): Promise<void> {
    const description = await this.describe(waitForCandidates)
    // Closed while its candidates came (the call ended): nobody needs it.
    if (description === null || this.state === 'closed') return
    await this.options.send({ type: 'sdp', toDevice: this.options.device, sdpType: description.type === 'offer' ? 'offer' : 'answer', sdp: description.sdp })
    this.options.log(`${description.type} to ${this.options.device.slice(-8)} sent`)
  }

  private sendFlags (): void {
    if (this.channel.readyState === 'open') this.channel.send(JSON.stringify(this.ownFlags))
  }

  private readFlags (data: unknown): void {
    if (typeof data !== 'string' || data.length > 200) return
    try {
      const f = JSON.parse(data) as Partial<RemoteFlags>
      this.flags = { muted: f.muted === true, camera: f.camera !== false, screen: f.screen === true }
      this.options.changed()
    } catch {
      this.options.log('ignored a malformed call flags message')
    }
  }
}
