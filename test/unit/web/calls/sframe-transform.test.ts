import { describe, expect, it } from 'vitest'
import { utf8 } from '../../../../src/core/bytes.ts'
import { decodeHeader } from '../../../../src/core/sframe/header.ts'
import type { SFrameWorkerEvent } from '../../../../src/web/calls/sframe-protocol.ts'
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

/** Runs frames through a transform and returns what came out. */
async function pass (stream: TransformStream<EncodedFrameLike, EncodedFrameLike>, frames: Uint8Array[]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  const done = stream.readable.pipeTo(new WritableStream({ write (f) { out.push(new Uint8Array(f.data)) } }))
  const writer = stream.writable.getWriter()
  for (const f of frames) await writer.write({ data: f.slice().buffer })
  await writer.close()
  await done
  return out
}

describe('SFrameTransformer (the transform worker)', () => {
  const frames = [utf8('key frame'), utf8('delta frame 1'), utf8('delta frame 2')]

  it('encrypts every frame on send and decrypts it on receive with the right key', async () => {
    const alice = worker()
    const bob = worker()
    alice.transformer.handleRequest({ type: 'send-key', kid: 0x10n, baseKey, epoch: 1n })
    bob.transformer.handleRequest({ type: 'receive-key', kid: 0x10n, baseKey, epoch: 1n })
    await Promise.all([alice.keyReady(1), bob.keyReady(1)])
    const sealed = await pass(alice.transformer.createTransform({ side: 'send', peer: 'bob' }), frames)
    expect(sealed.map((f) => decodeHeader(f).ctr)).toEqual([0n, 1n, 2n])
    expect(sealed.every((f, i) => f.length === frames[i]!.length + 2 + 16)).toBe(true)
    expect(await pass(bob.transformer.createTransform({ side: 'receive', peer: 'alice' }), sealed)).toEqual(frames)
    bob.transformer.handleRequest({ type: 'report' })
    expect(bob.events.at(-1)).toMatchObject({ type: 'stats', decrypted: 3, transforms: [{ side: 'receive', peer: 'alice', frames: 3, dropped: 0 }] })
  })

  it('drops (never passes on) frames it cannot decrypt, and counts why', async () => {
    const alice = worker()
    const bob = worker()
    alice.transformer.handleRequest({ type: 'send-key', kid: 0x10n, baseKey })
    bob.transformer.handleRequest({ type: 'receive-key', kid: 0x10n, baseKey: wrongKey })
    await Promise.all([alice.keyReady(1), bob.keyReady(1)])
    const sealed = await pass(alice.transformer.createTransform({ side: 'send', peer: 'bob' }), frames)
    const garbage = [new Uint8Array(0), utf8('\x80')]
    expect(await pass(bob.transformer.createTransform({ side: 'receive', peer: 'alice' }), [...sealed, ...garbage])).toEqual([])
    expect(bob.transformer.stats()).toMatchObject({ decrypted: 0, dropped: { authFailed: 3, malformed: 2 }, transforms: [{ frames: 0, dropped: 5 }] })
  })

  it('asks for a key frame once the key arrives for a stream that lost frames waiting for it', async () => {
    const alice = worker()
    const bob = worker()
    alice.transformer.handleRequest({ type: 'send-key', kid: 0x10n, baseKey })
    await alice.keyReady(1)
    const sealed = await pass(alice.transformer.createTransform({ side: 'send', peer: 'bob' }), frames)
    let requests = 0
    let idleRequests = 0
    const receiving = bob.transformer.createTransform<EncodedFrameLike>({ side: 'receive', peer: 'alice' }, () => { requests++ })
    bob.transformer.createTransform({ side: 'receive', peer: 'carol' }, () => { idleRequests++ })
    const out: Uint8Array[] = []
    const done = receiving.readable.pipeTo(new WritableStream({ write (f) { out.push(new Uint8Array(f.data)) } }))
    const writer = receiving.writable.getWriter()
    await writer.write({ data: sealed[0]!.slice().buffer }) // no key yet: dropped
    expect(requests).toBe(0)
    bob.transformer.handleRequest({ type: 'receive-key', kid: 0x10n, baseKey })
    await bob.keyReady(1)
    expect(requests).toBe(1)
    expect(idleRequests).toBe(0) // a stream that lost nothing is not asked
    await writer.write({ data: sealed[1]!.slice().buffer })
    await writer.close()
    await done
    expect(out).toEqual([frames[1]])
  })

  it('sends nothing in the clear before the send key is set', async () => {
    const alice = worker()
    expect(await pass(alice.transformer.createTransform({ side: 'send', peer: 'bob' }), frames)).toEqual([])
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

  it('forgets a transform once released, so its counts leave the stats', () => {
    const { transformer } = worker()
    const a = transformer.createTransform({ side: 'receive', peer: 'alice' })
    transformer.createTransform({ side: 'receive', peer: 'carol' })
    transformer.release(a)
    transformer.release(a)
    expect(transformer.stats().transforms.map((t) => t.peer)).toEqual(['carol'])
  })
})
