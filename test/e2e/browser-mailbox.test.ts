/**
 * Offline delivery between two browsers (issue 18), in headless Debian Chromium against a plain
 * `kith serve` on loopback: Bob's browser keeps a mailbox at the node it was served by (admitted by
 * the ticket in that node's /kith.json, though Bob is not the node's contact);
 * Alice writes while Bob's tab is closed and sees the message stored; she closes her tab; Bob opens
 * his again and the message is there, fetched from the mailbox, though Alice is gone.
 */
import { beforeAll, expect, it } from 'vitest'
import { message, openConversation, screenshot, sendMessage, useChattingPair, waitOnline, type Served, type User } from './browser-harness.ts'

const SLOW = 180_000
let carol: Served
let alice: User
let bob: User
const pair = useChattingPair('mailbox', 'Hi Bob')
beforeAll(() => { ({ carol, alice, bob } = pair) })

it('a message written while Bob\'s tab is closed waits in his mailbox and reaches him after Alice has gone', async () => {
  // Bob's browser keeps a mailbox at the node that served it; the connection details say so.
  await bob.page.getByTestId('connection-status').click()
  const row = bob.page.getByTestId('mailbox-row')
  await row.waitFor()
  expect(await row.textContent()).toContain(new URL(carol.url).hostname)
  expect(await row.locator('.mailbox-node').getAttribute('title')).toBe(`Node ${carol.peerId}`)
  await screenshot(bob.page, 'mailbox-connection-dialog')
  await bob.page.keyboard.press('Escape')

  // Bob's mailboxes went into the 1:1 before this message: once Alice has it, she knows them.
  await sendMessage(bob.page, 'Write any time')
  await message(alice.page, 'Write any time').waitFor()
  await bob.page.close()

  await sendMessage(alice.page, 'While you were away')
  const stored = message(alice.page, 'While you were away').locator('.delivery-stored')
  await stored.waitFor({ timeout: 60_000 })
  expect(await stored.getAttribute('aria-label')).toBe('Waiting in their mailbox')
  await screenshot(alice.page, 'mailbox-stored')
  await alice.page.close()

  // Only Bob is online now: the message comes from the mailbox.
  const page = await bob.context.newPage()
  await page.goto(carol.url)
  await waitOnline(page)
  await openConversation(page, 'Alice')
  await message(page, 'While you were away').waitFor({ timeout: 60_000 })
  await screenshot(page, 'mailbox-received')
  expect(await page.getByTestId('message').filter({ hasText: 'While you were away' }).count()).toBe(1)
  // Bob's mailbox is empty again: what he fetched was deleted once stored. (The node may now hold
  // Bob's read receipt for Alice, in her mailbox.)
  await page.getByTestId('connection-status').click()
  await page.getByTestId('mailbox-row').and(page.locator('[data-waiting="0"]')).waitFor({ timeout: 40_000 })
}, SLOW)
