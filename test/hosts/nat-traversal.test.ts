/**
 * Two NATs (DESIGN.md §7): Alice behind NAT 1, Bob behind NAT 2, a public relay node and a public
 * STUN server (coturn). Neither can dial the other; they connect through the relay, upgrade to a
 * direct WebRTC connection (ICE through both NATs), and the chat frames flow over it.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { SimNet, simulationSupport, type TurnServer } from '../sim/hosts.ts'
import { logTails, removeData, serveOn, waitForStatus, type KithOnHost } from './kith-on-host.ts'

const run = promisify(execFile)
const support = simulationSupport()
let net: SimNet | undefined
let relay: KithOnHost | undefined
let alice: KithOnHost | undefined
let bob: KithOnHost | undefined
let carol: KithOnHost | undefined
let stun: TurnServer | undefined

beforeAll(async () => {
  if (!support.ok) return
  net = await SimNet.create()
  const relayHost = await net.addHost('relay')
  const stunHost = await net.addHost('stun')
  const nat1 = await net.addNat('nat1')
  const nat2 = await net.addNat('nat2')
  const aliceHost = await net.addHost('alice', { nat: nat1 })
  const bobHost = await net.addHost('bob', { nat: nat2 })
  const nat3 = await net.addNat('nat3')
  const carolHost = await net.addHost('carol', { nat: nat3 })
  // NAT 3 is symmetric: a fresh random public port for every destination, so the port STUN saw is
  // not the one a peer would have to hit, and no hole can be punched to Carol.
  await run('ip', ['netns', 'exec', nat3.namespace, 'iptables', '-t', 'nat', '-R', 'POSTROUTING', '1', '-o', 'wan0', '-j', 'MASQUERADE', '--random-fully'])
  stun = await net.addTurnServer(stunHost)
  relay = await serveOn(relayHost, 'Relay')
  const tcp = relay.status.addrs.find((a) => a.includes(relayHost.ip) && !a.includes('/ws') && a.includes('/tcp/'))!
  const withStun = ['--bootstrap', tcp, '--ice-server', stun.stun]
  ;[alice, bob, carol] = await Promise.all([serveOn(aliceHost, 'Alice', withStun), serveOn(bobHost, 'Bob', withStun), serveOn(carolHost, 'Carol', withStun)])
}, 180_000)

afterAll(async () => {
  await net?.destroy()
  removeData([relay, alice, bob, carol])
})

it('two nodes behind two NATs connect through the relay, upgrade to direct, and chat over the direct connection', async (ctx) => {
  if (!support.ok) ctx.skip(`simulated hosts are not available here: ${support.reason}`)
  // Both sit behind NATs: each is reachable only through its relay reservation.
  await waitForStatus(alice!, (s) => s.reachability.kind === 'relayed')
  await waitForStatus(bob!, (s) => s.reachability.kind === 'relayed')
  const link = await bob!.kith('invite')
  expect(link).not.toContain('127.0.0.1')
  await alice!.kith('contact', 'add', link, '--name', 'bob')
  await alice!.kith('send', 'bob', 'hello through two NATs')
  for (let i = 0; i < 20; i++) await alice!.kith('send', 'bob', `message ${i}`)
  const bobPeer = bob!.status.peerId
  // A direct (not relayed) WebRTC connection to Bob carries the delivery stream.
  const status = await waitForStatus(alice!, (s) => s.links.some((l) => l.peer === bobPeer && !l.relayed && l.streams.includes('/kith/deliver/1.0.0')))
  const direct = status.links.find((l) => l.peer === bobPeer && !l.relayed)!
  expect(direct.addr).toContain('/webrtc')
  const received = await bob!.json<{ messages: Array<{ text: string }> }>('messages', 'alice')
  expect(received.messages.map((m) => m.text)).toEqual(expect.arrayContaining(['hello through two NATs', 'message 19']))
  // Sent after the upgrade: still delivered, and not through the relay.
  await alice!.kith('send', 'bob', 'after the upgrade')
  // Chat leaves the relay: no delivery stream stays on the relayed connection. One closed as the
  // message moved ends in a round trip; one the other side kept there for its last frames closes
  // with its next message or after its minute idle (deliver.ts STREAM_IDLE_MS), so that is waited for.
  const later = await waitForStatus(alice!, (s) => s.links.some((l) => l.peer === bobPeer && !l.relayed && l.streams.includes('/kith/deliver/1.0.0')) &&
    !s.links.some((l) => l.peer === bobPeer && l.relayed && l.streams.includes('/kith/deliver/1.0.0')), 75_000)
  expect(later.links.filter((l) => l.peer === bobPeer && l.relayed).flatMap((l) => l.streams)).not.toContain('/kith/deliver/1.0.0')
}, 240_000)

it('when only the relay connects two NATed nodes, chat still flows through it, within Kith\'s relay limits, and status says relayed', async (ctx) => {
  if (!support.ok) ctx.skip(`simulated hosts are not available here: ${support.reason}`)
  await waitForStatus(carol!, (s) => s.reachability.kind === 'relayed')
  await alice!.kith('contact', 'add', await carol!.kith('invite'), '--name', 'carol')
  // More than libp2p's default relay limit of 128 KiB per relayed connection, which would cut it.
  const long = 'x'.repeat(8_000)
  for (let i = 0; i < 24; i++) await alice!.kith('send', 'carol', `${i} ${long}`)
  await alice!.kith('send', 'carol', 'last over the relay')
  const carolPeer = carol!.status.peerId
  const deadline = Date.now() + 60_000
  let texts: string[] = []
  while (Date.now() < deadline && !texts.includes('last over the relay')) {
    // Until Alice's welcome arrives, Carol has no conversation named alice.
    texts = (await carol!.json<{ messages: Array<{ text: string }> }>('messages', 'alice', '--limit', '100').catch(() => ({ messages: [] }))).messages.map((m) => m.text)
    if (!texts.includes('last over the relay')) await new Promise((resolve) => setTimeout(resolve, 500))
  }
  expect(texts.length, `Carol has ${texts.length} of 25\n${logTails({ Alice: alice, Carol: carol, Relay: relay })}`).toBe(25)
  expect(new Set(texts).size).toBe(25)
  // They reached each other only through the relay, and both say so.
  const status = await alice!.json<{ links: Array<{ peer: string, relayed: boolean }> }>('status')
  const toCarol = status.links.filter((l) => l.peer === carolPeer)
  expect(toCarol.length).toBeGreaterThan(0)
  expect(toCarol.every((l) => l.relayed)).toBe(true)
  expect(await carol!.kith('status')).toMatch(/behind a NAT; reachable through 1 relay/)
}, 240_000)
