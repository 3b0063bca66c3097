import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DEFAULT_RETRY, RetryTimer } from '../../../src/net/retry-timer.ts'

const OPTIONS = { initialMs: 100, maxMs: 1000 }

let fired: number
let timer: RetryTimer

beforeEach(() => {
  vi.useFakeTimers()
  fired = 0
  timer = new RetryTimer(OPTIONS, () => { fired++ })
})

afterEach(() => {
  timer.cancel()
  vi.restoreAllMocks()
  vi.useRealTimers()
})

/** Pins the jitter factor to exactly 1 (0.75 + 0.5 × 0.5). */
function withoutJitter (): void {
  vi.spyOn(Math, 'random').mockReturnValue(0.5)
}

/** Schedules one retry and lets it fire, returning the delay it actually waited (fake clock). */
function failOnce (): number {
  const before = fired
  const start = Date.now()
  timer.schedule()
  vi.advanceTimersToNextTimer()
  expect(fired).toBe(before + 1)
  return Date.now() - start
}

describe('RetryTimer', () => {
  it('fires once, after the backoff delay and not before', () => {
    withoutJitter()
    timer.schedule()
    vi.advanceTimersByTime(99)
    expect(fired).toBe(0)
    vi.advanceTimersByTime(1)
    expect(fired).toBe(1)
    vi.advanceTimersByTime(10_000)
    expect(fired).toBe(1)
  })

  it('keeps a single pending retry when scheduled again before it fires', () => {
    withoutJitter()
    timer.schedule()
    timer.schedule()
    timer.schedule()
    vi.advanceTimersByTime(10_000)
    expect(fired).toBe(1)
    expect(timer.nextDelay()).toBe(200)
  })

  it('doubles the delay after each failure up to maxMs', () => {
    withoutJitter()
    const delays = Array.from({ length: 7 }, () => failOnce())
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000, 1000])
  })

  it('starts again from initialMs after a reset', () => {
    withoutJitter()
    failOnce()
    failOnce()
    failOnce()
    expect(timer.nextDelay()).toBe(800)
    timer.reset()
    expect(timer.nextDelay()).toBe(100)
    expect(failOnce()).toBe(100)
  })

  it('drops a pending retry on reset', () => {
    withoutJitter()
    timer.schedule()
    timer.reset()
    vi.advanceTimersByTime(10_000)
    expect(fired).toBe(0)
  })

  it('drops a pending retry on cancel but keeps the backoff', () => {
    withoutJitter()
    failOnce()
    timer.schedule()
    timer.cancel()
    vi.advanceTimersByTime(10_000)
    expect(fired).toBe(1)
    expect(timer.nextDelay()).toBe(400)
    // A cancelled timer can be scheduled again.
    timer.schedule()
    vi.advanceTimersByTime(400)
    expect(fired).toBe(2)
  })

  it('keeps every delay within ±25% of the backoff, capped by maxMs', () => {
    const expected = [100, 200, 400, 800, 1000, 1000]
    for (const base of expected) {
      for (let i = 0; i < 50; i++) {
        const delay = timer.nextDelay()
        expect(delay).toBeGreaterThanOrEqual(base * 0.75)
        expect(delay).toBeLessThanOrEqual(base * 1.25)
      }
      const waited = failOnce()
      expect(waited).toBeGreaterThanOrEqual(base * 0.75)
      expect(waited).toBeLessThanOrEqual(base * 1.25)
    }
  })

  it('reaches both ends of the jitter range', () => {
    vi.spyOn(Math, 'random').mockReturnValueOnce(0).mockReturnValueOnce(0.999999)
    expect(timer.nextDelay()).toBe(75)
    expect(timer.nextDelay()).toBe(125)
  })

  it('spreads retries out rather than using one fixed delay', () => {
    const delays = new Set(Array.from({ length: 50 }, () => timer.nextDelay()))
    expect(delays.size).toBeGreaterThan(1)
  })

  it('defaults to 250 ms doubling to 30 s', () => {
    withoutJitter()
    timer = new RetryTimer(DEFAULT_RETRY, () => { fired++ })
    const delays = Array.from({ length: 9 }, () => failOnce())
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000])
  })
})
