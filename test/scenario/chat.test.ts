/**
 * Alice, Bob and Carol as real peers on loopback: 1:1 chat, a group with add and remove, a restart
 * with a message pending, and an offline peer that gets its messages when it returns.
 */
import { describe, expect, it } from 'vitest'
import { addContact, eventually, tempDir, usePeers, waitForMessage } from './harness.ts'

const { peer, stop } = usePeers()

describe('1:1 chat', () => {
  it('Alice and Bob chat both ways, see delivery, and share one safety number', async () => {
    const alice = await peer('Alice')
    const bob = await peer('Bob')
    const aliceSide = await addContact(alice, bob, 'bob')

    const sent = await alice.messenger.send('bob', 'hello Bob')
    expect(sent.state === 'sending' || sent.state === 'pending').toBe(true)

    // Bob never added Alice: the welcome made her a contact, named from her certificate.
    const received = await waitForMessage(bob, 'alice', 'hello Bob')
    expect(received.senderName).toBe('alice')
    expect(received.own).toBe(false)
    expect((await bob.messenger.safetyNumber('alice')).safetyNumber).toBe(aliceSide)

    await bob.messenger.send('alice', 'hi Alice')
    await waitForMessage(alice, 'bob', 'hi Alice')
    await eventually([alice], async () => (await alice.messenger.messages('bob')).find((m) => m.own)?.state === 'delivered', 'delivered state')

    const history = await alice.messenger.messages('bob')
    expect(history.map((m) => m.text)).toEqual(['hello Bob', 'hi Alice'])
    expect(await alice.messenger.conversations()).toHaveLength(1)
  })

  it('two people who add each other at once end up with one conversation', async () => {
    const alice = await peer('Alice')
    const bob = await peer('Bob')
    await Promise.all([addContact(alice, bob, 'bob'), addContact(bob, alice, 'alice')])
    await Promise.all([alice.messenger.send('bob', 'from alice'), bob.messenger.send('alice', 'from bob')])
    await waitForMessage(bob, 'alice', 'from alice')
    await waitForMessage(alice, 'bob', 'from bob')
    const a = await alice.messenger.conversations()
    const b = await bob.messenger.conversations()
    expect(a).toHaveLength(1)
    expect(b).toHaveLength(1)
    expect(a[0]!.id).toBe(b[0]!.id)
    await eventually([alice, bob], async () => {
      const [ca] = await alice.messenger.conversations()
      const [cb] = await bob.messenger.conversations()
      return ca?.epoch === cb?.epoch && ca!.members.length === 2 && cb!.members.length === 2
    }, 'both sides on one group state')
    expect((await alice.messenger.messages('bob')).map((m) => m.text).sort()).toEqual(['from alice', 'from bob'])
  })
})

describe('group chat', () => {
  it('adds and removes members; a removed member cannot decrypt what follows', async () => {
    const alice = await peer('Alice')
    const bob = await peer('Bob')
    const carolDir = tempDir('carol')
    const carol = await peer('Carol', carolDir)
    await addContact(alice, bob, 'bob')
    await addContact(alice, carol, 'carol')

    await alice.messenger.createGroup('friends')
    await alice.messenger.addMember('friends', 'bob')
    await alice.messenger.addMember('friends', 'carol')
    await alice.messenger.send('friends', 'welcome both')
    await waitForMessage(bob, 'friends', 'welcome both')
    await waitForMessage(carol, 'friends', 'welcome both')

    // Carol and Bob were never introduced; the commit's hints let them reach each other.
    await carol.messenger.send('friends', 'hi from carol')
    await waitForMessage(bob, 'friends', 'hi from carol')
    await waitForMessage(alice, 'friends', 'hi from carol')

    await alice.messenger.removeMember('friends', 'carol')
    await eventually([carol], async () => (await carol.messenger.conversation('friends')).active === false, 'carol to learn she was removed')
    await eventually([bob], async () => (await bob.messenger.conversation('friends')).members.length === 2, 'bob to apply the removal')

    // Capture what Bob sends after the removal while Alice is away, then show it to Carol.
    await stop(alice)
    await bob.messenger.send('friends', 'carol must not read this')
    const frames = await bob.store.listOutbox(alice.libp2p.peerId.toString(), 0, 10)
    expect(frames.length).toBeGreaterThan(0)
    const { Deliver } = await import('../../src/core/codec/envelope.ts')
    for (const f of frames) {
      expect(await carol.messenger.receive(bob.libp2p.peerId.toString(), Deliver.decode(f.frame))).toBe('rejected')
    }
    expect((await carol.messenger.messages('friends')).map((m) => m.text)).not.toContain('carol must not read this')
    await expect(carol.messenger.send('friends', 'still here?')).rejects.toThrow(/no longer a member/)
  })
})

describe('durability and retries', () => {
  it('a message pending at a restart is delivered after it', async () => {
    const aliceDir = tempDir('alice')
    const bobDir = tempDir('bob')
    let alice = await peer('Alice', aliceDir)
    let bob = await peer('Bob', bobDir)
    await addContact(alice, bob, 'bob')
    await alice.messenger.send('bob', 'first')
    await waitForMessage(bob, 'alice', 'first')

    await stop(bob)
    const pending = await alice.messenger.send('bob', 'sent while bob is away')
    expect(pending.state).toBe('sending')
    await stop(alice)

    alice = await peer('Alice', aliceDir)
    expect((await alice.messenger.messages('bob')).find((m) => m.text === 'sent while bob is away')?.state).toBe('sending')
    bob = await peer('Bob', bobDir)
    await waitForMessage(bob, 'alice', 'sent while bob is away')
    await eventually([alice], async () => (await alice.messenger.messages('bob')).every((m) => m.state === 'delivered'), 'delivery receipts')
    expect((await bob.messenger.messages('alice')).map((m) => m.text)).toEqual(['first', 'sent while bob is away'])
  })

  it('an offline peer receives its queued messages in order when it comes back', async () => {
    const bobDir = tempDir('bob')
    const alice = await peer('Alice')
    let bob = await peer('Bob', bobDir)
    await addContact(alice, bob, 'bob')
    await alice.messenger.send('bob', 'm0')
    await waitForMessage(bob, 'alice', 'm0')

    await stop(bob)
    for (let i = 1; i <= 5; i++) await alice.messenger.send('bob', `m${i}`)
    bob = await peer('Bob', bobDir)
    await waitForMessage(bob, 'alice', 'm5')
    const texts = (await bob.messenger.messages('alice')).map((m) => m.text)
    expect(texts).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5'])
    expect((await bob.messenger.messages('alice')).some((m) => m.gapBefore)).toBe(false)
  })
})
