import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Libp2p } from '@libp2p/interface'
import { BootstrapDialer } from '../../../../src/web/client/bootstrap.ts'

const PEER = '12D3KooWRrM8zw4TRSvETgG5uojFWWvhnK7ufkxLwdsXKKvhhoHL'

/** A libp2p stand-in that counts dials and always fails them, as an unreachable node would. */
function unreachableNode (): { node: Libp2p, dials: () => number } {
  let dials = 0
  const node = {
    addEventListener: () => {},
    removeEventListener: () => {},
    getConnections: () => [],
    dial: async () => { dials++; throw new Error('connection refused') }
  } as unknown as Libp2p
  return { node, dials: () => dials }
}

afterEach(() => { vi.useRealTimers() })

describe('BootstrapDialer', () => {
  it('keeps retrying an unreachable node with backoff until stopped, then never again', async () => {
    vi.useFakeTimers()
    const { node, dials } = unreachableNode()
    const dialer = new BootstrapDialer(node, () => [`/ip4/127.0.0.1/tcp/4002/ws/p2p/${PEER}`], () => {}, () => {}, 'http:', new EventTarget())
    dialer.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(dials()).toBe(1)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(dials()).toBe(2)
    dialer.stop()
    await vi.advanceTimersByTimeAsync(120_000)
    expect(dials()).toBe(2)
    dialer.start()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(dials()).toBe(2)
  })
})
