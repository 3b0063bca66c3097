/**
 * A group video call in three headless Chromium browsers (issue 20): Alice calls a group, Bob and
 * Dave answer, and each browser decodes the other two over a full mesh with SFrame. Then Alice
 * removes Dave from the group during the call: Dave's call ends, the others drop him, their media
 * moves to the new epoch's keys, and Dave can get no keys for it.
 */
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  addContact, createGroup, inviteLink, onboard, screenshot, type User, useChattingPair
} from './browser-harness.ts'
import { callLog, callState, decodesEachOf, GROUP_CALL_POLL } from './call-harness.ts'

const SLOW = 180_000
const GROUP = 'Standup'

interface DebugCalls {
  kithDebug: {
    client: { callSignalling: { keys: (id: string) => Promise<unknown> }, conversations: { value: Array<{ id: string, name: string, epoch: number }> } }
    calls: { manager: { keyedEpoch: bigint, links: Map<string, { pc: RTCPeerConnection }> } }
  }
}

/** For each other participant, the sections of the one peer connection with it, as `kind:direction`. */
async function linkSections (page: Page): Promise<string[][]> {
  return await page.evaluate(() => [...(globalThis as unknown as DebugCalls).kithDebug.calls.manager.links.values()]
    .map((l) => l.pc.getTransceivers().map((t) => `${t.receiver.track.kind}:${t.currentDirection ?? 'none'}`)))
}

/** Each link's connection and decoding, and the SFrame worker's counters (a failure's message). */
async function mediaState (page: Page): Promise<string> {
  return await page.evaluate(async () => {
    const manager = (globalThis as unknown as { kithDebug: { calls: { manager: { links: Map<string, { pc: RTCPeerConnection, state: string, stats: unknown }>, sframeStats: () => Promise<unknown> } } } }).kithDebug.calls.manager
    const links = [...manager.links].map(([device, l]) => ({ device: device.slice(-8), state: l.state, pc: l.pc.connectionState, stats: l.stats }))
    return JSON.stringify({ links, sframe: await manager.sframeStats() }, (_, v: unknown) => typeof v === 'bigint' ? v.toString() : v)
  }).catch((err: unknown) => String(err))
}

describe('browser app, group call', () => {
  let alice: User
  let bob: User
  let dave: User

  const pair = useChattingPair('group-call', 'Standup in five')
  beforeAll(async () => {
    ({ alice, bob } = pair)
    dave = await onboard(pair.browser, pair.carol.url, 'Dave')
    await addContact(alice.page, await inviteLink(dave.page))
    await alice.page.getByTestId('composer').waitFor()
    await createGroup(alice, GROUP, [bob, dave], 'Call in a minute')
  }, SLOW)
  afterAll(async () => { await dave?.context.close() })
  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail') return
    for (const user of [alice, bob, dave]) console.log(`--- ${user.name}'s call log ---\n${await callLog(user.page)}\n--- ${user.name}'s media ---\n${await mediaState(user.page)}`)
  })

  it('three browsers in one call each decode the other two; Dave, removed from the group, is dropped and gets no new keys', async () => {
    await alice.page.getByTestId('call-start-video').click()
    for (const user of [bob, dave]) {
      await user.page.getByTestId('call-incoming').waitFor({ timeout: 45_000 })
      await user.page.getByTestId('call-accept').click()
    }
    for (const user of [alice, bob, dave]) {
      await expect.poll(async () => await callState(user.page).getAttribute('data-state'), GROUP_CALL_POLL).toBe('connected')
    }
    for (const user of [alice, bob, dave]) {
      await expect.poll(async () => await user.page.locator('[data-testid="call-remote-video"][data-state="connected"]').count(), GROUP_CALL_POLL).toBe(2)
    }
    for (const user of [alice, bob, dave]) await decodesEachOf(user.page, 2)
    // A full mesh of one peer connection per pair, each carrying both ways.
    const both = ['audio:sendrecv', 'video:sendrecv']
    for (const user of [alice, bob, dave]) expect(await linkSections(user.page)).toEqual([both, both])
    await screenshot(bob.page, 'group-call-bob')

    const epochBefore = await alice.page.evaluate(() => (globalThis as unknown as DebugCalls).kithDebug.calls.manager.keyedEpoch.toString())
    // During the call, the "end-to-end encrypted" mark opens the group's members.
    await alice.page.getByTestId('call-e2e').click()
    await alice.page.locator('[data-testid="member"]').filter({ hasText: 'Dave' }).getByTestId('remove-member').click()
    await alice.page.getByTestId('confirm-ok').click()
    await alice.page.locator('[data-testid="member"]').filter({ hasText: 'Dave' }).waitFor({ state: 'detached', timeout: 30_000 })
    await alice.page.keyboard.press('Escape')

    // Dave's device applies its removal: the call ends there.
    await expect.poll(async () => await callState(dave.page).getAttribute('data-state'), GROUP_CALL_POLL).toBe('ended')
    // Alice and Bob go on with each other only, under the next epoch's keys.
    for (const user of [alice, bob]) {
      await expect.poll(async () => await user.page.getByTestId('call-remote-video').count(), GROUP_CALL_POLL).toBe(1)
      await expect.poll(async () => BigInt(await user.page.evaluate(() => (globalThis as unknown as DebugCalls).kithDebug.calls.manager.keyedEpoch.toString())), GROUP_CALL_POLL).toBeGreaterThan(BigInt(epochBefore))
      await decodesEachOf(user.page, 1)
    }
    // The new epoch's key comes from MLS, which Dave is no longer in.
    const refused = await dave.page.evaluate(async (name) => {
      const client = (globalThis as unknown as DebugCalls).kithDebug.client
      const id = client.conversations.value.find((c) => c.name === name)!.id
      try {
        await client.callSignalling.keys(id)
        return 'given'
      } catch (err) {
        return String(err)
      }
    }, GROUP)
    expect(refused).toMatch(/only for a call this device is in|no longer a member/)
  }, SLOW)
})
