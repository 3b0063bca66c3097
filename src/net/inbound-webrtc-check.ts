/**
 * Accepted WebRTC connections that may never have connected (docs/PROTOCOL.md §4): each counts as
 * no link until a stream has crossed it, and is aborted if none can within 5 s.
 */
import type { Connection, Libp2p } from '@libp2p/interface'
import { describeError } from '../core/errors.ts'
import { probeConnection } from './connection-probe.ts'

/** How long an accepted WebRTC connection may take to open its first stream before it is dropped. */
const PROOF_TIMEOUT_MS = 5_000

/** Which connections count as links; {@link InboundWebRtcCheck.counts} leaves out unproven ones. */
export type CountsAsLink = (connection: Connection) => boolean

/** Whether a connection was accepted as WebRTC (`/webrtc/p2p/<peer>`), the kind that may never have connected. */
function isAcceptedWebRtc (connection: Connection): boolean {
  return connection.direction === 'inbound' && connection.remoteAddr.toString().startsWith('/webrtc/')
}

/**
 * Drops accepted WebRTC connections that never connected. When the dialling side gives up on ICE
 * (two symmetric NATs, no TURN server) and resets the signalling stream, @libp2p/webrtc 6's
 * answering side takes that for success and hands over a connection whose data channels never open
 * (the EOF race of libp2p/js-libp2p#3460). Such a connection would pass for a direct link and
 * take chat away from the relay. So each accepted WebRTC connection counts as no link until a
 * stream has crossed it, and is aborted if none can within the timeout.
 */
export class InboundWebRtcCheck {
  private readonly proven = new WeakSet<Connection>()
  private readonly onOpen = (evt: CustomEvent<Connection>): void => { void this.check(evt.detail) }

  constructor (
    private readonly node: Libp2p,
    private readonly options: { readonly log: (line: string) => void, readonly changed: () => void, readonly timeoutMs?: number }
  ) {}

  /** Starts checking new connections. */
  start (): void {
    this.node.addEventListener('connection:open', this.onOpen)
  }

  /** Stops checking. */
  stop (): void {
    this.node.removeEventListener('connection:open', this.onOpen)
  }

  /** Whether a connection counts as a link: any but an accepted WebRTC connection not yet proven. */
  readonly counts: CountsAsLink = (connection) => !isAcceptedWebRtc(connection) || this.proven.has(connection)

  private async check (connection: Connection): Promise<void> {
    if (!isAcceptedWebRtc(connection)) return
    try {
      // Negotiating a protocol needs a round trip over a data channel: proof that ICE connected.
      await probeConnection(connection, this.options.timeoutMs ?? PROOF_TIMEOUT_MS)
      this.proven.add(connection)
    } catch (err) {
      if (connection.status === 'open') {
        this.options.log(`dropping a WebRTC connection from ${connection.remotePeer.toString().slice(-8)} that never connected: ${describeError(err)}`)
        connection.abort(new Error('the WebRTC connection never connected'))
      }
    }
    this.options.changed()
  }
}
