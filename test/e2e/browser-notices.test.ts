/**
 * Timeline notices in the browser (issue 21, item 20), in headless Debian Chromium against `kith
 * serve` on loopback: adding a member, renaming the group and leaving it show as centred notices in
 * order with the messages, with people named as the page names them ("You" for yourself).
 */
import { beforeAll, describe, expect, it } from 'vitest'
import {
  conversationItem, message, openConversation, screenshot, sendMessage, type User, useChattingPair
} from './browser-harness.ts'

const SLOW = 120_000

describe('browser app, timeline notices', () => {
  let alice: User
  let bob: User

  const pair = useChattingPair('notices', 'Shall we start a club?')
  beforeAll(() => { ({ alice, bob } = pair) })

  it('adding, renaming and leaving show as notices between the messages, and cannot be acted on', async () => {
    const page = alice.page
    await page.getByTestId('open-new-group').click()
    await page.getByTestId('group-name').fill('Readers')
    await page.getByTestId('group-create').click()
    await page.locator('[data-testid="member-option"][data-alias="bob"]').check()
    await page.getByTestId('group-add-members').click()
    await page.getByTestId('group-add-members').waitFor({ state: 'hidden' })
    const aliceNotices = page.getByTestId('timeline-notice')
    await aliceNotices.filter({ hasText: 'You added Bob' }).waitFor()
    await sendMessage(page, 'First book: something short')

    await page.getByTestId('open-group-info').click()
    await page.getByTestId('group-rename').fill('Book club')
    await page.getByTestId('group-rename-save').click()
    await page.getByTestId('group-info-dialog').getByText('Book club', { exact: true }).waitFor()
    await page.keyboard.press('Escape')
    await aliceNotices.filter({ hasText: 'You renamed the group to “Book club”' }).waitFor()

    // Bob sees the rename by Alice's display name, after her message.
    await conversationItem(bob.page, 'Book club').waitFor({ timeout: 30_000 })
    await openConversation(bob.page, 'Book club')
    const bobNotices = bob.page.getByTestId('timeline-notice')
    // His history starts with who added him.
    expect(await bobNotices.first().textContent()).toBe('Alice added you')
    await bobNotices.filter({ hasText: 'Alice renamed the group to “Book club”' }).waitFor()
    await message(bob.page, 'First book: something short').waitFor()
    await sendMessage(bob.page, 'Count me in')
    await screenshot(bob.page, 'notices-bob')

    // Bob leaves; Alice's timeline says so, after his last message.
    await bob.page.getByTestId('open-group-info').click()
    await bob.page.getByTestId('leave-group').click()
    await bob.page.getByTestId('confirm-ok').click()
    await aliceNotices.filter({ hasText: 'Bob left' }).waitFor({ timeout: 30_000 })
    await screenshot(page, 'notices-alice')

    // In order with the messages: everything in the log, top to bottom.
    const order = await page.locator('[role="log"] [data-testid="timeline-notice"], [role="log"] [data-testid="message"]').evaluateAll(
      (els) => els.map((e) => (e.getAttribute('data-testid') === 'timeline-notice' ? '-- ' : '') + (e.textContent ?? ''))
    )
    const wanted = ['-- You added Bob', 'First book', '-- You renamed the group to “Book club”', 'Count me in', '-- Bob left']
    expect(order.length).toBe(wanted.length)
    wanted.forEach((w, i) => expect(order[i]).toContain(w))
    // Centred and muted like the encryption note, with no message actions on it.
    const notice = aliceNotices.first()
    const style = await notice.evaluate((el) => ({ align: getComputedStyle(el).alignSelf, color: getComputedStyle(el).color }))
    const note = await page.locator('.e2ee-note:not([data-testid])').evaluate((el) => getComputedStyle(el).color)
    expect(style).toEqual({ align: 'center', color: note })
    expect(await notice.locator('button').count()).toBe(0)
    // Notices are not unread: Bob's leaving adds nothing to Alice's count in the list.
    await openConversation(page, 'Bob')
    await expect.poll(async () => await conversationItem(page, 'Book club').locator('.badge').count()).toBe(0)
  }, SLOW)
})
