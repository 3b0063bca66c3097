/**
 * Who is still in each call (docs/PROTOCOL.md §11.6). A device that vanishes sends no HANGUP (a
 * closed tab, a machine that lost power or its network), so every device notes when it last heard
 * each participant of each call it follows, any signal of the call counting, and every interval
 * finds those silent for {@link CALL_SILENT_INTERVALS} intervals. The same tick is when a device in
 * a call sends its ALIVE. Pure bookkeeping over a timer: the messenger sends and moves the calls.
 */
import type { CallState } from './call-state.ts'
import { CALL_SILENT_INTERVALS } from './constants.ts'

/** A participant gone silent, and when it was last heard from (when it left, as far as anyone knows). */
export interface SilentParticipant {
  readonly device: string
  readonly lastHeard: number
}

/** What a {@link CallLiveness} works with. */
export interface CallLivenessOptions {
  readonly intervalMs: number
  /** This device's clock, in milliseconds. */
  readonly now: () => number
  /** The calls this device follows now (ringing, calling, joined, running). */
  readonly calls: () => Iterable<CallState>
  /**
   * Called on every tick for each call followed, with the participants that went silent (often
   * none), and whether this device itself was paused for longer than the others wait before they
   * drop a participant (so they have dropped it).
   */
  readonly tick: (call: CallState, silent: readonly SilentParticipant[], selfSilent: boolean) => void
}

export class CallLiveness {
  /** When each participant of each call was last heard from, by call id and device. */
  private readonly heard = new Map<string, Map<string, number>>()
  private timer: ReturnType<typeof setInterval> | undefined
  private lastTick = 0

  constructor (private readonly options: CallLivenessOptions) {}

  /** A signal of the call came from `device` at `at`. */
  hear (callId: string, device: string, at: number): void {
    let heard = this.heard.get(callId)
    if (heard === undefined) this.heard.set(callId, heard = new Map())
    heard.set(device, at)
  }

  /** When `device` was last heard in the call, if it was. */
  lastHeard (callId: string, device: string): number | undefined {
    return this.heard.get(callId)?.get(device)
  }

  /** The call ended here: nothing of it is kept. */
  forget (callId: string): void {
    this.heard.delete(callId)
  }

  /** Starts the ticks, if they are not running and there is a call to follow; they stop once none is left. */
  start (): void {
    if (this.timer !== undefined || isEmpty(this.options.calls())) return
    this.lastTick = this.options.now()
    this.timer = setInterval(() => { this.check() }, this.options.intervalMs)
  }

  /** Stops the ticks. */
  stop (): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  /**
   * One tick: each call's silent participants. A participant first seen here (a call taken up after
   * a restart) starts its clock now; after a pause of this device (more than 2 intervals since the
   * last tick: a sleeping laptop, a frozen tab) every clock starts again, so nobody is judged by it.
   */
  check (): void {
    const now = this.options.now()
    const { intervalMs } = this.options
    const gap = now - this.lastTick
    const paused = gap > 2 * intervalMs
    const silentMs = CALL_SILENT_INTERVALS * intervalMs
    this.lastTick = now
    const calls = [...this.options.calls()]
    if (calls.length === 0) {
      this.stop()
      return
    }
    for (const call of calls) {
      let heard = this.heard.get(call.id)
      if (heard === undefined) this.heard.set(call.id, heard = new Map())
      const silent: SilentParticipant[] = []
      for (const p of call.participants) {
        const at = heard.get(p.device)
        if (at === undefined || paused) heard.set(p.device, now)
        else if (now - at > silentMs) silent.push({ device: p.device, lastHeard: at })
      }
      this.options.tick(call, silent, gap > silentMs)
    }
  }
}

function isEmpty (items: Iterable<unknown>): boolean {
  for (const _ of items) return false
  return true
}
