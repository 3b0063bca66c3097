/**
 * The Node.js libp2p node: TCP and WebSockets, noise and yamux (with window updates at half use,
 * `yamux-window.ts`), Kith's Kademlia DHT in server mode, a circuit-relay server for browsers,
 * identify, ping, optional mDNS and bootstrap peers.
 * No public bootstrap list or STUN server is built in (DESIGN.md §4).
 */
import { bootstrap } from '@libp2p/bootstrap'
import { circuitRelayServer, type CircuitRelayService } from '@libp2p/circuit-relay-v2'
import { identify, type Identify } from '@libp2p/identify'
import type { PrivateKey, Libp2p } from '@libp2p/interface'
import { kadDHT, passthroughMapper, type KadDHT } from '@libp2p/kad-dht'
import { mdns } from '@libp2p/mdns'
import { noise } from '@libp2p/noise'
import { ping, type Ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p } from 'libp2p'
import { DHT_PROTOCOL } from './constants.ts'
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
}

/** The services a Kith node runs. */
export type KithServices = {
  dht: KadDHT
  ping: Ping
  identify: Identify
  relay: CircuitRelayService
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
  return await createLibp2p({
    privateKey: options.privateKey,
    addresses: { listen: [...options.listen] },
    transports: [tcp(), webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [kithYamux()],
    peerDiscovery,
    // Loopback and LAN addresses are legitimate for Kith; the default gater refuses them.
    connectionGater: { denyDialMultiaddr: () => false },
    connectionManager: { inboundConnectionThreshold: 100, maxConnections: 500 },
    services: {
      identify: identify(),
      ping: ping(),
      dht: kadDHT({ protocol: DHT_PROTOCOL, clientMode: false, peerInfoMapper: passthroughMapper, allowQueryWithZeroPeers: true }),
      relay: circuitRelayServer({ reservations: { maxReservations: 256 } })
    }
  })
}
