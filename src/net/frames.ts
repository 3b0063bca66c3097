/**
 * Length-prefixed frames over a libp2p stream: an unsigned varint length, then that many bytes.
 * This is the framing of every Kith stream protocol, and the same wire format as @libp2p/utils'
 * lpStream. That one reads the length a byte at a time, awaiting each, and throws (and catches) a
 * RangeError for every incomplete length; on the delivery path that cost a fixed share of every
 * message. Here the stream pushes its bytes in, and each chunk is split into all the frames it
 * completes in one pass.
 */
import type { AbortOptions, Stream } from '@libp2p/interface'

/** A frame whose declared length is over the limit, or whose length prefix is malformed. */
export class FrameLengthError extends Error {
  override readonly name = 'FrameLengthError'
}

/** The stream ended (cleanly or not) before a whole frame arrived. */
export class StreamEndedError extends Error {
  override readonly name = 'StreamEndedError'
}

const EMPTY = new Uint8Array(0)

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

/**
 * Splits a byte stream into frames. Frames are views of the received chunks (copied only when one
 * spans chunks, and then once), so a caller must not write into them.
 */
export class FrameDecoder {
  /** Received bytes not yet part of a whole frame, as they came. */
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
    let buf = chunk
    if (this.pending.length > 0) {
      this.pending.push(chunk)
      this.pendingBytes += chunk.length
      if (this.pendingBytes < this.needed) return []
      buf = new Uint8Array(this.pendingBytes)
      let at = 0
      for (const p of this.pending) {
        buf.set(p, at)
        at += p.length
      }
    }
    const frames: Uint8Array[] = []
    let offset = 0
    let needed = 1
    while (offset < buf.length) {
      // The length prefix, without reading past the bytes at hand.
      let length = 0
      let scale = 1
      let at = offset
      let complete = false
      while (at < buf.length && at - offset < MAX_LENGTH_BYTES) {
        const byte = buf[at++]!
        length += (byte & 0x7f) * scale
        scale *= 0x80
        if (byte < 0x80) {
          complete = true
          break
        }
      }
      if (!complete) {
        if (at - offset >= MAX_LENGTH_BYTES) throw new FrameLengthError(`frame length prefix longer than ${MAX_LENGTH_BYTES} bytes`)
        needed = at - offset + 1
        break
      }
      if (at - offset > varintLength(length)) throw new FrameLengthError('frame length prefix is not minimally encoded')
      if (length > this.maxFrame) throw new FrameLengthError(`frame of ${length} bytes exceeds the ${this.maxFrame}-byte limit`)
      if (buf.length - at < length) {
        needed = at - offset + length
        break
      }
      frames.push(buf.subarray(at, at + length))
      offset = at + length
    }
    if (offset === buf.length) {
      this.pending = []
      this.pendingBytes = 0
    } else {
      // Kept as a copy when it is part of the caller's chunk.
      const rest = buf === chunk ? chunk.slice(offset) : buf.subarray(offset)
      this.pending = [rest]
      this.pendingBytes = rest.length
      this.needed = needed
    }
    return frames
  }
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
 * rejects with the reason.
 */
export class FrameStream {
  private readonly decoder: FrameDecoder
  private readonly frames: Uint8Array[] = []
  private head = 0
  private queuedBytes = 0
  private readonly maxBuffered: number
  private ended: Error | undefined
  private failed = false
  private waiter: { resolve: (frame: Uint8Array) => void, reject: (err: Error) => void } | undefined

  constructor (private readonly stream: Stream, options: FrameStreamOptions) {
    this.decoder = new FrameDecoder(options.maxFrame)
    this.maxBuffered = options.maxBuffered ?? DEFAULT_MAX_BUFFERED
    stream.addEventListener('message', (evt) => { this.received(evt.data instanceof Uint8Array ? evt.data : evt.data.subarray()) })
    stream.addEventListener('close', (evt) => { this.end(evt.error ?? new StreamEndedError('stream closed')) })
    // A muxer may signal the remote close before dispatching the data that came with it.
    stream.addEventListener('remoteCloseWrite', () => { queueMicrotask(() => { this.end(new StreamEndedError('the peer closed the stream')) }) })
  }

  private received (chunk: Uint8Array): void {
    if (this.failed) return
    let frames: Uint8Array[]
    try {
      frames = this.decoder.push(chunk)
    } catch (err) {
      this.fail(err as Error)
      return
    }
    for (const f of frames) {
      this.frames.push(f)
      this.queuedBytes += f.length
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
    this.head = 0
    this.queuedBytes = 0
    this.ended = err
    this.end(err)
    // Let the dispatch that brought the bytes finish first.
    queueMicrotask(() => { this.stream.abort(err) })
  }

  private take (): Uint8Array {
    const frame = this.frames[this.head]!
    this.frames[this.head++] = EMPTY
    this.queuedBytes -= frame.length
    if (this.head === this.frames.length) {
      this.frames.length = 0
      this.head = 0
    }
    return frame
  }

  /** The next frame. Rejects with {@link StreamEndedError}, the stream's error, or {@link FrameLengthError}. */
  async read (options?: AbortOptions): Promise<Uint8Array> {
    if (this.head < this.frames.length) return this.take()
    if (this.ended !== undefined) throw this.ended
    if (this.waiter !== undefined) throw new Error('a read is already waiting on this stream')
    const signal = options?.signal
    signal?.throwIfAborted()
    return await new Promise<Uint8Array>((resolve, reject) => {
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
