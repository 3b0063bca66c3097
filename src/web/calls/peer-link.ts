/**
 * The media between this device and one other in a call: two one-way RTCPeerConnections (the mesh
 * has one pair per two participants). Each side offers the connection it receives on, with
 * receive-only microphone and video sections whose decrypting transforms go on right after
 * addTransceiver, before the offer; it answers the other's offer on the connection it sends on,
 * adding its tracks with addTrack and the encrypting transforms before the answer, so every
 * transform is in place before media can flow (see docs/ARCHITECTURE.md, calls, for how this came
 * about). The video section carries the camera, or the screen while it is shared.
 * A negotiated data channel (id 0) on the sending connection tells the other side what to show
 * about this one: muted, camera off, sharing the screen. SDP is sent once ICE gathering finishes
 * (or after {@link GATHER_WAIT_MS}), with the candidates in it.
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

/** The media of one participant of a call. */
export class PeerLink {
  /** The connection this side receives on (it made the offer). */
  readonly rx: RTCPeerConnection
  /** The connection this side sends on (it answers the other's offer). */
  readonly tx: RTCPeerConnection
  readonly remote = new MediaStream()
  flags: RemoteFlags = { muted: false, camera: true, screen: false }
  state: 'new' | 'connecting' | 'connected' | 'failed' | 'closed' = 'new'
  stats: LinkStats = { route: 'unknown', lossPercent: 0, kbps: 0, framesDecoded: 0, screenFramesDecoded: 0, audioEnergy: 0, audioLevel: 0 }
  private senders: RTCRtpSender[] = []
  private readonly channel: RTCDataChannel
  private lastBytes = 0
  private lastAt = 0
  private readonly energySteps: number[] = []
  private ownFlags: RemoteFlags = { muted: false, camera: true, screen: false }
  /** Tracks this side sends, by section (0 microphone, 1 video), for a connection not answered yet. */
  private readonly sending: Array<MediaStreamTrack | null>

  constructor (private readonly options: PeerLinkOptions) {
    const config: RTCConfiguration = { iceServers: options.iceServers, bundlePolicy: 'max-bundle' }
    this.rx = new RTCPeerConnection(config)
    this.tx = new RTCPeerConnection(config)
    this.sending = [options.local.audio, options.local.video]
    // The flags go the way the media goes: from the sender's tx to the receiver's rx.
    const rxChannel = this.rx.createDataChannel('kith-call', { negotiated: true, id: 0 })
    rxChannel.onmessage = (e) => { this.readFlags(e.data) }
    this.channel = this.tx.createDataChannel('kith-call', { negotiated: true, id: 0 })
    this.channel.onopen = () => { this.sendFlags() }
    for (const pc of [this.rx, this.tx]) pc.onconnectionstatechange = () => { this.updateState() }
  }

  /** Offers the receiving connection: receive-only microphone and video, transforms on first. */
  async offer (): Promise<void> {
    const t = this.options.transforms
    for (const kind of ['audio', 'video'] as const) {
      const transceiver = this.rx.addTransceiver(kind, { direction: 'recvonly' })
      t?.receiver(transceiver.receiver, this.options.device)
      this.remote.addTrack(transceiver.receiver.track)
    }
    this.state = 'connecting'
    await this.rx.setLocalDescription(await this.rx.createOffer())
    await this.sendDescription(this.rx)
  }

  /** An SDP from the other side: its offer is answered on the sending connection; its answer completes ours. */
  async receiveSdp (type: 'offer' | 'answer', sdp: string): Promise<void> {
    if (type === 'answer') {
      await this.rx.setRemoteDescription({ type, sdp })
      return
    }
    await this.tx.setRemoteDescription({ type, sdp })
    const t = this.options.transforms
    const placeholders: MediaStreamTrack[] = []
    this.senders = this.sending.map((track, i) => {
      // A section with nothing to send yet still needs a sender, so that a track can come later.
      const real = track ?? (i === 0 ? silentTrack() : blankTrack())
      if (track === null) placeholders.push(real)
      const sender = this.tx.addTrack(real, this.options.local.stream)
      t?.sender(sender, this.options.device)
      return sender
    })
    for (const [i, track] of this.sending.entries()) if (track === null) await this.senders[i]!.replaceTrack(null)
    for (const p of placeholders) p.stop()
    await this.tx.setLocalDescription(await this.tx.createAnswer())
    await this.sendDescription(this.tx)
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

  /** Reads getStats of the receiving connection into {@link stats}. */
  async refreshStats (): Promise<void> {
    const report = await this.rx.getStats()
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

  /** Every sender and receiver this link has (for checks that each has its transform). */
  endpoints (): Array<RTCRtpSender | RTCRtpReceiver> {
    return [...this.tx.getSenders(), ...this.rx.getReceivers()]
  }

  /** Ends the link. */
  close (): void {
    this.state = 'closed'
    this.channel.close()
    this.rx.close()
    this.tx.close()
  }

  /** Connected once both directions are; failed if either failed. */
  private updateState (): void {
    const states = [this.rx.connectionState, this.tx.connectionState]
    if (this.state === 'closed') return
    this.state = states.includes('failed') ? 'failed' : states.every((s) => s === 'connected') ? 'connected' : 'connecting'
    this.options.changed()
  }

  private async sendDescription (pc: RTCPeerConnection): Promise<void> {
    await gathered(pc)
    const description = pc.localDescription
    if (description === null) return
    await this.options.send({ type: 'sdp', toDevice: this.options.device, sdpType: description.type === 'offer' ? 'offer' : 'answer', sdp: description.sdp })
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

/** Resolves once ICE gathering is complete, or after {@link GATHER_WAIT_MS}. */
async function gathered (pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, GATHER_WAIT_MS)
    function done (): void {
      clearTimeout(timer)
      pc.removeEventListener('icegatheringstatechange', check)
      resolve()
    }
    function check (): void { if (pc.iceGatheringState === 'complete') done() }
    pc.addEventListener('icegatheringstatechange', check)
  })
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
