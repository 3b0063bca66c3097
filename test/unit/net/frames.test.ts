import type { Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import * as varint from 'uint8-varint'
import { afterEach, describe, expect, it } from 'vitest'
import { encodeFrames, FrameDecoder, FrameLengthError, FrameStream, joinParts, StreamEndedError } from '../../../src/net/frames.ts'
import { LoopbackPeers } from './loopback.ts'

const text = (frames: Uint8Array[]): string[] => frames.map((f) => new TextDecoder().decode(f))
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('FrameDecoder', () => {
  it('reads what lpStream writes: varint lengths of 1, 2 and 3 bytes, and empty frames', () => {
    const frames = [new Uint8Array(0), bytes('a'), new Uint8Array(127).fill(1), new Uint8Array(128).fill(2), new Uint8Array(20_000).fill(3)]
    const wire = new Uint8Array(frames.reduce((n, f) => n + varint.encodingLength(f.length) + f.length, 0))
    let at = 0
    for (const f of frames) {
      varint.encode(f.length, wire, at)
      at += varint.encodingLength(f.length)
      wire.set(f, at)
      at += f.length
    }
    expect(encodeFrames(frames)).toEqual(wire)
    expect(new FrameDecoder(20_000).push(wire)).toEqual(frames)
  })

  it('splits frames that arrive a byte at a time, and many frames in one chunk', () => {
    const frames = Array.from({ length: 50 }, (_, i) => bytes(`frame ${i} `.repeat(i * 3)))
    const wire = encodeFrames(frames)
    const oneByOne = new FrameDecoder(10_000)
    const out: Uint8Array[] = []
    for (let i = 0; i < wire.length; i++) out.push(...oneByOne.push(wire.subarray(i, i + 1)))
    expect(text(out)).toEqual(text(frames))
    expect(oneByOne.buffered).toBe(0)
    // Uneven chunks that cut through length prefixes and bodies alike.
    const uneven = new FrameDecoder(10_000)
    const out2: Uint8Array[] = []
    for (let i = 0, size = 1; i < wire.length; i += size, size = (size * 7) % 97 + 1) out2.push(...uneven.push(wire.subarray(i, i + size)))
    expect(text(out2)).toEqual(text(frames))
  })

  it('assembles a large frame from many small chunks, then the frames after it', () => {
    const big = Uint8Array.from({ length: 1 << 20 }, (_, i) => i * 31 % 251)
    const wire = encodeFrames([big, bytes('after')])
    const decoder = new FrameDecoder(1 << 20)
    const out: Uint8Array[] = []
    for (let i = 0; i < wire.length; i += 1000) {
      out.push(...decoder.push(wire.subarray(i, i + 1000)))
      if (out.length === 0) expect(decoder.buffered).toBe(Math.min(i + 1000, wire.length))
    }
    expect(out).toHaveLength(2)
    expect(out[0]).toEqual(big)
    expect(text([out[1]!])).toEqual(['after'])
    expect(decoder.buffered).toBe(0)
  })

  it('keeps the part of a frame it holds intact when the chunk it came in is reused', () => {
    const decoder = new FrameDecoder(100)
    const wire = encodeFrames([bytes('first'), bytes('second')])
    const chunk = wire.slice(0, wire.length - 2)
    expect(text(decoder.push(chunk))).toEqual(['first'])
    chunk.fill(0)
    expect(text(decoder.push(wire.subarray(wire.length - 2)))).toEqual(['second'])
  })

  it('gives a frame spanning many chunks as views of those chunks, copying nothing (pushParts)', () => {
    const big = Uint8Array.from({ length: 1 << 20 }, (_, i) => i * 31 % 251)
    const wire = encodeFrames([bytes('head'), big, bytes('tail')])
    // Cut as a muxer delivers Noise messages: 65519 bytes each, through length prefixes and bodies.
    const chunks: Uint8Array[] = []
    for (let i = 0; i < wire.length; i += 65_519) chunks.push(wire.slice(i, i + 65_519))
    const decoder = new FrameDecoder(1 << 20)
    const frames = chunks.flatMap((c) => decoder.pushParts(c))
    expect(frames.map((f) => f.length > 1)).toEqual([false, true, false])
    expect(text([joinParts(frames[0]!), joinParts(frames[2]!)])).toEqual(['head', 'tail'])
    expect(joinParts(frames[1]!)).toEqual(big)
    // Every piece of the big frame is a view of a chunk as it was pushed, not a copy.
    expect(frames[1]!).toHaveLength(chunks.length)
    for (const [i, part] of frames[1]!.entries()) expect(part.buffer).toBe(chunks[i]!.buffer)
    expect(decoder.buffered).toBe(0)
  })

  it('reads a length prefix cut between two chunks, without copies too', () => {
    const frame = new Uint8Array(300).fill(5) // a 2-byte length prefix
    const wire = encodeFrames([frame])
    const decoder = new FrameDecoder(1000)
    expect(decoder.pushParts(wire.subarray(0, 1))).toEqual([])
    const [got] = decoder.pushParts(wire.subarray(1))
    expect(joinParts(got!)).toEqual(frame)
    const strict = new FrameDecoder(100)
    strict.pushParts(wire.subarray(0, 1))
    expect(() => strict.pushParts(wire.subarray(1, 2))).toThrow('frame of 300 bytes exceeds the 100-byte limit')
  })

  it('rejects a declared length over the limit before its body arrives', () => {
    const decoder = new FrameDecoder(1000)
    expect(decoder.push(encodeFrames([new Uint8Array(1000)]))).toHaveLength(1)
    expect(() => decoder.push(varint.encode(1001))).toThrow(new FrameLengthError('frame of 1001 bytes exceeds the 1000-byte limit'))
  })

  it('rejects a length prefix that is too long or not minimal', () => {
    expect(() => new FrameDecoder(1000).push(new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80]))).toThrow(FrameLengthError)
    expect(() => new FrameDecoder(1000).push(new Uint8Array([0x85, 0x00, 1, 2, 3, 4, 5]))).toThrow(/not minimally encoded/)
  })
})

const peers = new LoopbackPeers()

afterEach(async () => { await peers.stop() })

/** Two peers on loopback and one stream between them: the dialer's end and the listener's. */
const streamPair = async (): Promise<{ dialer: Stream, listener: Stream }> => await peers.streamPair('/kith-test/frames/1.0.0')

describe('FrameStream', () => {
  it('carries frames both ways between real peers, interoperating with lpStream', async () => {
    const { dialer, listener } = await streamPair()
    const theirs = lpStream(dialer)
    const ours = new FrameStream(listener, { maxFrame: 100_000 })
    const sent = Array.from({ length: 40 }, (_, i) => new Uint8Array(i * 997).fill(i))
    await theirs.writeV(sent)
    const got: Uint8Array[] = []
    for (const _ of sent) got.push(await ours.read())
    expect(got).toEqual(sent)
    await ours.write(bytes('one'), bytes('two'))
    expect(text([(await theirs.read()).subarray(), (await theirs.read()).subarray()])).toEqual(['one', 'two'])
  })

  it('hands over a 1 MiB frame as the Noise messages it came in (readParts), byte-identical', async () => {
    const { dialer, listener } = await streamPair()
    const ours = new FrameStream(listener, { maxFrame: 2 << 20, maxBuffered: 8 << 20 })
    const big = Uint8Array.from({ length: 1 << 20 }, (_, i) => i * 7 % 253)
    await lpStream(dialer).writeV([big, bytes('after')])
    const parts = await ours.readParts()
    expect(parts.length).toBeGreaterThan(1)
    for (const p of parts) expect(p.constructor).toBe(Uint8Array)
    expect(joinParts(parts)).toEqual(big)
    expect(text([await ours.read()])).toEqual(['after'])
  })

  it('gives the frames already received, then StreamEndedError, after the peer closes', async () => {
    const { dialer, listener } = await streamPair()
    const ours = new FrameStream(listener, { maxFrame: 100 })
    await lpStream(dialer).writeV([bytes('last'), bytes('words')])
    await dialer.close()
    expect(text([await ours.read(), await ours.read()])).toEqual(['last', 'words'])
    await expect(ours.read()).rejects.toThrow(StreamEndedError)
  })

  it('aborts the stream on an oversized frame, and reads reject with the reason', async () => {
    const { dialer, listener } = await streamPair()
    const ours = new FrameStream(listener, { maxFrame: 100 })
    const closed = new Promise<void>((resolve) => { listener.addEventListener('close', () => { resolve() }) })
    await lpStream(dialer).write(new Uint8Array(101))
    await expect(ours.read()).rejects.toThrow('frame of 101 bytes exceeds the 100-byte limit')
    await closed
    expect(listener.status).toBe('aborted')
  })

  it('aborts a stream that sends more than it lets be read', async () => {
    const { dialer, listener } = await streamPair()
    const ours = new FrameStream(listener, { maxFrame: 1000, maxBuffered: 5000 })
    const closed = new Promise<void>((resolve) => { listener.addEventListener('close', () => { resolve() }) })
    await lpStream(dialer).writeV(Array.from({ length: 6 }, () => new Uint8Array(1000)))
    await closed
    await expect(ours.read()).rejects.toThrow('more than 5000 bytes received and not read')
  })

  it('stops a read when its signal aborts, and the next read still gets the frame', async () => {
    const { dialer, listener } = await streamPair()
    const ours = new FrameStream(listener, { maxFrame: 100 })
    const controller = new AbortController()
    const waiting = ours.read({ signal: controller.signal })
    controller.abort(new Error('gave up'))
    await expect(waiting).rejects.toThrow('gave up')
    await lpStream(dialer).write(bytes('late'))
    expect(text([await ours.read()])).toEqual(['late'])
  })
})
