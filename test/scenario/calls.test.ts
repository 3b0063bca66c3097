/**
 * Call signalling between real peers on loopback: Alice calls Bob, who answers, exchanges SDP
 * through MLS and hangs up; a declined call; a group call where a signal naming a device outside
 * the group is dropped; a device that vanishes without hanging up, dropped once its ALIVEs stop;
 * and the one history entry each call leaves on each side.
 */
import { describe, expect, it } from 'vitest'
import type { CallSignalOut, CallView, MessengerEvent } from '../../src/core/messenger/messenger.ts'
import type { KithNode, KithNodeConfig } from '../../src/node/kith-node.ts'
import { addContact, eventually, tempDir, usePeers, waitForMessage } from './harness.ts'

const { peer, stop } = usePeers()

/** Collects a peer's call events from now on. */
function callEvents (node: KithNode): { calls: CallView[], signals: CallSignalOut[] } {
  const out = { calls: [] as CallView[], signals: [] as CallSignalOut[] }
  node.messenger.subscribe((e: MessengerEvent) => {
    if (e.type === 'call') out.calls.push(e.call)
    if (e.type === 'call-signal') out.signals.push(e.signal)
  })
  return out
}

/** Alice, Bob and Carol in the group "friends", each having read Alice's first message there. */
async function friends (config: { all?: KithNodeConfig, carol?: KithNodeConfig } = {}): Promise<{ alice: KithNode, bob: KithNode, carol: KithNode }> {
  const alice = await peer('Alice', undefined, config.all)
  const bob = await peer('Bob', undefined, config.all)
  const carol = await peer('Carol', undefined, { ...config.all, ...config.carol })
  await addContact(alice, bob, 'bob')
  await addContact(alice, carol, 'carol')
  await alice.messenger.createGroup('friends')
  await alice.messenger.addMember('friends', 'bob')
  await alice.messenger.addMember('friends', 'carol')
  await alice.messenger.send('friends', 'call now')
  await waitForMessage(bob, 'friends', 'call now')
  await waitForMessage(carol, 'friends', 'call now')
  return { alice, bob, carol }
}

async function pair (bobDir?: string): Promise<{ alice: KithNode, bob: KithNode }> {
  const alice = await peer('Alice')
  const bob = await peer('Bob', bobDir)
  await addContact(alice, bob, 'bob')
  await alice.messenger.send('bob', 'hi')
  await waitForMessage(bob, 'alice', 'hi')
  return { alice, bob }
}

describe('calls', () => {
  it('Bob answers Alice\'s video call, SDP reaches the named device, and both record one answered call', async () => {
    const { alice, bob } = await pair()
    const atBob = callEvents(bob)
    const atAlice = callEvents(alice)
    const started = await alice.messenger.startCall('bob', { audio: true, video: true })
    expect(started.phase).toBe('calling')

    const ringing = await eventually([bob], async () => atBob.calls.find((c) => c.id === started.id && c.phase === 'ringing'), 'Bob\'s phone to ring')
    expect(ringing).toMatchObject({ direction: 'incoming', media: { audio: true, video: true }, caller: { name: 'alice' } })
    expect((await bob.messenger.activeCalls()).map((c) => c.id)).toEqual([started.id])

    await bob.messenger.answerCall(started.id, { audio: true, video: false })
    await eventually([alice], async () => atAlice.calls.find((c) => c.id === started.id && c.phase === 'joined'), 'Alice to see Bob join')
    const bobDevice = bob.messenger.profile().peerId
    await alice.messenger.sendCallSignal(started.id, { type: 'sdp', toDevice: bobDevice, sdpType: 'offer', sdp: 'v=0\r\ns=kith\r\n' })
    const offer = await eventually([bob], async () => atBob.signals.find((s) => s.type === 'sdp'), 'the offer at Bob')
    expect(offer).toMatchObject({ type: 'sdp', sdpType: 'offer', sdp: 'v=0\r\ns=kith\r\n', toDevice: bobDevice, callId: started.id })

    await bob.messenger.hangUp(started.id)
    for (const [node, direction] of [[alice, 'outgoing'], [bob, 'incoming']] as const) {
      const history = await eventually([node], async () => {
        const h = await node.messenger.callHistory()
        return h.length > 0 ? h : undefined
      }, 'the call in history')
      expect(history).toHaveLength(1)
      expect(history[0]).toMatchObject({ id: started.id, outcome: 'answered', direction, video: true })
      expect(await node.messenger.activeCalls()).toEqual([])
    }
    // The timeline shows it as a line, like a notice.
    const line = (await bob.messenger.messages('alice')).find((m) => m.notice?.type === 'call')
    expect(line?.text).toMatch(/^Video call from alice · \d+:\d\d$/)
    // An ended call cannot be hung up again.
    await expect(alice.messenger.hangUp(started.id)).rejects.toThrow(/no call/)
  })

  it('an INVITE carries the caller\'s early offer: Bob\'s ringing call shows the one for his device until he answers; an offer for a device outside the conversation is refused', async () => {
    const { alice, bob } = await pair()
    const atBob = callEvents(bob)
    const bobDevice = bob.messenger.profile().peerId
    await expect(alice.messenger.startCall('bob', { audio: true, video: true }, [{ toDevice: alice.messenger.profile().peerId, sdp: 'v=0\r\n' }]))
      .rejects.toThrow(/not another device of the conversation/)
    await expect(alice.messenger.startCall('bob', { audio: true, video: true }, [{ toDevice: bobDevice, sdp: 'hello' }])).rejects.toThrow(/v=0/)
    const offer = 'v=0\r\ns=early\r\n'
    const started = await alice.messenger.startCall('bob', { audio: true, video: true }, [{ toDevice: bobDevice, sdp: offer }])
    const ringing = await eventually([bob], async () => atBob.calls.find((c) => c.id === started.id && c.phase === 'ringing'), 'Bob\'s phone to ring')
    expect(ringing.offer).toBe(offer)
    expect(started.offer).toBeUndefined()
    await bob.messenger.answerCall(started.id, { audio: true, video: true })
    const joined = await eventually([bob], async () => atBob.calls.find((c) => c.id === started.id && c.phase === 'joined'), 'Bob in the call')
    expect(joined.offer).toBeUndefined()
    await bob.messenger.hangUp(started.id)
  })

  it('a declined call is recorded as declined on both sides, and is then over on both', async () => {
    const { alice, bob } = await pair()
    const atBob = callEvents(bob)
    const started = await alice.messenger.startCall('bob', { audio: true, video: false })
    await eventually([bob], async () => atBob.calls.find((c) => c.phase === 'ringing'), 'ringing')
    await bob.messenger.declineCall(started.id)
    const aliceHistory = await eventually([alice], async () => (await alice.messenger.callHistory('bob'))[0], 'declined at Alice')
    expect(aliceHistory).toMatchObject({ outcome: 'declined', direction: 'outgoing', video: false, text: 'Voice call declined' })
    expect((await bob.messenger.callHistory('alice'))[0]).toMatchObject({ outcome: 'declined', direction: 'incoming', text: 'Voice call from alice declined' })
    // Alice, whom everyone declined, stops the call: Bob has nothing left to join.
    await eventually([bob], async () => (await bob.messenger.activeCalls()).length === 0, 'the declined call over at Bob')
  })

  it('a caller who gives up leaves a missed call; a signal naming a device outside the group is dropped and counted', async () => {
    const { alice, bob, carol } = await friends()
    const outsider = await peer('Dave')
    const atBob = callEvents(bob)
    const atCarol = callEvents(carol)

    const started = await alice.messenger.startCall('friends', { audio: true, video: true })
    await eventually([carol], async () => atCarol.calls.find((c) => c.phase === 'ringing'), 'Carol ringing')
    await eventually([bob], async () => atBob.calls.find((c) => c.phase === 'ringing'), 'Bob ringing')
    await carol.messenger.answerCall(started.id, { audio: true, video: true })
    // Bob sees Carol join while his phone still rings.
    await eventually([bob], async () => atBob.calls.find((c) => c.participants.length === 2), 'Bob to see Carol join')

    await alice.messenger.sendCallSignal(started.id, { type: 'ice', toDevice: outsider.messenger.profile().peerId, candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 })
    await eventually([bob], async () => (await bob.messenger.callDrops()).unknownDevice === 1, 'the bad signal dropped at Bob')
    expect(atBob.signals.some((s) => s.type === 'ice')).toBe(false)

    await alice.messenger.hangUp(started.id)
    await carol.messenger.hangUp(started.id)
    const missed = await eventually([bob], async () => (await bob.messenger.callHistory('friends'))[0], 'Bob\'s missed call')
    expect(missed).toMatchObject({ outcome: 'missed', direction: 'incoming', text: 'Missed video call from alice' })
    expect((await alice.messenger.callHistory('friends'))[0]).toMatchObject({ outcome: 'answered', direction: 'outgoing' })
  })

  it('Carol, whose ring ran out, joins the group call that goes on; the others see her arrive, and she can leave and come back', async () => {
    const { alice, bob, carol } = await friends({ carol: { callRingTimeoutMs: 1500 } })
    const atBob = callEvents(bob)
    const atCarol = callEvents(carol)

    const started = await alice.messenger.startCall('friends', { audio: true, video: true })
    await eventually([bob], async () => atBob.calls.find((c) => c.phase === 'ringing'), 'Bob ringing')
    await bob.messenger.answerCall(started.id, { audio: true, video: true })
    // Carol's ring runs out: a missed call in her history, and the call still going on, to join.
    const running = await eventually([carol], async () => (await carol.messenger.activeCalls()).find((c) => c.phase === 'running' && c.participants.length === 2), 'the call running at Carol')
    expect(running.participants.map((p) => p.name.toLowerCase()).sort()).toEqual(['alice', 'bob'])
    expect((await carol.messenger.callHistory('friends'))[0]).toMatchObject({ id: started.id, outcome: 'missed' })
    expect(atCarol.calls.some((c) => c.phase === 'ringing')).toBe(true)

    const carolDevice = carol.messenger.profile().peerId
    const joined = await carol.messenger.answerCall(started.id, { audio: true, video: false })
    expect(joined.phase).toBe('joined')
    for (const node of [alice, bob]) {
      await eventually([node], async () => (await node.messenger.activeCalls()).find((c) => c.participants.some((p) => p.device === carolDevice)), 'Carol to arrive')
    }
    // She leaves while the two go on, and comes back.
    await carol.messenger.hangUp(started.id)
    // Her one history entry for the call now says she was in it, not that she missed it.
    const afterFirstPart = (await carol.messenger.callHistory('friends')).filter((e) => e.id === started.id)
    expect(afterFirstPart).toEqual([expect.objectContaining({ outcome: 'answered' })])
    await eventually([alice], async () => (await alice.messenger.activeCalls()).find((c) => c.participants.length === 1), 'Carol gone at Alice')
    expect((await carol.messenger.activeCalls())[0]).toMatchObject({ phase: 'running' })
    await carol.messenger.answerCall(started.id, { audio: true, video: false })
    await eventually([bob], async () => (await bob.messenger.activeCalls()).find((c) => c.participants.length === 2), 'Carol back at Bob')
    await expect(carol.messenger.answerCall(started.id, { audio: true, video: false })).rejects.toThrow(/already in this call/)

    // Once only one is left, the call is over everywhere.
    await carol.messenger.hangUp(started.id)
    await alice.messenger.hangUp(started.id)
    for (const node of [alice, bob, carol]) {
      await eventually([node], async () => (await node.messenger.activeCalls()).length === 0, 'the call over')
    }
    // Still one entry, counting both parts.
    const entries = (await carol.messenger.callHistory('friends')).filter((e) => e.id === started.id)
    expect(entries).toEqual([expect.objectContaining({ outcome: 'answered' })])
    expect(entries[0]!.durationMs).toBeGreaterThanOrEqual(afterFirstPart[0]!.durationMs)
  })

  it('a device that vanishes from a call without hanging up (a closed tab) is dropped once it stops sending ALIVE: the call ends for the one left in it and for a member who declined', async () => {
    // ALIVE every 250 ms: a device not heard from for a second has gone.
    const { alice, bob, carol } = await friends({ all: { callAliveIntervalMs: 250 } })
    const atBob = callEvents(bob)
    const atCarol = callEvents(carol)
    const started = await alice.messenger.startCall('friends', { audio: true, video: true })
    await eventually([bob], async () => atBob.calls.find((c) => c.phase === 'ringing'), 'Bob ringing')
    await eventually([carol], async () => atCarol.calls.find((c) => c.phase === 'ringing'), 'Carol ringing')
    await bob.messenger.answerCall(started.id, { audio: true, video: true })
    await carol.messenger.declineCall(started.id)
    const bobDevice = bob.messenger.profile().peerId
    const answeredAt = Date.now()
    await eventually([alice], async () => (await alice.messenger.activeCalls()).find((c) => c.phase === 'joined'), 'Alice to see Bob join')

    // Long past the silence limit with no signal but ALIVE, the call goes on everywhere: nobody is
    // dropped while they are there. (This waits for time to pass: nothing happening is the point.)
    await eventually([alice, bob, carol], async () => Date.now() - answeredAt > 3_000, 'twelve intervals to pass', 10_000)
    expect((await alice.messenger.activeCalls())[0]?.participants.map((p) => p.device)).toEqual([bobDevice])
    expect((await bob.messenger.activeCalls())[0]).toMatchObject({ phase: 'joined' })
    expect((await carol.messenger.activeCalls())[0]).toMatchObject({ phase: 'running', participants: [expect.anything(), expect.anything()] })

    // Bob's device goes away without a HANGUP.
    await stop(bob)
    await eventually([alice], async () => (await alice.messenger.activeCalls()).length === 0, 'the call over at Alice once Bob went silent')
    expect((await alice.messenger.callHistory('friends'))[0]).toMatchObject({ id: started.id, outcome: 'answered', direction: 'outgoing' })
    // Carol, who declined and followed the call, sees it end too.
    await eventually([carol], async () => (await carol.messenger.activeCalls()).length === 0, 'the call over at Carol')
    expect((await carol.messenger.callHistory('friends'))[0]).toMatchObject({ id: started.id, outcome: 'declined' })
  })

  it('a device restarted while its phone rings rings again, and can answer; one restarted in a call leaves it', async () => {
    const bobDir = tempDir('Bob')
    const { alice, bob } = await pair(bobDir)
    const started = await alice.messenger.startCall('bob', { audio: true, video: true })
    await eventually([bob], async () => (await bob.messenger.activeCalls()).find((c) => c.phase === 'ringing'), 'Bob ringing')
    await stop(bob)
    const restarted = await peer('Bob', bobDir)
    await eventually([restarted], async () => (await restarted.messenger.activeCalls()).find((c) => c.id === started.id && c.phase === 'ringing'), 'Bob ringing again after the restart')
    await restarted.messenger.answerCall(started.id, { audio: true, video: true })
    await eventually([alice], async () => (await alice.messenger.activeCalls()).find((c) => c.phase === 'joined'), 'Alice to see Bob answer')
    // Restarted in the call, Bob has no media any more: he leaves it, and Alice, alone, ends it.
    await stop(restarted)
    const again = await peer('Bob', bobDir)
    await eventually([alice], async () => (await alice.messenger.activeCalls()).length === 0, 'the call over at Alice')
    expect((await again.messenger.callHistory('alice'))[0]).toMatchObject({ id: started.id, outcome: 'answered' })
    expect(await again.messenger.activeCalls()).toEqual([])
  })
})
