/**
 * Everyday features of the browser app (issue 21, items 20 and 21), in headless Debian Chromium
 * against `kith serve` on loopback: the emoji picker in the composer and for reactions, and muting
 * and archiving conversations (also from the CLI). Alice and Bob each have a browser.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import {
  conversationItem, message, openConversation, screenshot, sendMessage, type Served, type User,
  useChattingPair
} from './browser-harness.ts'

const SLOW = 120_000

describe('browser app, emoji, mute and archive', () => {
  let carol: Served
  let alice: User
  let bob: User

  const pair = useChattingPair('everyday3', 'Shall we go hiking?')
  beforeAll(() => { ({ carol, alice, bob } = pair) })

  it('the emoji button inserts an emoji at the caret, and the message arrives with it', async () => {
    const page = bob.page
    const composer = page.getByTestId('composer')
    await composer.fill('Yes! ')
    await composer.press('End')
    await page.getByTestId('emoji-button').click()
    const picker = page.getByTestId('emoji-picker')
    await picker.waitFor()
    // Search by name, from the keyboard: the search field has focus, Enter picks the first match.
    await page.keyboard.type('mountain')
    await picker.locator('[data-emoji="🏔️"]').waitFor()
    await screenshot(page, 'everyday3-emoji-search')
    await page.keyboard.press('Enter')
    await picker.waitFor({ state: 'hidden' })
    expect(await composer.inputValue()).toBe('Yes! 🏔️')
    // The caret is after the emoji: typing goes on from there. A category tab, then a choice.
    await composer.press('End')
    await composer.pressSequentially(' at dawn ')
    await page.getByTestId('emoji-button').click()
    await picker.locator('[data-testid="emoji-category"][data-category="nature"]').click()
    await screenshot(page, 'everyday3-emoji-picker')
    await picker.locator('[data-testid="emoji-choice"][data-emoji="☀️"]').click()
    expect(await composer.inputValue()).toBe('Yes! 🏔️ at dawn ☀️')
    // Escape closes the picker without inserting anything.
    await page.getByTestId('emoji-button').click()
    await picker.waitFor()
    await page.keyboard.press('Escape')
    await picker.waitFor({ state: 'hidden' })
    await page.getByTestId('send').click()
    await message(alice.page, 'Yes! 🏔️ at dawn ☀️').waitFor()
  }, SLOW)

  it('any emoji can be a reaction: "+" opens the picker and the other side sees it', async () => {
    const atBob = message(bob.page, 'Shall we go hiking?')
    await atBob.hover()
    await atBob.getByTestId('action-react').click()
    await atBob.getByTestId('reaction-more').click()
    const picker = atBob.getByTestId('emoji-picker')
    // Opened from one of the newest messages, it opens above the message, inside the list, instead
    // of below it where the bottom of the list cut it off.
    expect(await picker.evaluate(async (el) => {
      await Promise.all(el.getAnimations().map(async (a) => await a.finished)) // measured where it comes to rest
      const list = el.closest('.messages')?.getBoundingClientRect()
      const bubble = el.closest('.message')?.querySelector('.bubble')?.getBoundingClientRect()
      const box = el.getBoundingClientRect()
      return { inside: list !== undefined && box.top >= list.top - 1 && box.bottom <= list.bottom + 1, above: bubble !== undefined && box.bottom <= bubble.top + 1 }
    })).toEqual({ inside: true, above: true })
    await picker.locator('[data-testid="emoji-category"][data-category="nature"]').click()
    await screenshot(bob.page, 'everyday3-reaction-picker')
    await picker.locator('[data-testid="emoji-choice"][data-emoji="🦄"]').click()
    await picker.waitFor({ state: 'hidden' })
    await atBob.getByTestId('reaction').filter({ hasText: '🦄' }).waitFor()
    const atAlice = message(alice.page, 'Shall we go hiking?')
    await atAlice.getByTestId('reaction').filter({ hasText: '🦄' }).waitFor()
    expect(await atAlice.getByTestId('reaction').getAttribute('aria-label')).toBe('🦄 1: Bob')
    await screenshot(alice.page, 'everyday3-reaction-seen')
  }, SLOW)

  it('on a touch phone, a long press shows the message\'s actions where the header was and its reactions under them, covering no message; Close hides them', async () => {
    const page = bob.page
    await page.setViewportSize({ width: 390, height: 844 })
    // A touch screen: (hover: none) and (pointer: coarse), as on a phone.
    const cdp = await page.context().newCDPSession(page)
    await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 1 })
    try {
      const target = message(page, 'Shall we go hiking?')
      const bar = target.locator('.message-actions')
      // The press is held until the message turns active (the bar alone could show for a keyboard focus left from before).
      await target.dispatchEvent('pointerdown', { pointerType: 'touch', isPrimary: true })
      await expect.poll(async () => await target.evaluate((el) => el.classList.contains('active'))).toBe(true)
      await target.dispatchEvent('pointerup', { pointerType: 'touch', isPrimary: true })
      expect(await bar.isVisible()).toBe(true)
      await target.getByTestId('action-react').click()
      const strip = target.locator('.emoji-picker')
      await strip.waitFor()
      await screenshot(page, 'everyday3-touch-actions')
      const [barBox, stripBox, messageBox] = [await bar.boundingBox(), await strip.boundingBox(), await target.locator('.bubble').boundingBox()]
      if (barBox === null || stripBox === null || messageBox === null) throw new Error('the actions, the reactions or the message is not laid out')
      // The bar spans the top of the screen; the reactions fit the width under it; both end above the message.
      expect([barBox.x, barBox.y, barBox.width]).toEqual([0, 0, 390])
      expect(stripBox.x).toBeGreaterThanOrEqual(0)
      expect(stripBox.x + stripBox.width).toBeLessThanOrEqual(390)
      expect(stripBox.y).toBeGreaterThanOrEqual(barBox.y + barBox.height)
      expect(stripBox.y + stripBox.height).toBeLessThanOrEqual(messageBox.y)
      expect((await target.getByTestId('action-react').boundingBox())?.height).toBeGreaterThanOrEqual(44)
      await target.getByTestId('action-close').click()
      await expect.poll(async () => await bar.isVisible()).toBe(false)
      expect(await strip.count()).toBe(0)
    } finally {
      await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: false })
      await cdp.detach()
      await page.setViewportSize({ width: 1280, height: 800 })
    }
  }, SLOW)

  it('the message log is one Tab stop: arrows move between messages, and Tab goes on to the composer', async () => {
    const page = bob.page
    const newest = message(page, 'Yes! 🏔️ at dawn ☀️')
    const older = message(page, 'Shall we go hiking?')
    const focused = async (): Promise<string> => await page.evaluate(() => {
      const e = document.activeElement as HTMLElement | null
      return e?.dataset.testid === 'message' ? `message:${e.querySelector('.text')?.textContent ?? ''}` : e?.dataset.testid ?? e?.tagName ?? ''
    })
    // The newest message is the stop; the others are not in the Tab order.
    expect([await newest.getAttribute('tabindex'), await older.getAttribute('tabindex')]).toEqual(['0', '-1'])
    await newest.focus()
    await page.keyboard.press('ArrowUp')
    expect(await focused()).toBe('message:Shall we go hiking?')
    // The stop follows the focus, so Shift+Tab and Tab come back to where the reader was.
    expect([await newest.getAttribute('tabindex'), await older.getAttribute('tabindex')]).toEqual(['-1', '0'])
    await page.keyboard.press('End')
    expect(await focused()).toBe('message:Yes! 🏔️ at dawn ☀️')
    await page.keyboard.press('Home')
    expect(await focused()).toBe('message:Shall we go hiking?')
    // From the oldest message, Tab passes its own buttons (its 🦄 reaction, its actions) and reaches
    // the composer without stopping at the newer message or anything in it.
    const path: string[] = []
    for (let i = 0; i < 12 && path.at(-1) !== 'composer'; i++) {
      await page.keyboard.press('Tab')
      path.push(await page.evaluate(() => {
        const e = document.activeElement as HTMLElement | null
        const row = e?.closest<HTMLElement>('[data-testid="message"]')
        return row === null || row === undefined ? e?.dataset.testid ?? e?.tagName ?? '' : `in:${row.querySelector('.text')?.textContent ?? ''}`
      }))
    }
    expect(path.at(-1)).toBe('composer')
    expect(path.filter((p) => p.startsWith('in:') && p !== 'in:Shall we go hiking?')).toEqual([])
    expect(path).toContain('in:Shall we go hiking?')
  }, SLOW)

  it('archiving moves a chat to "Archived (N)" and back; muted shows an icon and keeps it archived when a message comes; on a phone both are in the header\'s menu', async () => {
    const page = alice.page
    await openConversation(page, 'Bob')
    const bobItem = conversationItem(page, 'Bob')
    const archivedRow = page.getByTestId('archived-open')
    await page.getByTestId('archive-toggle').click()
    await archivedRow.filter({ hasText: 'Archived (1)' }).waitFor()
    expect(await page.getByTestId('conversation').count()).toBe(0)
    await screenshot(page, 'everyday3-archived-row')
    await archivedRow.click()
    await page.getByTestId('archived-list').waitFor()
    await bobItem.waitFor()
    expect(await bobItem.getAttribute('data-archived')).toBe('true')
    await screenshot(page, 'everyday3-archived-list')

    // Unarchive from the open chat: it is back in the main list and the Archived row is gone.
    await bobItem.click()
    expect(await page.getByTestId('archive-toggle').getAttribute('aria-pressed')).toBe('true')
    await page.getByTestId('archive-toggle').click()
    await page.getByTestId('archived-list').waitFor({ state: 'detached' })
    expect(await bobItem.getAttribute('data-archived')).toBe('false')
    expect(await archivedRow.count()).toBe(0)

    // Muted: an icon in the list. Muted and archived, Bob's message leaves it archived.
    await page.getByTestId('mute-toggle').click()
    await bobItem.getByTestId('muted-icon').waitFor()
    expect(await page.getByTestId('mute-toggle').getAttribute('aria-pressed')).toBe('true')
    await screenshot(page, 'everyday3-muted')
    await page.getByTestId('archive-toggle').click()
    await archivedRow.waitFor()
    await sendMessage(bob.page, 'Bring boots')
    await message(page, 'Bring boots').waitFor()
    expect(await page.getByTestId('conversation').count()).toBe(0)
    await archivedRow.filter({ hasText: 'Archived (1)' }).waitFor()

    // Unmuted but archived, Bob's next message brings it back (WhatsApp's rule).
    await page.getByTestId('mute-toggle').click()
    await page.locator('[data-testid="mute-toggle"][aria-pressed="false"]').waitFor()
    expect(await page.getByTestId('conversation').count()).toBe(0)
    await sendMessage(bob.page, 'And a rain jacket')
    await bobItem.waitFor()
    await archivedRow.waitFor({ state: 'detached' })
    expect(await bobItem.getAttribute('data-archived')).toBe('false')
    expect(await bobItem.getByTestId('muted-icon').count()).toBe(0)
    await screenshot(page, 'everyday3-unarchived-by-message')

    // On a phone the header keeps its room for the name: mute, archive and the safety number are in a ⋮ menu.
    await page.setViewportSize({ width: 390, height: 844 })
    try {
      expect(await page.getByTestId('mute-toggle').isVisible()).toBe(false)
      await page.getByTestId('header-more').click()
      await screenshot(page, 'everyday3-phone-header-menu')
      await page.getByTestId('menu-mute').click()
      await page.getByTestId('back').click()
      await bobItem.getByTestId('muted-icon').waitFor()
      await bobItem.click()
      await page.getByTestId('header-more').click()
      expect(await page.getByTestId('menu-mute').textContent()).toBe('Unmute')
      await page.getByTestId('menu-mute').click()
      await page.getByTestId('header-more').click()
      await page.getByTestId('menu-details').click()
      await page.getByTestId('safety-number-dialog').waitFor()
      await page.keyboard.press('Escape')
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 })
    }
  }, SLOW)

  it('the CLI mutes and archives through the local API, and kith groups marks both', async () => {
    await carol.kith('group', 'create', 'Walkers')
    expect(await carol.kith('mute', 'Walkers')).toBe('Walkers: muted')
    expect(await carol.kith('archive', 'Walkers')).toBe('Walkers: archived')
    expect(await carol.kith('groups')).toMatch(/Walkers .*\[muted\]  \[archived\]/)
    const r = await carol.kithJson<{ conversation: { muted: boolean, archived: boolean } }>('archive', 'Walkers', '--off')
    expect(r.conversation).toMatchObject({ muted: true, archived: false })
    await carol.kith('mute', 'Walkers', '--off')
    expect(await carol.kith('groups')).not.toMatch(/\[muted\]|\[archived\]/)
    await expect(carol.kith('mute', 'nobody')).rejects.toThrow(/no contact or group named "nobody"/)
  }, SLOW)
})
