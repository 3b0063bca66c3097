/**
 * Many light Kith DHT nodes in one process, for the directory's scale test and benchmark: libp2p
 * with TCP, noise, yamux, identify and Kith's kad-dht (protocol, validator and selector as in
 * `src/net/node.ts`), on loopback, without the messenger, relays or WebRTC that a full node adds.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import type { Libp2p } from '@libp2p/interface'
import { kadDHT, passthroughMapper, type KadDHT } from '@libp2p/kad-dht'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { randomBytes } from '../../../src/core/bytes.ts'
import type { DirectoryDevice } from '../../../src/core/directory/record.ts'
import { encodeDeviceCertificate, issueDeviceCertificate } from '../../../src/core/identity/device-certificate.ts'
import { generateSigningKey, type SigningKeyPair } from '../../../src/core/identity/identity-key.ts'
import { DHT_PROTOCOL } from '../../../src/net/constants.ts'
import { buildDirectoryRecord } from '../../../src/core/directory/build.ts'
import { DirectoryPublisher, directoryRecordRules, type DirectoryPublisherOptions } from '../../../src/net/dht-directory.ts'
import { dhtDirectory } from '../../../src/net/directory-access.ts'
import { kithYamux } from '../../../src/net/yamux-window.ts'

/** A light node: libp2p plus Kith's DHT. */
export type DhtNode = Libp2p<{ dht: KadDHT, identify: unknown, ping: unknown }>

/** Starts one light node on a free loopback port; `log` receives the validator's refusals. */
export async function startDhtNode (log?: (line: string) => void): Promise<DhtNode> {
  return await createLibp2p({
    privateKey: await generateKeyPair('Ed25519'),
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [kithYamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    // Generous handshake timeouts: a hundred nodes share two loaded cores.
    connectionManager: { inboundConnectionThreshold: 10_000, maxConnections: 1_000, maxIncomingPendingConnections: 1_000, dialTimeout: 30_000, inboundUpgradeTimeout: 30_000 },
    services: {
      identify: identify(),
      ping: ping(),
      dht: kadDHT({ protocol: DHT_PROTOCOL, clientMode: false, peerInfoMapper: passthroughMapper, allowQueryWithZeroPeers: false, ...directoryRecordRules(log !== undefined ? { log } : {}) })
    }
  })
}

/**
 * Starts `count` light nodes; each new node dials `links` nodes started before it, and the
 * promise resolves once every node has at least `links` peers in its routing table.
 */
export async function startSwarm (count: number, links = 3, log?: (line: string) => void): Promise<DhtNode[]> {
  const nodes = await Promise.all(Array.from({ length: count }, async () => await startDhtNode(log)))
  // A few joins at a time: on a loaded 2-core machine, a hundred handshakes at once time out.
  let next = 1
  const join = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) {
      const targets = new Set<number>()
      while (targets.size < Math.min(links, i)) targets.add(Math.floor(Math.random() * i))
      for (const t of targets) await dialWithRetry(nodes[i]!, nodes[t]!)
    }
  }
  await Promise.all(Array.from({ length: 8 }, join))
  await Promise.all(nodes.map(async (n) => await untilRoutingTable(n, Math.min(links, count - 1))))
  return nodes
}

/** Dials `to`, trying again (three times in all) if the handshake times out under load. */
async function dialWithRetry (from: DhtNode, to: DhtNode): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await from.dial(to.getMultiaddrs())
      return
    } catch (err) {
      if (attempt === 3) throw err
    }
  }
}

/** Resolves once `node`'s routing table holds at least `size` peers (peers join as identify completes). */
export async function untilRoutingTable (node: DhtNode, size: number): Promise<void> {
  const table = (node.services.dht as unknown as { routingTable: { size: number, addEventListener: (e: string, f: () => void) => void, removeEventListener: (e: string, f: () => void) => void } }).routingTable
  if (table.size >= size) return
  await new Promise<void>((resolve) => {
    const check = (): void => {
      if (table.size < size) return
      table.removeEventListener('peer:add', check)
      resolve()
    }
    table.addEventListener('peer:add', check)
  })
}

/** An account with one device, as a directory record lists it. */
export interface TestAccount {
  readonly identity: SigningKeyPair
  readonly device: DirectoryDevice
  readonly peerId: string
}

/** A fresh account whose one device is `peerId` (any libp2p peer id) listening on `addrs`. */
export async function testAccount (peerIdBytes: Uint8Array, peerId: string, addrs: string[]): Promise<TestAccount> {
  const identity = await generateSigningKey()
  const cert = await issueDeviceCertificate(identity, { peerId: peerIdBytes, mlsSignatureKey: (await generateSigningKey()).publicKey, displayName: 'Test', createdAt: Date.now() })
  return { identity, peerId, device: { certificate: encodeDeviceCertificate(cert), addrs, mailboxes: [], keyPackages: [randomBytes(200)], lastResortKeyPackage: randomBytes(200) } }
}

/** A publisher of `account`'s record from `node`, through its DHT, with seqs from `nextSeq`. */
export function testPublisher (node: DhtNode, account: TestAccount, nextSeq: () => number, options: Partial<DirectoryPublisherOptions> = {}): DirectoryPublisher {
  return new DirectoryPublisher(node, dhtDirectory(node.services.dht), {
    sign: async (issuedAt, lifetimeMs) => {
      const { encoded, record } = await buildDirectoryRecord(account.identity, { seq: nextSeq(), issuedAt, lifetimeMs, devices: [account.device] })
      return { encoded, seq: record.seq, expiresAt: record.expiresAt }
    },
    log: () => {},
    ...options
  })
}
