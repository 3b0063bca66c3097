/**
 * Encrypted backup in the browser (issue 21 item 23), in headless Debian Chromium against `kith
 * serve` on loopback: Alice backs up from Settings, her browser profile is gone, and she restores
 * the file in a fresh profile while Bob is offline. She sees her history with the banner
 * "Rejoining — waiting for Bob to come online", and the photo Bob had sent her with its thumbnail;
 * when Bob's tab opens again his device puts her new device back in, the banner goes, the photo
 * downloads again from Bob, and the chat continues both ways.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  conversationItem, message, openConversation, openProfile, screenshot, sendMessage, type Served, type User,
  useChattingPair, waitOnline
} from './browser-harness.ts'

const SLOW = 180_000
const PASSPHRASE = 'paper lantern quietly orbits'

describe('browser app, backup and restore', () => {
  let carol: Served
  let alice: User
  let bob: User
  const files = mkdtempSync(join(tmpdir(), 'kith-web-backup-'))
  afterAll(() => { rmSync(files, { recursive: true, force: true }) })

  const pair = useChattingPair('backup', 'Written before the backup')
  beforeAll(() => { ({ carol, alice, bob } = pair) })

  it('backs up from Settings, restores in a fresh profile, shows the rejoin banner, and chat continues', async () => {
    // Bob sends Alice a photo first; her browser downloads it by itself.
    const png = Buffer.from(await bob.page.evaluate(async () => {
      const canvas = new OffscreenCanvas(480, 320)
      const g = canvas.getContext('2d')!
      g.fillStyle = '#e07a3d'
      g.fillRect(0, 0, 480, 320)
      const blob = await canvas.convertToBlob({ type: 'image/png' })
      return Array.from(new Uint8Array(await blob.arrayBuffer()))
    }))
    writeFileSync(join(files, 'harbour.png'), png)
    await bob.page.getByTestId('attach-input').setInputFiles(join(files, 'harbour.png'))
    await bob.page.getByTestId('attachment-chip').locator('img').waitFor()
    await bob.page.getByTestId('send').click()
    const photo = (page: Page): Locator => page.getByTestId('file-card').filter({ hasText: 'harbour.png' })
    await photo(alice.page).and(alice.page.locator('[data-state="done"]')).waitFor({ timeout: 60_000 })

    // Alice backs up: passphrase twice, a strength hint, history included; the file downloads.
    const page = alice.page
    await page.getByTestId('open-settings').click()
    await page.getByTestId('open-backup').scrollIntoViewIfNeeded()
    await page.getByTestId('settings-dialog').evaluate(async (el) => { await Promise.all(el.getAnimations().map(async (a) => await a.finished)) })
    await screenshot(page, 'backup-settings')
    await page.getByTestId('open-backup').click()
    await page.getByTestId('backup-passphrase').fill('short')
    await expect.poll(async () => await page.getByTestId('backup-strength').textContent()).toMatch(/Too short/)
    await page.getByTestId('backup-passphrase').fill(PASSPHRASE)
    await expect.poll(async () => await page.getByTestId('backup-strength').textContent()).toMatch(/Strong/)
    await page.getByTestId('backup-repeat').fill('paper lantern quietly orbit')
    await page.getByTestId('backup-download').click()
    await expect.poll(async () => await page.getByTestId('backup-error').textContent()).toBe('The two passphrases differ.')
    await page.getByTestId('backup-repeat').fill(PASSPHRASE)
    expect(await page.getByTestId('backup-history').isChecked()).toBe(true)
    await screenshot(page, 'backup-dialog')
    const downloading = page.waitForEvent('download')
    await page.getByTestId('backup-download').click()
    const download = await downloading
    expect(download.suggestedFilename()).toMatch(/^kith-backup-\d{4}-\d{2}-\d{2}\.kith$/)
    const file = join(files, download.suggestedFilename())
    await download.saveAs(file)
    expect(readFileSync(file).subarray(0, 7).toString()).toBe('KITHBAK')
    await page.getByTestId('backup-dialog').waitFor({ state: 'hidden' })

    // Alice's profile is gone; Bob closes his tab, so nobody can put her back in yet.
    await alice.context.close()
    await bob.page.close()

    const fresh = await openProfile(pair.browser, carol.url)
    await fresh.page.getByTestId('open-restore').click()
    await fresh.page.getByTestId('restore-file').setInputFiles(file)
    await fresh.page.getByTestId('restore-passphrase').fill('not the passphrase')
    await screenshot(fresh.page, 'backup-restore-form')
    await fresh.page.getByTestId('restore-submit').click()
    await expect.poll(async () => await fresh.page.getByTestId('restore-error').textContent(), { timeout: 30_000 }).toBe('Wrong passphrase, or the file is damaged.')
    await fresh.page.getByTestId('restore-passphrase').fill(PASSPHRASE)
    await fresh.page.getByTestId('restore-submit').click()
    // The KDF runs in the worker; the page shows its progress meanwhile.
    await fresh.page.getByTestId('backup-progress').waitFor()
    await screenshot(fresh.page, 'backup-restoring')
    await waitOnline(fresh.page)

    // The history is there, read-only, under the banner.
    await openConversation(fresh.page, 'Bob')
    await message(fresh.page, 'Written before the backup').waitFor()
    const banner = fresh.page.getByTestId('rejoin-banner')
    await banner.waitFor()
    expect(await banner.textContent()).toBe('Rejoining — waiting for Bob to come online')
    expect(await fresh.page.getByTestId('composer').count()).toBe(0)
    // The photo came back with the history: its card and thumbnail, from the offer the backup kept.
    // Its chunks did not (they were in the old profile): it waits for someone who holds it.
    await photo(fresh.page).getByTestId('file-thumbnail').locator('img').waitFor()
    expect(await photo(fresh.page).getAttribute('data-state')).not.toBe('done')
    await screenshot(fresh.page, 'backup-rejoining')

    // Bob comes back: his device puts Alice's new device back in.
    const bobPage = await bob.context.newPage()
    await bobPage.goto(carol.url)
    await waitOnline(bobPage)
    await banner.waitFor({ state: 'detached', timeout: 90_000 })
    // Let back in, the new device fetches the photo from Bob by itself.
    await photo(fresh.page).and(fresh.page.locator('[data-state="done"]')).waitFor({ timeout: 60_000 })
    await fresh.page.getByTestId('composer').waitFor()
    await sendMessage(fresh.page, 'Back from a backup')
    await openConversation(bobPage, 'Alice')
    await message(bobPage, 'Back from a backup').waitFor({ timeout: 30_000 })
    await sendMessage(bobPage, 'Welcome back')
    await message(fresh.page, 'Welcome back').waitFor({ timeout: 30_000 })
    await screenshot(fresh.page, 'backup-rejoined')
    expect(await conversationItem(bobPage, 'Alice').count()).toBe(1)
  }, SLOW)
})
