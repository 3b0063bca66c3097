/**
 * Adding a group member survives a dropped connection during the KeyPackage fetch (issue 21,
 * item 13): it retries with the 1:1's backoff and fails, naming the cause, only once every attempt
 * failed. The fault is injected at the transport, where a reset connection surfaces.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { PeerError } from '../../src/core/errors.ts'
import { Libp2pTransport } from '../../src/net/kith-transport.ts'
import { addContact, eventually, logOf, usePeers } from './harness.ts'

const { peer } = usePeers()
afterEach(() => { vi.restoreAllMocks() })

describe('adding a group member', () => {
  it('retries the KeyPackage fetch after a connection reset, and the member joins', async () => {
    const alice = await peer('Alice')
    const bob = await peer('Bob')
    const carol = await peer('Carol')
    await addContact(alice, bob, 'bob')
    await addContact(alice, carol, 'carol')
    await alice.messenger.createGroup('Picnic')
    await alice.messenger.addMember('Picnic', 'bob')
    // The 1:1s are set up in the background with fetches of their own: let them finish first.
    await eventually([carol], async () => (await carol.messenger.conversations()).length > 0, 'the 1:1 with Carol')
    const fetch = vi.spyOn(Libp2pTransport.prototype, 'fetchKeyPackage')
      .mockRejectedValueOnce(new PeerError('could not get a key package: Unexpected EOF'))
    const view = await alice.messenger.addMember('Picnic', 'carol')
    expect(fetch.mock.calls.length).toBeGreaterThanOrEqual(2)
    expect(view.members.map((m) => m.name)).toEqual(expect.arrayContaining(['carol']))
    expect(logOf(alice)).toMatch(/failed \(attempt 1 of 4\), retrying: could not get a key package: Unexpected EOF/)
    await eventually([carol], async () => (await carol.messenger.conversations()).some((c) => c.name === 'Picnic'), 'Carol joins Picnic')
  })

  it('fails with the cause once every attempt has failed', async () => {
    const alice = await peer('Alice')
    const bob = await peer('Bob')
    await addContact(alice, bob, 'bob')
    await alice.messenger.createGroup('Hike')
    await eventually([bob], async () => (await bob.messenger.conversations()).length > 0, 'the 1:1 with Bob')
    const fetch = vi.spyOn(Libp2pTransport.prototype, 'fetchKeyPackage').mockRejectedValue(new PeerError('could not get a key package: connection reset'))
    await expect(alice.messenger.addMember('Hike', 'bob')).rejects.toThrow(/connection reset/)
    expect(fetch).toHaveBeenCalledTimes(4)
  })
})
