/**
 * SFrame in real headless Chromium: a one-way video call between two RTCPeerConnections on
 * loopback with the transform worker (src/web/calls/sframe-transform.worker.ts) on the sender and
 * the receiver. The page (test/e2e/pages/sframe.html) is served by Vite's dev server on
 * 127.0.0.1 (pages/serve-pages.ts), which compiles the worker the way the app build does.
 */
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, openProfile } from './browser-harness.ts'
import { servePages, type PageServer } from './pages/serve-pages.ts'
import type { CallProbe } from './pages/sframe-page.ts'

const RIGHT_KEY = '000102030405060708090a0b0c0d0e0f'
const WRONG_KEY = 'ff0102030405060708090a0b0c0d0e0f'

let pages: PageServer
let browser: Browser
let pageUrl: string

beforeAll(async () => {
  pages = await servePages()
  pageUrl = pages.url('sframe.html')
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  await pages?.close()
})

async function openCall (receiverKey: string): Promise<Page> {
  const { page } = await openProfile(browser, pageUrl)
  await page.locator('body[data-ready="true"]').waitFor()
  await page.evaluate(async (key) => { await (window as unknown as { sframeTest: { startCall: (k: string) => Promise<void> } }).sframeTest.startCall(key) }, receiverKey)
  return page
}

async function probe (page: Page): Promise<CallProbe> {
  return await page.evaluate(async () => await (window as unknown as { sframeTest: { probe: () => Promise<CallProbe> } }).sframeTest.probe())
}

describe('SFrame transforms in Chromium', () => {
  it('with the right key, the receiver keeps decoding frames that crossed the wire encrypted', async () => {
    const page = await openCall(RIGHT_KEY)
    await expect.poll(async () => (await probe(page)).framesDecoded, { timeout: 30_000 }).toBeGreaterThan(10)
    const first = await probe(page)
    await expect.poll(async () => (await probe(page)).framesDecoded, { timeout: 30_000 }).toBeGreaterThan(first.framesDecoded + 10)
    const later = await probe(page)
    // Every frame the receiver decoded went through both transforms: encrypted, then decrypted.
    expect(later.sender.transforms).toEqual([expect.objectContaining({ side: 'send', peer: 'callee' })])
    expect(later.receiver.transforms).toEqual([expect.objectContaining({ side: 'receive', peer: 'caller' })])
    expect(later.sender.encrypted).toBeGreaterThan(10)
    expect(later.receiver.decrypted).toBeGreaterThan(10)
    expect(later.receiver.dropped).toEqual({ unknownKid: 0, authFailed: 0, replay: 0, malformed: 0 })
    await page.context().close()
  })

  it('with a wrong key, the receiver decodes nothing and counts every frame as an authentication failure', async () => {
    const page = await openCall(WRONG_KEY)
    await expect.poll(async () => (await probe(page)).receiver.dropped.authFailed, { timeout: 30_000 }).toBeGreaterThan(20)
    const result = await probe(page)
    expect(result.bytesReceived).toBeGreaterThan(0)
    expect(result.framesDecoded).toBe(0)
    expect(result.receiver.decrypted).toBe(0)
    expect(result.sender.encrypted).toBeGreaterThan(10)
    await page.context().close()
  })
})
