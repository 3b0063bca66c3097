import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { PathRecovery, type LinkState } from '../../../../src/web/calls/path-recovery.ts'

/** A link's recovery on a fake clock, with its restarts and state changes counted. */
function recovery (polite: boolean): { r: PathRecovery, restarts: () => number, states: LinkState[], set: (s: RTCPeerConnectionState) => LinkState, answering: (on: boolean) => void } {
  let state: RTCPeerConnectionState = 'new'
  let restarts = 0
  let answering = false
  const states: LinkState[] = []
  const r = new PathRecovery({
    polite,
    connectionState: () => state,
    answering: () => answering,
    restart: async () => { restarts++ },
    changed: (s) => { states.push(s) },
    log: () => {}
  })
  return {
    r,
    restarts: () => restarts,
    states,
    set: (s) => { state = s; return r.update(s) },
    answering: (on) => { answering = on }
  }
}

describe('PathRecovery', () => {
  beforeEach(() => { vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] }) })
  afterEach(() => { vi.useRealTimers() })

  it('a link that never connected is connecting, then failed, and is never restarted', () => {
    const { set, restarts } = recovery(false)
    expect(set('connecting')).toBe('connecting')
    expect(set('failed')).toBe('failed')
    vi.advanceTimersByTime(60_000)
    expect(restarts()).toBe(0)
  })

  it('the offering side restarts 2 s after the path went, then every 8 s while it stays down, and stops once it is back', () => {
    const { set, restarts, r } = recovery(false)
    set('connected')
    expect(set('disconnected')).toBe('reconnecting')
    vi.advanceTimersByTime(1000)
    expect(restarts()).toBe(0)
    vi.advanceTimersByTime(1000)
    expect(restarts()).toBe(1)
    vi.advanceTimersByTime(7000)
    expect(restarts()).toBe(1)
    vi.advanceTimersByTime(1000)
    expect(restarts()).toBe(2)
    expect(set('connected')).toBe('connected')
    expect(r.wasConnected).toBe(true)
    vi.advanceTimersByTime(60_000)
    expect(restarts()).toBe(2)
  })

  it('restarts at once when the connection failed outright', () => {
    const { set, restarts } = recovery(false)
    set('connected')
    expect(set('failed')).toBe('reconnecting')
    expect(restarts()).toBe(1)
  })

  it('the answering side never restarts, but shows the same states', () => {
    const { set, restarts, states } = recovery(true)
    set('connected')
    expect(set('disconnected')).toBe('reconnecting')
    vi.advanceTimersByTime(31_000)
    expect(restarts()).toBe(0)
    expect(states).toEqual(['failed'])
  })

  it('shows as failed after 30 s down and goes on restarting', () => {
    const { set, restarts, states } = recovery(false)
    set('connected')
    set('disconnected')
    vi.advanceTimersByTime(30_000)
    expect(states).toEqual(['failed'])
    const before = restarts()
    vi.advanceTimersByTime(16_000)
    expect(restarts()).toBe(before + 2)
    // A state change of the connection while down keeps the failed look.
    expect(set('connecting')).toBe('failed')
  })

  it('waits for an offer of the other side being answered, and restarts at once after an answer to an offer it replaced', () => {
    const { set, restarts, answering, r } = recovery(false)
    set('connected')
    set('disconnected')
    answering(true)
    vi.advanceTimersByTime(5000)
    expect(restarts()).toBe(0)
    answering(false)
    vi.advanceTimersByTime(1000)
    expect(restarts()).toBe(1)
    r.staleAnswer()
    vi.advanceTimersByTime(1000)
    expect(restarts()).toBe(2)
  })

  it('stops its clock when the link closes', () => {
    const { set, restarts } = recovery(false)
    set('connected')
    set('disconnected')
    expect(set('closed')).toBe('closed')
    vi.advanceTimersByTime(60_000)
    expect(restarts()).toBe(0)
  })
})
