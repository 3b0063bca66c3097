/**
 * A call between two browsers served by two different Kith nodes (issue 20): Alice's page comes
 * from Carol's `kith serve`, Bob's from Dave's, which bootstraps from Carol. They add each other,
 * chat, and Alice calls Bob: both decode each other's video, with SFrame, and hang-up ends the call
 * on both sides.
 */
import type { Browser } from 'playwright-core'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { addContact, buildApp, inviteLink, launchBrowser, message, onboard, openConversation, screenshot, sendMessage, serve, type Served, type User } from './browser-harness.ts'
import { CALL_POLL, callState, framesKeepGrowing } from './call-harness.ts'

let carol: Served
let dave: Served
let browser: Browser
let alice: User | undefined
let bob: User | undefined

beforeAll(async () => {
  buildApp()
  carol = await serve('Carol')
  const status = JSON.parse(await carol.kith('--json', 'status')) as { addrs: string[] }
  dave = await serve('Dave', ['--bootstrap', `${status.addrs.find((a) => /\/tcp\/\d+$/.test(a))!}/p2p/${carol.peerId}`])
  browser = await launchBrowser()
}, 120_000)

afterEach(async (context) => {
  if (context.task.result?.state !== 'fail') return
  if (alice !== undefined) await screenshot(alice.page, 'failed-call-two-nodes-alice').catch(() => {})
  if (bob !== undefined) await screenshot(bob.page, 'failed-call-two-nodes-bob').catch(() => {})
})

afterAll(async () => {
  await browser?.close()
  await dave?.stop()
  await carol?.stop()
})

it('Alice (served by Carol) calls Bob (served by Dave): both decode video, and hang-up ends it on both', async () => {
  alice = await onboard(browser, carol.url, 'Alice')
  bob = await onboard(browser, dave.url, 'Bob')
  expect(new URL(carol.url).port).not.toBe(new URL(dave.url).port)
  await addContact(alice.page, await inviteLink(bob.page))
  await alice.page.getByTestId('composer').waitFor()
  await sendMessage(alice.page, 'Calling you from the other node')
  await openConversation(bob.page, 'Alice')
  await message(bob.page, 'Calling you from the other node').waitFor({ timeout: 60_000 })

  await alice.page.getByTestId('call-start-video').click()
  await bob.page.getByTestId('call-incoming').waitFor({ timeout: 30_000 })
  await bob.page.getByTestId('call-accept').click()
  for (const page of [alice.page, bob.page]) {
    await expect.poll(async () => await callState(page).getAttribute('data-state'), CALL_POLL).toBe('connected')
  }
  await framesKeepGrowing(alice.page)
  await framesKeepGrowing(bob.page)
  await screenshot(bob.page, 'call-two-nodes-bob')

  await alice.page.getByTestId('call-hangup').click()
  for (const page of [alice.page, bob.page]) {
    await expect.poll(async () => await callState(page).getAttribute('data-state'), CALL_POLL).toBe('ended')
  }
}, 180_000)
