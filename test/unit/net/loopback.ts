/**
 * Real Kith libp2p nodes on loopback for the network-layer tests, each with a fresh key, and
 * stopped together when the test ends.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Stream } from '@libp2p/interface'
import { createKithNode, type KithLibp2p } from '../../../src/net/node.ts'

/** The nodes one test started. */
export class LoopbackPeers {
  private readonly nodes: KithLibp2p[] = []

  /** Starts a node listening on a free loopback TCP port. */
  async node (): Promise<KithLibp2p> {
    const n = await createKithNode({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'] })
    this.nodes.push(n)
    return n
  }

  /** Two new nodes and one `protocol` stream between them: the dialer's end and the listener's. */
  async streamPair (protocol: string): Promise<{ dialer: Stream, listener: Stream }> {
    const [a, b] = [await this.node(), await this.node()]
    const accepted = new Promise<Stream>((resolve) => { void b.handle(protocol, (stream) => { resolve(stream) }) })
    const dialer = await a.dialProtocol(b.getMultiaddrs(), protocol)
    return { dialer, listener: await accepted }
  }

  /** Stops every node started so far. */
  async stop (): Promise<void> {
    for (const n of this.nodes.splice(0)) await n.stop()
  }
}
