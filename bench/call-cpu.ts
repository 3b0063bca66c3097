/**
 * CPU of a 3-person group video call in the browser app (issue 20): three Chromium pages (fake
 * camera and microphone) in one call over the full mesh, each sending to and decoding the other
 * two. Measured: the renderer processes' CPU time (CDP `SystemInfo.getProcessInfo`, which covers
 * the page, its SFrame transform workers and WebRTC's encoder and decoder threads) over a fixed
 * window, per page. Baseline: the same call between the same pages with SFrame switched off by the
 * `kith.test` hook (client/test-hooks.ts), media then protected by DTLS only. Calls alternate; medians are reported.
 */
import { readdirSync, readFileSync } from 'node:fs'
import type { CDPSession, Page } from 'playwright-core'
import {
  addContact, buildApp, createGroup, inviteLink, launchBrowser, onboard, serve
} from '../test/e2e/browser-harness.ts'
import { autoAccept } from './calls.ts'
import { quantile, result, type BenchResult } from './stats.ts'

const GROUP = 'Bench call'

interface ProcessInfo { type: string, id: number, cpuTime: number }
interface DebugCalls { kithDebug: { calls: { manager: { sframeStats: () => Promise<{ encrypted: number, decrypted: number } | null> } } } }

/** CPU seconds of every renderer process of the browser so far. */
async function rendererCpu (cdp: CDPSession): Promise<number> {
  const { processInfo } = await cdp.send('SystemInfo.getProcessInfo') as unknown as { processInfo: ProcessInfo[] }
  return processInfo.filter((p) => p.type === 'renderer').reduce((sum, p) => sum + p.cpuTime, 0)
}

/** CPU ticks of every thread of the renderer processes, summed by thread name (Linux /proc). */
async function threadTicks (cdp: CDPSession): Promise<Map<string, number>> {
  const { processInfo } = await cdp.send('SystemInfo.getProcessInfo') as unknown as { processInfo: ProcessInfo[] }
  const out = new Map<string, number>()
  for (const p of processInfo.filter((x) => x.type === 'renderer')) {
    let tasks: string[]
    try { tasks = readdirSync(`/proc/${p.id}/task`) } catch { continue }
    for (const t of tasks) {
      try {
        const stat = readFileSync(`/proc/${p.id}/task/${t}/stat`, 'utf8')
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/\d+$/, '')
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
        out.set(name, (out.get(name) ?? 0) + Number(fields[11]) + Number(fields[12]))
      } catch {}
    }
  }
  return out
}

/** Decoded frames of every remote video on the page. */
async function framesPerRemote (page: Page): Promise<number[]> {
  return await page.getByTestId('call-remote-video').evaluateAll((videos) => videos.map((v) => Number(v.getAttribute('data-frames-decoded'))))
}

/** One call with SFrame on or off: the renderers' CPU per page over `windowMs`, as % of one core. */
async function measureCall (pages: Page[], cdp: CDPSession, sframe: boolean, windowMs: number, log: (s: string) => void): Promise<number> {
  for (const page of pages) await page.evaluate((on) => { localStorage.setItem('kith.test', JSON.stringify(on ? {} : { sframe: false })) }, sframe)
  const [caller, ...callees] = pages
  for (const page of callees) await autoAccept(page)
  await caller!.getByTestId('call-start-video').click()
  for (const page of pages) {
    await page.waitForFunction(() => {
      const videos = [...document.querySelectorAll('[data-testid="call-remote-video"]')]
      return videos.length === 2 && videos.every((v) => Number(v.getAttribute('data-frames-decoded')) > 30)
    }, undefined, { timeout: 90_000, polling: 250 })
  }
  // Each page really runs (or really skips) SFrame.
  for (const page of pages) {
    const stats = await page.evaluate(async () => await (globalThis as unknown as DebugCalls).kithDebug.calls.manager.sframeStats())
    if (sframe !== (stats !== null && stats.encrypted > 0 && stats.decrypted > 0)) throw new Error(`SFrame was expected ${sframe ? 'on' : 'off'}: ${JSON.stringify(stats)}`)
  }
  const threadsBefore = await threadTicks(cdp)
  const before = await rendererCpu(cdp)
  const framesBefore = (await Promise.all(pages.map(framesPerRemote))).flat()
  const started = performance.now()
  await new Promise((resolve) => setTimeout(resolve, windowMs))
  const cpu = await rendererCpu(cdp) - before
  const elapsed = (performance.now() - started) / 1000
  // Where it went, by renderer thread (100 ticks a second on Linux), per page.
  const threads = [...(await threadTicks(cdp)).entries()].map(([name, t]) => [name, (t - (threadsBefore.get(name) ?? 0)) / elapsed / pages.length] as const)
  log(`    SFrame ${sframe ? 'on' : 'off'}, % of a core per page by thread: ${threads.filter(([, v]) => v >= 0.5).sort((a, b) => b[1] - a[1]).map(([n, v]) => `${n} ${v.toFixed(1)}`).join(', ')}`)
  const framesAfter = (await Promise.all(pages.map(framesPerRemote))).flat()
  if (framesAfter.some((n, i) => n <= (framesBefore[i] ?? 0))) throw new Error('a remote video stopped decoding during the window')
  // Two hang up; the third, left alone, ends the call by itself. Then the header offers a new call.
  for (const page of pages.slice(0, -1)) await page.getByTestId('call-hangup').click()
  for (const page of pages) {
    await page.getByTestId('call-view').waitFor({ state: 'detached', timeout: 30_000 })
    await page.getByTestId('call-start-video').waitFor({ timeout: 30_000 })
  }
  return cpu / elapsed / pages.length * 100
}

/** A 3-person video call: renderer CPU per page with SFrame on against off, calls alternating. */
export async function benchCallCpu (quick: boolean, log: (s: string) => void): Promise<BenchResult[]> {
  buildApp()
  const node = await serve('Carol')
  const browser = await launchBrowser()
  try {
    const alice = await onboard(browser, node.url, 'Alice')
    const bob = await onboard(browser, node.url, 'Bob')
    const dave = await onboard(browser, node.url, 'Dave')
    await addContact(alice.page, await inviteLink(bob.page))
    await alice.page.getByTestId('composer').waitFor()
    await addContact(alice.page, await inviteLink(dave.page))
    await alice.page.getByTestId('composer').waitFor()
    await createGroup(alice, GROUP, [bob, dave], 'bench call')
    const cdp = await browser.newBrowserCDPSession()
    const pages = [alice.page, bob.page, dave.page]
    const rounds = quick ? 2 : 4
    const windowMs = quick ? 8000 : 15_000
    log(`3-person call CPU, ${rounds} calls each with SFrame on and off, ${windowMs / 1000} s windows, alternating`)
    const on: number[] = []
    const off: number[] = []
    for (let r = 0; r < rounds; r++) {
      off.push(await measureCall(pages, cdp, false, windowMs, log))
      on.push(await measureCall(pages, cdp, true, windowMs, log))
      log(`  round ${r + 1}: SFrame on ${on.at(-1)!.toFixed(1)} %, off ${off.at(-1)!.toFixed(1)} % of a core per page (${(on.at(-1)! / off.at(-1)!).toFixed(2)}x)`)
    }
    // The table's medians of an even count are the lower middle values; each round's pair of calls
    // ran under the same load, so the median of the rounds' ratios is the steadier figure.
    const ratios = on.map((x, i) => x / off[i]!).sort((a, b) => a - b)
    const mid = ratios.length / 2
    log(`  median of the rounds' ratios: ${(ratios.length % 2 === 1 ? ratios[Math.floor(mid)]! : (ratios[mid - 1]! + ratios[mid]!) / 2).toFixed(2)}x (rounds ${ratios.map((x) => x.toFixed(2)).join(', ')})`)
    return [result('3-person video call: renderer CPU per page, SFrame on', quantile(on, 0.5), '% core', 'the same call with SFrame off', quantile(off, 0.5))]
  } finally {
    await browser.close()
    await node.stop()
  }
}
