/**
 * Two NATs (DESIGN.md §7): Alice behind NAT 1, Bob behind NAT 2, a public relay node and a public
 * STUN server (coturn). Neither can dial the other; they connect through the relay, upgrade to a
 * direct WebRTC connection (ICE through both NATs), and the chat frames flow over it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { SimNet, simulationSupport, type TurnServer } from '../sim/hosts.ts'
import { removeData, serveOn, waitForStatus, type KithOnHost } from './kith-on-host.ts'

const support = simulationSupport()
let net: SimNet | undefined
let relay: KithOnHost | undefined
let alice: KithOnHost | undefined
let bob: KithOnHost | undefined
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
  stun = await net.addTurnServer(stunHost)
  relay = await serveOn(relayHost, 'Relay')
  const tcp = relay.status.addrs.find((a) => a.includes(relayHost.ip) && !a.includes('/ws') && a.includes('/tcp/'))!
  const withStun = ['--bootstrap', tcp, '--ice-server', stun.stun]
  ;[alice, bob] = await Promise.all([serveOn(aliceHost, 'Alice', withStun), serveOn(bobHost, 'Bob', withStun)])
}, 180_000)

afterAll(async () => {
  await net?.destroy()
  removeData([relay, alice, bob])
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
  const later = await waitForStatus(alice!, (s) => s.links.some((l) => l.peer === bobPeer && !l.relayed && l.streams.includes('/kith/deliver/1.0.0')))
  expect(later.links.filter((l) => l.peer === bobPeer && l.relayed).flatMap((l) => l.streams)).not.toContain('/kith/deliver/1.0.0')
}, 240_000)
