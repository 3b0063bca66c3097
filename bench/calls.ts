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

async function kithSetup (caller: Page, callee: Page): Promise<number> {
  await autoAccept(callee)
  await armCallProbe(caller)
  await caller.getByTestId('call-start-video').click()
  await caller.waitForFunction(() => (globalThis as unknown as Probe).kithCallProbe?.firstFrameAt !== undefined, undefined, { timeout: 60_000 })
  const ms = await caller.evaluate(() => { const p = (globalThis as unknown as Probe).kithCallProbe!; return p.firstFrameAt! - p.clickedAt! })
  await caller.getByTestId('call-hangup').click()
  for (const page of [caller, callee]) {
    await page.locator('[data-testid="call-status"][data-state="ended"]').waitFor({ timeout: 30_000 })
    await page.getByTestId('call-ended').getByRole('button', { name: 'Close' }).click()
  }
  return ms
}

interface Bare { bare?: { pc: RTCPeerConnection, stream: MediaStream, startedAt?: number, firstFrameAt?: number } }

/** A bare call: getUserMedia, addTrack, offer/answer through this process, first decoded frame at the caller. */
async function bareSetup (caller: Page, callee: Page): Promise<number> {
  const open = async (page: Page, offering: boolean): Promise<void> => {
    await page.evaluate(async (isCaller) => {
      const g = globalThis as unknown as Bare
      const startedAt = performance.now()
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true })
      const pc = new RTCPeerConnection({ iceServers: [] })
      for (const t of stream.getTracks()) pc.addTrack(t, stream)
      g.bare = { pc, stream, startedAt }
      if (isCaller) {
        pc.ontrack = (e) => {
          if (e.track.kind !== 'video') return
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
  const ms = await caller.evaluate(() => { const b = (globalThis as unknown as Bare).bare!; return b.firstFrameAt! - b.startedAt! })
  for (const page of [caller, callee]) {
    await page.evaluate(() => {
      const b = (globalThis as unknown as Bare).bare!
      b.pc.close()
      for (const t of b.stream.getTracks()) t.stop()
      document.querySelectorAll('body > video').forEach((v) => { v.remove() })
    })
  }
  return ms
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
    const bare: number[] = []
    for (let r = 0; r < rounds; r++) {
      kith.push(await kithSetup(alice.page, bob.page))
      bare.push(await bareSetup(alice.page, bob.page))
      log(`  round ${r + 1}: Kith ${Math.round(kith.at(-1)!)} ms, bare ${Math.round(bare.at(-1)!)} ms`)
    }
    return [result('call setup: click on Video call to first decoded remote frame (callee auto-accepts)', quantile(kith, 0.5), 'ms',
      'bare RTCPeerConnection, same tracks, same two pages', quantile(bare, 0.5))]
  } finally {
    await browser.close()
    await node.stop()
  }
}
