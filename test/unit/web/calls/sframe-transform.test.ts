import { describe, expect, it, vi } from 'vitest'
import { utf8 } from '../../../../src/core/bytes.ts'
import { decodeHeader } from '../../../../src/core/sframe/header.ts'
import type { SFrameStatsMessage, SFrameWorkerEvent } from '../../../../src/web/calls/sframe-protocol.ts'
import { parseTransformOptions, SFrameTransformer, type EncodedFrameLike } from '../../../../src/web/calls/sframe-transform.ts'

const baseKey = Uint8Array.from({ length: 16 }, (_, i) => i)
const wrongKey = Uint8Array.from({ length: 16 }, (_, i) => 0xf0 ^ i)

function worker (): { transformer: SFrameTransformer, events: SFrameWorkerEvent[], keyReady: (n: number) => Promise<void> } {
  const events: SFrameWorkerEvent[] = []
  const waiters: Array<() => void> = []
  const transformer = new SFrameTransformer((e) => { events.push(e); for (const w of waiters.splice(0)) w() })
  const keyReady = async (n: number): Promise<void> => {
    while (events.filter((e) => e.type === 'key-ready').length < n) await new Promise<void>((resolve) => { waiters.push(resolve) })
  }
  return { transformer, events, keyReady }
}

/** A source of frames, fed by the test, and what the pump wrote out. */
function channel (): { readable: ReadableStream<EncodedFrameLike>, writable: WritableStream<EncodedFrameLike>, push: (f: Uint8Array) => void, end: () => void, out: Uint8Array[] } {
  let controller!: ReadableStreamDefaultController<EncodedFrameLike>
  const readable = new ReadableStream<EncodedFrameLike>({ start (c) { controller = c } })
  const out: Uint8Array[] = []
  const writable = new WritableStream<EncodedFrameLike>({ write (f) { out.push(new Uint8Array(f.data)) } })
  return { readable, writable, push: (f) => { controller.enqueue({ data: f.slice().buffer }) }, end: () => { controller.close() }, out }
}

/**
 * Runs frames through one side of the worker and returns what came out, and the worker's stats
 * once every frame was handled, while the stream was still open (an ended stream leaves them).
 */
async function pass (transformer: SFrameTransformer, options: { side: 'send' | 'receive', peer: string }, frames: Uint8Array[]): Promise<Uint8Array[] & { stats?: SFrameStatsMessage }> {
  const c = channel()
  const done = transformer.pump(options, c.readable, c.writable)
  for (const f of frames) c.push(f)
  await vi.waitFor(() => {
    const t = transformer.stats().transforms.find((x) => x.peer === options.peer)
    expect((t?.frames ?? 0) + (t?.dropped ?? 0)).toBe(frames.length)
  })
  const stats = transformer.stats()
  c.end()
  await done
  return Object.assign(c.out, { stats })
}

describe('SFrameTransformer (the transform worker)', () => {
  const frames = [utf8('key frame'), utf8('delta frame 1'), utf8('delta frame 2')]

  it('encrypts every frame on send and decrypts it on receive with the right key', async () => {
    const alice = worker()
    const bob = worker()
    alice.transformer.handleRequest({ type: 'send-key', kid: 0x10n, baseKey, epoch: 1n })
    bob.transformer.handleRequest({ type: 'receive-key', kid: 0x10n, baseKey, epoch: 1n })
    await Promise.all([alice.keyReady(1), bob.keyReady(1)])
    const sealed = await pass(alice.transformer, { side: 'send', peer: 'bob' }, frames)
    // The worker starts its CTR from the clock (a reloaded page must not repeat one), then counts up.
    const first = decodeHeader(sealed[0]!).ctr
    expect(sealed.map((f) => decodeHeader(f).ctr)).toEqual([first, first + 1n, first + 2n])
    expect(sealed.every((f, i) => f.length === frames[i]!.length + decodeHeader(f).length + 16)).toBe(true)
    const opened = await pass(bob.transformer, { side: 'receive', peer: 'alice' }, sealed)
    expect([...opened]).toEqual(frames)
    expect(opened.stats).toMatchObject({ type: 'stats', decrypted: 3, transforms: [{ side: 'receive', peer: 'alice', frames: 3, dropped: 0 }] })
    bob.transformer.handleRequest({ type: 'report' })
    expect(bob.events.at(-1)).toMatchObject({ type: 'stats', decrypted: 3, transforms: [] })
  })

  it('drops (never passes on) frames it cannot decrypt, and counts why', async () => {
    const alice = worker()
    const bob = worker()
    alice.transformer.handleRequest({ type: 'send-key', kid: 0x10n, baseKey })
    bob.transformer.handleRequest({ type: 'receive-key', kid: 0x10n, baseKey: wrongKey })
    await Promise.all([alice.keyReady(1), bob.keyReady(1)])
    const sealed = await pass(alice.transformer, { side: 'send', peer: 'bob' }, frames)
    const garbage = [new Uint8Array(0), utf8('\x80')]
    const opened = await pass(bob.transformer, { side: 'receive', peer: 'alice' }, [...sealed, ...garbage])
    expect([...opened]).toEqual([])
    expect(opened.stats).toMatchObject({ decrypted: 0, dropped: { authFailed: 3, malformed: 2 }, transforms: [{ frames: 0, dropped: 5 }] })
  })

  it('asks for a key frame once the key arrives for a stream that lost frames waiting for it', async () => {
    const alice = worker()
    const bob = worker()
    alice.transformer.handleRequest({ type: 'send-key', kid: 0x10n, baseKey })
    await alice.keyReady(1)
    const sealed = await pass(alice.transformer, { side: 'send', peer: 'bob' }, frames)
    let requests = 0
    let idleRequests = 0
    const receiving = channel()
    const idle = channel()
    const done = bob.transformer.pump({ side: 'receive', peer: 'alice' }, receiving.readable, receiving.writable, () => { requests++ })
    void bob.transformer.pump({ side: 'receive', peer: 'carol' }, idle.readable, idle.writable, () => { idleRequests++ })
    receiving.push(sealed[0]!) // no key yet: dropped
    await vi.waitFor(() => { expect(bob.transformer.stats().dropped.unknownKid).toBe(1) })
    expect(requests).toBe(0)
    bob.transformer.handleRequest({ type: 'receive-key', kid: 0x10n, baseKey })
    await bob.keyReady(1)
    expect(requests).toBe(1)
    expect(idleRequests).toBe(0) // a stream that lost nothing is not asked
    receiving.push(sealed[1]!)
    receiving.end()
    await done
    const out = receiving.out
    expect(out).toEqual([frames[1]])
  })

  it('asks for a key frame when frames decrypt again after a gap, but not for a dropped replay', async () => {
    const alice = worker()
    const bob = worker()
    alice.transformer.handleRequest({ type: 'send-key', kid: 0x10n, baseKey })
    bob.transformer.handleRequest({ type: 'receive-key', kid: 0x10n, baseKey })
    await Promise.all([alice.keyReady(1), bob.keyReady(1)])
    const sealed = await pass(alice.transformer, { side: 'send', peer: 'bob' }, frames)
    let requests = 0
    const c = channel()
    const done = bob.transformer.pump({ side: 'receive', peer: 'alice' }, c.readable, c.writable, () => { requests++ })
    c.push(sealed[0]!)
    c.push(sealed[0]!) // a replay: dropped, but the decoder lost nothing
    c.push(sealed[1]!)
    await vi.waitFor(() => { expect(bob.transformer.stats().decrypted).toBe(2) })
    expect(requests).toBe(0)
    const tampered = sealed[2]!.slice()
    tampered[tampered.length - 1]! ^= 1
    c.push(tampered) // fails its tag: a gap the decoder cannot bridge
    c.push(sealed[2]!)
    c.end()
    await done
    expect(c.out).toEqual([frames[0], frames[1], frames[2]])
    expect(requests).toBe(1)
  })

  it('sends nothing in the clear before the send key is set', async () => {
    const alice = worker()
    expect([...await pass(alice.transformer, { side: 'send', peer: 'bob' }, frames)]).toEqual([])
    expect(alice.transformer.stats()).toMatchObject({ encrypted: 0, unkeyed: 3 })
  })

  it('forgets old epochs on drop-before, and refuses malformed requests with a message', async () => {
    const bob = worker()
    bob.transformer.handleRequest({ type: 'receive-key', kid: 0x11n, baseKey, epoch: 1n })
    bob.transformer.handleRequest({ type: 'receive-key', kid: 0x12n, baseKey, epoch: 2n })
    await bob.keyReady(2)
    bob.transformer.handleRequest({ type: 'drop-before', epoch: 2n })
    expect(bob.transformer.context.hasReceiveKey(0x11n)).toBe(false)
    expect(bob.transformer.context.hasReceiveKey(0x12n)).toBe(true)
    for (const bad of [null, { type: 'nope' }, { type: 'send-key', kid: 1, baseKey }, { type: 'receive-key', kid: 1n, baseKey: new Uint8Array(3) }, { type: 'drop-before' }]) {
      bob.transformer.handleRequest(bad)
    }
    expect(bob.events.filter((e) => e.type === 'error')).toHaveLength(5)
  })

  it('checks the options the page gives RTCRtpScriptTransform', () => {
    expect(parseTransformOptions({ side: 'receive', peer: 'carol' })).toEqual({ side: 'receive', peer: 'carol' })
    expect(() => parseTransformOptions({ side: 'both', peer: 'carol' })).toThrow(/side/)
    expect(() => parseTransformOptions(undefined)).toThrow(/side/)
    expect(() => parseTransformOptions({ side: 'send' })).toThrow(/peer/)
  })

  it('forgets a transform whose stream ended, so its counts leave the stats', async () => {
    const { transformer } = worker()
    const alice = channel()
    const carol = channel()
    const done = transformer.pump({ side: 'receive', peer: 'alice' }, alice.readable, alice.writable)
    void transformer.pump({ side: 'receive', peer: 'carol' }, carol.readable, carol.writable)
    expect(transformer.stats().transforms.map((t) => t.peer)).toEqual(['alice', 'carol'])
    alice.end()
    await done
    expect(transformer.stats().transforms.map((t) => t.peer)).toEqual(['carol'])
  })

  it('stops with an error when the sink fails, passing nothing on after it', async () => {
    const alice = worker()
    alice.transformer.handleRequest({ type: 'send-key', kid: 0x10n, baseKey })
    await alice.keyReady(1)
    const c = channel()
    let written = 0
    const failing = new WritableStream<EncodedFrameLike>({ write () { written++; throw new Error('track ended') } })
    for (const f of frames) c.push(f)
    c.end()
    await expect(alice.transformer.pump({ side: 'send', peer: 'bob' }, c.readable, failing)).rejects.toThrow(/track ended/)
    expect(written).toBe(1)
    expect(alice.transformer.stats().transforms).toEqual([])
  })
})
