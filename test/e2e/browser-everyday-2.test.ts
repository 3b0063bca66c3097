/**
 * More everyday behaviour of the browser app (issue 21), in headless Debian Chromium against
 * `kith serve` on loopback: one naming rule for people, reply quotes that follow edits and deletes,
 * contacts' links right after a reload, and a second tab taking over. Alice and Bob each have a browser.
 */
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  conversationItem, message, openConversation, screenshot, sendMessage, waitOnline, withPageLogs, type Served, type User,
  useChattingPair
} from './browser-harness.ts'

const SLOW = 120_000
/** Bound for a change that should follow at once (a live update, not one after a reload or a retry). */
const PROMPT_MS = 15_000
/** Bound for a reloaded page to link up with a contact again (it dials and greets from scratch). */
const RELINK_MS = 45_000

/** The message whose own text (not a quote in it) contains `text`. */
function bubble (page: Page, text: string): ReturnType<Page['getByTestId']> {
  return page.getByTestId('message').filter({ has: page.locator('p.text', { hasText: text }) })
}

/** Hovers a message and clicks one of its actions. */
async function act (page: Page, text: string, action: 'reply' | 'edit' | 'delete'): Promise<void> {
  const row = bubble(page, text)
  await row.hover()
  await row.getByTestId(`action-${action}`).click()
}

describe('browser app, everyday features (2)', () => {
  let carol: Served
  let alice: User
  let bob: User

  const pair = useChattingPair('everyday2', 'Are we still on for the picnic?')
  beforeAll(() => { ({ carol, alice, bob } = pair) })

  it('names Bob "Bob" everywhere: typing, reply quotes and the group member list', async () => {
    await openConversation(alice.page, 'Bob')
    await bob.page.getByTestId('composer').fill('Who brings the blanket?')
    const typing = alice.page.getByTestId('typing')
    await typing.waitFor()
    expect(await typing.textContent()).toContain('Bob is typing')
    await screenshot(alice.page, 'everyday2-names-typing')
    await bob.page.getByTestId('send').click()
    await bubble(alice.page, 'Who brings the blanket?').waitFor()
    await act(alice.page, 'Who brings the blanket?', 'reply')
    await sendMessage(alice.page, 'I will bring it')
    const quote = bubble(alice.page, 'I will bring it').getByTestId('reply-quote')
    await quote.waitFor()
    expect(await quote.locator('.quote-name').textContent()).toBe('Bob')
    const atBob = bubble(bob.page, 'I will bring it').getByTestId('reply-quote')
    await atBob.waitFor()
    expect(await atBob.locator('.quote-name').textContent()).toBe('You')


    await alice.page.getByTestId('open-new-group').click()
    await alice.page.getByTestId('group-name').fill('Picnic crew')
    await alice.page.getByTestId('group-create').click()
    await alice.page.locator('[data-testid="member-option"][data-alias="bob"]').check()
    await alice.page.getByTestId('group-add-members').click()
    await alice.page.getByTestId('group-add-members').waitFor({ state: 'hidden' })
    await sendMessage(alice.page, 'Welcome to the crew')
    await conversationItem(bob.page, 'Picnic crew').waitFor({ timeout: 30_000 })
    await openConversation(bob.page, 'Picnic crew')
    await bob.page.getByTestId('composer').fill('Hello crew')
    const groupTyping = alice.page.getByTestId('typing')
    await groupTyping.waitFor()
    expect(await groupTyping.textContent()).toContain('Bob is typing')
    await bob.page.getByTestId('composer').fill('')

    await alice.page.getByTestId('open-group-info').click()
    const names = alice.page.getByTestId('member').locator('.member-name')
    await names.nth(1).waitFor()
    expect((await names.allTextContents()).sort()).toEqual(['Alice (you)', 'Bob'])
    await screenshot(alice.page, 'everyday2-names-members')
    await alice.page.keyboard.press('Escape')
  }, SLOW)

  it('a reply quote follows an edit and a delete of the quoted message at once, on both sides', async () => {
    await openConversation(alice.page, 'Bob')
    await openConversation(bob.page, 'Alice')
    await sendMessage(bob.page, 'Meet at noon')
    await bubble(alice.page, 'Meet at noon').waitFor()
    await act(alice.page, 'Meet at noon', 'reply')
    await sendMessage(alice.page, 'Noon works')
    const quoteAtAlice = bubble(alice.page, 'Noon works').getByTestId('reply-quote')
    const quoteAtBob = bubble(bob.page, 'Noon works').getByTestId('reply-quote')
    await quoteAtAlice.filter({ hasText: 'Meet at noon' }).waitFor()
    await quoteAtBob.filter({ hasText: 'Meet at noon' }).waitFor()

    await act(bob.page, 'Meet at noon', 'edit')
    await bob.page.getByTestId('composer').fill('Meet at one')
    await bob.page.getByTestId('send').click()
    await bubble(alice.page, 'Meet at one').waitFor()
    await quoteAtBob.filter({ hasText: 'Meet at one' }).waitFor({ timeout: PROMPT_MS })
    await quoteAtAlice.filter({ hasText: 'Meet at one' }).waitFor({ timeout: PROMPT_MS })
    await screenshot(alice.page, 'everyday2-quote-edited')

    await act(bob.page, 'Meet at one', 'delete')
    await bob.page.getByTestId('confirm-ok').click()
    await quoteAtBob.filter({ hasText: 'This message was deleted' }).waitFor({ timeout: PROMPT_MS })
    await quoteAtAlice.filter({ hasText: 'This message was deleted' }).waitFor({ timeout: PROMPT_MS })
    expect(await quoteAtAlice.textContent()).not.toContain('Meet at one')
    await screenshot(alice.page, 'everyday2-quote-deleted')
  }, SLOW)

  it('after a reload, a contact who is online is linked directly again, and their messages arrive at once', async () => {
    await openConversation(alice.page, 'Bob')
    await openConversation(bob.page, 'Alice')
    const pill = alice.page.getByTestId('link-kind')
    await pill.and(alice.page.locator('[data-link="direct"]')).waitFor({ timeout: 30_000 })
    await alice.page.reload()
    await waitOnline(alice.page)
    await openConversation(alice.page, 'Bob')
    // Everything is read and nobody types: only greeting Bob's device brings the link back. On a
    // loaded machine the fresh page can take a while to reach him (it showed Offline for 15 s once).
    await withPageLogs(pill.and(alice.page.locator('[data-link="direct"]')).waitFor({ timeout: RELINK_MS }), [alice, bob])
    await screenshot(alice.page, 'everyday2-reload-linked')
    // Bob's page still held the WebRTC connection of Alice's old page, which died without closing:
    // her new connection (or that one's path going quiet) made it probe that one and drop it,
    // instead of sending into it for ~20 s.
    const dropped = bob.page.waitForFunction(() => (globalThis as unknown as { kithDebug: { log: string[] } }).kithDebug.log.some((l) => l.includes('dropping a dead connection')), undefined, { timeout: RELINK_MS })
    await withPageLogs(dropped, [bob, alice])
    await sendMessage(bob.page, 'Welcome back')
    await message(alice.page, 'Welcome back').waitFor({ timeout: PROMPT_MS })
  }, SLOW)

  it('a second tab takes over from the first, which can take it back', async () => {
    const first = alice.page
    const second = await alice.context.newPage()
    await second.goto(carol.url)
    const elsewhere = second.getByTestId('elsewhere')
    await elsewhere.waitFor()
    expect(await elsewhere.textContent()).toContain('Kith is already open in another tab')
    await screenshot(second, 'everyday2-second-tab')

    await second.getByTestId('take-over').click()
    await waitOnline(second)
    await first.getByTestId('elsewhere').filter({ hasText: 'Kith is open in another tab' }).waitFor()
    await screenshot(first, 'everyday2-handed-over')
    await openConversation(second, 'Bob')
    await sendMessage(second, 'Sent from the other tab')
    await message(bob.page, 'Sent from the other tab').waitFor()

    await first.getByTestId('take-over').click()
    await waitOnline(first)
    await second.getByTestId('elsewhere').filter({ hasText: 'Kith is open in another tab' }).waitFor()
    await openConversation(first, 'Bob')
    await message(first, 'Sent from the other tab').waitFor()
    await second.close()
  }, SLOW)
})
