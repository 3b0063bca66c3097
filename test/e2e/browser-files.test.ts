/**
 * Files between two browsers (issue 19), in headless Debian Chromium on one `kith serve` on
 * loopback: Alice attaches through the composer's file input, Bob downloads over WebRTC into his
 * browser's chunk store (OPFS) and saves it, and the bytes are the same; an image shows its
 * encrypted thumbnail at once and downloads by itself; a reload in the middle of a download
 * continues from the chunks already verified; and files go both ways between a browser and a CLI
 * daemon (through the daemon's local API, what `kith file` calls).
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { ApiClient } from '../../src/node/api/client.ts'
import { dataPaths } from '../../src/node/paths.ts'
import { openConversation, screenshot, useChattingPair, waitOnline, type Served, type User } from './browser-harness.ts'

const SLOW = 240_000
let alice: User
let bob: User
let carol: Served
const pair = useChattingPair('files', 'Files next')
const dir = mkdtempSync(join(tmpdir(), 'kith-files-e2e-'))
beforeAll(() => { ({ alice, bob, carol } = pair) })
afterAll(() => { rmSync(dir, { recursive: true, force: true }) })

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

/** The card of the file named `name`. */
function card (page: Page, name: string): ReturnType<Page['getByTestId']> {
  return page.getByTestId('file-card').filter({ hasText: name })
}

async function attach (page: Page, path: string): Promise<void> {
  await page.getByTestId('attach-input').setInputFiles(path)
}

/** Whether the page's OPFS holds chunks of the file `fileId` (chunks.browser.ts layout). */
async function holdsChunks (page: Page, fileId: string): Promise<boolean> {
  return await page.evaluate(async (id) => {
    const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('kith-chunks')
    try {
      await root.getDirectoryHandle(id)
      return true
    } catch {
      return false
    }
  }, fileId)
}

it('a file attached through the input arrives byte-identical, with progress, and Save hands it over as a download', async () => {
  const bytes = randomBytes(5 * 1024 * 1024 + 12_345)
  const path = join(dir, 'report.bin')
  writeFileSync(path, bytes)
  await attach(alice.page, path)
  const chip = alice.page.getByTestId('attachment-chip')
  await chip.waitFor()
  expect(await chip.textContent()).toContain('report.bin')
  await alice.page.getByTestId('composer').fill('The quarterly numbers')
  await screenshot(alice.page, 'files-attached')
  await alice.page.getByTestId('send').click()
  // Alice holds every chunk: her card is done at once.
  await card(alice.page, 'report.bin').and(alice.page.locator('[data-state="done"]')).waitFor({ timeout: 60_000 })
  expect(await alice.page.getByTestId('attachment-chip').count()).toBe(0)

  const offered = card(bob.page, 'report.bin')
  await offered.and(bob.page.locator('[data-state="offered"]')).waitFor({ timeout: 60_000 })
  expect(await bob.page.getByTestId('message').filter({ hasText: 'The quarterly numbers' }).count()).toBe(1)
  expect(await offered.textContent()).toContain('5.0 MB')
  // The conversation list previews the file message by its name and caption, as it would a text.
  await bob.page.locator('.conversation-preview', { hasText: '📎 report.bin · The quarterly numbers' }).waitFor()
  await alice.page.locator('.conversation-preview', { hasText: 'You: 📎 report.bin · The quarterly numbers' }).waitFor()
  await screenshot(bob.page, 'files-offered')
  await offered.getByTestId('file-download').click()
  await offered.and(bob.page.locator('[data-state="done"]')).waitFor({ timeout: 60_000 })
  await screenshot(bob.page, 'files-done')

  // Alice's file message is delivered, as a text message would be.
  await alice.page.getByTestId('message').filter({ hasText: 'report.bin' }).and(alice.page.locator('[data-state="delivered"], [data-state="read"]')).waitFor()
  const [download] = await Promise.all([bob.page.waitForEvent('download'), offered.getByTestId('file-save').click()])
  expect(download.suggestedFilename()).toBe('report.bin')
  const saved = readFileSync(await download.path())
  expect(saved.length).toBe(bytes.length)
  expect(sha256(saved)).toBe(sha256(bytes))
}, SLOW)

it('an image shows its encrypted thumbnail at once and downloads by itself; it opens in a viewer', async () => {
  // A real PNG, drawn by the browser.
  const png = Buffer.from(await alice.page.evaluate(async () => {
    const canvas = new OffscreenCanvas(640, 400)
    const g = canvas.getContext('2d')!
    const gradient = g.createLinearGradient(0, 0, 640, 400)
    gradient.addColorStop(0, '#3d64e0')
    gradient.addColorStop(1, '#2f9e6e')
    g.fillStyle = gradient
    g.fillRect(0, 0, 640, 400)
    g.fillStyle = '#fff'
    g.font = 'bold 64px sans-serif'
    g.fillText('Kith', 240, 220)
    const blob = await canvas.convertToBlob({ type: 'image/png' })
    return Array.from(new Uint8Array(await blob.arrayBuffer()))
  }))
  const path = join(dir, 'sunset.png')
  writeFileSync(path, png)
  await attach(alice.page, path)
  await alice.page.getByTestId('attachment-chip').locator('img').waitFor()
  await alice.page.getByTestId('send').click()

  const image = card(bob.page, 'sunset.png')
  const thumbnail = image.getByTestId('file-thumbnail').locator('img')
  await thumbnail.waitFor({ timeout: 60_000 })
  expect(await thumbnail.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0)
  // At most 8 MiB (the default): no click needed.
  await image.and(bob.page.locator('[data-state="done"]')).waitFor({ timeout: 60_000 })
  expect(await bob.page.locator('.conversation-preview').allTextContents()).toContain('🖼 Photo')
  await screenshot(bob.page, 'files-image')
  await image.getByTestId('file-open').click()
  const viewer = bob.page.getByTestId('image-viewer')
  await viewer.locator('img').waitFor()
  expect(await viewer.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(640)
  await viewer.evaluate(async (el) => { await Promise.all(el.getAnimations().map(async (a) => await a.finished)) })
  await screenshot(bob.page, 'files-viewer')
  await bob.page.keyboard.press('Escape')

  // Bob removes it from his browser: its chunks go, and it is not fetched by itself again (an
  // image this small would be); Download brings it back.
  const fileId = (await image.getAttribute('data-file-id'))!
  expect(await holdsChunks(bob.page, fileId)).toBe(true)
  await image.getByTestId('file-remove').click()
  expect(await bob.page.getByTestId('confirm-dialog').textContent()).toContain('Remove sunset.png from this browser?')
  await bob.page.getByTestId('confirm-ok').click()
  await image.and(bob.page.locator('[data-state="offered"]')).getByTestId('file-download').waitFor()
  await expect.poll(async () => await holdsChunks(bob.page, fileId)).toBe(false)
  expect(await bob.page.evaluate((id) => (JSON.parse(localStorage.getItem('kith.downloads') ?? '{}') as Record<string, string>)[id], fileId)).toBe('removed')
  await screenshot(bob.page, 'files-removed')
  await image.getByTestId('file-download').click()
  await image.and(bob.page.locator('[data-state="done"]')).waitFor({ timeout: 60_000 })
  expect(await holdsChunks(bob.page, fileId)).toBe(true)
}, SLOW)

it('a file message takes a reaction and a reply quoting it; deleting it for everyone withdraws the file from both browsers', async () => {
  const path = join(dir, 'plan.pdf')
  writeFileSync(path, randomBytes(300 * 1024))
  await attach(alice.page, path)
  await alice.page.getByTestId('send').click()
  const offered = card(bob.page, 'plan.pdf')
  await offered.and(bob.page.locator('[data-state="offered"]')).waitFor({ timeout: 60_000 })
  const fileId = (await offered.getAttribute('data-file-id'))!
  await offered.getByTestId('file-download').click()
  await offered.and(bob.page.locator('[data-state="done"]')).waitFor({ timeout: 60_000 })
  expect(await holdsChunks(bob.page, fileId)).toBe(true)

  // Bob reacts to the file and replies to it; the quote names the file.
  const atBob = bob.page.getByTestId('message').filter({ has: card(bob.page, 'plan.pdf') })
  await atBob.hover()
  await atBob.getByTestId('action-react').click()
  const emoji = (await bob.page.getByTestId('emoji-option').first().textContent())!.trim()
  await bob.page.getByTestId('emoji-option').first().click()
  const atAlice = alice.page.getByTestId('message').filter({ has: card(alice.page, 'plan.pdf') })
  await atAlice.getByTestId('reaction').filter({ hasText: emoji }).waitFor({ timeout: 30_000 })
  await atBob.hover()
  await atBob.getByTestId('action-reply').click()
  expect(await bob.page.getByTestId('composer-context').textContent()).toContain('📎 plan.pdf')
  await bob.page.getByTestId('composer').fill('Looks good')
  await bob.page.getByTestId('send').click()
  const reply = alice.page.getByTestId('message').filter({ hasText: 'Looks good' })
  await reply.getByTestId('reply-quote').filter({ hasText: '📎 plan.pdf' }).waitFor({ timeout: 30_000 })
  await screenshot(alice.page, 'files-reacted-replied')

  // Alice, who sent it, deletes it for everyone: the card goes on both sides, and so do the chunks.
  await atAlice.hover()
  await atAlice.getByTestId('action-delete').click()
  await alice.page.getByTestId('confirm-ok').click()
  await expect.poll(async () => await card(bob.page, 'plan.pdf').count(), { timeout: 30_000 }).toBe(0)
  expect(await card(alice.page, 'plan.pdf').count()).toBe(0)
  await expect.poll(async () => await holdsChunks(bob.page, fileId), { timeout: 30_000 }).toBe(false)
  await expect.poll(async () => await holdsChunks(alice.page, fileId), { timeout: 30_000 }).toBe(false)
  // The reply stays, quoting a deleted message.
  await reply.getByTestId('reply-quote').filter({ hasText: 'This message was deleted' }).waitFor({ timeout: 30_000 })
  await screenshot(bob.page, 'files-withdrawn')
}, SLOW)

it('a reload in the middle of a download continues from the verified chunks, not from zero', async () => {
  const bytes = randomBytes(96 * 1024 * 1024)
  const path = join(dir, 'big.bin')
  writeFileSync(path, bytes)
  await attach(alice.page, path)
  await alice.page.getByTestId('send').click()
  const offered = card(bob.page, 'big.bin')
  await offered.and(bob.page.locator('[data-state="offered"]')).waitFor({ timeout: 120_000 })
  await offered.getByTestId('file-download').click()
  // Alice's card shows what she sends.
  await card(alice.page, 'big.bin').getByTestId('file-upload').waitFor({ timeout: 60_000 })
  await screenshot(alice.page, 'files-uploading')
  // Some chunks are here: reload while it runs.
  await bob.page.waitForFunction(() => {
    const el = [...document.querySelectorAll('[data-testid="file-card"]')].find((c) => c.textContent?.includes('big.bin'))
    return el !== undefined && Number(el.getAttribute('data-bytes')) > 0 && el.getAttribute('data-state') === 'downloading'
  }, undefined, { timeout: 60_000, polling: 50 })
  await screenshot(bob.page, 'files-downloading')
  await bob.page.reload()
  await waitOnline(bob.page)
  await openConversation(bob.page, 'Alice')
  const resumed = card(bob.page, 'big.bin')
  await resumed.and(bob.page.locator('[data-state="done"]')).waitFor({ timeout: 120_000 })
  const fileId = await resumed.getAttribute('data-file-id')
  const line = await bob.page.evaluate((id) => (globalThis as unknown as { kithDebug: { log: string[] } }).kithDebug.log.find((l) => l.includes(`file ${id}: complete; fetched`)) ?? '', fileId)
  const [, fetched, total] = /fetched (\d+) of (\d+) chunks/.exec(line) ?? []
  expect(Number(total)).toBe(96)
  expect(Number(fetched)).toBeGreaterThan(0)
  expect(Number(fetched)).toBeLessThan(96)

  const [download] = await Promise.all([bob.page.waitForEvent('download'), resumed.getByTestId('file-save').click()])
  expect(sha256(readFileSync(await download.path()))).toBe(sha256(bytes))
}, SLOW)

interface DaemonFile { readonly fileId: string, readonly name: string, readonly state: string, readonly path?: string, readonly own: boolean }

it('files go both ways between a browser and a CLI daemon, byte-identical', async () => {
  const api = ApiClient.forDataDir(dataPaths(carol.data))
  await carol.kith('contact', 'add', pair.bobLink, '--name', 'bob')
  await openConversation(bob.page, 'Carol')

  // CLI → browser.
  const fromCli = randomBytes(3 * 1024 * 1024 + 777)
  const cliPath = join(dir, 'from-cli.bin')
  writeFileSync(cliPath, fromCli)
  await api.call('POST', '/v1/files', { target: 'bob', paths: [cliPath], caption: 'From the terminal' })
  const offered = card(bob.page, 'from-cli.bin')
  await offered.getByTestId('file-download').click({ timeout: 60_000 })
  await offered.and(bob.page.locator('[data-state="done"]')).waitFor({ timeout: 60_000 })
  const [download] = await Promise.all([bob.page.waitForEvent('download'), offered.getByTestId('file-save').click()])
  expect(sha256(readFileSync(await download.path()))).toBe(sha256(fromCli))

  // Browser → CLI.
  const fromBrowser = randomBytes(2 * 1024 * 1024 + 99)
  const browserPath = join(dir, 'from-browser.bin')
  writeFileSync(browserPath, fromBrowser)
  await attach(bob.page, browserPath)
  await bob.page.getByTestId('send').click()
  await card(bob.page, 'from-browser.bin').and(bob.page.locator('[data-state="done"]')).waitFor({ timeout: 60_000 })
  let offer: DaemonFile | undefined
  await expect.poll(async () => {
    offer = (await api.call<{ files: DaemonFile[] }>('GET', '/v1/files?target=bob')).files.find((f) => f.name === 'from-browser.bin')
    return offer?.state
  }, { timeout: 60_000, interval: 250 }).toBe('offered')
  const out = join(dir, 'saved-by-cli.bin')
  await api.call('POST', `/v1/files/${offer!.fileId}/get`, { out })
  await expect.poll(async () => (await api.call<{ file: DaemonFile }>('GET', `/v1/files/${offer!.fileId}`)).file.state, { timeout: 60_000, interval: 250 }).toBe('done')
  expect(sha256(readFileSync(out))).toBe(sha256(fromBrowser))
  await screenshot(bob.page, 'files-cli')
}, SLOW)

it('drop and paste attach too, a chip can be removed, and text past the limit goes as a .txt file', async () => {
  await openConversation(alice.page, 'Bob')
  await openConversation(bob.page, 'Alice')
  await alice.page.evaluate(() => {
    const dt = new DataTransfer()
    dt.items.add(new File(['dropped on the conversation'], 'dropped.txt', { type: 'text/plain' }))
    const target = document.querySelector('[data-testid="conversation-view"]')!
    target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }))
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }))
  })
  await alice.page.evaluate(async () => {
    const canvas = new OffscreenCanvas(64, 64)
    const g = canvas.getContext('2d')!
    g.fillStyle = '#c98a06'
    g.fillRect(0, 0, 64, 64)
    const dt = new DataTransfer()
    dt.items.add(new File([await canvas.convertToBlob({ type: 'image/png' })], 'pasted.png', { type: 'image/png' }))
    document.querySelector('[data-testid="composer"]')!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }))
  })
  const chips = alice.page.getByTestId('attachment-chip')
  await expect.poll(async () => await chips.count()).toBe(2)
  await chips.filter({ hasText: 'dropped.txt' }).getByTestId('attachment-remove').click()
  await expect.poll(async () => await chips.count()).toBe(1)
  await alice.page.getByTestId('send').click()
  await card(bob.page, 'pasted.png').and(bob.page.locator('[data-state="done"]')).waitFor({ timeout: 60_000 })
  expect(await card(bob.page, 'dropped.txt').count()).toBe(0)

  const long = 'All work and no play. '.repeat(800)
  await alice.page.getByTestId('composer').fill(long)
  await alice.page.getByTestId('long-text').waitFor()
  await screenshot(alice.page, 'files-long-text')
  await alice.page.getByTestId('send-as-file').click()
  const txt = bob.page.getByTestId('file-card').filter({ hasText: /message-.*\.txt/ })
  await txt.getByTestId('file-download').click({ timeout: 60_000 })
  await txt.and(bob.page.locator('[data-state="done"]')).waitFor({ timeout: 60_000 })
  const [download] = await Promise.all([bob.page.waitForEvent('download'), txt.getByTestId('file-save').click()])
  expect(readFileSync(await download.path(), 'utf8')).toBe(long.trim())
  expect(await alice.page.getByTestId('composer').inputValue()).toBe('')
}, SLOW)

it('Pause keeps the verified chunks, Resume continues, Cancel deletes them and the file can be fetched again', async () => {
  const bytes = randomBytes(64 * 1024 * 1024)
  const path = join(dir, 'pausable.bin')
  writeFileSync(path, bytes)
  await attach(alice.page, path)
  await alice.page.getByTestId('send').click()
  const c = card(bob.page, 'pausable.bin')
  await c.getByTestId('file-download').click({ timeout: 120_000 })
  await bob.page.waitForFunction(() => [...document.querySelectorAll('[data-testid="file-card"]')]
    .some((el) => el.textContent?.includes('pausable.bin') === true && Number(el.getAttribute('data-bytes')) > 0), undefined, { timeout: 60_000, polling: 50 })
  // Where a button sits in the card, and how tall the card is.
  const layout = async (button: string): Promise<number[]> => {
    const [b, box] = [await c.getByTestId(button).boundingBox(), await c.boundingBox()]
    return [(b?.x ?? NaN) - (box?.x ?? NaN), (b?.y ?? NaN) - (box?.y ?? NaN), box?.height ?? NaN]
  }
  const downloading = await layout('file-pause')
  await c.getByTestId('file-pause').click()
  await c.and(bob.page.locator('[data-state="paused"]')).waitFor()
  await screenshot(bob.page, 'files-paused')
  // Resume is where Pause was, and the card keeps its height: a second tap resumes.
  expect(await layout('file-resume')).toEqual(downloading)
  const held = Number(await c.getAttribute('data-bytes'))
  expect(held).toBeGreaterThan(0)
  expect(held).toBeLessThan(bytes.length)

  await c.getByTestId('file-resume').click()
  await c.and(bob.page.locator('[data-state="downloading"]')).waitFor()
  expect(Number(await c.getAttribute('data-bytes'))).toBeGreaterThanOrEqual(held)
  await c.getByTestId('file-cancel').click()
  await c.and(bob.page.locator('[data-state="offered"][data-bytes="0"]')).waitFor()

  await c.getByTestId('file-download').click()
  await c.and(bob.page.locator('[data-state="done"]')).waitFor({ timeout: 120_000 })
  const [download] = await Promise.all([bob.page.waitForEvent('download'), c.getByTestId('file-save').click()])
  expect(sha256(readFileSync(await download.path()))).toBe(sha256(bytes))
}, SLOW)

it('a short video gets a thumbnail from its first frame, drawn by the sender', async () => {
  await openConversation(alice.page, 'Bob')
  await openConversation(bob.page, 'Alice')
  // A real WebM, recorded from a canvas in the browser.
  const webm = Buffer.from(await alice.page.evaluate(async () => {
    const canvas = document.createElement('canvas')
    canvas.width = 320
    canvas.height = 180
    const g = canvas.getContext('2d')!
    const recorder = new MediaRecorder(canvas.captureStream(25), { mimeType: 'video/webm' })
    const parts: Blob[] = []
    recorder.ondataavailable = (e) => { parts.push(e.data) }
    const stopped = new Promise((resolve) => { recorder.onstop = resolve })
    recorder.start()
    for (let i = 0; i < 20; i++) {
      g.fillStyle = `hsl(${i * 12} 70% 50%)`
      g.fillRect(0, 0, 320, 180)
      await new Promise((resolve) => setTimeout(resolve, 40))
    }
    recorder.stop()
    await stopped
    return Array.from(new Uint8Array(await new Blob(parts).arrayBuffer()))
  }))
  const path = join(dir, 'clip.webm')
  writeFileSync(path, webm)
  await attach(alice.page, path)
  await alice.page.getByTestId('send').click()
  const video = card(bob.page, 'clip.webm')
  const thumbnail = video.getByTestId('file-thumbnail').locator('img')
  await thumbnail.waitFor({ timeout: 60_000 })
  expect(await thumbnail.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(320)
  // Not an image: it waits to be asked for.
  expect(await video.getAttribute('data-state')).toBe('offered')
  await screenshot(bob.page, 'files-video')
}, SLOW)

it('a full browser storage pauses the download with a message saying what to do, and it goes on by itself once there is room', async () => {
  await openConversation(alice.page, 'Bob')
  await openConversation(bob.page, 'Alice')
  const bytes = randomBytes(32 * 1024 * 1024)
  const path = join(dir, 'too-big.bin')
  writeFileSync(path, bytes)
  await attach(alice.page, path)
  await alice.page.getByTestId('send').click()
  const c = card(bob.page, 'too-big.bin')
  await c.and(bob.page.locator('[data-state="offered"]')).waitFor({ timeout: 120_000 })

  // Room for about 8 MiB more than Bob's browser already stores.
  const cdp = await bob.page.context().newCDPSession(bob.page)
  const origin = new URL(bob.page.url()).origin
  const used = await bob.page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0)
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: used + 8 * 1024 * 1024 })
  await c.getByTestId('file-download').click()
  await c.and(bob.page.locator('[data-state="paused"]')).waitFor({ timeout: 120_000 })
  const why = c.getByRole('alert')
  expect(await why.textContent()).toMatch(/^The browser's storage for this site is full; free some space .*\. It goes on by itself once there is room\.$/)
  expect(await bob.page.getByTestId('notice').count()).toBe(0)
  await why.scrollIntoViewIfNeeded()
  await screenshot(bob.page, 'files-storage-full')
  const held = Number(await c.getAttribute('data-bytes'))
  expect(held).toBeLessThan(bytes.length)

  // Room again (as after deleting files): nobody presses Resume.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin })
  await c.and(bob.page.locator('[data-state="done"]')).waitFor({ timeout: 120_000 })
  const [download] = await Promise.all([bob.page.waitForEvent('download'), c.getByTestId('file-save').click()])
  expect(sha256(readFileSync(await download.path()))).toBe(sha256(bytes))
}, SLOW)
