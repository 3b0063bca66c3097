/**
 * What the browser call tests share: the call's state on a page, and waiting for a remote video
 * whose decoded frames keep growing, and
 * each of several remote videos decoding (group calls).
 */
import type { Page } from 'playwright-core'
import { expect } from 'vitest'

/** How long and how often a call test polls the page. */
export const CALL_POLL = { timeout: 30_000, intervals: [250] }

/** How long a group call test waits for decoding after people join, leave or keys change. */
export const GROUP_CALL_POLL = { timeout: 45_000, intervals: [250] }

/** The decoded frames of each remote video on the page. */
async function framesPerRemote (page: Page): Promise<number[]> {
  return await page.getByTestId('call-remote-video').evaluateAll((videos) => videos.map((v) => Number(v.getAttribute('data-frames-decoded'))))
}

/** Resolves once the page shows `count` remote videos and each one's decoded frames grew. */
export async function decodesEachOf (page: Page, count: number): Promise<void> {
  await expect.poll(async () => (await framesPerRemote(page)).filter((n) => n > 0).length, GROUP_CALL_POLL).toBe(count)
  const first = await framesPerRemote(page)
  await expect.poll(async () => {
    const now = await framesPerRemote(page)
    return now.length === count && now.every((n, i) => n > (first[i] ?? 0) + 10)
  }, GROUP_CALL_POLL).toBe(true)
}

/** The call status element (its data-state is ringing, connecting, connected or ended). */
export function callState (page: Page): ReturnType<Page['getByTestId']> {
  return page.getByTestId('call-status').first()
}

/** A number in a data attribute of the first element with this test id. */
export async function dataNumber (page: Page, testId: string, attribute: string): Promise<number> {
  const value = await page.getByTestId(testId).first().getAttribute(`data-${attribute}`)
  return Number(value ?? 'NaN')
}

/** Resolves once the remote video's decoded frames grew by `more` past their count now. */
export async function framesKeepGrowing (page: Page, attribute = 'frames-decoded', testId = 'call-remote-video', more = 15): Promise<void> {
  await expect.poll(async () => await dataNumber(page, testId, attribute), CALL_POLL).toBeGreaterThan(0)
  const first = await dataNumber(page, testId, attribute)
  await expect.poll(async () => await dataNumber(page, testId, attribute), CALL_POLL).toBeGreaterThan(first + more)
}

/** The call screen's log on a page (ICE, SDP, link and key events; no secrets). */
export async function callLog (page: Page): Promise<string> {
  return await page.evaluate(() => (globalThis as unknown as { kithDebug?: { calls?: { log: string[] } } }).kithDebug?.calls?.log.join('\n') ?? '(no call log)').catch((err: unknown) => String(err))
}
