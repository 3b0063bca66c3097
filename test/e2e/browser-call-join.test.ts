/**
 * Joining calls that are already going on, in headless Chromium (issue 20): Bob reloads his page
 * while Alice's call rings and it rings again, and he answers it; in a group, Dave lets his ring run
 * out (a short ring through the `kith.test` hook) while Alice's screen shows him as ringing, the
 * header then offers Join, and once he joins,
 * Alice, Bob and Dave each decode the other two; then each side of a pair leaves and comes back, by
 * hanging up and by reloading, and every page decodes the other two again: Dave, who offers to
 * Alice (whoever answered the caller offers to it, offer-rule.ts), and Alice, the caller, to whom
 * Bob and Dave both offer, so that she answers (each time, the two who stayed are told who left
 * and who joined again); when Alice's HANGUP is lost (her ACCEPT is pushed into Bob's page while
 * he still has a link to her), both replace their links; Dave declines a later call, and the two
 * in it are told; and a call that rang while Bob's tab was closed rings when he opens it (the invite reaches the new
 * page from his mailbox or from Alice's queue, whichever comes first).
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  addContact, conversationItem, createGroup, inviteLink, message, onboard, openConversation, screenshot, sendMessage, type User, useChattingPair, waitOnline
} from './browser-harness.ts'
import { CALL_POLL, callState, decodesEachOf, framesKeepGrowing, GROUP_CALL_POLL } from './call-harness.ts'
import { RING_TIMEOUT_MS } from '../../src/core/calls/constants.ts'

const SLOW = 240_000
const GROUP = 'Retro'


/**
 * `user` leaves the running call in `group` (hanging up, or reloading the page, which leaves it
 * too), the two others see them go and go on, and `user` joins again through the header's Join.
 */
async function leaveAndRejoin (user: User, others: User[], group: string, how: 'hang-up' | 'reload'): Promise<void> {
  // The call screens say who left and who joined: every note they show is recorded as it appears
  // (each stays a few seconds, which a poll could miss on a loaded machine).
  for (const other of others) await recordPresenceNotes(other.page)
  if (how === 'hang-up') {
    await endCall(user.page, [user.page])
  } else {
    await user.page.reload()
    await waitOnline(user.page)
    await openConversation(user.page, group)
  }
  await user.page.getByTestId('call-join').waitFor({ timeout: 30_000 })
  for (const other of others) {
    await expect.poll(async () => await other.page.getByTestId('call-remote-video').count(), GROUP_CALL_POLL).toBe(1)
  }
  await user.page.getByTestId('call-join').click()
  for (const u of [user, ...others]) await decodesEachOf(u.page, 2)
  for (const other of others) {
    await expect.poll(async () => await presenceNotes(other.page), GROUP_CALL_POLL).toEqual([`${user.name} left the call`, `${user.name} joined the call`])
  }
}

/** The names on the tiles of the people `page`'s call is still ringing, sorted. */
async function ringing (page: Page): Promise<string[]> {
  return (await page.getByTestId('call-ringing').locator('.call-tile-name').allTextContents()).sort()
}

/** From now on, records in the page each "… joined the call" or "… left the call" note it shows. */
async function recordPresenceNotes (page: Page): Promise<void> {
  await page.evaluate(() => {
    const g = globalThis as unknown as { presenceNotes: string[], presenceObserver?: MutationObserver }
    g.presenceObserver?.disconnect()
    g.presenceNotes = []
    const shown = (): string | null => document.querySelector('[data-testid="call-presence"]')?.textContent ?? null
    // A note already showing (someone who joined a moment ago) is not a new one.
    let last = shown()
    g.presenceObserver = new MutationObserver(() => {
      const note = shown()
      if (note !== null && note !== last) g.presenceNotes.push(note)
      last = note
    })
    g.presenceObserver.observe(document.body, { subtree: true, childList: true, characterData: true })
  })
}

async function presenceNotes (page: Page): Promise<string[]> {
  return await page.evaluate(() => (globalThis as unknown as { presenceNotes: string[] }).presenceNotes)
}

interface DebugCalls {
  kithDebug: {
    client: { callSignals: { push: (s: unknown) => void } }
    calls: { manager: {
      screen: { value: { call: { id: string, conversation: string, caller: { identity: string, device: string } } } }
      links: Map<string, { pc: RTCPeerConnection & { stale?: boolean } }>
    } }
  }
}

/** Marks every peer connection `page` has now, to tell later whether a link was replaced. */
async function markLinks (page: Page): Promise<void> {
  await page.evaluate(() => { for (const l of (globalThis as unknown as DebugCalls).kithDebug.calls.manager.links.values()) l.pc.stale = true })
}

/** Whether the link to the call's caller is one made since {@link markLinks}. */
async function callerLinkIsNew (page: Page): Promise<boolean> {
  return await page.evaluate(() => {
    const m = (globalThis as unknown as DebugCalls).kithDebug.calls.manager
    return m.links.get(m.screen.value.call.caller.device)?.pc.stale !== true
  })
}

/** Hangs up on `page` and closes the "call ended" bar on each of `pages`. */
async function endCall (page: Page, pages: Page[]): Promise<void> {
  await page.getByTestId('call-hangup').click()
  for (const p of pages) {
    await p.locator('[data-testid="call-status"][data-state="ended"]').waitFor({ timeout: 30_000 })
    await p.getByTestId('call-ended').getByRole('button', { name: 'Close' }).click()
  }
}

describe('browser app, joining calls that are going on', () => {
  let alice: User
  let bob: User
  let dave: User

  const pair = useChattingPair('call-join', 'Calling you in a bit')
  beforeAll(async () => {
    ({ alice, bob } = pair)
    dave = await onboard(pair.browser, pair.carol.url, 'Dave')
    // Dave's phone rings for 4 s only (a test hook the worker reads when the page opens).
    await dave.page.evaluate(() => { localStorage.setItem('kith.test', JSON.stringify({ callRingTimeoutMs: 4000 })) })
    await dave.page.reload()
    await waitOnline(dave.page)
    await addContact(alice.page, await inviteLink(dave.page))
    await alice.page.getByTestId('composer').waitFor()
  }, SLOW)
  afterAll(async () => { await dave?.context.close() })

  it('a page reloaded while the call rings rings again, and answers it', async () => {
    await openConversation(alice.page, 'Bob')
    await alice.page.getByTestId('call-start-video').click()
    await bob.page.getByTestId('call-incoming').waitFor({ timeout: 30_000 })
    await bob.page.reload()
    await waitOnline(bob.page)
    // The call is still live: the new page rings for it.
    await bob.page.getByTestId('call-incoming').waitFor({ timeout: 30_000 })
    expect(await bob.page.getByTestId('call-incoming-caller').textContent()).toBe('Alice')
    await bob.page.getByTestId('call-accept').click()
    for (const page of [alice.page, bob.page]) {
      await expect.poll(async () => await callState(page).getAttribute('data-state'), CALL_POLL).toBe('connected')
      await framesKeepGrowing(page)
    }
    await endCall(alice.page, [alice.page, bob.page])
  }, SLOW)

  it('Dave, whose ring ran out, joins the running group call and each of the three decodes the other two; he leaves and comes back', async () => {
    await createGroup(alice, GROUP, [bob, dave], 'Retro call')

    await alice.page.getByTestId('call-start-video').click()
    const rangAt = Date.now()
    // Alice's screen has a tile for each person it rings, until they answer.
    await expect.poll(async () => await ringing(alice.page), GROUP_CALL_POLL).toEqual(['Bob', 'Dave'])
    await screenshot(alice.page, 'call-join-ringing-alice')
    await bob.page.getByTestId('call-incoming').waitFor({ timeout: 45_000 })
    await bob.page.getByTestId('call-accept').click()
    await expect.poll(async () => await ringing(alice.page), GROUP_CALL_POLL).toEqual(['Dave'])
    // Dave does not answer: his ring runs out, and the header offers to join the call that goes on.
    await dave.page.getByTestId('call-incoming').waitFor({ timeout: 45_000 })
    await dave.page.getByTestId('call-join').waitFor({ timeout: 45_000 })
    expect(await dave.page.getByTestId('call-incoming').count()).toBe(0)
    await expect.poll(async () => await conversationItem(dave.page, GROUP).getByTestId('conversation-call').count(), GROUP_CALL_POLL).toBe(1)
    await screenshot(dave.page, 'call-join-offered-dave')

    await dave.page.getByTestId('call-join').click()
    // His tile goes when he joins, before Alice's ring (45 s) would have cleared it anyway.
    const ringLeft = RING_TIMEOUT_MS - (Date.now() - rangAt) - 2_000
    await expect.poll(async () => await ringing(alice.page), { timeout: Math.max(1_000, ringLeft) }).toEqual([])
    for (const user of [alice, bob, dave]) {
      await expect.poll(async () => await user.page.locator('[data-testid="call-remote-video"][data-state="connected"]').count(), GROUP_CALL_POLL).toBe(2)
    }
    for (const user of [alice, bob, dave]) await decodesEachOf(user.page, 2)
    await screenshot(alice.page, 'call-join-joined-alice')

    // Dave leaves; Alice and Bob go on, and Dave can come back. Toward Alice, the caller, Dave is
    // the offering side: his new page's offer must start a fresh link at Alice's, not renegotiate
    // the old one. A reload drops his media: his page leaves the call and offers Join.
    await leaveAndRejoin(dave, [alice, bob], GROUP, 'hang-up')
    await leaveAndRejoin(dave, [alice, bob], GROUP, 'reload')
    // Alice, the caller, leaves and comes back: Bob and Dave both offer to her, so she is the
    // answering side of both pairs, and they must offer again to her new page.
    await leaveAndRejoin(alice, [bob, dave], GROUP, 'hang-up')
    await screenshot(alice.page, 'call-join-caller-back-alice')
    await leaveAndRejoin(alice, [bob, dave], GROUP, 'reload')
    // A HANGUP that never arrived: Bob's page gets an ACCEPT from Alice (the caller) while it still
    // has a link to her. Bob replaces the link and, as the side that offers to the caller, offers
    // again; the offer reaches Alice's old link with another DTLS fingerprint, so she replaces
    // hers too instead of renegotiating, and the pair comes back.
    for (const user of [alice, bob]) await markLinks(user.page)
    await bob.page.evaluate(() => {
      const { client, calls } = (globalThis as unknown as DebugCalls).kithDebug
      const call = calls.manager.screen.value.call
      client.callSignals.push({ conversation: call.conversation, from: call.caller, signal: { type: 'accept', callId: call.id, media: { audio: true, video: true } } })
    })
    await expect.poll(async () => await callerLinkIsNew(bob.page), GROUP_CALL_POLL).toBe(true)
    await expect.poll(async () => await alice.page.evaluate(() => {
      const m = (globalThis as unknown as DebugCalls).kithDebug.calls.manager
      return [...m.links.values()].filter((l) => l.pc.stale !== true).length
    }), GROUP_CALL_POLL).toBe(1)
    for (const user of [alice, bob, dave]) await decodesEachOf(user.page, 2)
    // Once everyone hangs up, nothing is left to join.
    await endCall(dave.page, [dave.page])
    await endCall(bob.page, [bob.page, alice.page])
    await expect.poll(async () => await dave.page.getByTestId('call-join').count(), GROUP_CALL_POLL).toBe(0)
    expect(await dave.page.getByTestId('call-start-video').count()).toBe(1)

    // Another call, which Dave declines: the two in it are told. His phone rings for as long as
    // anyone's now (the 4 s ring could run out before the others are in the call).
    await dave.page.evaluate(() => { localStorage.removeItem('kith.test') })
    await dave.page.reload()
    await waitOnline(dave.page)
    await openConversation(dave.page, GROUP)
    for (const user of [alice, bob]) await recordPresenceNotes(user.page)
    await alice.page.getByTestId('call-start-video').click()
    await bob.page.getByTestId('call-incoming').waitFor({ timeout: 45_000 })
    await bob.page.getByTestId('call-accept').click()
    await expect.poll(async () => await callState(bob.page).getAttribute('data-state'), GROUP_CALL_POLL).toBe('connected')
    await dave.page.getByTestId('call-incoming').waitFor({ timeout: 45_000 })
    await dave.page.getByTestId('call-decline').click()
    for (const user of [alice, bob]) {
      await expect.poll(async () => await presenceNotes(user.page), GROUP_CALL_POLL).toContain('Dave declined')
    }
    await endCall(bob.page, [bob.page, alice.page])
  }, SLOW * 2)

  it('a call that rang while Bob\'s tab was closed rings when he opens it, while it is still live', async () => {
    await openConversation(alice.page, 'Bob')
    await openConversation(bob.page, 'Alice')
    // Bob's mailboxes went into the 1:1 with his messages: once Alice has one, she knows them.
    await sendMessage(bob.page, 'Back in a minute')
    await message(alice.page, 'Back in a minute').waitFor({ timeout: 30_000 })
    await bob.page.close()
    // Alice's page finds Bob gone and keeps what she sends for him in his mailbox.
    await sendMessage(alice.page, 'Are you there?')
    await message(alice.page, 'Are you there?').locator('.delivery-stored').waitFor({ timeout: 60_000 })

    await alice.page.getByTestId('call-start-video').click()
    await expect.poll(async () => await callState(alice.page).getAttribute('data-state'), GROUP_CALL_POLL).toBe('ringing')
    const page = await bob.context.newPage()
    await page.goto(pair.carol.url)
    await waitOnline(page)
    await page.getByTestId('call-incoming').waitFor({ timeout: 45_000 })
    await screenshot(page, 'call-rings-at-open-bob')
    await page.getByTestId('call-accept').click()
    for (const p of [alice.page, page]) {
      await expect.poll(async () => await callState(p).getAttribute('data-state'), CALL_POLL).toBe('connected')
      await framesKeepGrowing(p)
    }
    await endCall(alice.page, [alice.page, page])
  }, SLOW)
})
