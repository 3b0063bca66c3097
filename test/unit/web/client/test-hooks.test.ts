import { afterEach, describe, expect, it, vi } from 'vitest'
import { testHooks } from '../../../../src/web/client/test-hooks.ts'

/** The page globals testHooks reads: navigator.webdriver, and localStorage holding `stored` under "kith.test". */
function pageGlobals (webdriver: boolean, stored: string | null): void {
  vi.stubGlobal('navigator', { webdriver })
  vi.stubGlobal('localStorage', { getItem: (key: string) => key === 'kith.test' ? stored : null })
}

describe('test hooks', () => {
  afterEach(() => { vi.unstubAllGlobals() })

  it('apply under automation: a shorter ring and ALIVE interval, SFrame off, no early offers', () => {
    pageGlobals(true, JSON.stringify({ callRingTimeoutMs: 4000, callAliveIntervalMs: 1000, sframe: false, earlyOffers: false }))
    expect(testHooks()).toEqual({ callRingTimeoutMs: 4000, callAliveIntervalMs: 1000, sframe: false, earlyOffers: false })
  })

  it('do nothing in a browser a person uses, whatever its storage holds', () => {
    pageGlobals(false, JSON.stringify({ callRingTimeoutMs: 4000, sframe: false, earlyOffers: false }))
    expect(testHooks()).toEqual({})
  })

  it('ignore malformed values', () => {
    pageGlobals(true, JSON.stringify({ callRingTimeoutMs: -1, callAliveIntervalMs: 'soon', sframe: 'no', earlyOffers: 0 }))
    expect(testHooks()).toEqual({})
    pageGlobals(true, '{not json')
    expect(testHooks()).toEqual({})
  })
})
