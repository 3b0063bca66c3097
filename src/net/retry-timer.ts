/**
 * Exponential backoff with jitter for redelivery. Timings are options so tests run fast
 * (hyperswarm's `retry-timer`).
 */

/** Backoff timings. */
export interface RetryTimerOptions {
  /** First delay. */
  readonly initialMs: number
  /** Ceiling for the delay. */
  readonly maxMs: number
}

/** Default redelivery timings: 250 ms doubling to 30 s. */
export const DEFAULT_RETRY: RetryTimerOptions = { initialMs: 250, maxMs: 30_000 }

/** Schedules one pending retry at a time, backing off after each failure. */
export class RetryTimer {
  private attempt = 0
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor (private readonly options: RetryTimerOptions, private readonly onFire: () => void) {}

  /** The delay the next failure will wait. */
  nextDelay (): number {
    const base = this.options.initialMs * 2 ** this.attempt
    return Math.round(Math.min(this.options.maxMs, base * (0.75 + Math.random() * 0.5)))
  }

  /** Called after a failure: schedules `onFire` after the backoff delay, unless one is already scheduled. */
  schedule (): void {
    if (this.timer !== undefined) return
    const delay = this.nextDelay()
    this.attempt++
    this.timer = setTimeout(() => { this.timer = undefined; this.onFire() }, delay)
    this.timer.unref?.()
  }

  /** Called after a success, or when the peer is known to be back: forget the backoff. */
  reset (): void {
    this.attempt = 0
    this.cancel()
  }

  /** Drops a scheduled retry. */
  cancel (): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }
}
