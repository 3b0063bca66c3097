import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { Ack, AckStatus, Deliver, DeliverKind } from '../../../../src/core/codec/envelope.ts'
import type { KithLibp2p } from '../../../../src/net/node.ts'
import { DELIVER_PROTOCOL } from '../../../../src/net/constants.ts'
import { DeliveryService, type DeliverHandler, type Outbox, type OutboundFrame, type Settlement } from '../../../../src/net/protocols/deliver.ts'
import { LoopbackPeers } from '../loopback.ts'

/** An outbox in memory: frames by row id, and the outcome each got. */
class MemoryOutbox implements Outbox {
  readonly frames: OutboundFrame[] = []
  readonly settled = new Map<number, 'stored' | 'rejected'>()
  private nextId = 1

  add (text: string): number {
    const rowId = this.nextId++
    const id = new Uint8Array(16)
    id[0] = rowId
    const frame = Deliver.encode({ id, kind: DeliverKind.MLS, message: new TextEncoder().encode(text), card: new Uint8Array(), hints: [], commitHash: new Uint8Array() })
    this.frames.push({ rowId, frame })
    return rowId
  }

  async next (_peerId: string, afterRowId: number, limit: number): Promise<OutboundFrame[]> {
    return this.frames.filter((f) => f.rowId > afterRowId && !this.settled.has(f.rowId)).slice(0, limit)
  }

  async settle (_peerId: string, outcomes: readonly Settlement[]): Promise<void> {
    for (const o of outcomes) this.settled.set(o.rowId, o.status)
  }
}

function deferred<T> (): { promise: Promise<T>, resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => { resolve = r })
  return { promise, resolve }
}

const peers = new LoopbackPeers()
const services: DeliveryService[] = []
const quiet = (): void => {}

const node = async (): Promise<KithLibp2p> => await peers.node()

/** Serves the delivery protocol on `n` with `handler`. */
async function listen (n: KithLibp2p, handler: DeliverHandler): Promise<void> {
  const service = new DeliveryService(n, new MemoryOutbox(), handler, { log: quiet })
  services.push(service)
  await service.start()
}

afterEach(async () => {
  for (const s of services.splice(0)) await s.stop()
  await peers.stop()
})

describe('DeliveryService', () => {
  it('sends frames queued while earlier ones wait for their acks, without waiting for those acks', async () => {
    const [sender, receiver] = [await node(), await node()]
    // A receiver that acknowledges nothing until it holds three frames: a sender that waits for
    // each ack before sending the next would stall here.
    const got = deferred<string[]>()
    const first = deferred<void>()
    await receiver.handle(DELIVER_PROTOCOL, async (stream) => {
      const lp = lpStream(stream)
      const frames: Deliver[] = []
      while (frames.length < 3) {
        frames.push(Deliver.decode((await lp.read()).subarray()))
        first.resolve()
      }
      for (const f of frames) await lp.write(Ack.encode({ id: f.id, status: AckStatus.STORED }))
      got.resolve(frames.map((f) => new TextDecoder().decode(f.message)))
    })
    await sender.peerStore.merge(receiver.peerId, { multiaddrs: receiver.getMultiaddrs() })
    const outbox = new MemoryOutbox()
    const delivery = new DeliveryService(sender, outbox, async () => 'stored', { log: quiet })
    services.push(delivery)
    await delivery.start()
    const peer = receiver.peerId.toString()
    outbox.add('one')
    delivery.notify(peer)
    // Queue the others only once the first frame has arrived, so the sender is awaiting its ack.
    await first.promise
    outbox.add('two')
    delivery.notify(peer)
    outbox.add('three')
    delivery.notify(peer)
    expect(await got.promise).toEqual(['one', 'two', 'three'])
    await expect.poll(() => outbox.settled.size).toBe(3)
    expect([...outbox.settled.values()]).toEqual(['stored', 'stored', 'stored'])
  })

  it('gives up a stream whose acks stop coming, says so, and delivers on a fresh one', async () => {
    const [sender, receiver] = [await node(), await node()]
    // The first stream swallows what it gets and never answers (as one whose far end was reset
    // while the connection lived on); the next one acknowledges.
    let streams = 0
    const swallowed = deferred<void>()
    await receiver.handle(DELIVER_PROTOCOL, async (stream) => {
      const lp = lpStream(stream)
      if (++streams === 1) {
        await lp.read()
        swallowed.resolve()
        return await new Promise<void>(() => {})
      }
      for (;;) {
        const f = Deliver.decode((await lp.read()).subarray())
        await lp.write(Ack.encode({ id: f.id, status: AckStatus.STORED }))
      }
    })
    await sender.peerStore.merge(receiver.peerId, { multiaddrs: receiver.getMultiaddrs() })
    const outbox = new MemoryOutbox()
    const logged: string[] = []
    const delivery = new DeliveryService(sender, outbox, async () => 'stored', { log: (m) => logged.push(m), ackStallMs: 300, retry: { initialMs: 50, maxMs: 100 } })
    services.push(delivery)
    await delivery.start()
    outbox.add('hello')
    delivery.notify(receiver.peerId.toString())
    await swallowed.promise
    await expect.poll(() => outbox.settled.get(1), { timeout: 10_000 }).toBe('stored')
    expect(streams).toBe(2)
    expect(logged.some((m) => m.includes('no acknowledgement for 300 ms with 1 frame(s) sent'))).toBe(true)
  })

  it('reads the outbox once before the first frame goes out', async () => {
    const [sender, receiver] = [await node(), await node()]
    const outbox = new MemoryOutbox()
    let reads = 0
    const next = outbox.next.bind(outbox)
    outbox.next = async (peerId, after, limit) => { reads++; return await next(peerId, after, limit) }
    const readsWhenReceived = deferred<number>()
    await listen(receiver, async () => { readsWhenReceived.resolve(reads); return 'stored' })
    await sender.peerStore.merge(receiver.peerId, { multiaddrs: receiver.getMultiaddrs() })
    const delivery = new DeliveryService(sender, outbox, async () => 'stored', { log: quiet })
    services.push(delivery)
    await delivery.start()
    // Connected already, as when a conversation is under way (a new connection kicks the sender again).
    await sender.dial(receiver.peerId)
    outbox.add('one')
    delivery.notify(receiver.peerId.toString())
    // Over the browser's worker, each read of the outbox is a postMessage round trip.
    expect(await readsWhenReceived.promise).toBe(1)
  })

  it('sends a frame queued while its first read of the outbox was under way', async () => {
    const [sender, receiver] = [await node(), await node()]
    const outbox = new MemoryOutbox()
    const next = outbox.next.bind(outbox)
    const firstRead = deferred<void>()
    const release = deferred<void>()
    let calls = 0
    outbox.next = async (peerId, after, limit) => {
      const frames = await next(peerId, after, limit)
      if (calls++ === 0) {
        firstRead.resolve()
        await release.promise
      }
      return frames
    }
    const received: string[] = []
    await listen(receiver, async (_from, frame) => { received.push(new TextDecoder().decode(frame.message)); return 'stored' })
    await sender.peerStore.merge(receiver.peerId, { multiaddrs: receiver.getMultiaddrs() })
    const delivery = new DeliveryService(sender, outbox, async () => 'stored', { log: quiet })
    services.push(delivery)
    await delivery.start()
    await sender.dial(receiver.peerId)
    const peer = receiver.peerId.toString()
    outbox.add('one')
    delivery.notify(peer)
    await firstRead.promise
    outbox.add('two')
    delivery.notify(peer)
    release.resolve()
    await expect.poll(() => outbox.settled.size).toBe(2)
    expect(received).toEqual(['one', 'two'])
  })

  it('delivers a burst in order to a real handler, and settles each frame with its outcome', async () => {
    const [sender, receiver] = [await node(), await node()]
    const received: string[] = []
    await listen(receiver, async (_from, frame) => {
      const text = new TextDecoder().decode(frame.message)
      received.push(text)
      return text.startsWith('bad') ? 'rejected' : 'stored'
    })
    await sender.peerStore.merge(receiver.peerId, { multiaddrs: receiver.getMultiaddrs() })
    const outbox = new MemoryOutbox()
    const delivery = new DeliveryService(sender, outbox, async () => 'stored', { log: quiet, window: 8 })
    services.push(delivery)
    await delivery.start()
    const texts = Array.from({ length: 100 }, (_, i) => (i % 10 === 9 ? `bad-${i}` : `m-${i}`))
    for (const t of texts) {
      outbox.add(t)
      delivery.notify(receiver.peerId.toString())
    }
    await expect.poll(() => outbox.settled.size, { timeout: 10_000 }).toBe(100)
    expect(received).toEqual(texts)
    expect([...outbox.settled.entries()].filter(([, s]) => s === 'rejected').map(([id]) => id)).toEqual(texts.flatMap((t, i) => (t.startsWith('bad') ? [i + 1] : [])))
  })

  it('leaves chat on the relayed connection when the only direct one does not count (an unproven accepted WebRTC one)', async () => {
    const [relay, sender, receiver] = [await node(), await node(), await node()]
    const received: string[] = []
    await listen(receiver, async (_from, frame) => {
      received.push(new TextDecoder().decode(frame.message))
      return 'stored'
    })
    // The receiver reserves a slot at the relay; the sender reaches it through the relay, and over TCP too.
    await receiver.dial(relay.getMultiaddrs()[0]!)
    await expect.poll(() => receiver.getMultiaddrs().some((a) => a.toString().includes('/p2p-circuit')), { timeout: 10_000 }).toBe(true)
    const relayed = await sender.dial(multiaddr(`${relay.getMultiaddrs()[0]!.toString()}/p2p-circuit/p2p/${receiver.peerId.toString()}`))
    expect(relayed.limits).toBeDefined()
    const direct = await sender.dial(receiver.getMultiaddrs().find((a) => !a.toString().includes('/p2p-circuit'))!)
    expect(direct.limits).toBeUndefined()
    const outbox = new MemoryOutbox()
    // Here the TCP connection stands in for a connection that does not count.
    const delivery = new DeliveryService(sender, outbox, async () => 'stored', { log: quiet, counts: (c) => c !== direct })
    services.push(delivery)
    await delivery.start()
    outbox.add('over the relay')
    delivery.notify(receiver.peerId.toString())
    await expect.poll(() => outbox.settled.size, { timeout: 10_000 }).toBe(1)
    expect(received).toEqual(['over the relay'])
    expect(relayed.streams.map((st) => st.protocol)).toContain(DELIVER_PROTOCOL)
    expect(direct.streams.map((st) => st.protocol)).not.toContain(DELIVER_PROTOCOL)
  })

  it('hands frames to the handler as they arrive, and acks them in order once each outcome is known', async () => {
    const [sender, receiver] = [await node(), await node()]
    const handled: Array<{ text: string, outcome: ReturnType<typeof deferred<'stored' | 'rejected'>> }> = []
    const allThree = deferred<void>()
    await listen(receiver, async (_from, frame) => {
      const outcome = deferred<'stored' | 'rejected'>()
      handled.push({ text: new TextDecoder().decode(frame.message), outcome })
      if (handled.length === 3) allThree.resolve()
      return await outcome.promise
    })
    const frames = new MemoryOutbox()
    for (const t of ['a', 'b', 'c']) frames.add(t)
    const lp = lpStream(await sender.dialProtocol(receiver.getMultiaddrs(), DELIVER_PROTOCOL))
    for (const f of frames.frames) await lp.write(f.frame)
    // All three reach the handler while none has an outcome: a handler awaited frame by frame would stall here.
    await allThree.promise
    expect(handled.map((h) => h.text)).toEqual(['a', 'b', 'c'])
    handled[2]!.outcome.resolve('stored')
    handled[1]!.outcome.resolve('rejected')
    handled[0]!.outcome.resolve('stored')
    const acks = [Ack.decode(await lp.read()), Ack.decode(await lp.read()), Ack.decode(await lp.read())]
    expect(acks.map((a) => [a.id[0], a.status])).toEqual([[1, AckStatus.STORED], [2, AckStatus.REJECTED], [3, AckStatus.STORED]])
  })

  it('acks the frames before one the handler could not store, none after it, and closes the stream', async () => {
    const [sender, receiver] = [await node(), await node()]
    const seen: string[] = []
    await listen(receiver, async (_from, frame) => {
      const text = new TextDecoder().decode(frame.message)
      seen.push(text)
      if (text === 'fails') throw new Error('disk full')
      return 'stored'
    })
    const frames = new MemoryOutbox()
    for (const t of ['first', 'fails', 'third']) frames.add(t)
    const lp = lpStream(await sender.dialProtocol(receiver.getMultiaddrs(), DELIVER_PROTOCOL))
    await lp.writeV(frames.frames.map((f) => f.frame))
    const ack = Ack.decode(await lp.read())
    expect([ack.id[0], ack.status]).toEqual([1, AckStatus.STORED])
    await expect(lp.read()).rejects.toThrow()
    expect(seen).toContain('fails')
  })
})
