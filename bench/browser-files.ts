/**
 * Files between two browsers (issue 19), in headless Debian Chromium against a `kith serve` on
 * loopback: a 100 MiB file (16 MiB with --quick) attached by Alice and downloaded by Bob over
 * `/kith/file/1.0.0` on their direct WebRTC connection, into OPFS, in MiB/s; against a raw
 * RTCDataChannel between the same two pages moving the same number of bytes in the same run (an
 * 8 MiB buffered-amount window, 64 KiB messages), the runs alternated. Also the receiving page's
 * JS heap (main thread, sampled through the DevTools protocol) at its peak during the download,
 * against its size before.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { addContact, buildApp, inviteLink, launchBrowser, onboard, openConversation, serve } from '../test/e2e/browser-harness.ts'
import { quantile, result, type BenchResult } from './stats.ts'

const MIB = 1024 * 1024

/** Connects an RTCPeerConnection in each page (signalled through this process) and times `bytes` from `from` to `to`. */
async function rawDataChannel (from: Page, to: Page, bytes: number): Promise<number> {
  const offer = await from.evaluate(async () => {
    const pc = new RTCPeerConnection({ iceServers: [] })
    const channel = pc.createDataChannel('raw', { ordered: true })
    channel.binaryType = 'arraybuffer'
    ;(globalThis as unknown as { rawPc: RTCPeerConnection, rawChannel: RTCDataChannel }).rawPc = pc
    ;(globalThis as unknown as { rawChannel: RTCDataChannel }).rawChannel = channel
    await pc.setLocalDescription(await pc.createOffer())
    await new Promise<void>((resolve) => { if (pc.iceGatheringState === 'complete') resolve(); else pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') resolve() } })
    return pc.localDescription!.toJSON()
  })
  const answer = await to.evaluate(async ([o, total]) => {
    const pc = new RTCPeerConnection({ iceServers: [] })
    const w = globalThis as unknown as { rawPc: RTCPeerConnection, rawDone: Promise<number> }
    w.rawPc = pc
    w.rawDone = new Promise<number>((resolve) => {
      pc.ondatachannel = (e) => {
        let got = 0
        e.channel.binaryType = 'arraybuffer'
        e.channel.onmessage = (m) => {
          got += (m.data as ArrayBuffer).byteLength
          if (got >= total!) resolve(performance.timeOrigin + performance.now())
        }
      }
    })
    await pc.setRemoteDescription(o as RTCSessionDescriptionInit)
    await pc.setLocalDescription(await pc.createAnswer())
    await new Promise<void>((resolve) => { if (pc.iceGatheringState === 'complete') resolve(); else pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') resolve() } })
    return pc.localDescription!.toJSON()
  }, [offer, bytes] as const)
  const started = await from.evaluate(async ([a, total]) => {
    const w = globalThis as unknown as { rawPc: RTCPeerConnection, rawChannel: RTCDataChannel }
    await w.rawPc.setRemoteDescription(a as RTCSessionDescriptionInit)
    const channel = w.rawChannel
    if (channel.readyState !== 'open') await new Promise((resolve) => { channel.onopen = resolve })
    const WINDOW = 8 * 1024 * 1024
    const message = new Uint8Array(64 * 1024)
    channel.bufferedAmountLowThreshold = WINDOW / 2
    const at = performance.timeOrigin + performance.now()
    let sent = 0
    while (sent < total!) {
      if (channel.bufferedAmount > WINDOW) await new Promise((resolve) => { channel.onbufferedamountlow = resolve })
      channel.send(message)
      sent += message.length
    }
    return at
  }, [answer, bytes] as const)
  const ended = await to.evaluate(async () => await (globalThis as unknown as { rawDone: Promise<number> }).rawDone)
  await from.evaluate(() => { (globalThis as unknown as { rawPc: RTCPeerConnection }).rawPc.close() })
  await to.evaluate(() => { (globalThis as unknown as { rawPc: RTCPeerConnection }).rawPc.close() })
  return ended - started
}

/** Runs the browser file benchmark and returns its rows. */
export async function benchBrowserFiles (quick: boolean, log: (line: string) => void): Promise<BenchResult[]> {
  buildApp()
  const size = (quick ? 16 : 100) * MIB
  const rounds = quick ? 1 : 3
  const dir = mkdtempSync(join(tmpdir(), 'kith-bench-files-'))
  const node = await serve('Relay')
  const browser = await launchBrowser()
  try {
    const alice = await onboard(browser, node.url, 'Alice')
    const bob = await onboard(browser, node.url, 'Bob')
    await addContact(alice.page, await inviteLink(bob.page))
    await alice.page.getByTestId('composer').waitFor()
    await alice.page.getByTestId('composer').fill('files')
    await alice.page.getByTestId('send').click()
    await openConversation(bob.page, 'Alice')
    await bob.page.getByTestId('message').filter({ hasText: 'files' }).waitFor({ timeout: 30_000 })
    const cdp = await bob.page.context().newCDPSession(bob.page)
    const heap = async (): Promise<number> => ((await cdp.send('Runtime.getHeapUsage')) as { usedSize: number }).usedSize
    const kith: number[] = []
    const raw: number[] = []
    const seal: number[] = []
    let heapBefore = Number.POSITIVE_INFINITY
    let heapPeak = 0
    for (let round = 0; round < rounds; round++) {
      log(`browser files: raw RTCDataChannel, ${size / MIB} MiB (round ${round + 1})`)
      raw.push(size / MIB / (await rawDataChannel(alice.page, bob.page, size) / 1000))

      const name = `bench-${round}.bin`
      const path = join(dir, name)
      writeFileSync(path, randomBytes(size))
      log(`browser files: Kith, ${size / MIB} MiB (round ${round + 1})`)
      const sealStart = Date.now()
      await alice.page.getByTestId('attach-input').setInputFiles(path)
      await alice.page.getByTestId('send').click()
      const offered = bob.page.getByTestId('file-card').filter({ hasText: name })
      await offered.and(bob.page.locator('[data-state="offered"]')).waitFor({ timeout: 300_000 })
      seal.push(size / MIB / ((Date.now() - sealStart) / 1000))
      heapBefore = Math.min(heapBefore, await heap())
      let sampling = true
      const sampler = (async () => {
        while (sampling) {
          heapPeak = Math.max(heapPeak, await heap())
          await new Promise((resolve) => setTimeout(resolve, 100))
        }
      })()
      const started = Date.now()
      await offered.getByTestId('file-download').click()
      await bob.page.waitForFunction((n) => [...document.querySelectorAll('[data-testid="file-card"]')]
        .some((c) => c.textContent?.includes(n) === true && c.getAttribute('data-state') === 'done'), name, { timeout: 300_000, polling: 20 })
      kith.push(size / MIB / ((Date.now() - started) / 1000))
      sampling = false
      await sampler
      rmSync(path, { force: true })
    }
    return [
      result(`browser files: ${size / MIB} MiB browser to browser over /kith/file (median MiB/s)`, quantile(kith, 0.5), 'MiB/s', 'raw RTCDataChannel, same pages, median MiB/s', quantile(raw, 0.5)),
      result('browser files: receiving page JS heap peak during the download', heapPeak / MIB, 'MiB', 'the page heap before the download', heapBefore / MIB),
      result('browser files: sealing in the worker, attach to offered at the receiver (median MiB/s)', quantile(seal, 0.5), 'MiB/s', 'Kith download rate, same run', quantile(kith, 0.5))
    ]
  } finally {
    await browser.close()
    await node.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
