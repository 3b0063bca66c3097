/**
 * SFrame cost per video frame (issue 20): encrypt + decrypt of one frame of 1 KB, 10 KB and 50 KB
 * (a 30 fps VP8 stream at 0.25–12 Mbit/s), in Node's WebCrypto and in headless Chromium, against
 * the frame interval at 30 fps (33.3 ms; goal under 2%), and against bare AES-128-GCM of the same
 * bytes in the same run, which shows what SFrame adds to the cipher itself.
 *
 * Also a one-way 640x480 loopback video call in Chromium (test/e2e/pages/sframe.html), with the
 * SFrame transforms on the sender and the receiver against the same call without them: the CPU
 * time of all of Chromium's processes per second, rounds alternating, medians reported.
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { launchBrowser, openProfile } from '../test/e2e/browser-harness.ts'
import { servePages } from '../test/e2e/pages/serve-pages.ts'
import { measureFrameCost, type FrameCost } from './sframe-cost.ts'
import { quantile, result, type BenchResult } from './stats.ts'

const FRAME_INTERVAL_MS = 1000 / 30
const SIZES = [1024, 10 * 1024, 50 * 1024]

function toResults (costs: FrameCost[], where: string): BenchResult[] {
  return costs.flatMap((c) => [
    result(`SFrame encrypt+decrypt per ${c.size / 1024} KB video frame (${where})`, c.sframeMs, 'ms', 'frame interval at 30 fps', FRAME_INTERVAL_MS),
    result(`SFrame encrypt+decrypt per ${c.size / 1024} KB video frame (${where})`, c.sframeMs, 'ms', 'bare AES-128-GCM encrypt+decrypt', c.bareMs)
  ])
}

const CALL_WINDOW_MS = 5000
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100

/** CPU time (ms) used so far by every process descended from this one: the browser's. */
function descendantsCpuMs (): number {
  const children = new Map<number, number[]>()
  const ticks = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let stat: string
    try { stat = readFileSync(`/proc/${entry}/stat`, 'utf8') } catch { continue }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const pid = Number(entry)
    const ppid = Number(fields[1])
    children.set(ppid, [...(children.get(ppid) ?? []), pid])
    ticks.set(pid, Number(fields[11]) + Number(fields[12]))
  }
  let total = 0
  const queue = [...(children.get(process.pid) ?? [])]
  while (queue.length > 0) {
    const pid = queue.pop() as number
    total += ticks.get(pid) ?? 0
    queue.push(...(children.get(pid) ?? []))
  }
  return total * 1000 / CLOCK_TICKS
}

/** What test/e2e/pages/sframe-page.ts exposes. */
interface SFramePage {
  sframeTest: {
    startCall: (receiverKey: string, transforms: boolean) => Promise<void>
    probe: () => Promise<{ framesDecoded: number }>
    measureFrameCost: (sizes: number[], frames: number, rounds: number) => Promise<FrameCost[]>
  }
}

interface CallSample { cpuPercent: number, fps: number }

/** One call, with or without the transforms: Chromium's CPU and the decoded frame rate once it runs. */
async function sampleCall (browser: Browser, url: string, transforms: boolean): Promise<CallSample> {
  const { page, context } = await openProfile(browser, url)
  try {
    await page.locator('body[data-ready="true"]').waitFor()
    await page.evaluate(async ([t]) => { await (globalThis as unknown as SFramePage).sframeTest.startCall('000102030405060708090a0b0c0d0e0f', t) }, [transforms] as const)
    const decoded = async (): Promise<number> => await page.evaluate(async () => (await (globalThis as unknown as SFramePage).sframeTest.probe()).framesDecoded)
    await page.waitForFunction(async () => (await (globalThis as unknown as SFramePage).sframeTest.probe()).framesDecoded >= 30, undefined, { timeout: 30_000, polling: 200 })
    const frames0 = await decoded()
    const cpu0 = descendantsCpuMs()
    const t0 = performance.now()
    await new Promise((resolve) => setTimeout(resolve, CALL_WINDOW_MS))
    const cpu1 = descendantsCpuMs()
    const elapsed = performance.now() - t0
    const frames1 = await decoded()
    return { cpuPercent: (cpu1 - cpu0) / elapsed * 100, fps: (frames1 - frames0) / elapsed * 1000 }
  } finally {
    await context.close()
  }
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
    const costs = await page.evaluate(async ([sizes, n, r]) => await (globalThis as unknown as SFramePage).sframeTest.measureFrameCost(sizes, n, r), [SIZES, frames, rounds] as const)
    results.push(...toResults(costs, 'Chromium'))
    await page.context().close()

    const callRounds = quick ? 2 : 3
    log(`a loopback video call in Chromium with and without SFrame (${callRounds} rounds of ${CALL_WINDOW_MS / 1000} s each)`)
    const on: CallSample[] = []
    const off: CallSample[] = []
    for (let r = 0; r < callRounds; r++) {
      off.push(await sampleCall(browser, pages.url('sframe.html'), false))
      on.push(await sampleCall(browser, pages.url('sframe.html'), true))
    }
    const median = (xs: CallSample[], key: keyof CallSample): number => quantile(xs.map((x) => x[key]), 0.5)
    results.push(
      result('video call CPU, all Chromium processes, SFrame on', median(on, 'cpuPercent'), '% of a core', 'same call, SFrame off', median(off, 'cpuPercent')),
      result('video call decoded frame rate, SFrame on', median(on, 'fps'), 'fps', 'same call, SFrame off', median(off, 'fps'))
    )
  } finally {
    await browser.close()
    await pages.close()
  }
  return results
}
