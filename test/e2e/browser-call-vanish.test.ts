/**
 * A call whose other side vanishes without hanging up (issue 20; PROTOCOL.md §11.6): Bob's tab is
 * closed in the middle of a video call. His ALIVE signals stop, and Alice's call ends on its own
 * with its history line, instead of hanging on a frozen picture. Both pages send ALIVE every second
 * (a test hook; 10 s normally), so silence counts after 4 s.
 */
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { openConversation, screenshot, type User, useChattingPair, withPageLogs } from './browser-harness.ts'
import { CALL_POLL, callState, framesKeepGrowing } from './call-harness.ts'

const SLOW = 120_000
const ALIVE_MS = 1_000

describe('browser app, a call whose other side vanishes', () => {
  let alice: User
  let bob: User

  const pair = useChattingPair('call-vanish', 'Calling you now', { callAliveIntervalMs: ALIVE_MS })
  beforeAll(() => { ({ alice, bob } = pair) })

  it('Bob\'s tab closes mid-call: his ALIVEs stop, and Alice\'s call ends by itself and is recorded as answered', async () => {
    await openConversation(alice.page, 'Bob')
    await alice.page.getByTestId('call-start-video').click()
    await bob.page.getByTestId('call-incoming').waitFor({ timeout: 30_000 })
    await bob.page.getByTestId('call-accept').click()
    for (const page of [alice.page, bob.page]) {
      await expect.poll(async () => await callState(page).getAttribute('data-state'), CALL_POLL).toBe('connected')
    }
    const connectedAt = Date.now()
    await framesKeepGrowing(alice.page)

    // Well past the silence limit, with nothing but ALIVE going between them, the call goes on: nobody
    // is dropped while they are there. (This waits for time to pass: nothing happening is the point.)
    await expect.poll(() => Date.now() - connectedAt, { timeout: 20_000, interval: 500 }).toBeGreaterThan(8 * ALIVE_MS)
    for (const page of [alice.page, bob.page]) expect(await callState(page).getAttribute('data-state')).toBe('connected')
    await framesKeepGrowing(alice.page)

    // No HANGUP leaves a closed tab (pagehide gives no time for it).
    await bob.page.close()
    await expect.poll(async () => await callState(alice.page).getAttribute('data-state'), CALL_POLL).toBe('ended')
    expect(await alice.page.getByTestId('call-remote-video').count()).toBe(0)
    await screenshot(alice.page, 'call-vanished-alice')
    const line = (page: Page, pattern: RegExp): ReturnType<Page['getByTestId']> => page.getByTestId('timeline-notice').filter({ hasText: pattern })
    const history = line(alice.page, /^Video call · \d+:\d\d$/)
    await history.waitFor({ timeout: 30_000 })
    // The call lasted until Bob was last heard from, not through the silence that told of his going:
    // the bar and the history say the same length.
    const length = (await history.textContent())!.split(' · ')[1]
    expect(await alice.page.getByTestId('call-ended').locator('.call-ended-why').textContent()).toBe(length)

    // His page's libp2p connection went too (closed, or dropped once its WebRTC path went quiet:
    // net/webrtc-path-watch.ts), so her pill no longer says Direct.
    await withPageLogs(expect.poll(async () => await alice.page.getByTestId('link-kind').getAttribute('data-link'), CALL_POLL).not.toBe('direct'), [alice])
    await screenshot(alice.page, 'call-vanished-pill-alice')
  }, SLOW)
})
