/**
 * Changing your display name in the browser (issue 21, item 19), in headless Debian Chromium against
 * `kith serve` on loopback: Settings → Profile checks the name inline and saves it; the header, the
 * avatar and the invite take it at once; the other browser shows the new name and "Alice is now
 * Alicia". Adding a contact whose name is already a contact's under another key warns first. A
 * contact who starts using a second device shows as "Dave is using a new device", with a link to
 * the safety number.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseInviteLink } from '../../src/core/identity/invite.ts'
import { initDataDir } from '../../src/node/kith-node.ts'
import { dataPaths } from '../../src/node/paths.ts'
import { secondDeviceOf } from '../scenario/second-device.ts'
import {
  addContact, conversationItem, inviteLink, message, openConversation, screenshot, sendMessage, serve, type Served, type User, useChattingPair, waitOnline
} from './browser-harness.ts'

const SLOW = 120_000

describe('browser app, display name', () => {
  let alice: User
  let bob: User
  let carol: Served

  const pair = useChattingPair('profile', 'Hi Bob, it is Alice')
  beforeAll(() => { ({ alice, bob, carol } = pair) })

  it('Alice renames herself in Settings; Bob sees Alicia Jones and the notice', async () => {
    const page = alice.page
    await page.getByTestId('open-settings').click()
    const input = page.getByTestId('display-name-input')
    const save = page.getByTestId('display-name-save')
    await expect.poll(async () => await input.inputValue()).toBe('Alice')
    // Unchanged: nothing to save.
    expect(await save.isDisabled()).toBe(true)

    // Invalid names are refused inline, before anything is sent.
    await input.fill('   ')
    await save.click()
    const error = page.getByTestId('display-name-error')
    await error.waitFor()
    expect(await error.textContent()).toBe('Display name must not be empty.')
    expect(await input.getAttribute('aria-invalid')).toBe('true')
    await input.fill('x'.repeat(65))
    await save.click()
    await expect.poll(async () => await error.textContent()).toBe('Display name must be at most 64 characters.')

    await input.fill('Alicia Jones')
    expect(await error.count()).toBe(0)
    await save.click()
    await page.getByTestId('display-name-saved').waitFor()
    await screenshot(page, 'profile-settings-alice')
    await page.keyboard.press('Escape')

    // The header and avatar at once; the invite carries the new name under the same keys.
    await expect.poll(async () => await page.getByTestId('my-name').textContent()).toBe('Alicia Jones')
    expect(await page.locator('.sidebar-header .avatar').first().textContent()).toBe('AJ')
    const invite = await parseInviteLink(await inviteLink(page))
    expect(invite.certificate.displayName).toBe('Alicia Jones')
    await page.getByTestId('timeline-notice').filter({ hasText: 'You are now Alicia Jones' }).waitFor()

    // Bob: the 1:1 is now called Alicia, with the notice after her message.
    await conversationItem(bob.page, 'Alicia Jones').waitFor({ timeout: 30_000 })
    await openConversation(bob.page, 'Alicia Jones')
    await bob.page.getByTestId('timeline-notice').filter({ hasText: 'Alice is now Alicia Jones' }).waitFor()
    await expect.poll(async () => await bob.page.locator('.conversation-header').textContent()).toContain('Alicia Jones')
    await sendMessage(bob.page, 'Nice name')
    await message(page, 'Nice name').waitFor()
    await screenshot(bob.page, 'profile-bob-sees-alicia')
    // Stored for good: after a reload Alice is still Alicia Jones.
    await page.reload()
    await waitOnline(page)
    await expect.poll(async () => await page.getByTestId('my-name').textContent()).toBe('Alicia Jones')
    // The notice is no message: nothing can be done to it, and it is not unread.
    expect(await bob.page.getByTestId('timeline-notice').filter({ hasText: 'Alice is now Alicia Jones' }).locator('button').count()).toBe(0)
  }, SLOW)

  it('Bob is warned before adding someone else who is also called Alicia Jones', async () => {
    // Carol's node takes the name Alicia too: same name, another identity key.
    await carol.kith('profile', 'name', 'Alicia Jones')
    const link = (await carol.kith('invite')).trim()
    const page = bob.page
    await page.getByTestId('open-add-contact').click()
    await page.getByTestId('add-contact-input').fill(link)
    await page.getByTestId('add-contact-submit').click()
    const warning = page.getByTestId('add-contact-warning')
    await warning.waitFor()
    expect(await warning.textContent()).toBe('You already have a contact called Alicia Jones with a different key — this is a different person or a new account. Compare safety numbers before you trust Alicia Jones.')
    expect(await page.getByTestId('add-contact-submit').textContent()).toBe('Add anyway')
    await screenshot(page, 'profile-namesake-warning')
    // Nothing was added yet; confirming adds and opens the new 1:1.
    expect(await page.getByTestId('conversation').count()).toBe(1)
    await page.getByTestId('add-contact-submit').click()
    await page.getByTestId('add-contact-dialog').waitFor({ state: 'hidden' })
    await expect.poll(async () => await page.getByTestId('conversation').count()).toBe(2)
  }, SLOW)

  const extra: Served[] = []
  afterAll(async () => { await Promise.all(extra.map(async (n) => await n.stop())) })

  it('Dave starts using a second device in a group: Bob sees the notice and opens the safety number from it', async () => {
    // Dave's phone and laptop: two `kith serve` nodes certified by one identity key.
    const phoneDir = mkdtempSync(join(tmpdir(), 'kith-web-dave-phone-'))
    await initDataDir(dataPaths(phoneDir), 'Dave')
    const laptopDir = mkdtempSync(join(tmpdir(), 'kith-web-dave-laptop-'))
    await secondDeviceOf(phoneDir, laptopDir, 'Dave')
    const phone = await serve('Dave', [], phoneDir)
    extra.push(phone)
    const laptop = await serve('Dave', [], laptopDir)
    extra.push(laptop)

    // Bob knows Dave (his phone) as a contact; Carol puts Bob and Dave in a group.
    const page = bob.page
    await addContact(page, await phone.kith('invite'))
    await conversationItem(page, 'Dave').waitFor({ timeout: 30_000 })
    await carol.kith('contact', 'add', pair.bobLink, '--name', 'bob')
    await carol.kith('contact', 'add', await phone.kith('invite'), '--name', 'dave')
    await carol.kith('group', 'create', 'Trip')
    await carol.kith('group', 'add', 'Trip', 'bob')
    await carol.kith('group', 'add', 'Trip', 'dave')
    await conversationItem(page, 'Trip').waitFor({ timeout: 30_000 })
    await openConversation(page, 'Trip')
    const notices = page.getByTestId('timeline-notice')
    await notices.filter({ hasText: 'added Dave' }).waitFor({ timeout: 30_000 })
    expect(await notices.filter({ hasText: 'new device' }).count()).toBe(0)

    // Carol learns the laptop (same identity: the same contact) and adds it.
    await carol.kith('contact', 'add', await laptop.kith('invite'))
    await carol.kith('group', 'add', 'Trip', 'dave')
    const notice = notices.filter({ hasText: 'Dave is using a new device' })
    await notice.waitFor({ timeout: 30_000 })
    const link = notice.getByTestId('notice-safety-number')
    expect(await link.textContent()).toBe('Verify safety number')
    // People, not devices: Carol, Bob and Dave.
    expect(await page.locator('.conversation-header').textContent()).toContain('3 members')
    await screenshot(page, 'profile-new-device-notice')
    await link.click()
    const dialog = page.getByTestId('safety-number-dialog')
    await dialog.waitFor()
    expect(await dialog.textContent()).toContain('Dave')
    await dialog.getByTestId('safety-number').waitFor()
    await page.keyboard.press('Escape')
  }, SLOW)
})
