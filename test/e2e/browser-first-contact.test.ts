/**
 * The offline story between two browsers that are never open at the same time (issue 18), in
 * headless Debian Chromium against two `kith serve` nodes on loopback that form the DHT:
 * - Bob opens Kith once; his browser publishes its directory record (through the node that served
 *   it) with published KeyPackages and an intro mailbox, and he hands out his invite link;
 * - with Bob's tab closed, Alice adds him and writes: the 1:1 is made from a KeyPackage in his
 *   record, and the Welcome and message wait in his intro mailbox;
 * - Alice closes her tab; Bob opens his, joins, reads, and answers into Alice's mailbox;
 * - Bob closes his tab; Alice opens hers and reads the answer.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { addContact, buildApp, inviteLink, launchBrowser, message, onboard, openConversation, screenshot, sendMessage, serve, waitOnline, type Served, type User } from './browser-harness.ts'

const SLOW = 240_000
let carol: Served
let dave: Served
let browser: Browser
const open: Page[] = []

beforeAll(async () => {
  buildApp()
  carol = await serve('Carol')
  const status = JSON.parse(await carol.kith('--json', 'status')) as { addrs: string[] }
  const tcp = `${status.addrs.find((a) => /\/tcp\/\d+$/.test(a))!}/p2p/${carol.peerId}`
  // A second node, so that the DHT has a peer to store records on.
  dave = await serve('Dave', ['--bootstrap', tcp])
  browser = await launchBrowser()
}, 120_000)

afterEach(async (context) => {
  if (context.task.result?.state !== 'fail') return
  for (const [i, page] of open.entries()) if (!page.isClosed()) await screenshot(page, `failed-first-contact-${i}`).catch(() => {})
})

afterAll(async () => {
  await browser?.close()
  await dave?.stop()
  await carol?.stop()
})

/** Opens the Connection dialog and waits until this browser's record is in the DHT. */
async function waitPublished (page: Page): Promise<void> {
  await page.getByTestId('connection-status').click()
  await page.getByTestId('directory-record').and(page.locator('[data-published="yes"]')).waitFor({ timeout: 60_000 })
}

async function reopen (user: User): Promise<Page> {
  const page = await user.context.newPage()
  open.push(page)
  await page.goto(carol.url)
  await waitOnline(page)
  return page
}

it('Alice adds Bob and writes while his browser is closed; each reads the other though they are never online together', async () => {
  const bob = await onboard(browser, carol.url, 'Bob')
  open.push(bob.page)
  await waitPublished(bob.page)
  expect(Number(await bob.page.getByTestId('directory-dht').getAttribute('data-size'))).toBeGreaterThan(0)
  await screenshot(bob.page, 'first-contact-directory')
  await bob.page.keyboard.press('Escape')
  const link = await inviteLink(bob.page)
  await bob.page.close()

  const alice = await onboard(browser, carol.url, 'Alice')
  open.push(alice.page)
  // Alice's record lists her mailboxes, and her MAILBOXES go into the 1:1: Bob's answer can wait there.
  await waitPublished(alice.page)
  await alice.page.keyboard.press('Escape')
  await addContact(alice.page, link)
  await alice.page.getByTestId('composer').waitFor()
  await sendMessage(alice.page, 'Hello Bob, we have not met yet')
  const stored = message(alice.page, 'Hello Bob, we have not met yet').locator('.delivery-stored')
  await stored.waitFor({ timeout: 90_000 })
  await screenshot(alice.page, 'first-contact-stored')
  await alice.page.close()

  const bobAgain = await reopen(bob)
  await openConversation(bobAgain, 'Alice')
  await message(bobAgain, 'Hello Bob, we have not met yet').waitFor({ timeout: 90_000 })
  await screenshot(bobAgain, 'first-contact-received')
  await sendMessage(bobAgain, 'Nice to meet you, Alice')
  await message(bobAgain, 'Nice to meet you, Alice').locator('.delivery-stored').waitFor({ timeout: 90_000 })
  await bobAgain.close()

  const aliceAgain = await reopen(alice)
  await openConversation(aliceAgain, 'Bob')
  await message(aliceAgain, 'Nice to meet you, Alice').waitFor({ timeout: 90_000 })
  expect(await aliceAgain.getByTestId('message').filter({ hasText: 'Nice to meet you, Alice' }).count()).toBe(1)
  await screenshot(aliceAgain, 'first-contact-answer')
}, SLOW)
