/**
 * The browser app end to end, in headless Debian Chromium against `kith serve` on loopback: two
 * browser profiles onboard, exchange invites and chat directly over WebRTC; a reload keeps
 * everything; edits, deletes and reactions cross over; a group mixes two browsers and a CLI peer.
 */
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
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

  afterEach(async (context) => {
    // A failing test leaves pictures of both browsers behind, to see what the user would have seen.
    if (context.task.result?.state !== 'fail') return
    const name = context.task.name.replace(/\W+/g, '-').slice(0, 40)
    await screenshot(alice.page, `failed-${name}-alice`).catch(() => {})
    await screenshot(bob.page, `failed-${name}-bob`).catch(() => {})
  })

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
    await bob.page.setViewportSize({ width: 390, height: 844 })
    await screenshot(bob.page, 'chat-phone')
    await bob.page.emulateMedia({ colorScheme: 'dark' })
    await screenshot(bob.page, 'chat-phone-dark')
    await bob.page.setViewportSize({ width: 1280, height: 800 })
    await screenshot(bob.page, 'chat-dark')
    await bob.page.emulateMedia({ colorScheme: 'light' })
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

  it('an edit, a delete and a reaction show up on the other side', async () => {
    await openConversation(alice.page, 'Bob')
    await sendMessage(alice.page, 'Lunch at noon?')
    await sendMessage(alice.page, 'Ignore this one')
    await message(bob.page, 'Ignore this one').waitFor()

    const lunch = message(alice.page, 'Lunch at noon?')
    await lunch.hover()
    await lunch.getByTestId('action-edit').click()
    await alice.page.getByTestId('composer').fill('Lunch at one?')
    await alice.page.getByTestId('send').click()
    const edited = message(bob.page, 'Lunch at one?')
    await edited.waitFor()
    await expect.poll(async () => await edited.textContent()).toMatch(/edited/i)
    expect(await message(bob.page, 'Lunch at noon?').count()).toBe(0)

    const ignore = message(alice.page, 'Ignore this one')
    await ignore.hover()
    await ignore.getByTestId('action-delete').click()
    await alice.page.getByTestId('confirm-ok').click()
    await expect.poll(async () => await message(bob.page, 'Ignore this one').count()).toBe(0)
    await bob.page.getByText('This message was deleted').first().waitFor()

    const atBob = message(bob.page, 'Lunch at one?')
    await atBob.hover()
    await atBob.getByTestId('action-react').click()
    const emoji = (await bob.page.getByTestId('emoji-option').first().textContent())!.trim()
    await bob.page.getByTestId('emoji-option').first().click()
    const chip = message(alice.page, 'Lunch at one?').getByTestId('reaction')
    await chip.waitFor()
    expect(await chip.textContent()).toContain(emoji)
    await screenshot(alice.page, 'message-actions')
  }, SLOW)

  it('a group of two browsers and a CLI peer: messages, edits and deletes reach everyone', async () => {
    await addContact(alice.page, await carol.kith('invite'))
    await alice.page.getByTestId('conversation').filter({ hasText: 'Carol' }).waitFor()
    await alice.page.getByTestId('open-new-group').click()
    await alice.page.getByTestId('group-name').fill('Weekend trip')
    await alice.page.getByTestId('group-create').click()
    for (const alias of ['bob', 'carol']) await alice.page.locator(`[data-testid="member-option"][data-alias="${alias}"]`).check()
    await alice.page.getByTestId('group-add-members').click()
    await alice.page.getByTestId('group-add-members').waitFor({ state: 'hidden' })
    await sendMessage(alice.page, 'Who is in for Saturday?')

    interface CliMessage { id: string, text: string, senderName: string, edited: boolean, deleted: boolean }
    const cliMessages = async (): Promise<CliMessage[]> => (await carol.kithJson<{ messages: CliMessage[] }>('messages', 'Weekend trip')).messages
    await expect.poll(async () => (await cliMessages().catch(() => [])).map((m) => m.text), { timeout: 30_000 }).toContain('Who is in for Saturday?')
    await carol.kith('send', 'Weekend trip', 'Count me in, from the terminal')

    await openConversation(bob.page, 'Weekend trip')
    await message(bob.page, 'Who is in for Saturday?').waitFor()
    await message(bob.page, 'Count me in, from the terminal').waitFor()
    await message(alice.page, 'Count me in, from the terminal').waitFor()
    await sendMessage(bob.page, 'Me too')
    await expect.poll(async () => (await cliMessages()).map((m) => m.text), { timeout: 30_000 }).toContain('Me too')

    const own = message(bob.page, 'Me too')
    await own.hover()
    await own.getByTestId('action-edit').click()
    await bob.page.getByTestId('composer').fill('Me too, with a tent')
    await bob.page.getByTestId('send').click()
    await expect.poll(async () => (await cliMessages()).find((m) => m.text === 'Me too, with a tent')?.edited, { timeout: 30_000 }).toBe(true)
    await message(alice.page, 'Me too, with a tent').waitFor()

    const question = message(alice.page, 'Who is in for Saturday?')
    await question.hover()
    await question.getByTestId('action-delete').click()
    await alice.page.getByTestId('confirm-ok').click()
    await expect.poll(async () => (await cliMessages()).filter((m) => m.deleted).length, { timeout: 30_000 }).toBe(1)
    expect((await cliMessages()).map((m) => m.text)).not.toContain('Who is in for Saturday?')
    await expect.poll(async () => await message(bob.page, 'Who is in for Saturday?').count()).toBe(0)
    await screenshot(bob.page, 'group-bob')
  }, SLOW)

  it('the safety number matches the CLI peer\'s, and verifying marks the contact', async () => {
    await openConversation(alice.page, 'Carol')
    await alice.page.getByTestId('open-safety-number').click()
    const shown = (await alice.page.getByTestId('safety-number').textContent())!.replace(/\s+/g, '')
    expect(shown).toMatch(/^\d{60}$/)
    const atCarol = await carol.kith('contact', 'verify', 'alice')
    expect(atCarol.replace(/\s+/g, '')).toContain(shown)
    await screenshot(alice.page, 'safety-number')
    await alice.page.getByTestId('verify-toggle').click()
    await alice.page.keyboard.press('Escape')
    await alice.page.getByTestId('verified-badge').waitFor()
  }, SLOW)

  it('a malformed invite link gets a clear message and the page keeps working', async () => {
    await addContact(bob.page, `${carol.url}/#/invite/not-a-real-code`)
    await expect.poll(async () => await bob.page.getByText(/This link is damaged|This is not a Kith invite link/).count()).toBeGreaterThan(0)
    await bob.page.keyboard.press('Escape')
    await openConversation(bob.page, 'Alice')
    await openConversation(alice.page, 'Bob')
    await sendMessage(bob.page, 'still chatting')
    await message(alice.page, 'still chatting').waitFor()
  }, SLOW)

  it('a damaged record in IndexedDB gets a clear message instead of a broken page', async () => {
    const dave = await onboard(browser, carol.url, 'Dave')
    await dave.page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('kith')
        open.onsuccess = () => { resolve(open.result) }
        open.onerror = () => { reject(open.error) }
      })
      const tx = db.transaction('meta', 'readwrite')
      const meta = tx.objectStore('meta')
      const record = await new Promise<{ value: Uint8Array }>((resolve) => { const r = meta.get('identity.private'); r.onsuccess = () => { resolve(r.result as { value: Uint8Array }) } })
      meta.put({ ...record, value: crypto.getRandomValues(new Uint8Array(record.value.length)) })
      await new Promise((resolve) => { tx.oncomplete = resolve })
      db.close()
    })
    await dave.page.reload()
    const failure = dave.page.getByTestId('failure')
    await failure.waitFor()
    expect(await failure.textContent()).toMatch(/meta.*identity\.private|identity\.private.*meta/)
    await screenshot(dave.page, 'damaged-storage')
    await dave.context.close()
  }, SLOW)
})
