/**
 * The browser's libp2p node: WebSockets and WebRTC-direct to Node peers, WebRTC to other browsers
 * (signalled through a circuit-relay reservation on a Node peer, then direct), noise and yamux,
 * identify and ping.
 * It listens on `/p2p-circuit` (reserving a slot on relays it connects to) and `/webrtc`.
 * No public STUN server and no public bootstrap list (DESIGN.md §4): only the node that served the
 * page and the bootstrap addresses the user configured.
 */
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify, type Identify } from '@libp2p/identify'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import { noise } from '@libp2p/noise'
import { ping, type Ping } from '@libp2p/ping'
import { webRTC, webRTCDirect } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p } from 'libp2p'
import { kithYamux } from './yamux-window.ts'

/** How to build the browser node. */
export interface BrowserNodeOptions {
  readonly privateKey: PrivateKey
  /**
   * ICE servers (STUN/TURN) for WebRTC and WebRTC-direct; empty by default (host candidates only).
   * A function is asked again for every new connection, so a changed list applies without a restart.
   */
  readonly iceServers?: readonly RTCIceServer[] | (() => readonly RTCIceServer[])
}

/** Services of the browser node. */
export type BrowserServices = {
  ping: Ping
  identify: Identify
}

/** A running browser node. */
export type BrowserLibp2p = Libp2p<BrowserServices>

/** Creates and starts the browser's libp2p node. Bootstrap peers are dialled by the caller. */
export async function createBrowserNode (options: BrowserNodeOptions): Promise<BrowserLibp2p> {
  const servers = options.iceServers
  // Never leave iceServers undefined: @libp2p/webrtc would then add four public STUN servers.
  const rtcConfiguration = (): RTCConfiguration => ({ iceServers: [...(typeof servers === 'function' ? servers() : servers ?? [])] })
  return await createLibp2p({
    privateKey: options.privateKey,
    addresses: { listen: ['/p2p-circuit', '/webrtc'] },
    transports: [
      webSockets(),
      webRTC({ rtcConfiguration }),
      // Dials a Node peer's /udp/…/webrtc-direct/certhash/… address: no TLS certificate needed,
      // so a page over https:// can reach a node that has no domain name.
      webRTCDirect({ rtcConfiguration }),
      circuitRelayTransport()
    ],
    connectionEncrypters: [noise()],
    streamMuxers: [kithYamux()],
    // Loopback and LAN addresses are legitimate for Kith; the default gater refuses them.
    connectionGater: { denyDialMultiaddr: () => false },
    services: {
      identify: identify(),
      ping: ping()
    }
  })
}
