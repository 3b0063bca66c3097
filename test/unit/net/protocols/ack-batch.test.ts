import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { AckBatcher, SETTLE_BATCH, SETTLE_DELAY_MS } from '../../../../src/net/protocols/ack-batch.ts'

function deferred (): { promise: Promise<void>, resolve: () => void, reject: (err: Error) => void } {
  let resolve!: () => void
  let reject!: (err: Error) => void
  const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej })
  return { promise, resolve, reject }
}

/** A batcher over numbered acks whose settles the test finishes by hand. */
function harness (): { batcher: AckBatcher<number>, batches: number[][], finish: Array<ReturnType<typeof deferred>>, errors: unknown[], inFlight: { n: number } } {
  const batches: number[][] = []
  const finish: Array<ReturnType<typeof deferred>> = []
  const errors: unknown[] = []
  const inFlight = { n: 0 }
  const batcher = new AckBatcher<number>({
    settle: async (batch) => {
      batches.push(batch)
      const d = deferred()
      finish.push(d)
      await d.promise
    },
    moreExpected: () => inFlight.n > 0,
    settled: (err) => { if (err !== undefined) errors.push(err) }
  })
  return { batcher, batches, finish, errors, inFlight }
}

describe('AckBatcher', () => {
  beforeEach(() => { vi.useFakeTimers() })
  afterEach(() => { vi.useRealTimers() })

  it('holds acks while more are in flight and settles them with the last one, in one batch', async () => {
    const { batcher, batches, inFlight } = harness()
    inFlight.n = 3
    for (const ack of [1, 2]) {
      inFlight.n--
      batcher.add(ack)
    }
    expect(batches).toEqual([])
    expect(batcher.idle).toBe(false)
    inFlight.n--
    batcher.add(3)
    expect(batches).toEqual([[1, 2, 3]])
  })

  it('settles acks whose followers do not come once they have waited the delay', async () => {
    const { batcher, batches, inFlight } = harness()
    inFlight.n = 5
    batcher.add(1)
    batcher.add(2)
    await vi.advanceTimersByTimeAsync(SETTLE_DELAY_MS - 1)
    expect(batches).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(batches).toEqual([[1, 2]])
  })

  it('settles a full batch at once even while more are in flight', async () => {
    const { batcher, batches, inFlight } = harness()
    inFlight.n = SETTLE_BATCH * 2
    for (let i = 1; i <= SETTLE_BATCH; i++) batcher.add(i)
    expect(batches).toHaveLength(1)
    expect(batches[0]).toHaveLength(SETTLE_BATCH)
  })

  it('settles one batch at a time: acks that arrive meanwhile form the next, and it ends idle', async () => {
    const { batcher, batches, finish } = harness()
    batcher.add(1)
    batcher.add(2)
    batcher.add(3)
    expect(batches).toEqual([[1]])
    finish[0]!.resolve()
    await vi.waitFor(() => { expect(batches).toEqual([[1], [2, 3]]) })
    finish[1]!.resolve()
    await vi.waitFor(() => { expect(batcher.idle).toBe(true) })
  })

  it('flush settles waiting acks at once, and a failed settle is reported', async () => {
    const { batcher, batches, finish, errors, inFlight } = harness()
    inFlight.n = 10
    batcher.add(1)
    batcher.flush()
    expect(batches).toEqual([[1]])
    finish[0]!.reject(new Error('disk full'))
    await vi.waitFor(() => { expect(errors).toHaveLength(1) })
    expect((errors[0] as Error).message).toBe('disk full')
    expect(batcher.idle).toBe(true)
    // Nothing is left scheduled: the delay passing settles nothing more.
    await vi.advanceTimersByTimeAsync(SETTLE_DELAY_MS * 2)
    expect(batches).toEqual([[1]])
  })
})
