import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { CallLiveness, type SilentParticipant } from '../../../../src/core/calls/call-liveness.ts'
import { startIncomingCall, type CallParticipant, type CallState } from '../../../../src/core/calls/call-state.ts'

const video = { audio: true, video: true }
const bob: CallParticipant = { identity: 'bb', device: 'devB', media: video }
const carol: CallParticipant = { identity: 'cc', device: 'devC', media: video }
const INTERVAL = 1000

function running (): CallState {
  return { ...startIncomingCall({ id: '02'.repeat(16), conversation: 'g', caller: bob, invited: 2, at: 0 }), participants: [bob, carol] }
}

describe('call liveness', () => {
  beforeEach(() => { vi.useFakeTimers({ now: 0 }) })
  afterEach(() => { vi.useRealTimers() })

  interface Tick { at: number, silent: readonly SilentParticipant[], selfSilent: boolean }

  function follow (calls: CallState[]): { liveness: CallLiveness, ticks: Tick[] } {
    const ticks: Tick[] = []
    const liveness = new CallLiveness({ intervalMs: INTERVAL, now: () => Date.now(), calls: () => calls, tick: (_call, silent, selfSilent) => { ticks.push({ at: Date.now(), silent, selfSilent }) } })
    return { liveness, ticks }
  }

  it('finds a participant silent after 4 intervals without a signal, giving when it was last heard; one that keeps sending stays', () => {
    const calls = [running()]
    const { liveness, ticks } = follow(calls)
    liveness.hear(calls[0]!.id, 'devB', 0)
    liveness.hear(calls[0]!.id, 'devC', 0)
    liveness.start()
    for (let t = 1; t <= 6; t++) {
      vi.advanceTimersByTime(INTERVAL)
      liveness.hear(calls[0]!.id, 'devB', Date.now())
    }
    // Every tick reports the call; Carol, last heard at 0, is silent from the tick after 4 s.
    expect(ticks.map((t) => t.silent.map((s) => s.device))).toEqual([[], [], [], [], ['devC'], ['devC']])
    expect(ticks[4]!.silent[0]).toEqual({ device: 'devC', lastHeard: 0 })
  })

  it('starts the clock of a participant it never heard (a call taken up after a restart) at the first tick', () => {
    const calls = [running()]
    const { liveness, ticks } = follow(calls)
    liveness.start()
    vi.advanceTimersByTime(5 * INTERVAL)
    expect(ticks.every((t) => t.silent.length === 0)).toBe(true)
    vi.advanceTimersByTime(INTERVAL)
    expect(ticks.at(-1)!.silent.map((s) => s.lastHeard)).toEqual([INTERVAL, INTERVAL])
  })

  it('after a pause of its own (ticks far apart), judges nobody, starts every clock again, and says when the pause outlasted the silence limit', () => {
    const calls = [running()]
    const { liveness, ticks } = follow(calls)
    liveness.hear(calls[0]!.id, 'devB', 0)
    liveness.hear(calls[0]!.id, 'devC', 0)
    liveness.start()
    // The machine sleeps: the clock jumps 60 s between two ticks.
    vi.setSystemTime(60_000)
    liveness.check()
    expect(ticks.at(-1)).toMatchObject({ silent: [], selfSilent: true })
    expect(liveness.lastHeard(calls[0]!.id, 'devC')).toBe(60_000)
    vi.advanceTimersByTime(4 * INTERVAL)
    expect(ticks.at(-1)).toMatchObject({ silent: [], selfSilent: false })
    // A pause past 2 intervals but within the limit starts the clocks again without leaving.
    vi.setSystemTime(Date.now() + 3 * INTERVAL)
    liveness.check()
    expect(ticks.at(-1)).toMatchObject({ silent: [], selfSilent: false })
  })

  it('stops ticking once no call is followed, and a forgotten call starts afresh', () => {
    const calls = [running()]
    const { liveness, ticks } = follow(calls)
    liveness.hear(calls[0]!.id, 'devC', 0)
    liveness.start()
    vi.advanceTimersByTime(INTERVAL)
    liveness.forget(calls[0]!.id)
    calls.pop()
    vi.advanceTimersByTime(3 * INTERVAL)
    expect(ticks).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(0)
  })
})
