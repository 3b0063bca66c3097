import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { createLibp2p } from 'libp2p'
import { describe, expect, it } from 'vitest'
import { storePeerAddresses } from '../../../src/net/peer-addresses.ts'


describe('storePeerAddresses', () => {
  it('merges new addresses with the known ones, and replace drops the known ones', async () => {
    // A node that is never started: only its peer store is used.
    const node = await createLibp2p({})
    const store = node.peerStore
    const other = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    await storePeerAddresses({ peerStore: store }, other, ['/ip4/127.0.0.1/tcp/4001'], 'merge')
    await storePeerAddresses({ peerStore: store }, other, ['/ip4/127.0.0.1/tcp/4002', 'not an address'], 'merge')
    const addrs = async (): Promise<string[]> => (await store.get(peerIdFromString(other))).addresses.map((a) => a.multiaddr.toString()).sort()
    expect(await addrs()).toEqual(['/ip4/127.0.0.1/tcp/4001', '/ip4/127.0.0.1/tcp/4002'])
    await storePeerAddresses({ peerStore: store }, other, ['/ip4/10.0.0.9/tcp/4003'], 'replace')
    expect(await addrs()).toEqual(['/ip4/10.0.0.9/tcp/4003'])
    // Nothing parsable: what is known stays.
    await storePeerAddresses({ peerStore: store }, other, ['garbage'], 'replace')
    expect(await addrs()).toEqual(['/ip4/10.0.0.9/tcp/4003'])
  })
})
