/**
 * Issue 18, the directory: Bob restarts on a new port while Alice is away; Alice comes back knowing
 * only his old address, and her message reaches him through his record in the Kith DHT. A record
 * forged for Bob's key is refused by the nodes Mallory puts it to.
 */
import type { ConnectionGater } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { directoryKey } from '../../src/core/directory/directory-key.ts'
import { decodeDirectoryRecord, encodeDirectoryRecord } from '../../src/core/directory/record.ts'
import { fromHex } from '../../src/core/bytes.ts'
import type { KithNode, KithNodeConfig } from '../../src/node/kith-node.ts'
import { addContact, eventually, logOf, tempDir, usePeers, waitForMessage } from './harness.ts'

const { peer, stop } = usePeers()

const directory = { debounceMs: 50, retry: { initialMs: 100, maxMs: 500 }, lookupIntervalMs: 200 }

/** Resolves once `node`'s record with a seq above `after` is stored on a DHT peer; returns its seq. */
async function published (node: KithNode, after = 0): Promise<number> {
  return await eventually([node], async () => {
    const seq = node.directory().record?.seq ?? 0
    return seq > after ? seq : undefined
  }, `${node.libp2p.peerId} to publish its directory record`)
}

function tcpPortOf (node: KithNode): string {
  return node.libp2p.getMultiaddrs().map((m) => m.toString()).find((a) => /\/tcp\/\d+\/p2p\//.test(a) && !a.includes('/ws'))!.match(/\/tcp\/(\d+)/)![1]!
}

describe('directory', () => {
  it('Alice reaches Bob through the DHT after he restarted on a new port; a forged record for him is refused', async () => {
    const boot = await peer('Boot', tempDir('boot'), { directory })
    const bootstrap = boot.bootstrapAddrs().filter((a) => !a.includes('/p2p-circuit') && !a.includes('/webrtc'))
    // No mailboxes: frames Bob left in Alice's mailbox would carry his new address to her, and this
    // test is about finding him through the DHT alone (test/scenario/mailbox.test.ts covers those).
    const config: KithNodeConfig = { bootstrap, directory, mailboxes: [] }
    const aliceDir = tempDir('alice')
    const bobDir = tempDir('bob')
    let alice = await peer('Alice', aliceDir, config)
    let bob = await peer('Bob', bobDir, config)
    await addContact(alice, bob, 'bob')
    await alice.messenger.send('bob', 'before the move')
    await waitForMessage(bob, 'alice', 'before the move')
    const firstSeq = await published(bob)
    expect(bob.directory().routingTable).toBeGreaterThan(0)
    const oldPort = tcpPortOf(bob)

    // Both go away; Bob comes back on new ports, while Alice is still away (so he cannot greet her).
    await stop(alice)
    await stop(bob)
    bob = await peer('Bob', bobDir, { ...config, tcpPort: 0, wsPort: 0, webrtcPort: 0 })
    expect(tcpPortOf(bob)).not.toBe(oldPort)
    const movedSeq = await published(bob, firstSeq)

    // Mallory points Bob's record at herself with a higher seq, keeping Bob's signature.
    const mallory = await peer('Mallory', tempDir('mallory'), config)
    const key = directoryKey(fromHex(bob.messenger.identity))
    const record = decodeDirectoryRecord(await lookupBytes(mallory, key))
    const forged = encodeDirectoryRecord({ ...record, seq: record.seq + 1000, devices: [{ ...record.devices[0]!, addrs: ['/ip4/127.0.0.1/tcp/9'] }] })
    let acknowledged = 0
    for await (const e of mallory.libp2p.services.dht.put(key, forged)) if (e.name === 'PEER_RESPONSE' && e.messageName === 'PUT_VALUE') acknowledged++
    expect(acknowledged).toBe(0)
    expect(logOf(boot)).toMatch(/directory record of account [0-9a-f]{16}… refused: record: signature does not verify/)
    await stop(mallory)

    // Alice returns, on new ports of her own, knowing only Bob's old address. On a DHT of four
    // nodes every routing reply names every node and Bob's DHT queries reach every node, so she would
    // learn his new address by chance, as she would not in a large DHT. So she drops routing hints
    // about Bob and refuses his connections, and only his directory record can tell her where he
    // is; she joins the DHT only once that is in place.
    alice = await peer('Alice', aliceDir, { directory, mailboxes: [], tcpPort: 0, wsPort: 0, webrtcPort: 0 })
    const peerStore = alice.libp2p.peerStore
    const merge = peerStore.merge.bind(peerStore)
    peerStore.merge = async (id, data, options) => await merge(id, id.equals(bob.libp2p.peerId) ? { ...data, multiaddrs: [] } : data, options)
    const gater = (alice.libp2p as unknown as { components: { connectionGater: ConnectionGater } }).components.connectionGater
    gater.denyInboundEncryptedConnection = (id) => id.equals(bob.libp2p.peerId)
    await alice.libp2p.dial(bootstrap.map((a) => multiaddr(a)))
    await eventually([alice], async () => alice.directory().routingTable > 0, 'Alice to join the DHT')
    expect((await peerStore.get(bob.libp2p.peerId)).addresses.map((a) => a.multiaddr.toString())).not.toContain(`/ip4/127.0.0.1/tcp/${tcpPortOf(bob)}`)
    await alice.messenger.send('bob', 'after the move')
    await waitForMessage(bob, 'alice', 'after the move')
    const lookup = logOf(alice).match(new RegExp(`directory: record seq (\\d+) of ${bob.libp2p.peerId.toString()} lists [1-9]\\d* address`))
    expect(lookup).not.toBeNull()
    expect(Number(lookup![1])).toBeGreaterThanOrEqual(movedSeq)
    const known = (await alice.libp2p.peerStore.get(bob.libp2p.peerId)).addresses.map((a) => a.multiaddr.toString())
    expect(known).toContain(`/ip4/127.0.0.1/tcp/${tcpPortOf(bob)}`)
  })
})

/** The raw value of the best record a node's DHT finds under `key`. */
async function lookupBytes (node: KithNode, key: Uint8Array): Promise<Uint8Array> {
  let value: Uint8Array | undefined
  for await (const e of node.libp2p.services.dht.get(key)) if (e.name === 'VALUE') value = e.value
  if (value === undefined) throw new Error('no record found')
  return value
}
