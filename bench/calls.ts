/**
 * Call setup in the browser app (issue 20): from the click on Video call to the first decoded
 * remote frame at the caller, the callee accepting as soon as its banner shows. Baseline: a bare
 * RTCPeerConnection between the same two pages with the same tracks (camera and microphone), the
 * offer and answer relayed by this process, from getUserMedia to the first decoded remote frame.
 * Rounds alternate; medians are reported.
 */
import type { Page } from 'playwright-core'
import {
  addContact, buildApp, inviteLink, launchBrowser, message, onboard, openConversation, sendMessage, serve
} from '../test/e2e/browser-harness.ts'
import { quantile, result, type BenchResult } from './stats.ts'

interface Probe { kithCallProbe?: { clickedAt?: number, firstFrameAt?: number } }

/** On the caller's page: notes the click on Video call and the first frame the remote video shows. */
async function armCallProbe (page: Page): Promise<void> {
  await page.evaluate(() => {
    const g = globalThis as unknown as Probe
    const probe: NonNullable<Probe['kithCallProbe']> = {}
    g.kithCallProbe = probe
    document.querySelector('[data-testid="call-start-video"]')!.addEventListener('click', () => { probe.clickedAt = performance.now() }, { capture: true, once: true })
    const watch = new MutationObserver(() => {
      const video = document.querySelector<HTMLVideoElement>('[data-testid="call-remote-video"]')
      if (video === null) return
      watch.disconnect()
      video.requestVideoFrameCallback(() => { probe.firstFrameAt = performance.now() })
    })
    watch.observe(document.body, { childList: true, subtree: true })
  })
}

/** On the callee's page: accepts the next call as soon as its banner shows. */
export async function autoAccept (page: Page): Promise<void> {
  await page.evaluate(() => {
    const watch = new MutationObserver(() => {
      const accept = document.querySelector<HTMLButtonElement>('[data-testid="call-accept"]')
      if (accept === null) return
      watch.disconnect()
      accept.click()
    })
    watch.observe(document.body, { childList: true, subtree: true })
  })
}

interface CallDebug { kithDebug?: { calls?: { log: string[] } } }

/** How many lines a page's call log has (0 before the call code loaded). */
async function callLogLength (page: Page): Promise<number> {
  return await page.evaluate(() => (globalThis as unknown as CallDebug).kithDebug?.calls?.log.length ?? 0)
}

/** A page's call log lines from `from` on, each as [epoch ms, text]. */
async function callLogSince (page: Page, from: number): Promise<Array<[number, string]>> {
  const lines = await page.evaluate((n) => (globalThis as unknown as CallDebug).kithDebug?.calls?.log.slice(n) ?? [], from)
  return lines.map((l) => [Date.parse(l.slice(0, l.indexOf(' '))), l.slice(l.indexOf(' ') + 1)])
}

/**
 * One Kith call; returns the setup time and the timeline of both pages' call logs (ms since the
 * click, wall clock: both pages run in one browser), so each round shows where the time went.
 */
async function kithSetup (caller: Page, callee: Page): Promise<{ ms: number, timeline: string[] }> {
  const logFrom = [await callLogLength(caller), await callLogLength(callee)] as const
  await autoAccept(callee)
  await armCallProbe(caller)
  await caller.getByTestId('call-start-video').click()
  await caller.waitForFunction(() => (globalThis as unknown as Probe).kithCallProbe?.firstFrameAt !== undefined, undefined, { timeout: 60_000 })
  const [ms, clickedAt, frameAt] = await caller.evaluate(() => {
    const p = (globalThis as unknown as Probe).kithCallProbe!
    return [p.firstFrameAt! - p.clickedAt!, performance.timeOrigin + p.clickedAt!, performance.timeOrigin + p.firstFrameAt!]
  })
  const lines = [
    ...(await callLogSince(caller, logFrom[0])).map(([t, l]) => [t, `caller: ${l}`] as const),
    ...(await callLogSince(callee, logFrom[1])).map(([t, l]) => [t, `callee: ${l}`] as const),
    [frameAt, 'caller: first remote frame'] as const
  ].filter(([t]) => t <= frameAt + 1).sort((a, b) => a[0] - b[0])
  const timeline = lines.map(([t, l]) => `    ${String(Math.round(t - clickedAt)).padStart(5)} ms  ${l}`)
  await caller.getByTestId('call-hangup').click()
  for (const page of [caller, callee]) {
    await page.locator('[data-testid="call-status"][data-state="ended"]').waitFor({ timeout: 30_000 })
    await page.getByTestId('call-ended').getByRole('button', { name: 'Close' }).click()
  }
  return { ms, timeline }
}

interface Bare { bare?: { pc: RTCPeerConnection, stream: MediaStream, startedAt?: number, connectedAt?: number, flowsAt?: number, firstFrameAt?: number } }

/** A bare call: getUserMedia, addTrack, offer/answer through this process, first decoded frame at the caller. */
async function bareSetup (caller: Page, callee: Page): Promise<{ ms: number, connectedMs: number, flowsMs: number }> {
  const open = async (page: Page, offering: boolean): Promise<void> => {
    await page.evaluate(async (isCaller) => {
      const g = globalThis as unknown as Bare
      const startedAt = performance.now()
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true })
      const pc = new RTCPeerConnection({ iceServers: [] })
      for (const t of stream.getTracks()) pc.addTrack(t, stream)
      g.bare = { pc, stream, startedAt }
      if (isCaller) {
        pc.addEventListener('connectionstatechange', () => { if (pc.connectionState === 'connected') g.bare!.connectedAt = performance.now() })
        pc.ontrack = (e) => {
          if (e.track.kind !== 'video') return
          e.track.addEventListener('unmute', () => { g.bare!.flowsAt = performance.now() }, { once: true })
          const video = document.createElement('video')
          video.muted = true
          video.srcObject = new MediaStream([e.track])
          void video.play()
          video.requestVideoFrameCallback(() => { g.bare!.firstFrameAt = performance.now() })
          document.body.append(video)
        }
      }
    }, offering)
  }
  const describe = async (page: Page, remote: { type: 'offer' | 'answer', sdp: string } | null): Promise<{ type: 'offer' | 'answer', sdp: string }> => {
    return await page.evaluate(async (r) => {
      const { pc } = (globalThis as unknown as Bare).bare!
      if (r !== null) await pc.setRemoteDescription(r)
      if (r?.type === 'answer') return r
      await pc.setLocalDescription(r === null ? await pc.createOffer() : await pc.createAnswer())
      if (pc.iceGatheringState !== 'complete') await new Promise<void>((resolve) => { pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve() }) })
      return { type: pc.localDescription!.type as 'offer' | 'answer', sdp: pc.localDescription!.sdp }
    }, remote)
  }
  await open(caller, true)
  const offer = await describe(caller, null)
  await open(callee, false)
  const answer = await describe(callee, offer)
  await describe(caller, answer)
  await caller.waitForFunction(() => (globalThis as unknown as Bare).bare?.firstFrameAt !== undefined, undefined, { timeout: 60_000 })
  const [ms, connectedMs, flowsMs] = await caller.evaluate(() => {
    const b = (globalThis as unknown as Bare).bare!
    return [b.firstFrameAt! - b.startedAt!, (b.connectedAt ?? NaN) - b.startedAt!, (b.flowsAt ?? NaN) - b.startedAt!]
  })
  for (const page of [caller, callee]) {
    await page.evaluate(() => {
      const b = (globalThis as unknown as Bare).bare!
      b.pc.close()
      for (const t of b.stream.getTracks()) t.stop()
      document.querySelectorAll('body > video').forEach((v) => { v.remove() })
    })
  }
  return { ms, connectedMs, flowsMs }
}

/** Call setup: Kith against a bare RTCPeerConnection, alternating. */
export async function benchCalls (quick: boolean, log: (s: string) => void): Promise<BenchResult[]> {
  buildApp()
  const node = await serve('Carol')
  const browser = await launchBrowser()
  try {
    const alice = await onboard(browser, node.url, 'Alice')
    const bob = await onboard(browser, node.url, 'Bob')
    await addContact(alice.page, await inviteLink(bob.page))
    await alice.page.getByTestId('composer').waitFor()
    await sendMessage(alice.page, 'calling you')
    await openConversation(bob.page, 'Alice')
    await message(bob.page, 'calling you').waitFor()
    const rounds = quick ? 3 : 6
    log(`call setup, ${rounds} rounds each, alternating`)
    const kith: number[] = []
    const without: number[] = []
    const bare: number[] = []
    const earlyOffers = async (on: boolean): Promise<void> => {
      await alice.page.evaluate((x) => { localStorage.setItem('kith.test', JSON.stringify(x ? {} : { earlyOffers: false })) }, on)
    }
    for (let r = 0; r < rounds; r++) {
      // The flow before early offers, for comparison (logged only), first in every other round.
      const withoutFirst = r % 2 === 0
      let before: { ms: number, timeline: string[] } | undefined
      if (withoutFirst) {
        await earlyOffers(false)
        before = await kithSetup(alice.page, bob.page)
      }
      await earlyOffers(true)
      const { ms, timeline } = await kithSetup(alice.page, bob.page)
      kith.push(ms)
      if (!withoutFirst) {
        await earlyOffers(false)
        before = await kithSetup(alice.page, bob.page)
        await earlyOffers(true)
      }
      without.push(before!.ms)
      const b = await bareSetup(alice.page, bob.page)
      bare.push(b.ms)
      log(`  round ${r + 1}: Kith ${Math.round(kith.at(-1)!)} ms (without early offers ${Math.round(before!.ms)} ms), bare ${Math.round(b.ms)} ms (connected at ${Math.round(b.connectedMs)} ms, video flows at ${Math.round(b.flowsMs)} ms)`)
      for (const line of timeline) log(line)
      if (r === 0) {
        log('    without early offers:')
        for (const line of before!.timeline) log(line)
      }
    }
    log(`median without early offers: ${Math.round(quantile(without, 0.5))} ms`)
    return [result('call setup: click on Video call to first decoded remote frame (callee auto-accepts)', quantile(kith, 0.5), 'ms',
      'bare RTCPeerConnection, same tracks, same two pages', quantile(bare, 0.5))]
  } finally {
    await browser.close()
    await node.stop()
  }
}
