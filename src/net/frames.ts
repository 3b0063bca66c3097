/**
 * Length-prefixed frames over a libp2p stream: an unsigned varint length, then that many bytes.
 * This is the framing of every Kith stream protocol, and the same wire format as @libp2p/utils'
 * lpStream. That one reads the length a byte at a time, awaiting each, and throws (and catches) a
 * RangeError for every incomplete length; on the delivery path that cost a fixed share of every
 * message. Here the stream pushes its bytes in, and each chunk is split into all the frames it
 * completes in one pass.
 */
import type { AbortOptions, Stream } from '@libp2p/interface'
import { concatBytes } from '../core/bytes.ts'

/** A frame whose declared length is over the limit, or whose length prefix is malformed. */
export class FrameLengthError extends Error {
  override readonly name = 'FrameLengthError'
}

/** The stream ended (cleanly or not) before a whole frame arrived. */
export class StreamEndedError extends Error {
  override readonly name = 'StreamEndedError'
}

const EMPTY = new Uint8Array(0)
const EMPTY_PARTS: FrameParts = []

/** Bytes of a varint length, at most: 2^35 - 1 is far beyond any frame limit. */
const MAX_LENGTH_BYTES = 5

/** The number of bytes `n` takes as an unsigned varint. */
function varintLength (n: number): number {
  let bytes = 1
  while (n >= 0x80) {
    n = Math.floor(n / 0x80)
    bytes++
  }
  return bytes
}

/** Writes `n` as an unsigned varint at `offset`; returns the offset after it. */
function writeVarint (n: number, into: Uint8Array, offset: number): number {
  while (n >= 0x80) {
    into[offset++] = (n % 0x80) | 0x80
    n = Math.floor(n / 0x80)
  }
  into[offset++] = n
  return offset
}

/** Frames, each prefixed with its length, in one buffer (one write, one muxer frame). */
export function encodeFrames (frames: readonly Uint8Array[]): Uint8Array {
  let size = 0
  for (const f of frames) size += varintLength(f.length) + f.length
  const out = new Uint8Array(size)
  let offset = 0
  for (const f of frames) {
    offset = writeVarint(f.length, out, offset)
    out.set(f, offset)
    offset += f.length
  }
  return out
}

/** A frame as the views of received chunks it spans, in order (one view when it came in one chunk). */
export type FrameParts = readonly Uint8Array[]

/** The bytes of `parts` in one buffer: the only view when there is one, otherwise a copy. */
export function joinParts (parts: FrameParts): Uint8Array {
  return parts.length === 1 ? parts[0]! : concatBytes(...parts)
}

/**
 * Splits a byte stream into frames. {@link push} gives each frame in one buffer (a view of the
 * chunk it came in, or one copy when it spans chunks) and copies what it keeps of a chunk, so a
 * caller may reuse its chunks; {@link pushParts} copies nothing, giving each frame as views of the
 * chunks it spans, so a 1 MiB file chunk that arrived in 16 Noise messages is never joined; its
 * caller must then not write into the chunks it pushes (libp2p streams hand over fresh buffers).
 * Callers must not write into the frames either.
 */
export class FrameDecoder {
  /** Received bytes not yet part of a whole frame, as views of the chunks they came in. */
  private pending: Uint8Array[] = []
  private pendingBytes = 0
  /** Pending bytes needed before another frame can complete. */
  private needed = 0

  constructor (private readonly maxFrame: number) {}

  /** Bytes received that are not yet part of a whole frame. */
  get buffered (): number {
    return this.pendingBytes
  }

  /** Adds received bytes; returns the frames they complete, in order. Throws {@link FrameLengthError}. */
  push (chunk: Uint8Array): Uint8Array[] {
    const frames = this.split(chunk)
    // What is kept of the caller's chunk (always the last pending part) becomes a copy of it.
    const last = this.pending.length - 1
    if (last >= 0 && this.pending[last]!.buffer === chunk.buffer) this.pending[last] = this.pending[last]!.slice()
    return frames.map(joinParts)
  }

  /** {@link push} without copies: each frame as the views of the chunks it spans. */
  pushParts (chunk: Uint8Array): FrameParts[] {
    return this.split(chunk)
  }

  private split (chunk: Uint8Array): FrameParts[] {
    if (chunk.length === 0) return []
    this.pending.push(chunk)
    this.pendingBytes += chunk.length
    if (this.pendingBytes < this.needed) return []
    const frames: FrameParts[] = []
    for (;;) {
      // The length prefix, without reading past the bytes at hand; it may span chunks.
      let length = 0
      let scale = 1
      let prefix = 0
      let complete = false
      let part = 0
      let at = 0
      while (part < this.pending.length && prefix < MAX_LENGTH_BYTES) {
        const p = this.pending[part]!
        if (at >= p.length) {
          part++
          at = 0
          continue
        }
        const byte = p[at++]!
        prefix++
        length += (byte & 0x7f) * scale
        scale *= 0x80
        if (byte < 0x80) {
          complete = true
          break
        }
      }
      if (!complete) {
        if (prefix >= MAX_LENGTH_BYTES) throw new FrameLengthError(`frame length prefix longer than ${MAX_LENGTH_BYTES} bytes`)
        this.needed = this.pendingBytes + 1
        break
      }
      if (prefix > varintLength(length)) throw new FrameLengthError('frame length prefix is not minimally encoded')
      if (length > this.maxFrame) throw new FrameLengthError(`frame of ${length} bytes exceeds the ${this.maxFrame}-byte limit`)
      if (this.pendingBytes < prefix + length) {
        this.needed = prefix + length
        break
      }
      this.consume(prefix)
      frames.push(this.take(length))
      this.needed = 1
      if (this.pendingBytes === 0) break
    }
    return frames
  }

  /** Drops `n` pending bytes from the front. */
  private consume (n: number): void {
    while (n > 0) {
      const p = this.pending[0]!
      if (p.length <= n) {
        this.pending.shift()
        this.pendingBytes -= p.length
        n -= p.length
      } else {
        this.pending[0] = p.subarray(n)
        this.pendingBytes -= n
        n = 0
      }
    }
  }

  /** Removes `n` pending bytes from the front and returns them as views. */
  private take (n: number): Uint8Array[] {
    const out: Uint8Array[] = []
    let head = 0
    while (n > 0) {
      const p = this.pending[head]!
      if (p.length <= n) {
        out.push(p)
        n -= p.length
        this.pendingBytes -= p.length
        head++
      } else {
        out.push(p.subarray(0, n))
        this.pending[head] = p.subarray(n)
        this.pendingBytes -= n
        n = 0
      }
    }
    if (head > 0) this.pending.splice(0, head)
    if (out.length === 0) out.push(EMPTY)
    return out
  }
}

/**
 * A plain Uint8Array view of `chunk` (Node's muxers hand over Buffers, whose `slice` does not
 * copy): frames are then plain views, and `slice` on them copies as everywhere else.
 */
function plain (chunk: Uint8Array): Uint8Array {
  return chunk.constructor === Uint8Array ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)
}

/** Options of a {@link FrameStream}. */
export interface FrameStreamOptions {
  /** The largest frame accepted; a larger declared length ends the stream. */
  readonly maxFrame: number
  /** Bytes received and not yet read, at most, before the stream is aborted (default 4 MiB). */
  readonly maxBuffered?: number
}

const DEFAULT_MAX_BUFFERED = 4 * 1024 * 1024

/**
 * Reads and writes frames on a libp2p stream. Reads are answered from frames already split off
 * when there are any; a frame that breaks the limits aborts the stream, and every later read
 * rejects with the reason. The stream's chunks are split as they come, never joined first (a
 * muxer hands over a list of the Noise messages a data frame spans).
 */
export class FrameStream {
  private readonly decoder: FrameDecoder
  private readonly frames: FrameParts[] = []
  private readonly lengths: number[] = []
  private head = 0
  private queuedBytes = 0
  private readonly maxBuffered: number
  private ended: Error | undefined
  private failed = false
  private waiter: { resolve: (frame: FrameParts) => void, reject: (err: Error) => void } | undefined

  constructor (private readonly stream: Stream, options: FrameStreamOptions) {
    this.decoder = new FrameDecoder(options.maxFrame)
    this.maxBuffered = options.maxBuffered ?? DEFAULT_MAX_BUFFERED
    stream.addEventListener('message', (evt) => { this.received(evt.data) })
    stream.addEventListener('close', (evt) => { this.end(evt.error ?? new StreamEndedError('stream closed')) })
    // A muxer may signal the remote close before dispatching the data that came with it.
    stream.addEventListener('remoteCloseWrite', () => { queueMicrotask(() => { this.end(new StreamEndedError('the peer closed the stream')) }) })
  }

  private received (data: Uint8Array | Iterable<Uint8Array>): void {
    if (this.failed) return
    try {
      if (data instanceof Uint8Array) this.add(this.decoder.pushParts(plain(data)))
      else for (const chunk of data) this.add(this.decoder.pushParts(plain(chunk)))
    } catch (err) {
      this.fail(err as Error)
      return
    }
    if (this.queuedBytes + this.decoder.buffered > this.maxBuffered) {
      this.fail(new FrameLengthError(`more than ${this.maxBuffered} bytes received and not read`))
      return
    }
    if (this.waiter !== undefined && this.head < this.frames.length) {
      const waiter = this.waiter
      this.waiter = undefined
      waiter.resolve(this.take())
    }
  }

  private add (frames: FrameParts[]): void {
    for (const f of frames) {
      let length = 0
      for (const p of f) length += p.length
      this.frames.push(f)
      this.lengths.push(length)
      this.queuedBytes += length
    }
  }

  /** No more data will come: reads reject once the frames already split off are read. */
  private end (reason: Error): void {
    this.ended ??= reason
    if (this.waiter !== undefined && this.head >= this.frames.length) {
      const waiter = this.waiter
      this.waiter = undefined
      waiter.reject(this.ended)
    }
  }

  /** The stream broke the framing: drop what it sent and abort it. */
  private fail (err: Error): void {
    this.failed = true
    this.frames.length = 0
    this.lengths.length = 0
    this.head = 0
    this.queuedBytes = 0
    this.ended = err
    this.end(err)
    // Let the dispatch that brought the bytes finish first.
    queueMicrotask(() => { this.stream.abort(err) })
  }

  private take (): FrameParts {
    const frame = this.frames[this.head]!
    this.queuedBytes -= this.lengths[this.head]!
    this.frames[this.head++] = EMPTY_PARTS
    if (this.head === this.frames.length) {
      this.frames.length = 0
      this.lengths.length = 0
      this.head = 0
    }
    return frame
  }

  /** The next frame. Rejects with {@link StreamEndedError}, the stream's error, or {@link FrameLengthError}. */
  async read (options?: AbortOptions): Promise<Uint8Array> {
    return joinParts(await this.readParts(options))
  }

  /**
   * The next frame as the views of the chunks it arrived in, unjoined (see {@link FrameDecoder.pushParts}).
   * Rejects as {@link read} does.
   */
  async readParts (options?: AbortOptions): Promise<FrameParts> {
    if (this.head < this.frames.length) return this.take()
    if (this.ended !== undefined) throw this.ended
    if (this.waiter !== undefined) throw new Error('a read is already waiting on this stream')
    const signal = options?.signal
    signal?.throwIfAborted()
    return await new Promise<FrameParts>((resolve, reject) => {
      if (signal === undefined) {
        this.waiter = { resolve, reject }
        return
      }
      const onAbort = (): void => {
        this.waiter = undefined
        reject(signal.reason as Error)
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.waiter = {
        resolve: (frame) => { signal.removeEventListener('abort', onAbort); resolve(frame) },
        reject: (err) => { signal.removeEventListener('abort', onAbort); reject(err) }
      }
    })
  }

  /** Sends frames in one write, waiting for the stream to drain if its buffer is full. */
  async write (...frames: Uint8Array[]): Promise<void> {
    if (!this.stream.send(encodeFrames(frames))) await this.stream.onDrain()
  }
}
