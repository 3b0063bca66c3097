/**
 * Timings and switches that tests and benchmarks set in `localStorage["kith.test"]` (JSON) before
 * the page loads. Nothing in the app shows or sets them; anything malformed is ignored; and they
 * apply only in a browser driven by automation (`navigator.webdriver`), so that nothing left in a
 * person's storage can turn SFrame off.
 */

/** What a test may change. */
export interface TestHooks {
  /** How long an unanswered call rings on this page (milliseconds). */
  readonly callRingTimeoutMs?: number
  /** How often this page, in a call, tells the others it is still there (milliseconds). */
  readonly callAliveIntervalMs?: number
  /** `false` runs calls without SFrame transforms (the CPU benchmark's baseline). */
  readonly sframe?: boolean
  /** `false` starts calls without early offers (the call-setup benchmark compares both flows). */
  readonly earlyOffers?: boolean
}

const KEY = 'kith.test'

/** The hooks set for this page (none, normally). */
export function testHooks (): TestHooks {
  if (globalThis.navigator?.webdriver !== true) return {}
  try {
    const raw = JSON.parse(globalThis.localStorage?.getItem(KEY) ?? '{}') as Record<string, unknown>
    const ms = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0
    return {
      ...(ms(raw.callRingTimeoutMs) ? { callRingTimeoutMs: raw.callRingTimeoutMs } : {}),
      ...(ms(raw.callAliveIntervalMs) ? { callAliveIntervalMs: raw.callAliveIntervalMs } : {}),
      ...(raw.sframe === false ? { sframe: false } : {}),
      ...(raw.earlyOffers === false ? { earlyOffers: false } : {})
    }
  } catch {
    return {}
  }
}
