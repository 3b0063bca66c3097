/**
 * Everyday features of the browser app (issue 21), in headless Debian Chromium against `kith serve`
 * on loopback: search across conversations, the typing indicator, renaming a group, re-adding a
 * contact, toasts, the length counter and the theme switch. Alice and Bob each have a browser.
 */
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  addContact, conversationItem, message, openConversation, screenshot, sendMessage, type User,
  useChattingPair
} from './browser-harness.ts'

const SLOW = 120_000
const GROUP = 'Book club'

interface Debug { kithDebug: { client: { notice (kind: 'error' | 'info', text: string): void } } }

/** The body's computed background colour. */
async function background (page: Page): Promise<string> {
  return await page.evaluate(() => getComputedStyle(document.body).backgroundColor)
}

describe('browser app, everyday features', () => {
  let alice: User
  let bob: User
  let bobLink: string

  const pair = useChattingPair('everyday', 'The picnic is on Saturday')
  beforeAll(() => { ({ alice, bob, bobLink } = pair) })

  it('the typing indicator goes away as soon as that person\'s message arrives', async () => {
    await openConversation(alice.page, 'Bob')
    await bob.page.getByTestId('composer').fill('I will bring the sandwiches')
    const typing = alice.page.getByTestId('typing')
    await typing.waitFor()
    expect(await typing.textContent()).toMatch(/Bob is typing/)
    await bob.page.getByTestId('send').click()
    await message(alice.page, 'I will bring the sandwiches').waitFor()
    // Without clearing, "Bob is typing…" would stay for seconds below the message that ended it.
    expect(await typing.count()).toBe(0)
  }, SLOW)

  it('a new group heads the list, and renaming it shows the new name in the header, the list, and the other member\'s browser', async () => {
    await alice.page.getByTestId('open-new-group').click()
    await alice.page.getByTestId('group-name').fill('Reading circle')
    await alice.page.getByTestId('group-create').click()
    // The members step takes the focus, and the new group heads the list though nothing was said in it yet.
    await expect.poll(async () => await alice.page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('member-option')
    await expect.poll(async () => await alice.page.getByTestId('conversation').first().locator('.conversation-name').textContent()).toBe('Reading circle')
    await alice.page.locator('[data-testid="member-option"][data-alias="bob"]').check()
    await alice.page.getByTestId('group-add-members').click()
    await alice.page.getByTestId('group-add-members').waitFor({ state: 'hidden' })
    await sendMessage(alice.page, 'Next book: a long one')
    await conversationItem(bob.page, 'Reading circle').waitFor()

    await alice.page.getByTestId('open-group-info').click()
    const field = alice.page.getByTestId('group-rename')
    await field.fill(GROUP)
    await screenshot(alice.page, 'everyday-group-rename')
    await alice.page.getByTestId('group-rename-save').click()
    await alice.page.getByTestId('group-info-dialog').getByText(GROUP, { exact: true }).waitFor()
    await alice.page.keyboard.press('Escape')
    await alice.page.getByTestId('conversation-name').filter({ hasText: GROUP }).waitFor()
    await conversationItem(alice.page, GROUP).waitFor()
    expect(await conversationItem(alice.page, 'Reading circle').count()).toBe(0)
    await conversationItem(bob.page, GROUP).waitFor({ timeout: 30_000 })
    await openConversation(bob.page, GROUP)
    await bob.page.getByTestId('conversation-name').filter({ hasText: GROUP }).waitFor()
  }, SLOW)

  it('search finds messages in every conversation, highlights the match, and opens the conversation at the message', async () => {
    await openConversation(alice.page, GROUP)
    const input = alice.page.getByTestId('search-input')
    const results = alice.page.getByTestId('search-result')
    await input.fill('p')
    // One character searches nothing: the list stays.
    await conversationItem(alice.page, 'Bob').waitFor()
    expect(await alice.page.getByTestId('search-results').count()).toBe(0)

    await input.fill('PICNIC')
    await results.first().waitFor()
    expect(await results.count()).toBe(1)
    const hit = results.first()
    expect(await hit.locator('.conversation-name').textContent()).toBe('Bob')
    expect(await hit.locator('.search-sender').textContent()).toBe('You')
    expect(await hit.locator('mark').textContent()).toBe('picnic')
    expect(await hit.locator('time').count()).toBe(1)

    await input.fill('sandwiches')
    await results.filter({ hasText: 'I will bring the sandwiches' }).waitFor()
    expect(await results.first().locator('.search-sender').textContent()).toBe('Bob')

    await input.fill('book')
    await results.filter({ hasText: 'Next book' }).waitFor()
    expect(await results.first().locator('.conversation-name').textContent()).toBe(GROUP)

    await input.fill('zebra crossing')
    await alice.page.getByText('No messages match “zebra crossing”').waitFor()
    expect(await results.count()).toBe(0)

    await input.fill('picnic')
    await results.first().waitFor()
    await screenshot(alice.page, 'everyday-search')
    await results.first().click()
    await alice.page.getByTestId('conversation-name').filter({ hasText: 'Bob' }).waitFor()
    // The conversation opens at the message found, highlighted.
    await message(alice.page, 'The picnic is on Saturday').and(alice.page.locator('.flash')).waitFor()
    // Opening a conversation focuses its composer once it has mounted; clear the search after that,
    // or the focus can move in the middle of the clearing.
    await expect.poll(async () => await alice.page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('composer')
    await input.fill('')
    await conversationItem(alice.page, GROUP).waitFor()
  }, SLOW)

  it('adding someone who is already a contact says so and opens their chat', async () => {
    await openConversation(alice.page, GROUP)
    await addContact(alice.page, bobLink)
    await alice.page.getByTestId('notice').filter({ hasText: 'Bob is already in your contacts' }).waitFor()
    await alice.page.getByTestId('add-contact-dialog').waitFor({ state: 'hidden' })
    await alice.page.getByTestId('conversation-name').filter({ hasText: 'Bob' }).waitFor()
    await screenshot(alice.page, 'everyday-already-contact')
    expect(await alice.page.getByTestId('conversation').count()).toBe(2)
  }, SLOW)

  it('toasts stack at most three, can be dismissed, and time out', async () => {
    const page = bob.page
    const notices = page.getByTestId('notice')
    for (const text of ['First notice', 'Second notice', 'Third notice', 'Fourth notice']) {
      await page.evaluate((t) => { (globalThis as unknown as Debug).kithDebug.client.notice('error', t) }, text)
      await notices.filter({ hasText: text }).waitFor()
    }
    await screenshot(page, 'everyday-toasts')
    expect(await notices.count()).toBe(3)
    expect(await notices.filter({ hasText: 'First notice' }).count()).toBe(0)
    await notices.filter({ hasText: 'Fourth notice' }).getByTestId('toast-dismiss').click()
    await notices.filter({ hasText: 'Fourth notice' }).waitFor({ state: 'detached' })
    expect(await notices.count()).toBe(2)
    for (const text of ['Second notice', 'Third notice']) await notices.filter({ hasText: text }).getByTestId('toast-dismiss').click()
    await notices.first().waitFor({ state: 'detached' })

    // An error raised by the UI itself (a bad invite link) used to stay until dismissed.
    await page.evaluate(() => { location.hash = '#/invite/not-a-real-code' })
    const failed = notices.filter({ hasText: 'Couldn’t use that invite link' })
    await failed.waitFor()
    await failed.waitFor({ state: 'detached', timeout: 30_000 })
  }, SLOW)

  it('the composer counts down near the length limit and refuses to send past it', async () => {
    const page = alice.page
    await openConversation(page, 'Bob')
    const composer = page.getByTestId('composer')
    const counter = page.getByTestId('composer-counter')
    await composer.fill('x'.repeat(14_999))
    expect(await counter.count()).toBe(0)
    await composer.fill('x'.repeat(15_000))
    expect(await counter.textContent()).toBe('1,384 left')
    expect(await page.getByTestId('send').isEnabled()).toBe(true)
    await composer.fill('x'.repeat(16_768))
    expect(await counter.textContent()).toBe('384 over')
    expect(await page.getByTestId('send').isDisabled()).toBe(true)
    const red = await counter.evaluate((el) => getComputedStyle(el).color)
    const danger = await page.evaluate(() => {
      const probe = document.createElement('span')
      probe.style.color = 'var(--danger)'
      document.body.append(probe)
      const color = getComputedStyle(probe).color
      probe.remove()
      return color
    })
    expect(red).toBe(danger)
    await screenshot(page, 'everyday-counter')
    await composer.fill('')
    expect(await counter.count()).toBe(0)
  }, SLOW)

  it('the theme switch applies at once and is kept in local settings', async () => {
    const page = alice.page
    await page.emulateMedia({ colorScheme: 'light' })
    const light = await background(page)
    await page.getByTestId('open-settings').click()
    const select = page.getByTestId('theme-select')
    expect(await select.inputValue()).toBe('system')
    await select.selectOption('dark')
    await expect.poll(async () => await background(page)).not.toBe(light)
    const dark = await background(page)
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark')
    expect(await page.evaluate(() => JSON.parse(localStorage.getItem('kith.settings') ?? '{}').theme as unknown)).toBe('dark')
    await screenshot(page, 'everyday-theme-dark')

    // Light wins over a dark system; System follows it again.
    await page.emulateMedia({ colorScheme: 'dark' })
    await select.selectOption('light')
    await expect.poll(async () => await background(page)).toBe(light)
    await select.selectOption('system')
    await expect.poll(async () => await background(page)).toBe(dark)
    await page.emulateMedia({ colorScheme: 'light' })
    await expect.poll(async () => await background(page)).toBe(light)
    await page.keyboard.press('Escape')
  }, SLOW)
})
