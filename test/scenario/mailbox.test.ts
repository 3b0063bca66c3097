/**
 * Offline delivery through mailboxes (issue 18): Alice and Bob are never online at the same time,
 * and Bob still gets Alice's message, from a mailbox node; a dead mailbox node loses nothing.
 */
import { describe, expect, it, vi } from 'vitest'
import type { KithNode, KithNodeConfig } from '../../src/node/kith-node.ts'
import { fromHex } from '../../src/core/bytes.ts'
import { lookupDirectoryRecord } from '../../src/net/dht-directory.ts'
import { parseInviteLink } from '../../src/core/identity/invite.ts'
import { addContact, eventually, logOf, tempDir, usePeers, waitForMessage } from './harness.ts'

const { peer, stop } = usePeers()

/** A node that keeps mailboxes for anyone: what `kith serve --mailbox-for-anyone` runs. */
async function mailboxNode (name: string, extra: Partial<KithNodeConfig> = {}): Promise<KithNode> {
  return await peer(name, undefined, { mailboxForAnyone: true, relayReservation: false, ...extra })
}

const tcpAddrs = (n: KithNode): string[] => n.bootstrapAddrs().filter((a) => a.includes('/tcp/') && !a.includes('/ws') && !a.includes('/p2p-circuit'))

/** Alice and Bob, contacts in a 1:1, each keeping mailboxes at `nodes`; returns once each knows the other's. */
async function chattingPair (nodes: KithNode[], dirs: { alice: string, bob: string }): Promise<{ alice: KithNode, bob: KithNode }> {
  const bootstrap = nodes.flatMap(tcpAddrs)
  const alice = await peer('alice', dirs.alice, { bootstrap, relayReservation: false })
  const bob = await peer('bob', dirs.bob, { bootstrap, relayReservation: false })
  await addContact(alice, bob, 'bob')
  await alice.messenger.send('bob', 'hello')
  const aliceAlias = (await bob.messenger.contacts())[0]?.alias
  await eventually([bob], async () => (await bob.messenger.contacts())[0]?.alias, 'Bob to know Alice')
  await waitForMessage(bob, aliceAlias ?? (await bob.messenger.contacts())[0]!.alias, 'hello')
  await eventually([alice], async () => (await alice.messenger.mailboxesOf(bob.libp2p.peerId.toString())).length === nodes.length, 'Alice to learn Bob\'s mailboxes')
  await eventually([bob], async () => (await bob.messenger.mailboxesOf(alice.libp2p.peerId.toString())).length === nodes.length, 'Bob to learn Alice\'s mailboxes')
  return { alice, bob }
}

async function stateOf (node: KithNode, target: string, text: string): Promise<string | undefined> {
  return (await node.messenger.messages(target)).find((m) => m.text === text)?.state
}

describe('offline delivery through mailboxes', () => {
  it('delivers to Bob a message Alice sent while he was offline, though Alice is offline when he returns', async () => {
    const m = await mailboxNode('mailbox')
    const dirs = { alice: tempDir('alice'), bob: tempDir('bob') }
    let { alice, bob } = await chattingPair([m], dirs)
    const aliceAlias = (await bob.messenger.contacts())[0]!.alias
    // Bob's directory record names his mailbox node (not its tokens, which travel only inside MLS).
    const bobIdentity = fromHex((await alice.messenger.contacts())[0]!.identity)
    const mailboxAddr = `${tcpAddrs(m)[0]!.split('/p2p/')[0]}/p2p/${m.libp2p.peerId.toString()}`
    await eventually([alice], async () => (await lookupDirectoryRecord(alice.libp2p.services.dht, bobIdentity))?.devices[0]?.mailboxes.includes(mailboxAddr), 'Bob\'s record to name his mailbox node')

    await stop(bob)
    await alice.messenger.send('bob', 'while you were away')
    // A mailbox holds it: the new delivery state between sent and delivered.
    await eventually([alice], async () => await stateOf(alice, 'bob', 'while you were away') === 'stored', 'the message to be stored')
    await stop(alice)

    bob = await peer('bob', dirs.bob, { bootstrap: tcpAddrs(m), relayReservation: false })
    const got = await waitForMessage(bob, aliceAlias, 'while you were away')
    expect(got.own).toBe(false)
    await eventually([bob], async () => (bob.mailboxStatus().own[0]?.depth === 0), 'Bob to empty his mailbox')
    expect(m.mailboxStatus().served.entries).toBe(0)

    // Once both are online again, Bob's device acknowledges the copy Alice kept queued: delivered.
    alice = await peer('alice', dirs.alice, { bootstrap: tcpAddrs(m), relayReservation: false })
    await eventually([alice], async () => await stateOf(alice, 'bob', 'while you were away') === 'delivered', 'the message to be delivered')
    expect((await bob.messenger.messages(aliceAlias)).filter((x) => x.text === 'while you were away')).toHaveLength(1)
  })

  it('leaves no TYPING in Bob\'s mailbox while he is offline, only the message typed', async () => {
    const m = await mailboxNode('mailbox')
    const { alice, bob } = await chattingPair([m], { alice: tempDir('alice'), bob: tempDir('bob') })
    await stop(bob)
    expect(await alice.messenger.typing('bob')).toBe(true)
    await alice.messenger.send('bob', 'typed while you were away')
    await eventually([alice], async () => await stateOf(alice, 'bob', 'typed while you were away') === 'stored', 'the message to be stored')
    // The TYPING went first, and would be stale by the time Bob fetched it: the courier skipped it.
    expect(m.mailboxStatus().served.entries).toBe(1)
  })

  it('leaves the INVITE of a call in Bob\'s mailbox while he is offline, but no SDP or candidate: each SDP replaces the last to his device and the candidates after it', async () => {
    const m = await mailboxNode('mailbox')
    const { alice, bob } = await chattingPair([m], { alice: tempDir('alice'), bob: tempDir('bob') })
    const bobDevice = bob.messenger.profile().peerId
    await stop(bob)
    const call = await alice.messenger.startCall('bob', { audio: true, video: true })
    await eventually([alice], async () => m.mailboxStatus().served.entries === 1, 'the INVITE to be deposited')
    const queued = async (): Promise<number> => (await alice.store.listOutbox(bobDevice, 0, 1000)).length
    const before = await queued()
    // An ICE restart's offers and their candidates, say, while Bob's device is gone: each offer
    // replaces the last one in the outbox, and the candidates sent after it.
    for (const n of [1, 2, 3]) {
      await alice.messenger.sendCallSignal(call.id, { type: 'sdp', toDevice: bobDevice, sdpType: 'offer', sdp: `v=0\r\no=- ${n} 2 IN IP4 127.0.0.1\r\n` })
      await alice.messenger.sendCallSignal(call.id, { type: 'ice', toDevice: bobDevice, candidate: `candidate:${n} 1 udp 2122260223 127.0.0.1 5000${n} typ host`, sdpMid: '0', sdpMLineIndex: 0 })
    }
    expect(await queued()).toBe(before + 2)
    await alice.messenger.send('bob', 'call me back')
    await eventually([alice], async () => await stateOf(alice, 'bob', 'call me back') === 'stored', 'the message to be stored')
    // The INVITE and the message; the SDPs and candidates would be stale by the time Bob fetched them.
    expect(m.mailboxStatus().served.entries).toBe(2)
  })

  it('loses nothing and duplicates nothing when one of Bob\'s two mailbox nodes dies', async () => {
    const m1 = await mailboxNode('mailbox-1')
    const m2 = await mailboxNode('mailbox-2')
    const dirs = { alice: tempDir('alice'), bob: tempDir('bob') }
    const pair = await chattingPair([m1, m2], dirs)
    const alice = pair.alice
    let bob = pair.bob
    const aliceAlias = (await bob.messenger.contacts())[0]!.alias
    expect(bob.mailboxStatus().own.map((s) => s.node).sort()).toEqual([m1, m2].map((n) => n.libp2p.peerId.toString()).sort())

    await stop(bob)
    const texts = ['one', 'two', 'three']
    for (const t of texts) await alice.messenger.send('bob', t)
    await eventually([alice], async () => {
      for (const t of texts) if (await stateOf(alice, 'bob', t) !== 'stored') return false
      return true
    }, 'all three to be stored')
    // Each mailbox holds a copy of every frame queued for Bob (the three, and any control frames).
    const held = m1.mailboxStatus().served.entries
    expect(held).toBeGreaterThanOrEqual(3)
    expect(m2.mailboxStatus().served.entries).toBe(held)
    await stop(alice)
    await stop(m1)

    bob = await peer('bob', dirs.bob, { bootstrap: tcpAddrs(m2), relayReservation: false })
    for (const t of texts) await waitForMessage(bob, aliceAlias, t)
    await eventually([bob], async () => m2.mailboxStatus().served.entries === 0, 'the live mailbox to be emptied')
    const received = (await bob.messenger.messages(aliceAlias)).filter((x) => !x.own).map((x) => x.text)
    expect(received).toEqual(['hello', ...texts])
    expect(logOf(bob)).toContain(`could not fetch from mailbox at ${m1.libp2p.peerId.toString()}`)
  })

  it('keeps what a full mailbox refused queued for Bob, and delivers it all once he is back', async () => {
    const m = await mailboxNode('mailbox', { mailboxQuotas: { entriesPerMailbox: 1 } })
    const dirs = { alice: tempDir('alice'), bob: tempDir('bob') }
    const pair = await chattingPair([m], dirs)
    const alice = pair.alice
    let bob = pair.bob
    const aliceAlias = (await bob.messenger.contacts())[0]!.alias

    await stop(bob)
    const texts = ['first', 'second', 'third']
    for (const t of texts) await alice.messenger.send('bob', t)
    await eventually([alice], async () => logOf(alice).includes('the recipient\'s mailbox is full'), 'the mailbox to refuse a deposit')
    const states = await Promise.all(texts.map(async (t) => await stateOf(alice, 'bob', t)))
    // One fits in the mailbox; the others wait on Alice's device, still queued for Bob.
    expect(states.filter((s) => s === 'stored').length).toBeLessThanOrEqual(1)
    expect(states.filter((s) => s === 'sending').length).toBeGreaterThanOrEqual(2)

    bob = await peer('bob', dirs.bob, { bootstrap: tcpAddrs(m), relayReservation: false })
    for (const t of texts) await waitForMessage(bob, aliceAlias, t)
    await eventually([alice], async () => {
      for (const t of texts) if (await stateOf(alice, 'bob', t) !== 'delivered') return false
      return true
    }, 'all three to be delivered')
    const received = (await bob.messenger.messages(aliceAlias)).filter((x) => !x.own).map((x) => x.text)
    expect(received).toEqual(['hello', ...texts])
  })

  it('first contact while Bob is offline: Alice adds him from his invite, and he gets the Welcome and her message on return', async () => {
    const m = await mailboxNode('mailbox')
    const bootstrap = tcpAddrs(m)
    const bobDir = tempDir('bob')
    let bob = await peer('bob', bobDir, { bootstrap, relayReservation: false })
    // Bob's record lists an intro mailbox: anyone who knows his account may leave a first message.
    const bobIdentity = fromHex(bob.messenger.identity)
    await eventually([bob], async () => ((await lookupDirectoryRecord(m.libp2p.services.dht, bobIdentity))?.devices[0]?.introMailboxes?.length ?? 0) > 0, 'Bob\'s record to list an intro mailbox')
    const link = bob.messenger.inviteLink()
    await stop(bob)

    const alice = await peer('alice', tempDir('alice'), { bootstrap, relayReservation: false })
    await alice.messenger.addContact(await parseInviteLink(link), 'bob')
    await alice.messenger.send('bob', 'hello while you are away')
    // The 1:1 is made with a KeyPackage from Bob's record, and the Welcome and message wait in his intro mailbox.
    await eventually([alice], async () => await stateOf(alice, 'bob', 'hello while you are away') === 'stored', 'the first message to be stored')
    expect(logOf(alice)).toContain('using a published KeyPackage of')
    await stop(alice)

    bob = await peer('bob', bobDir, { bootstrap, relayReservation: false })
    const aliceAlias = await eventually([bob], async () => (await bob.messenger.contacts())[0]?.alias, 'Bob to know Alice')
    const got = await waitForMessage(bob, aliceAlias, 'hello while you are away')
    expect(got.own).toBe(false)
  })
  it('two people add Bob with the same published KeyPackage while he is offline, and he joins both', async () => {
    const m = await mailboxNode('mailbox')
    const bootstrap = tcpAddrs(m)
    const bobDir = tempDir('bob')
    let bob = await peer('bob', bobDir, { bootstrap, relayReservation: false })
    const bobIdentity = fromHex(bob.messenger.identity)
    await eventually([bob], async () => ((await lookupDirectoryRecord(m.libp2p.services.dht, bobIdentity))?.devices[0]?.introMailboxes?.length ?? 0) > 0, 'Bob\'s record to list an intro mailbox')
    const link = bob.messenger.inviteLink()
    await stop(bob)

    const alice = await peer('alice', tempDir('alice'), { bootstrap, relayReservation: false })
    const carol = await peer('carol', tempDir('carol'), { bootstrap, relayReservation: false })
    // Both pick the first one-time KeyPackage of the record (the 1:1 is set up in the background,
    // so until both messages are stored): the race two strangers can run into.
    const random = vi.spyOn(Math, 'random').mockReturnValue(0)
    try {
      await Promise.all([alice.messenger.addContact(await parseInviteLink(link), 'bob'), carol.messenger.addContact(await parseInviteLink(link), 'bob')])
      await alice.messenger.send('bob', 'hello from Alice')
      await carol.messenger.send('bob', 'hello from Carol')
      await eventually([alice], async () => await stateOf(alice, 'bob', 'hello from Alice') === 'stored', 'Alice\'s message to be stored')
      await eventually([carol], async () => await stateOf(carol, 'bob', 'hello from Carol') === 'stored', 'Carol\'s message to be stored')
    } finally {
      random.mockRestore()
    }
    await stop(alice)
    await stop(carol)

    bob = await peer('bob', bobDir, { bootstrap, relayReservation: false })
    const contacts = await eventually([bob], async () => {
      const list = await bob.messenger.contacts()
      return list.length === 2 ? list : undefined
    }, 'Bob to know Alice and Carol')
    const byName = new Map(contacts.map((c) => [c.displayName, c.alias]))
    expect((await waitForMessage(bob, byName.get('alice')!, 'hello from Alice')).own).toBe(false)
    expect((await waitForMessage(bob, byName.get('carol')!, 'hello from Carol')).own).toBe(false)
    expect(logOf(bob)).not.toContain('not addressed to any key package')
    // Having joined both with one KeyPackage, Bob replaced his leaf key in each (an update commit).
    await eventually([bob], async () => (await bob.messenger.conversations()).every((c) => c.epoch >= 2), 'Bob to update his keys in both 1:1s')
  })
  it('keeps its second mailbox at a node for anyone that it finds only through the DHT', async () => {
    const first = await mailboxNode('mailbox-a')
    // Not in Bob's configuration: it announces itself in the DHT as a mailbox node for anyone.
    const second = await mailboxNode('mailbox-b', { bootstrap: tcpAddrs(first) })
    await eventually([second], async () => logOf(second).includes('announced in the DHT as a mailbox node for anyone'), 'the second node to announce itself')
    const bob = await peer('bob', tempDir('bob'), { bootstrap: tcpAddrs(first), relayReservation: false })
    const own = await eventually([bob, second], async () => {
      const list = await bob.messenger.ownMailboxes()
      return list.length === 2 ? list : undefined
    }, 'Bob to keep two mailboxes', 40_000)
    expect(new Set(own.map((m) => m.node))).toEqual(new Set([first.libp2p.peerId.toString(), second.libp2p.peerId.toString()]))
  })
})
