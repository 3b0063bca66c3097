/**
 * SFrame cost per video frame (issue 20): encrypt + decrypt of one frame of 1 KB, 10 KB and 50 KB
 * (a 30 fps VP8 stream at 0.25–12 Mbit/s), in Node's WebCrypto and in headless Chromium, against
 * the frame interval at 30 fps (33.3 ms; goal under 2%), and against bare AES-128-GCM of the same
 * bytes in the same run, which shows what SFrame adds to the cipher itself.
 */
import type { Page } from 'playwright-core'
import { launchBrowser, openProfile } from '../test/e2e/browser-harness.ts'
import { servePages } from '../test/e2e/pages/serve-pages.ts'
import { measureFrameCost, type FrameCost } from './sframe-cost.ts'
import { result, type BenchResult } from './stats.ts'

const FRAME_INTERVAL_MS = 1000 / 30
const SIZES = [1024, 10 * 1024, 50 * 1024]

function toResults (costs: FrameCost[], where: string): BenchResult[] {
  return costs.flatMap((c) => [
    result(`SFrame encrypt+decrypt per ${c.size / 1024} KB video frame (${where})`, c.sframeMs, 'ms', 'frame interval at 30 fps', FRAME_INTERVAL_MS),
    result(`SFrame encrypt+decrypt per ${c.size / 1024} KB video frame (${where})`, c.sframeMs, 'ms', 'bare AES-128-GCM encrypt+decrypt', c.bareMs)
  ])
}

/** Runs the SFrame benchmarks; `log` narrates progress. */
export async function benchSFrame (quick: boolean, log: (s: string) => void): Promise<BenchResult[]> {
  const frames = quick ? 200 : 1000
  const rounds = quick ? 3 : 5
  log(`SFrame cost per frame in Node (${frames} frames x ${rounds} rounds per size)`)
  const results = toResults(await measureFrameCost(SIZES, frames, rounds), 'Node')
  log('SFrame cost per frame in Chromium')
  const pages = await servePages()
  const browser = await launchBrowser()
  try {
    const { page }: { page: Page } = await openProfile(browser, pages.url('sframe.html'))
    await page.locator('body[data-ready="true"]').waitFor()
    const costs = await page.evaluate(async ([sizes, n, r]) => await (window as unknown as {
      sframeTest: { measureFrameCost: (s: number[], n: number, r: number) => Promise<FrameCost[]> }
    }).sframeTest.measureFrameCost(sizes, n, r), [SIZES, frames, rounds] as const)
    results.push(...toResults(costs, 'Chromium'))
  } finally {
    await browser.close()
    await pages.close()
  }
  return results
}
