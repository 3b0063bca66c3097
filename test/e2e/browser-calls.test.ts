/**
 * Calls in the browser (issue 20), in headless Debian Chromium with fake camera, microphone and
 * screen, against `kith serve` on loopback: a 1:1 video call where each side decodes the other's
 * video, mute silences the audio on the other side, a shared screen shows up as a decoded track,
 * hanging up ends the call on both sides and writes its history line; a declined call writes one too;
 * a voice call answered audio only carries sound both ways.
 */
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { openConversation, screenshot, type User, useChattingPair } from './browser-harness.ts'
import { CALL_POLL, callState, dataNumber, framesKeepGrowing } from './call-harness.ts'

const SLOW = 120_000
const POLL = CALL_POLL

interface DebugCalls {
  kithDebug: { calls: { log: string[], manager: { links: Map<string, { pc: RTCPeerConnection, endpoints: () => Array<RTCRtpSender | RTCRtpReceiver> }>, sframeStats: () => Promise<{ transforms: Array<{ side: string, peer: string, frames: number }>, dropped: { unknownKid: number, authFailed: number, malformed: number } } | null> } } }
}

/** Each link's descriptions and ICE gathering on a page, as `remote/local/gathering`. */
async function linkDescriptions (page: Page): Promise<string[]> {
  return await page.evaluate(() => [...(globalThis as unknown as DebugCalls).kithDebug.calls.manager.links.values()]
    .map(({ pc }) => `${pc.remoteDescription?.type ?? 'none'}/${pc.localDescription?.type ?? 'none'}/${pc.iceGatheringState}`))
}

/** The call log lines of a page that say a signal arrived (from another device). */
async function signalsArrived (page: Page): Promise<string[]> {
  return await page.evaluate(() => (globalThis as unknown as DebugCalls).kithDebug.calls.log.filter((l) => l.includes(' arrived from ')).map((l) => l.slice(l.indexOf(' ') + 1)))
}

/**
 * Whether every sender and receiver of the page's calls has its SFrame transform, and frames pass
 * both ways; and the sections of each pair's one peer connection, as `kind:direction`.
 */
async function sframeState (page: Page): Promise<{ transforms: boolean, sending: boolean, receiving: boolean, refusedButReplays: number, sections: string[][] }> {
  return await page.evaluate(async () => {
    const { manager } = (globalThis as unknown as DebugCalls).kithDebug.calls
    const all = [...manager.links.values()].flatMap((l) => l.endpoints())
    const stats = await manager.sframeStats()
    return {
      transforms: all.length > 0 && all.every((x) => x.transform != null),
      sending: stats?.transforms.some((t) => t.side === 'send' && t.frames > 0) ?? false,
      receiving: stats?.transforms.some((t) => t.side === 'receive' && t.frames > 0) ?? false,
      refusedButReplays: stats === null ? -1 : stats.dropped.authFailed + stats.dropped.malformed,
      sections: [...manager.links.values()].map((l) => l.pc.getTransceivers().map((t) => `${t.receiver.track.kind}:${t.currentDirection ?? 'none'}`))
    }
  })
}


describe('browser app, calls', () => {
  let alice: User
  let bob: User

  const pair = useChattingPair('calls', 'Can I call you?')
  beforeAll(() => { ({ alice, bob } = pair) })

  it('a 1:1 video call: both sides decode video, mute silences Alice, her screen share is decoded, hang-up ends it on both and writes history', async () => {
    await openConversation(alice.page, 'Bob')
    await alice.page.getByTestId('call-start-video').click()
    await expect.poll(async () => await callState(alice.page).getAttribute('data-state'), POLL).toBe('ringing')

    const banner = bob.page.getByTestId('call-incoming')
    await banner.waitFor({ timeout: 30_000 })
    expect(await bob.page.getByTestId('call-incoming-caller').textContent()).toBe('Alice')
    expect(await banner.textContent()).toContain('Video call')
    await screenshot(bob.page, 'call-incoming-bob')
    // Alice's INVITE carried her offer (early offer, PROTOCOL.md §11.5): while it rings, Bob's link
    // holds it as its remote description, with no local description, so no ICE check and none of
    // his candidates can have gone out; and Alice has had no signal from him.
    await expect.poll(async () => await linkDescriptions(bob.page), POLL).toEqual(['offer/none/new'])
    expect(await signalsArrived(alice.page)).toEqual([])
    await bob.page.getByTestId('call-accept').click()

    for (const page of [alice.page, bob.page]) {
      await expect.poll(async () => await callState(page).getAttribute('data-state'), POLL).toBe('connected')
      expect(await page.getByTestId('call-remote-video').count()).toBe(1)
      expect(await page.getByTestId('call-local-video').count()).toBe(1)
    }
    await framesKeepGrowing(alice.page)
    await framesKeepGrowing(bob.page)
    // Bob answered her offer: Alice got his ACCEPT and his answer, and no offer.
    const fromBob = (await signalsArrived(alice.page)).map((l) => l.slice(0, l.indexOf(' arrived from ')))
    expect(fromBob.filter((l) => l !== 'ice')).toEqual(['accept', 'sdp answer'])
    expect((await linkDescriptions(bob.page)).map((d) => d.slice(0, d.lastIndexOf('/')))).toEqual(['offer/answer'])
    // One peer connection carries both ways, microphone and video; every sender and receiver runs
    // through SFrame (one transform worker holds both ways of the pair), and frames go through both ways.
    for (const page of [alice.page, bob.page]) {
      await expect.poll(async () => await sframeState(page), POLL).toMatchObject({
        transforms: true, sending: true, receiving: true, refusedButReplays: 0, sections: [['audio:sendrecv', 'video:sendrecv']]
      })
    }
    await expect.poll(async () => await bob.page.getByTestId('call-indicator').getAttribute('data-route'), POLL).toBe('direct')
    await screenshot(alice.page, 'call-connected-alice')

    // Alice's fake microphone beeps: Bob hears energy, and her tile lights up as she "speaks",
    // until she mutes.
    await expect.poll(async () => await dataNumber(bob.page, 'call-remote-video', 'audio-level'), POLL).toBeGreaterThan(0.001)
    const aliceTile = bob.page.getByTestId('call-tile')
    await expect.poll(async () => await aliceTile.getAttribute('data-speaking'), POLL).toBe('true')
    await screenshot(bob.page, 'call-speaking-bob')
    // The call screen is modal: Tab goes round its controls and never into the app behind it.
    for (let i = 0; i < 24; i++) {
      await alice.page.keyboard.press(i < 16 ? 'Tab' : 'Shift+Tab')
      expect(await alice.page.evaluate(() => document.activeElement?.closest('[data-testid="call-view"]') !== null)).toBe(true)
    }
    await alice.page.getByTestId('call-mute').click()
    expect(await alice.page.getByTestId('call-mute').getAttribute('aria-pressed')).toBe('true')
    // Her own view says so too, not only the button.
    await alice.page.getByTestId('call-self-muted').waitFor()
    await expect.poll(async () => await dataNumber(bob.page, 'call-remote-video', 'audio-level'), POLL).toBeLessThan(0.0001)
    expect(await aliceTile.getAttribute('data-speaking')).toBe('false')

    await alice.page.getByTestId('call-screen').click()
    await bob.page.getByTestId('call-remote-screen').waitFor({ timeout: 30_000 })
    await framesKeepGrowing(bob.page, 'screen-frames', 'call-remote-screen', 10)
    await screenshot(bob.page, 'call-screen-share-bob')
    // Alice sees that she is presenting, and can stop from there.
    await alice.page.getByTestId('call-presenting').waitFor()
    await screenshot(alice.page, 'call-screen-share-alice')
    await alice.page.getByTestId('call-presenting').getByRole('button', { name: 'Stop sharing' }).click()
    await bob.page.getByTestId('call-remote-screen').waitFor({ state: 'detached', timeout: 30_000 })
    expect(await alice.page.getByTestId('call-presenting').count()).toBe(0)

    await alice.page.getByTestId('call-hangup').click()
    for (const page of [alice.page, bob.page]) {
      await expect.poll(async () => await callState(page).getAttribute('data-state'), POLL).toBe('ended')
    }
    const line = (page: Page, pattern: RegExp): ReturnType<Page['getByTestId']> => page.getByTestId('timeline-notice').filter({ hasText: pattern })
    await line(alice.page, /^Video call · \d+:\d\d$/).waitFor({ timeout: 30_000 })
    await openConversation(bob.page, 'Alice')
    await line(bob.page, /^Video call from Alice · \d+:\d\d$/).waitFor({ timeout: 30_000 })
    await screenshot(bob.page, 'call-history-bob')
  }, SLOW)

  it('a declined voice call ends on both sides and is recorded on both', async () => {
    await alice.page.getByTestId('call-start-audio').click()
    await bob.page.getByTestId('call-incoming').waitFor({ timeout: 30_000 })
    expect(await bob.page.getByTestId('call-incoming').textContent()).toContain('Voice call')
    await bob.page.getByTestId('call-decline').click()
    for (const page of [alice.page, bob.page]) {
      await expect.poll(async () => await callState(page).getAttribute('data-state'), POLL).toBe('ended')
    }
    // Each side's bar says why it ended.
    expect(await alice.page.getByTestId('call-ended').locator('.call-ended-why').textContent()).toBe('Declined')
    expect(await bob.page.getByTestId('call-ended').locator('.call-ended-why').textContent()).toBe('You declined')
    await alice.page.getByTestId('timeline-notice').filter({ hasText: 'Voice call declined' }).waitFor({ timeout: 30_000 })
    await bob.page.getByTestId('timeline-notice').filter({ hasText: 'Voice call from Alice declined' }).waitFor({ timeout: 30_000 })
    // Bob calls back from that line: a voice call, like the one he declined.
    await screenshot(bob.page, 'call-history-declined-bob')
    await bob.page.getByTestId('call-back').click()
    await alice.page.getByTestId('call-incoming').waitFor({ timeout: 30_000 })
    expect(await alice.page.getByTestId('call-incoming').textContent()).toContain('Voice call')
    await bob.page.getByTestId('call-hangup').click()
    await alice.page.getByTestId('call-incoming').waitFor({ state: 'detached', timeout: 30_000 })
    // Alice missed it: her line is the missed kind, and offers to call back.
    await alice.page.locator('.timeline-call-missed', { hasText: 'Missed voice call from Bob' }).waitFor({ timeout: 30_000 })
    await alice.page.getByTestId('call-back').waitFor()
  }, SLOW)

  it('a voice call answered audio only: each side hears the other over one connection whose video sections send nothing', async () => {
    await alice.page.getByTestId('call-start-audio').click()
    await bob.page.getByTestId('call-incoming').waitFor({ timeout: 30_000 })
    // The green button answers a voice call with the microphone only.
    expect(await bob.page.getByTestId('call-accept').textContent()).toBe(' Accept')
    await bob.page.getByTestId('call-accept').click()
    for (const page of [alice.page, bob.page]) {
      await expect.poll(async () => await callState(page).getAttribute('data-state'), POLL).toBe('connected')
      // Neither has a camera on: the video section is there, both ways, holding no track.
      await expect.poll(async () => await sframeState(page), POLL).toMatchObject({ transforms: true, sending: true, receiving: true, sections: [['audio:sendrecv', 'video:sendrecv']] })
      await expect.poll(async () => await dataNumber(page, 'call-remote-video', 'audio-level'), POLL).toBeGreaterThan(0.001)
      expect(await dataNumber(page, 'call-remote-video', 'frames-decoded')).toBe(0)
    }
    // Neither camera is on: each tile says so, with the other's avatar.
    for (const page of [alice.page, bob.page]) await page.getByTestId('call-tile').locator('.call-tile-off').waitFor({ timeout: 10_000 })
    await screenshot(alice.page, 'call-voice-alice')
    // Alice turns her camera on in the voice call: Bob decodes her picture, with nothing renegotiated.
    await alice.page.getByTestId('call-camera').click()
    await expect.poll(async () => await dataNumber(bob.page, 'call-remote-video', 'frames-decoded'), POLL).toBeGreaterThan(10)
    await expect.poll(async () => await bob.page.getByTestId('call-tile').locator('.call-tile-off').count(), POLL).toBe(0)
    await expect.poll(async () => await sframeState(alice.page), POLL).toMatchObject({ sections: [['audio:sendrecv', 'video:sendrecv']] })
    await screenshot(bob.page, 'call-voice-camera-on-bob')
    await bob.page.getByTestId('call-hangup').click()
    for (const page of [alice.page, bob.page]) {
      await expect.poll(async () => await callState(page).getAttribute('data-state'), POLL).toBe('ended')
    }
    await alice.page.getByTestId('timeline-notice').filter({ hasText: /^Voice call · \d+:\d\d$/ }).waitFor({ timeout: 30_000 })
  }, SLOW)
})
