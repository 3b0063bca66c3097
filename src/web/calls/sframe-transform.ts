/**
 * The logic of the SFrame transform worker, apart from the worker's globals so that it runs in
 * Node tests too: one SFrameContext for every transform of the worker (one send key, so the CTR
 * is unique across all of this participant's streams; receive keys of every peer), the page's key
 * requests, and a loop per RTCRtpScriptTransform that encrypts or decrypts each encoded frame's
 * whole `data`. A frame that cannot be processed is dropped and counted, never thrown
 * and never passed on in the clear.
 */
import { describeError, ValidationError } from '../../core/errors.ts'
import { SFrameContext } from '../../core/sframe/context.ts'
import { SFrameError } from '../../core/sframe/sframe-error.ts'
import type { SFrameSide, SFrameStatsMessage, SFrameTransformOptions, SFrameWorkerEvent } from './sframe-protocol.ts'

/** What a transform needs of an RTCEncodedVideoFrame or RTCEncodedAudioFrame. */
export interface EncodedFrameLike { data: ArrayBuffer }

interface TransformCounts { side: SFrameSide, peer: string, frames: number, dropped: number }

interface ReceiveTransform {
  /** Dropped a frame for want of its key since the last one it passed on. */
  waitingForKey: boolean
  /** Dropped a frame the decoder needed (for any reason but a replay) since the last one it passed on. */
  gap: boolean
  /** When it last asked for a key frame (performance.now()), or -Infinity. */
  askedAt: number
  requestKeyFrame: (() => void) | undefined
}

/** A receiver asks its sender for a key frame at most this often. */
const KEY_FRAME_REQUEST_INTERVAL_MS = 1000

/** Asks the stream's sender for a key frame, unless it asked less than a second ago. */
function askForKeyFrame (r: ReceiveTransform): void {
  const now = performance.now()
  if (now - r.askedAt < KEY_FRAME_REQUEST_INTERVAL_MS) return
  r.askedAt = now
  r.requestKeyFrame?.()
}

function isBigint (value: unknown): value is bigint {
  return typeof value === 'bigint' && value >= 0n
}

/** Parses `options` given to RTCRtpScriptTransform; throws naming what is wrong. */
export function parseTransformOptions (options: unknown): SFrameTransformOptions {
  const o = options as Partial<SFrameTransformOptions> | null | undefined
  if (o?.side !== 'send' && o?.side !== 'receive') throw new ValidationError("SFrame transform options need side 'send' or 'receive'")
  if (typeof o.peer !== 'string' || o.peer.length === 0 || o.peer.length > 200) throw new ValidationError('SFrame transform options need a peer name')
  return { side: o.side, peer: o.peer }
}

/** One worker's SFrame state and transforms. */
export class SFrameTransformer {
  readonly context: SFrameContext
  private unkeyed = 0
  private readonly transforms: TransformCounts[] = []
  private readonly receivers: ReceiveTransform[] = []

  constructor (private readonly post: (event: SFrameWorkerEvent) => void, context = new SFrameContext({ firstCtrFromClock: true })) {
    this.context = context
  }

  /** Handles one request from the page; a bad one is answered with an error event. */
  handleRequest (request: unknown): void {
    const r = request as Partial<Record<string, unknown>> | null
    const fail = (message: string): void => { this.post({ type: 'error', message }) }
    try {
      switch (r?.type) {
        case 'send-key':
        case 'receive-key': {
          if (!isBigint(r.kid) || !(r.baseKey instanceof Uint8Array) || (r.epoch !== undefined && !isBigint(r.epoch)) || (r.ctrStart !== undefined && !isBigint(r.ctrStart))) {
            fail(`${r.type}: kid, epoch and ctrStart must be non-negative bigints and baseKey bytes`)
            return
          }
          const kid = r.kid
          const side = r.type === 'send-key' ? 'send' : 'receive'
          const ready = side === 'send' ? this.context.setSendKey(kid, r.baseKey, r.epoch, r.ctrStart) : this.context.addReceiveKey(kid, r.baseKey, r.epoch)
          ready.then(() => {
            if (side === 'receive') this.requestKeyFrames()
            this.post({ type: 'key-ready', side, kid })
          }, (err: unknown) => { fail(`${r.type} ${kid}: ${describeError(err)}`) })
          return
        }
        case 'remove-key':
          if (!isBigint(r.kid)) { fail('remove-key: kid must be a non-negative bigint'); return }
          this.context.removeKey(r.kid)
          return
        case 'drop-before':
          if (!isBigint(r.epoch)) { fail('drop-before: epoch must be a non-negative bigint'); return }
          this.context.removeKeysBefore(r.epoch)
          return
        case 'report':
          this.post(this.stats())
          return
        default:
          fail(`unknown SFrame worker request ${JSON.stringify(String(r?.type))}`)
      }
    } catch (err) {
      fail(describeError(err))
    }
  }

  /**
   * After a receive key arrives, asks the sender of every stream that lost frames for want of a
   * key for a key frame: the delta frames after the gap cannot be decoded without one.
   */
  private requestKeyFrames (): void {
    for (const r of this.receivers) {
      if (r.waitingForKey) { r.waitingForKey = false; askForKeyFrame(r) }
    }
  }

  /**
   * Moves frames from `readable` to `writable` until `readable` ends, encrypting (send) or
   * decrypting (receive) each frame's whole `data`; a frame that fails is dropped and counted.
   * `requestKeyFrame` (a receiver's RTCRtpScriptTransformer.sendKeyFrameRequest) is called when a
   * key arrives after frames were dropped for want of it, and when a frame decrypts after others
   * were dropped (not as replays); at most once a second. A plain read-process-write loop, not
   * `pipeThrough(new TransformStream(...))`: on a 1:1 call in Chromium the extra stream's queues
   * and promise hops cost more of the worker's time than the cipher did. Resolves when the stream
   * ends (its counts then leave the stats); rejects when `writable` fails.
   */
  async pump<F extends EncodedFrameLike> (options: SFrameTransformOptions, readable: ReadableStream<F>, writable: WritableStream<F>, requestKeyFrame?: () => void): Promise<void> {
    const counts: TransformCounts = { side: options.side, peer: options.peer, frames: 0, dropped: 0 }
    const receiver: ReceiveTransform = { waitingForKey: false, gap: false, askedAt: -Infinity, requestKeyFrame }
    this.transforms.push(counts)
    if (options.side === 'receive') this.receivers.push(receiver)
    const process = options.side === 'send' ? this.sender(counts) : this.receiver(counts, receiver)
    const reader = readable.getReader()
    const writer = writable.getWriter()
    let failed: { error: unknown } | undefined
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        if (!await process(value)) continue
        if (failed !== undefined) throw failed.error
        // Frames are handed on without waiting for each write, unless the sink is backed up.
        if ((writer.desiredSize ?? 1) <= 0) await writer.ready
        writer.write(value).catch((error: unknown) => { failed ??= { error } })
      }
      await writer.close()
    } finally {
      reader.releaseLock()
      this.transforms.splice(this.transforms.indexOf(counts), 1)
      const i = this.receivers.indexOf(receiver)
      if (i >= 0) this.receivers.splice(i, 1)
    }
  }

  /** Encrypts one frame in place; false when it must be dropped. */
  private sender (counts: TransformCounts): (frame: EncodedFrameLike) => Promise<boolean> {
    const context = this.context
    return async (frame) => {
      if (context.sendKid === undefined) { this.unkeyed++; counts.dropped++; return false }
      try {
        frame.data = (await context.encrypt(new Uint8Array(frame.data))).buffer as ArrayBuffer
      } catch {
        counts.dropped++
        return false
      }
      counts.frames++
      return true
    }
  }

  /** Decrypts one frame in place; false when it must be dropped (the decoder never sees it). */
  private receiver (counts: TransformCounts, receiver: ReceiveTransform): (frame: EncodedFrameLike) => Promise<boolean> {
    const context = this.context
    return async (frame) => {
      try {
        frame.data = (await context.decrypt(new Uint8Array(frame.data))).buffer as ArrayBuffer
      } catch (err) {
        // Counted by reason in the context.
        counts.dropped++
        if (err instanceof SFrameError && err.reason === 'unknown-kid') receiver.waitingForKey = true
        if (!(err instanceof SFrameError && err.reason === 'replay')) receiver.gap = true
        return false
      }
      receiver.waitingForKey = false
      // The delta frames after a gap cannot be decoded: the first frame that decrypts again (after
      // an epoch's new key, say, or a burst of frames under a key this side lacked) asks for a key frame.
      if (receiver.gap) {
        receiver.gap = false
        askForKeyFrame(receiver)
      }
      counts.frames++
      return true
    }
  }

  /** The stats message the worker posts. */
  stats (): SFrameStatsMessage {
    const s = this.context.stats()
    return { type: 'stats', ...s, unkeyed: this.unkeyed, transforms: this.transforms.map((t) => ({ ...t })) }
  }
}
