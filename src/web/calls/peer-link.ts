/**
 * One RTCPeerConnection between this device and one other in a call (the mesh is one per pair).
 * Two media sections, in this order, fixed for the life of the link so that nothing is ever
 * renegotiated: microphone, and video (the camera, or the screen while it is shared: a third
 * section added for the screen after negotiation never reached the decoder once SFrame was on, in
 * Chromium 156). A negotiated data channel
 * (id 0) carries what the other side shows about this one: muted, camera off, sharing the screen.
 * SDP is sent once ICE gathering finishes (or after {@link GATHER_WAIT_MS}); candidates found later
 * trickle as ICE signals. Encoded transforms (SFrame) are attached through {@link MediaTransforms}
 * right after each transceiver exists, before the offer or answer is made.
 */
import type { MediaSignalIn } from '../../core/messenger/messenger.ts'

/** Longest wait for ICE gathering before the SDP goes out with the candidates found so far. */
const GATHER_WAIT_MS = 1500
/** Stats intervals over which {@link LinkStats.audioLevel} takes its maximum. */
const AUDIO_LEVEL_WINDOW = 3

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

/** The connection indicator of one participant, from getStats. */
export interface LinkStats {
  readonly route: 'direct' | 'relayed' | 'unknown'
  /** Packets lost of those expected, in percent, since the call began. */
  readonly lossPercent: number
  /** Received media bitrate over the last interval. */
  readonly kbps: number
  /** Video frames decoded (camera or screen). */
  readonly framesDecoded: number
  /** Video frames decoded while the other side shares its screen. */
  readonly screenFramesDecoded: number
  /** Received audio energy (RFC 6464 level squared, summed over time). */
  readonly audioEnergy: number
  /** The most audio energy received in any one interval of the last few: near 0 while the other side is muted. */
  readonly audioLevel: number
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
}

/** One peer connection of a call. */
export class PeerLink {
  readonly pc: RTCPeerConnection
  readonly remote = new MediaStream()
  flags: RemoteFlags = { muted: false, camera: true, screen: false }
  state: 'new' | 'connecting' | 'connected' | 'failed' | 'closed' = 'new'
  stats: LinkStats = { route: 'unknown', lossPercent: 0, kbps: 0, framesDecoded: 0, screenFramesDecoded: 0, audioEnergy: 0, audioLevel: 0 }
  private transceivers: RTCRtpTransceiver[] = []
  private readonly channel: RTCDataChannel
  private described = false
  private readonly queuedCandidates: RTCIceCandidateInit[] = []
  private lastBytes = 0
  private lastAt = 0
  private readonly energySteps: number[] = []
  private ownFlags: RemoteFlags = { muted: false, camera: true, screen: false }

  constructor (private readonly options: PeerLinkOptions) {
    this.pc = new RTCPeerConnection({ iceServers: options.iceServers, bundlePolicy: 'max-bundle' })
    this.channel = this.pc.createDataChannel('kith-call', { negotiated: true, id: 0 })
    this.channel.onmessage = (e) => { this.readFlags(e.data) }
    this.channel.onopen = () => { this.sendFlags() }
    this.pc.onicecandidate = (e) => {
      if (!this.described || e.candidate === null || e.candidate.candidate === '') return
      void options.send({ type: 'ice', toDevice: options.device, candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid ?? '', sdpMLineIndex: e.candidate.sdpMLineIndex ?? 0 }).catch(() => {})
    }
    this.pc.onconnectionstatechange = () => {
      const s = this.pc.connectionState
      this.state = s === 'connected' ? 'connected' : s === 'failed' ? 'failed' : s === 'closed' ? 'closed' : 'connecting'
      options.changed()
    }
  }

  /** The offering side: creates the three transceivers and sends the offer. */
  async offer (): Promise<void> {
    const { local } = this.options
    this.attach([
      this.pc.addTransceiver(local.audio ?? 'audio', { direction: 'sendrecv', streams: [local.stream] }),
      this.pc.addTransceiver(local.video ?? 'video', { direction: 'sendrecv', streams: [local.stream] })
    ])
    this.state = 'connecting'
    await this.pc.setLocalDescription(await this.pc.createOffer())
    await this.sendDescription()
  }

  /** An SDP from the other side: an offer is answered; an answer completes the offer. */
  async receiveSdp (type: 'offer' | 'answer', sdp: string): Promise<void> {
    if (type === 'offer' && this.transceivers.length === 0) {
      await this.answer(sdp)
    } else {
      await this.pc.setRemoteDescription({ type, sdp })
    }
    for (const c of this.queuedCandidates.splice(0)) await this.pc.addIceCandidate(c).catch((err: unknown) => { this.options.log(`ICE candidate refused: ${String(err)}`) })
  }

  /**
   * The answering side. Its transforms must be on before the offer is applied (set once the
   * offer's transceivers exist, Chromium never calls a receive transform), so it adds its two
   * sections with addTrack first, which the offer's sections then take over (JSEP §5.10); a
   * section with nothing to send starts on a placeholder track that is dropped after.
   */
  private async answer (sdp: string): Promise<void> {
    const { local } = this.options
    const placeholders: MediaStreamTrack[] = []
    const track = (real: MediaStreamTrack | null, kind: 'audio' | 'video'): MediaStreamTrack => {
      if (real !== null) return real
      const t = kind === 'audio' ? silentTrack() : blankTrack()
      placeholders.push(t)
      return t
    }
    const senders = [
      this.pc.addTrack(track(local.audio, 'audio'), local.stream),
      this.pc.addTrack(track(local.video, 'video'), local.stream)
    ]
    const transceivers = senders.map((sender) => this.pc.getTransceivers().find((t) => t.sender === sender)!)
    this.attach(transceivers)
    this.state = 'connecting'
    await this.pc.setRemoteDescription({ type: 'offer', sdp })
    if (this.pc.getTransceivers().length !== 2) throw new Error(`the offer has ${this.pc.getTransceivers().length} media sections; a Kith call has 2`)
    for (const t of transceivers) {
      if (placeholders.includes(t.sender.track!)) await t.sender.replaceTrack(null)
    }
    for (const p of placeholders) p.stop()
    await this.pc.setLocalDescription(await this.pc.createAnswer())
    await this.sendDescription()
  }

  /** A trickled ICE candidate from the other side. */
  async receiveIce (candidate: RTCIceCandidateInit): Promise<void> {
    if (this.pc.remoteDescription === null) {
      this.queuedCandidates.push(candidate)
      return
    }
    await this.pc.addIceCandidate(candidate)
  }

  /** Replaces what this side sends in one section: 0 microphone, 1 video (camera or screen). */
  async replace (section: 0 | 1, track: MediaStreamTrack | null): Promise<void> {
    await this.transceivers[section]?.sender.replaceTrack(track)
  }

  /** Tells the other side what it should show about this one. */
  setFlags (flags: RemoteFlags): void {
    this.ownFlags = flags
    this.sendFlags()
  }

  /** Reads getStats into {@link stats}. */
  async refreshStats (): Promise<void> {
    const report = await this.pc.getStats()
    let route: LinkStats['route'] = 'unknown'
    let lost = 0
    let received = 0
    let bytes = 0
    let framesDecoded = 0
    let audioEnergy = 0
    const byId = new Map<string, Record<string, unknown>>()
    report.forEach((s: Record<string, unknown>) => { byId.set(s.id as string, s) })
    for (const s of byId.values()) {
      if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') {
        const pair = byId.get(s.selectedCandidatePairId)
        const localCandidate = pair === undefined ? undefined : byId.get(pair.localCandidateId as string)
        const remoteCandidate = pair === undefined ? undefined : byId.get(pair.remoteCandidateId as string)
        if (localCandidate !== undefined) route = localCandidate.candidateType === 'relay' || remoteCandidate?.candidateType === 'relay' ? 'relayed' : 'direct'
      }
      if (s.type !== 'inbound-rtp') continue
      lost += Math.max(0, Number(s.packetsLost ?? 0))
      received += Number(s.packetsReceived ?? 0)
      bytes += Number(s.bytesReceived ?? 0)
      if (s.kind === 'audio') audioEnergy += Number(s.totalAudioEnergy ?? 0)
      if (s.kind === 'video') framesDecoded += Number(s.framesDecoded ?? 0)
    }
    const now = performance.now()
    const kbps = this.lastAt === 0 ? 0 : Math.max(0, (bytes - this.lastBytes) * 8 / (now - this.lastAt))
    this.lastBytes = bytes
    this.lastAt = now
    this.energySteps.push(Math.max(0, audioEnergy - this.stats.audioEnergy))
    if (this.energySteps.length > AUDIO_LEVEL_WINDOW) this.energySteps.shift()
    const audioLevel = Math.max(...this.energySteps)
    // Counted from the first stats taken while the other side says it shares its screen.
    const screenFramesDecoded = this.flags.screen ? this.stats.screenFramesDecoded + Math.max(0, framesDecoded - this.stats.framesDecoded) : 0
    this.stats = { route, lossPercent: lost + received === 0 ? 0 : (100 * lost) / (lost + received), kbps, framesDecoded, screenFramesDecoded, audioEnergy, audioLevel }
  }

  /** Ends the link. */
  close (): void {
    this.state = 'closed'
    this.channel.close()
    this.pc.close()
  }

  private attach (transceivers: RTCRtpTransceiver[]): void {
    this.transceivers = transceivers
    const t = this.options.transforms
    for (const x of transceivers) {
      if (t !== undefined) {
        t.sender(x.sender, this.options.device)
        t.receiver(x.receiver, this.options.device)
      }
    }
    this.remote.addTrack(transceivers[0]!.receiver.track)
    this.remote.addTrack(transceivers[1]!.receiver.track)
  }

  private async sendDescription (): Promise<void> {
    await this.gathered()
    const description = this.pc.localDescription
    if (description === null) return
    this.described = true
    await this.options.send({ type: 'sdp', toDevice: this.options.device, sdpType: description.type === 'offer' ? 'offer' : 'answer', sdp: description.sdp })
  }

  private async gathered (): Promise<void> {
    if (this.pc.iceGatheringState === 'complete') return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, GATHER_WAIT_MS)
      const pc = this.pc
      function done (): void {
        clearTimeout(timer)
        pc.removeEventListener('icegatheringstatechange', check)
        resolve()
      }
      function check (): void { if (pc.iceGatheringState === 'complete') done() }
      pc.addEventListener('icegatheringstatechange', check)
    })
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

/** A silent audio track, to hold a section open until there is something to send. */
function silentTrack (): MediaStreamTrack {
  const ctx = new AudioContext()
  const track = ctx.createMediaStreamDestination().stream.getAudioTracks()[0]!
  track.addEventListener('ended', () => { void ctx.close() })
  return track
}

/** A blank video track, to hold a section open until there is something to send. */
function blankTrack (): MediaStreamTrack {
  const canvas = document.createElement('canvas')
  canvas.width = 2
  canvas.height = 2
  return canvas.captureStream(0).getVideoTracks()[0]!
}
