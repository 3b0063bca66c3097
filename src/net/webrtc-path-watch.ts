/**
 * WebRTC connections whose path went quiet. Chromium calls a peer connection `disconnected` a few
 * seconds after the other end stops answering its ICE checks (a closed tab, a lost network), but
 * @libp2p/webrtc closes the connection only once it is `failed`, about 30 s later: until then the
 * contact's pill says Direct and messages are sent into it. So a connection whose peer connection
 * turns `disconnected` is probed, and aborted if it does not answer; libp2p then reaches the peer
 * another way, or the page shows it gone.
 */
import type { Connection, Libp2p } from '@libp2p/interface'
import { dropDeadConnection, probeConnection, type ProbingOptions } from './connection-probe.ts'

/** How long a connection whose path went quiet has to answer a probe (as long as a stale one gets). */
const QUIET_PROBE_MS = 5_000

/** What this needs of an RTCPeerConnection (the browser's, or a Node polyfill's). */
interface WatchedPeerConnection {
  readonly connectionState: string
  addEventListener (type: 'connectionstatechange', listener: () => void): void
}

/**
 * The RTCPeerConnection under a libp2p WebRTC connection, if it is one: @libp2p/webrtc's
 * multiaddr connection keeps it as `peerConnection`. Not a public API, so anything else is no
 * WebRTC connection here.
 */
function peerConnectionOf (connection: Connection): WatchedPeerConnection | undefined {
  const pc = (connection as { maConn?: { peerConnection?: unknown } }).maConn?.peerConnection as Partial<WatchedPeerConnection> | undefined
  return typeof pc?.addEventListener === 'function' && typeof pc.connectionState === 'string' ? pc as WatchedPeerConnection : undefined
}

/** Probes each WebRTC connection whose peer connection turns `disconnected`, and drops it if it does not answer. */
export class WebRtcPathWatch {
  private readonly onOpen = (evt: CustomEvent<Connection>): void => { this.watch(evt.detail) }
  private readonly watched = new WeakSet<Connection>()

  constructor (private readonly libp2p: Libp2p, private readonly options: ProbingOptions) {}

  /** Starts watching the connections open now and every new one. */
  start (): void {
    this.libp2p.addEventListener('connection:open', this.onOpen)
    for (const connection of this.libp2p.getConnections()) this.watch(connection)
  }

  /** Stops watching new connections. */
  stop (): void {
    this.libp2p.removeEventListener('connection:open', this.onOpen)
  }

  private watch (connection: Connection): void {
    const pc = peerConnectionOf(connection)
    if (pc === undefined || this.watched.has(connection)) return
    this.watched.add(connection)
    let probing = false
    const check = (): void => {
      if (probing || pc.connectionState !== 'disconnected' || connection.status !== 'open') return
      probing = true
      void this.probe(connection, pc).finally(() => {
        probing = false
        // Answered, and quiet still (or again): look again after a while, not at once.
        if (pc.connectionState === 'disconnected') setTimeout(check, this.options.timeoutMs ?? QUIET_PROBE_MS)
      })
    }
    pc.addEventListener('connectionstatechange', check)
  }

  private async probe (connection: Connection, pc: WatchedPeerConnection): Promise<void> {
    try {
      await probeConnection(connection, this.options.timeoutMs ?? QUIET_PROBE_MS)
    } catch (err) {
      // Back meanwhile (a short outage), or closed by libp2p already: nothing to do.
      if (connection.status !== 'open' || pc.connectionState === 'connected') return
      dropDeadConnection(connection, 'its WebRTC path went quiet and it did not answer a probe', err, this.options)
    }
  }
}
