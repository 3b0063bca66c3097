/**
 * `/kith/deliver/1.0.0`: one long-lived stream per peer carrying Deliver frames one way and Ack
 * frames back, with up to DELIVERY_WINDOW frames (and DELIVERY_WINDOW_BYTES) in flight. Frames
 * come from, and acks go back to, an injected outbox, so this layer knows nothing of storage or MLS.
 */
import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { toHex } from '../../core/bytes.ts'
import { DELIVER_PROTOCOL, DELIVERY_WINDOW, DELIVERY_WINDOW_BYTES, MAX_ACK_FRAME, MAX_DELIVER_FRAME } from '../constants.ts'
import { DEFAULT_RETRY, RetryTimer, type RetryTimerOptions } from '../retry-timer.ts'
import { FrameStream } from '../frames.ts'
import { connectionFor, directConnection } from '../connection-choice.ts'
import type { CountsAsLink } from '../inbound-webrtc-check.ts'
import { AckBatcher } from './ack-batch.ts'
import { Ack, AckStatus, Deliver } from '../../core/codec/envelope.ts'
import { describeError } from '../../core/errors.ts'

/** How long a delivery stream with nothing to send stays open for the next message. */
const STREAM_IDLE_MS = 60_000
/**
 * With frames awaiting acknowledgement, how long the stream may stay silent before it is given up
 * and its frames go again on a fresh one (receivers drop a frame they already hold, and ack it).
 * A stream can die without an error reaching this side (the peer's end was reset while its
 * connection lived on); without this, its frames waited for an ack that never came.
 */
const ACK_STALL_MS = 20_000

/** Something to log through; secrets never reach it. */
export interface Log {
  (message: string): void
}

/** A frame waiting for a peer's acknowledgement. */
export interface OutboundFrame {
  readonly rowId: number
  readonly frame: Uint8Array
  /** Stale within seconds (a TYPING, a call's ALIVE): delivered to the device, never left in its mailboxes. */
  readonly ephemeral?: boolean
}

/** Where queued frames come from and where their outcome goes. */
export interface Outbox {
  /** Up to `limit` unacknowledged frames for `peerId` with row id above `afterRowId`, in order. */
  next (peerId: string, afterRowId: number, limit: number): Promise<OutboundFrame[]>
  /** The peer answered these frames, in order: stored (or already had it), or rejected for good. */
  settle (peerId: string, outcomes: readonly Settlement[]): Promise<void>
}

/** A peer's answer to one frame. */
export interface Settlement {
  readonly rowId: number
  readonly status: 'stored' | 'rejected'
}

/** Decides what to do with an incoming frame; the returned promise resolves once it is durable. */
export interface DeliverHandler {
  (from: PeerId, frame: Deliver): Promise<'stored' | 'rejected'>
}

/** Options of the delivery service. */
export interface DeliveryOptions {
  readonly retry?: RetryTimerOptions
  /** Frames sent ahead of acknowledgements, at most. */
  readonly window?: number
  /** Bytes of frames sent ahead of acknowledgements, at most (one frame always goes). */
  readonly windowBytes?: number
  /**
   * Called when dialling a peer failed: finds fresh addresses for it (Kith's directory in the DHT)
   * and resolves true if it added any, so the dial is tried once more.
   */
  readonly locate?: (peerId: string) => Promise<boolean>
  readonly log: Log
  /** Called when frames for a peer could not be sent (it is unreachable, say): e.g. to leave them in its mailboxes. */
  readonly unreachable?: (peerId: string) => void
  /**
   * Which open connections may carry chat: `InboundWebRtcCheck.counts` (`inbound-webrtc-check.ts`) leaves out accepted
   * WebRTC connections not yet proven, which may never have connected. Every one, by default.
   */
  readonly counts?: CountsAsLink
  /** Frames awaiting acks and nothing heard for this long: the stream is given up (default 20 s; tests shorten it). */
  readonly ackStallMs?: number
}

/** Decodes a Deliver frame, checking sizes. Throws on malformed input. */
export function decodeDeliver (bytes: Uint8Array): Deliver {
  const frame = Deliver.decode(bytes, { limits: { hints: 32 } })
  if (frame.id.length !== 16) throw new Error(`delivery id must be 16 bytes, got ${frame.id.length}`)
  if (frame.message.length === 0) throw new Error('delivery carries no message')
  for (const hint of frame.hints) if (hint.addrs.length > 16) throw new Error('too many addresses in a peer hint')
  return frame
}

/** Encodes a Deliver frame. */
export function encodeDeliver (frame: Deliver): Uint8Array {
  return Deliver.encode(frame)
}

/** Runs `fn` once the I/O already received has been handled (Node's check phase; a task in browsers). */
const afterIo: (fn: () => void) => void = typeof setImmediate === 'function' ? (fn) => { setImmediate(fn) } : (fn) => { setTimeout(fn, 0) }

/** Whether a connection is relayed under a relay's limits. */
function isLimited (connection: Connection): boolean {
  return connection.limits !== undefined
}

/** Frames of one stream handed to the handler and not yet acknowledged, at most. */
const MAX_HANDLING = 256

/**
 * Serves incoming delivery streams: one Ack per Deliver, in order. Each frame goes to the handler
 * as it arrives, without waiting for the ones before it to be stored, so that frames that arrived
 * together can share a commit; their acks wait for their outcomes, in order, and go out in one write.
 */
export async function handleDeliverStream (stream: Stream, from: PeerId, handler: DeliverHandler, log: Log): Promise<void> {
  const lp = new FrameStream(stream, { maxFrame: MAX_DELIVER_FRAME })
  const acks: Uint8Array[] = []
  let flushing: Promise<void> | undefined
  let failed = false
  const flush = async (): Promise<void> => {
    while (acks.length > 0) await lp.write(...acks.splice(0))
  }
  const ack = (id: Uint8Array<ArrayBuffer>, status: AckStatus): void => {
    acks.push(Ack.encode({ id, status }))
    flushing ??= new Promise<void>((resolve) => afterIo(resolve)).then(flush).catch((err: unknown) => { stream.abort(err as Error) }).finally(() => { flushing = undefined })
  }
  /** Outcomes not yet acknowledged, oldest first. */
  const handling: Array<Promise<void>> = []
  let acked: Promise<void> = Promise.resolve()
  const enqueue = (id: Uint8Array<ArrayBuffer>, outcome: Promise<'stored' | 'rejected'>): void => {
    outcome.catch(() => {}) // awaited below, unless an earlier frame failed
    const done = acked.then(async () => {
      if (failed) return
      let status: 'stored' | 'rejected'
      try {
        status = await outcome
      } catch (err) {
        // Not durable: no ack for it or any later frame, so the sender retries from here.
        failed = true
        log(`could not store delivery ${toHex(id)} from ${from}: ${describeError(err)}`)
        await flushing
        stream.abort(err as Error)
        return
      }
      ack(id, status === 'stored' ? AckStatus.STORED : AckStatus.REJECTED)
    })
    acked = done
    handling.push(done)
    // Chained, so they settle oldest first.
    void done.finally(() => { handling.shift() })
  }
  try {
    while (!failed) {
      if (handling.length >= MAX_HANDLING) {
        await handling[0]
        continue
      }
      const bytes = await lp.read()
      let frame: Deliver
      try {
        frame = decodeDeliver(bytes)
      } catch (err) {
        log(`dropped malformed delivery frame from ${from}: ${describeError(err)}`)
        enqueue(new Uint8Array(), Promise.resolve('rejected'))
        continue
      }
      enqueue(frame.id, handler(from, frame))
    }
  } catch (err) {
    const e = err as Error
    if (e.name === 'FrameLengthError') {
      log(`dropped delivery stream from ${from}: ${e.message}`)
    }
    // The frames read before still get their acks, if the stream can carry them.
    await acked
    await flushing
    stream.abort(e)
  }
}

/** Sends one peer's queued frames over a long-lived stream and settles them as acks arrive. */
class PeerSender {
  private running = false
  private wanted = false
  private readonly retry: RetryTimer
  private closed = false
  private open: { stream: Stream, lp: FrameStream, connection: Connection } | undefined
  private idleTimer: ReturnType<typeof setTimeout> | undefined
  private wake: (() => void) | undefined
  /**
   * Every frame up to this row id was acknowledged and settled by a pipeline that ended cleanly,
   * so the next one starts after it; 0 after a failure, when unsettled frames must go again.
   */
  private sentThrough = 0

  constructor (
    private readonly peerId: string,
    private readonly libp2p: Libp2p,
    private readonly outbox: Outbox,
    private readonly options: DeliveryOptions
  ) {
    this.retry = new RetryTimer(options.retry ?? DEFAULT_RETRY, () => this.kick())
  }

  /** Asks the sender to (re)check the outbox now. */
  kick (): void {
    if (this.closed) return
    this.wanted = true
    if (this.running) this.signal()
    else void this.run()
  }

  /** The peer just connected: retry without waiting out the backoff. */
  reconnected (): void {
    this.retry.reset()
    this.kick()
  }

  stop (): void {
    this.closed = true
    this.retry.cancel()
    this.signal()
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer)
    this.closeChannel()
  }

  private async run (): Promise<void> {
    this.running = true
    try {
      while (this.wanted && !this.closed) {
        this.wanted = false
        // The first look at the outbox is also the pipeline's first batch: one read, not two.
        const window = this.options.window ?? DELIVERY_WINDOW
        const first = await this.outbox.next(this.peerId, this.sentThrough, window)
        if (first.length === 0) continue
        await this.drain(first)
      }
    } catch (err) {
      this.options.log(`delivery to ${this.peerId} failed, will retry: ${describeError(err)}`)
      this.retry.schedule()
      this.options.unreachable?.(this.peerId)
    } finally {
      this.running = false
    }
  }

  /**
   * The open delivery stream to this peer, or a new one. Streams are kept for the next message,
   * unless theirs is a relayed connection and a direct one has opened since: chat then moves to it.
   */
  private async channel (): Promise<{ stream: Stream, lp: FrameStream, reused: boolean }> {
    const open = this.open
    if (open !== undefined && open.stream.status === 'open' && open.stream.writeStatus === 'writable') {
      if (!isLimited(open.connection) || !this.hasDirectConnection()) return { ...open, reused: true }
      this.closeChannel()
    }
    const connection = await this.connection(peerIdFromString(this.peerId))
    const stream = await connection.newStream(DELIVER_PROTOCOL, { signal: AbortSignal.timeout(10_000), runOnLimitedConnection: true })
    const fresh = { stream, lp: new FrameStream(stream, { maxFrame: MAX_ACK_FRAME }), connection }
    this.open = fresh
    return { ...fresh, reused: false }
  }

  /**
   * The connection for a new stream: a direct one if open, else a dial, which may find a direct path
   * (or join a direct upgrade under way), else the relayed (limited) one already open: a relayed
   * connection carries chat too when it is the only path (Kith's relays allow it). A dial that fails,
   * or that returns a connection which does not count (an unproven accepted WebRTC one), leaves
   * chat on that relayed connection.
   */
  private async connection (peer: PeerId): Promise<Connection> {
    return await connectionFor(this.libp2p, peer, (c) => this.counts(c), async () => await this.dial(peer, AbortSignal.timeout(10_000)), (err) => {
      this.options.log(`delivery to ${this.peerId} stays on the relay: ${describeError(err)}`)
    })
  }

  /** Whether this connection may carry chat ({@link DeliveryOptions.counts}). */
  private counts (connection: Connection): boolean {
    return this.options.counts?.(connection) ?? true
  }

  /** Dials the peer; if the addresses we know fail, asks `locate` for fresh ones and dials once more. */
  private async dial (peer: PeerId, signal: AbortSignal): Promise<Connection> {
    try {
      return await this.libp2p.dial(peer, { signal })
    } catch (err) {
      const locate = this.options.locate
      if (locate === undefined || this.closed) throw err
      const found = await locate(this.peerId).catch((lookupErr: unknown) => {
        this.options.log(`could not look ${this.peerId} up in the directory: ${describeError(lookupErr)}`)
        return false
      })
      if (!found) throw err
      return await this.libp2p.dial(peer, { signal: AbortSignal.timeout(10_000) })
    }
  }

  private hasDirectConnection (): boolean {
    return directConnection(this.libp2p, peerIdFromString(this.peerId), (c) => this.counts(c)) !== undefined
  }

  private closeChannel (err?: Error): void {
    const open = this.open
    this.open = undefined
    if (open === undefined) return
    if (err !== undefined) open.stream.abort(err)
    else void open.stream.close().catch(() => {})
  }

  /**
   * Sends over the peer's stream until the outbox is empty, retrying once on a fresh stream.
   * `first` is what the outbox holds after {@link sentThrough}, up to the window.
   */
  private async drain (first: readonly OutboundFrame[]): Promise<void> {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer)
    let attempt = await this.channel()
    try {
      await this.pipeline(attempt.lp, first)
    } catch (err) {
      this.closeChannel(err as Error)
      // A kept stream may have been closed by the peer meanwhile: one fresh stream before backing off.
      if (!attempt.reused) throw err
      attempt = await this.channel()
      try {
        await this.pipeline(attempt.lp)
      } catch (err2) {
        this.closeChannel(err2 as Error)
        throw err2
      }
    }
    this.idleTimer = setTimeout(() => this.closeChannel(), STREAM_IDLE_MS)
    this.idleTimer.unref?.()
  }

  /** Wakes a pipeline waiting for new frames or window space. */
  private signal (): void {
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }

  /**
   * Pipelines frames over one stream until the outbox is empty: frames queued while earlier ones
   * wait for their acks go out at once (up to the window). Acks are matched as they arrive and
   * settled in batches ({@link AckBatcher}): while frames are in flight, an ack waits briefly for
   * the ones after it.
   */
  private async pipeline (lp: FrameStream, first?: readonly OutboundFrame[]): Promise<void> {
    const window = this.options.window ?? DELIVERY_WINDOW
    const byteWindow = this.options.windowBytes ?? DELIVERY_WINDOW_BYTES
    const inflight: Array<{ rowId: number, id: string, bytes: number }> = []
    let inflightBytes = 0
    let lastRowId = this.sentThrough
    this.sentThrough = 0
    /** The last look at the outbox found everything after lastRowId; only a kick adds more. */
    let exhausted = false
    let failure: { error: unknown } | undefined
    let reading = false
    let kickedSinceFirst = false
    const fail = (error: unknown): void => { failure ??= { error } }
    const acked = new AckBatcher<Settlement>({
      settle: async (batch) => { await this.outbox.settle(this.peerId, batch) },
      moreExpected: () => inflight.length > 0,
      settled: (err) => {
        if (err !== undefined) fail(err)
        this.signal()
      }
    })
    // Frames await acks and the stream has said nothing for too long: it is given up.
    let heardAt = Date.now()
    const stallMs = this.options.ackStallMs ?? ACK_STALL_MS
    const watchdog = setInterval(() => {
      if (inflight.length === 0 || Date.now() - heardAt <= stallMs) return
      // The loop below throws it; drain() then aborts the stream and goes again on a fresh one.
      fail(new Error(`no acknowledgement for ${stallMs >= 1000 ? `${Math.round(stallMs / 1000)} s` : `${stallMs} ms`} with ${inflight.length} frame(s) sent`))
      this.signal()
    }, Math.max(50, Math.floor(stallMs / 4)))
    watchdog.unref?.()
    const readAcks = async (): Promise<void> => {
      while (inflight.length > 0) {
        const ack = Ack.decode(await lp.read())
        heardAt = Date.now()
        const head = inflight.shift()
        if (head === undefined || toHex(ack.id) !== head.id) throw new Error('acknowledgement out of order')
        inflightBytes -= head.bytes
        acked.add({ rowId: head.rowId, status: ack.status === AckStatus.STORED ? 'stored' : 'rejected' })
        this.retry.reset()
        this.signal()
      }
    }
    const startReading = (): void => {
      if (reading) return
      reading = true
      readAcks().catch(fail).finally(() => {
        reading = false
        this.signal()
      })
    }
    try {
      for (;;) {
        if (failure !== undefined || this.closed) {
          // Acks already read need not wait for others that will not come.
          acked.flush()
          if (failure !== undefined) throw failure.error
          return
        }
        if (this.wanted) {
          this.wanted = false
          exhausted = false
          kickedSinceFirst = true
        }
        if (!exhausted && inflight.length < window && inflightBytes < byteWindow) {
          const limit = window - inflight.length
          const given = first
          first = undefined
          const batch = given ?? await this.outbox.next(this.peerId, lastRowId, limit)
          // Frames queued since `first` was read are not in it: a kick meanwhile means look again.
          exhausted = batch.length < limit && !(given !== undefined && kickedSinceFirst)
          const frames: Uint8Array[] = []
          const rejected: Settlement[] = []
          for (const f of batch) {
            // The byte window bounds memory and buffering; one frame always fits.
            if (inflight.length > 0 && inflightBytes + f.frame.length > byteWindow) {
              exhausted = false
              break
            }
            lastRowId = f.rowId
            let id: string
            try {
              id = toHex(decodeDeliver(f.frame).id)
            } catch {
              rejected.push({ rowId: f.rowId, status: 'rejected' })
              continue
            }
            inflight.push({ rowId: f.rowId, id, bytes: f.frame.length })
            inflightBytes += f.frame.length
            frames.push(f.frame)
          }
          if (rejected.length > 0) await this.outbox.settle(this.peerId, rejected)
          if (frames.length > 0) {
            // The clock runs from the first frame nobody has answered yet.
            if (inflight.length === frames.length) heardAt = Date.now()
            await lp.write(...frames)
            startReading()
          }
          continue
        }
        // Everything sent is acknowledged and settled, and nothing new was queued meanwhile: done.
        if (inflight.length === 0 && acked.idle && !reading && !this.wanted) {
          this.sentThrough = lastRowId
          return
        }
        if (this.wanted) continue
        await new Promise<void>((resolve) => { this.wake = resolve })
      }
    } finally {
      clearInterval(watchdog)
    }
  }
}

/** Delivery service: serves the protocol and keeps one sender per peer with queued frames. */
export class DeliveryService {
  private readonly senders = new Map<string, PeerSender>()
  private readonly onConnect = (evt: CustomEvent<PeerId>): void => {
    this.senders.get(evt.detail.toString())?.reconnected()
  }

  constructor (
    private readonly libp2p: Libp2p,
    private readonly outbox: Outbox,
    private readonly handler: DeliverHandler,
    private readonly options: DeliveryOptions
  ) {}

  async start (): Promise<void> {
    await this.libp2p.handle(DELIVER_PROTOCOL, async (stream, connection) => {
      await handleDeliverStream(stream, connection.remotePeer, this.handler, this.options.log)
    }, { maxInboundStreams: 8, runOnLimitedConnection: true })
    this.libp2p.addEventListener('peer:connect', this.onConnect)
  }

  /** Frames were queued for `peerId`: send them. */
  notify (peerId: string): void {
    let sender = this.senders.get(peerId)
    if (sender === undefined) {
      sender = new PeerSender(peerId, this.libp2p, this.outbox, this.options)
      this.senders.set(peerId, sender)
    }
    sender.kick()
  }

  async stop (): Promise<void> {
    this.libp2p.removeEventListener('peer:connect', this.onConnect)
    for (const s of this.senders.values()) s.stop()
    await this.libp2p.unhandle(DELIVER_PROTOCOL)
  }
}
