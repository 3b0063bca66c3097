/**
 * Settles a delivery stream's acknowledged frames in batches, one store write per batch. While more
 * acks are on their way (frames still in flight), an ack waits for them, up to `max` acks or
 * `delayMs`; the last ack of a burst settles everything waiting at once. Only one batch is settled
 * at a time: acks that arrive meanwhile form the next.
 *
 * Without the wait, a sender whose frames go out one by one paid one store commit per ack, as many
 * as for the sends themselves. A settle only clears the outbox and records receipts, so waiting
 * costs nothing but a few milliseconds before a message shows as delivered.
 */
/** How long an ack waits for the ones after it, by default. */
export const SETTLE_DELAY_MS = 20
/** Acks settled together at most while more are expected. */
export const SETTLE_BATCH = 64

export interface AckBatcherOptions<T> {
  /** Writes one batch of outcomes. */
  readonly settle: (batch: T[]) => Promise<void>
  /** Whether more acks are expected soon (frames are in flight). */
  readonly moreExpected: () => boolean
  /** Called after each batch, settled (`err` undefined) or failed. */
  readonly settled: (err?: unknown) => void
  readonly delayMs?: number
  readonly max?: number
}

export class AckBatcher<T> {
  private readonly waiting: T[] = []
  private settling = false
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor (private readonly options: AckBatcherOptions<T>) {}

  /** No ack is waiting or being settled. */
  get idle (): boolean {
    return this.waiting.length === 0 && !this.settling
  }

  /** An ack arrived. */
  add (ack: T): void {
    this.waiting.push(ack)
    this.kick(this.options.moreExpected())
  }

  /** Settles whatever waits now, without waiting for more (the stream is ending). */
  flush (): void {
    this.kick(false)
  }

  private kick (wait: boolean): void {
    if (this.settling || this.waiting.length === 0) return
    if (wait && this.waiting.length < (this.options.max ?? SETTLE_BATCH)) {
      this.timer ??= setTimeout(() => {
        this.timer = undefined
        this.kick(false)
      }, this.options.delayMs ?? SETTLE_DELAY_MS)
      return
    }
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    this.settling = true
    this.options.settle(this.waiting.splice(0)).then(() => {
      this.settling = false
      this.options.settled()
      this.kick(this.options.moreExpected())
    }, (err: unknown) => {
      this.settling = false
      this.options.settled(err)
    })
  }
}
