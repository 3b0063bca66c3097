/**
 * The browser's libp2p node: WebSockets and WebRTC-direct to Node peers, WebRTC to other browsers
 * (signalled through a circuit-relay reservation on a Node peer, then direct), noise and yamux,
 * identify and ping.
 * It listens on `/p2p-circuit` (reserving a slot on relays it connects to) and `/webrtc`.
 * Another browser is dialled WebRTC first (`…/p2p-circuit/webrtc`), with a plain relayed
 * connection (`…/p2p-circuit`) as the fallback when ICE cannot get through (two symmetric NATs
 * and no TURN server): a Kith relay lets that carry chat (`constants.ts`).
 * No public STUN server and no public bootstrap list (DESIGN.md §4): only the node that served the
 * page and the bootstrap addresses the user configured.
 */
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify, type Identify } from '@libp2p/identify'
import type { Address, Libp2p, PrivateKey } from '@libp2p/interface'
import { noise } from '@libp2p/noise'
import { ping, type Ping } from '@libp2p/ping'
import { loopbackAddressLast, publicAddressesFirst, reliableTransportsFirst } from '@libp2p/utils'
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

/**
 * Each address gets this long. An ICE attempt that has not connected by then will not (the
 * relayed fallback must still fit in the dial), while ICE through a TURN server needs a few seconds.
 */
const ADDRESS_DIAL_TIMEOUT_MS = 6_000
/** A whole dial: a WebRTC attempt, then the relayed fallback. */
const DIAL_TIMEOUT_MS = 15_000

const CIRCUIT = '/p2p-circuit'

/** Where an address stands among a peer's: 0 without a relay, 1 WebRTC signalled by a relay, 2 through a relay. */
export function relayRank (addr: string): 0 | 1 | 2 {
  const at = addr.lastIndexOf(CIRCUIT)
  if (at < 0) return 0
  return /^\/webrtc(\/|$)/.test(addr.slice(at + CIRCUIT.length)) ? 1 : 2
}

/** How a page would reach a relay if not connected to it yet: TLS WebSockets, WebSockets, WebRTC-direct, other. */
function relayPreference (relay: string): number {
  if (/\/(wss|tls(\/sni\/[^/]+)?\/ws)(\/|$)/.test(relay)) return 0
  if (/\/ws(\/|$)/.test(relay)) return 1
  if (relay.includes('/webrtc-direct/')) return 2
  return 3
}

/**
 * Orders relayed addresses by relay address (the one a page reaches best first), and through each
 * relay address the WebRTC form before the plain one. So one WebRTC attempt comes first and the
 * plain relayed connection right after it, not after a WebRTC attempt through every relay address
 * of the same relay (each would fail the same way, and the dial would time out before the fallback).
 */
function compareRelayed (a: string, b: string): number {
  const ra = relayRank(a)
  const rb = relayRank(b)
  if (ra === 0 || rb === 0) return ra - rb
  const relayA = a.slice(0, a.lastIndexOf(CIRCUIT))
  const relayB = b.slice(0, b.lastIndexOf(CIRCUIT))
  if (relayA !== relayB) return relayPreference(relayA) - relayPreference(relayB) || (relayA < relayB ? -1 : 1)
  return ra - rb
}

/**
 * The page's dial order: libp2p's own (loopback last, then public first, then addresses without a
 * relay, then reliable transports first), except that relayed addresses go as {@link compareRelayed}
 * says, so browsers end up on WebRTC wherever ICE gets through and relayed only where it cannot.
 */
export function browserAddressSorter (a: Address, b: Address): -1 | 0 | 1 {
  const order = loopbackAddressLast(a.multiaddr, b.multiaddr) || publicAddressesFirst(a.multiaddr, b.multiaddr) ||
    compareRelayed(a.multiaddr.toString(), b.multiaddr.toString()) ||
    Number(b.isCertified) - Number(a.isCertified) || reliableTransportsFirst(a.multiaddr, b.multiaddr)
  return Math.sign(order) as -1 | 0 | 1
}

/** Bytes per RTCDataChannel message between browsers; every browser accepts 256 KiB. */
const WEBRTC_MESSAGE_BYTES = 64 * 1024
/** Bytes a data channel may buffer before a stream waits for it to drain. */
const WEBRTC_BUFFERED_BYTES = 8 * 1024 * 1024

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
      // Bigger messages and send buffer than the defaults (16 KiB, 2 MiB): a file chunk stream
      // stalls each time the buffer drains to empty (bench/browser-files.ts).
      webRTC({ rtcConfiguration, dataChannel: { maxMessageSize: WEBRTC_MESSAGE_BYTES, maxBufferedAmount: WEBRTC_BUFFERED_BYTES } }),
      // Dials a Node peer's /udp/…/webrtc-direct/certhash/… address: no TLS certificate needed,
      // so a page over https:// can reach a node that has no domain name.
      webRTCDirect({ rtcConfiguration }),
      circuitRelayTransport()
    ],
    connectionEncrypters: [noise()],
    streamMuxers: [kithYamux()],
    // Loopback and LAN addresses are legitimate for Kith; the default gater refuses them.
    connectionGater: { denyDialMultiaddr: () => false },
    connectionManager: {
      addressSorter: browserAddressSorter,
      addressDialTimeout: ADDRESS_DIAL_TIMEOUT_MS,
      dialTimeout: DIAL_TIMEOUT_MS
    },
    services: {
      identify: identify(),
      ping: ping()
    }
  })
}
