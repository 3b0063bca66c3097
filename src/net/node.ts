/**
 * The Node.js libp2p node: TCP, WebSockets (with TLS when the node has a certificate),
 * WebRTC-direct (so a browser dials it with no certificate to trust), WebRTC through relays and
 * circuit relay as a client (so nodes behind NATs reach each other and upgrade to direct), noise
 * and yamux (with window updates at half use, `yamux-window.ts`), Kith's Kademlia DHT in server
 * mode (with the validator and selector of Kith's directory records), a circuit-relay server with Kith's limits, DCUtR, AutoNAT v2, identify and identify push, ping, optional
 * mDNS and bootstrap peers.
 * No public bootstrap list or STUN server is built in (DESIGN.md §4).
 */
import { autoNATv2 } from '@libp2p/autonat-v2'
import { bootstrap } from '@libp2p/bootstrap'
import { circuitRelayServer, circuitRelayTransport, type CircuitRelayService } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { identify, identifyPush, type Identify, type IdentifyPush } from '@libp2p/identify'
import type { PrivateKey, Libp2p } from '@libp2p/interface'
import { kadDHT, passthroughMapper, type KadDHT } from '@libp2p/kad-dht'
import { mdns } from '@libp2p/mdns'
import { noise } from '@libp2p/noise'
import { ping, type Ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { webRTC, webRTCDirect } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p } from 'libp2p'
import { kithAddressSorter } from './address-sorter.ts'
import { announcedAddrs } from './announce.ts'
import { directoryRecordRules } from './dht-directory.ts'
import { DHT_PROTOCOL, RELAY_DATA_LIMIT_BYTES, RELAY_DURATION_LIMIT_MS, RELAY_MAX_RESERVATIONS } from './constants.ts'
import { kithYamux } from './yamux-window.ts'

/** How to build a node. */
export interface KithNodeOptions {
  readonly privateKey: PrivateKey
  /** Multiaddrs to listen on, e.g. `/ip4/127.0.0.1/tcp/0`. */
  readonly listen: readonly string[]
  /** Multiaddrs (with /p2p/) of nodes to join the network through. */
  readonly bootstrap?: readonly string[]
  /** LAN discovery by multicast DNS. */
  readonly mdns?: boolean
  /** Hosts and multiaddrs to announce besides the listening ones (`announce.ts`). */
  readonly announce?: readonly string[]
  /** Whether every listen address is loopback; otherwise loopback addresses are never announced. */
  readonly loopbackOnly?: boolean
  /** PEM certificate and key: WebSockets then also accept TLS (`/tls/ws`) on the same port. */
  readonly tls?: { readonly cert: string, readonly key: string }
  /** The WebRTC-direct listener's certificate, kept across restarts so its certhash is stable. */
  readonly webRtcDirectCertificate?: { readonly privateKey: string, readonly pem: string, readonly certhash: string }
  /** STUN/TURN servers for WebRTC; none by default (host candidates only). */
  readonly iceServers?: RTCIceServer[]
  /** Reserve a slot on a relay, so peers can reach this node when it is behind a NAT (default true). */
  readonly relayReservation?: boolean
  /** Where refused DHT records are logged (docs/PROTOCOL.md §8.3). */
  readonly log?: (line: string) => void
}

/** The services a Kith node runs. */
export type KithServices = {
  dht: KadDHT
  ping: Ping
  identify: Identify
  identifyPush: IdentifyPush
  relay: CircuitRelayService
  dcutr: unknown
  autoNAT: unknown
}

/** A running Kith libp2p node. */
export type KithLibp2p = Libp2p<KithServices>

/** Creates and starts the Node.js libp2p node. */
export async function createKithNode (options: KithNodeOptions): Promise<KithLibp2p> {
  const bootstrapList = [...(options.bootstrap ?? [])]
  const peerDiscovery = [
    ...(bootstrapList.length > 0 ? [bootstrap({ list: bootstrapList })] : []),
    ...(options.mdns === true ? [mdns({ serviceTag: 'kith.local' })] : [])
  ]
  const rtcConfiguration = { iceServers: options.iceServers ?? [] }
  const announceOptions = { announce: options.announce ?? [], loopbackOnly: options.loopbackOnly ?? true }
  let ownAddrs: string[] = []
  const node = await createLibp2p({
    privateKey: options.privateKey,
    addresses: {
      listen: [...options.listen, ...(options.relayReservation === false ? [] : ['/p2p-circuit']), '/webrtc'],
      announceFilter: (addrs) => announcedAddrs(addrs, announceOptions)
    },
    transports: [
      tcp(),
      webSockets(options.tls === undefined ? {} : { https: { cert: options.tls.cert, key: options.tls.key } }),
      webRTCDirect({ rtcConfiguration, ...(options.webRtcDirectCertificate !== undefined ? { certificate: { ...options.webRtcDirectCertificate } } : {}) }),
      webRTC({ rtcConfiguration }),
      circuitRelayTransport()
    ],
    connectionEncrypters: [noise()],
    streamMuxers: [kithYamux()],
    peerDiscovery,
    connectionGater: {
      // Loopback and LAN addresses are legitimate for Kith (the default gater refuses them). A Node
      // peer listens on WebRTC-direct for browsers but dials other nodes over TCP or WebSockets:
      // node-datachannel crashed the process when it stopped during a WebRTC-direct dial.
      denyDialMultiaddr: (ma) => ma.toString().includes('/webrtc-direct')
    },
    connectionManager: {
      inboundConnectionThreshold: 100,
      maxConnections: 500,
      addressSorter: kithAddressSorter(() => ownAddrs, announceOptions.loopbackOnly),
      // Addresses are tried one at a time: a dead one should not hold up the relayed one behind it.
      addressDialTimeout: 3_000,
      dialTimeout: 20_000
    },
    services: {
      identify: identify(),
      // Tells connected peers when this node's protocols change: a peer that connected while Kith's
      // services were still registering learns of them (files use it, onFileServiceAppears).
      identifyPush: identifyPush(),
      ping: ping(),
      // Kith's records (the directory, `/kith/…`) are checked and chosen by Kith's own rules.
      dht: kadDHT({ protocol: DHT_PROTOCOL, clientMode: false, peerInfoMapper: passthroughMapper, allowQueryWithZeroPeers: false, ...directoryRecordRules(options.log !== undefined ? { log: options.log } : {}) }),
      relay: circuitRelayServer({
        reservations: {
          maxReservations: RELAY_MAX_RESERVATIONS,
          applyDefaultLimit: true,
          defaultDurationLimit: RELAY_DURATION_LIMIT_MS,
          defaultDataLimit: RELAY_DATA_LIMIT_BYTES
        }
      }),
      dcutr: dcutr(),
      autoNAT: autoNATv2()
    }
  })
  const refresh = (): void => { ownAddrs = node.getMultiaddrs().map((ma) => ma.toString()) }
  refresh()
  node.addEventListener('self:peer:update', refresh)
  return node
}
