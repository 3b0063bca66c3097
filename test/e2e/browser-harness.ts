/**
 * Browser end-to-end helpers: builds the web app if stale, runs `kith serve` processes on loopback
 * (the page's server, bootstrap and relay, and a CLI peer in its own right), drives headless
 * Debian Chromium through playwright-core, and saves screenshots under test-results/.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { KITH_CLI } from '../kith-cli.ts'
import type { TestHooks } from '../../src/web/client/test-hooks.ts'

const run = promisify(execFile)
export const root = join(import.meta.dirname, '../..')
const NODE = process.execPath
const CLI = KITH_CLI
const SHOTS = join(root, 'test-results')

/** Builds dist/ if it is missing or stale (what `npm start` does). */
export function buildApp (): void {
  const result = spawnSync(NODE, [join(root, 'scripts/build-if-stale.mjs')], { cwd: root, stdio: 'inherit' })
  if (result.status !== 0) throw new Error('building the web app failed')
}

/** A running `kith serve`. */
export interface Served {
  readonly data: string
  readonly url: string
  readonly peerId: string
  readonly process: ChildProcess
  /** Runs a `kith` command against this daemon and returns its stdout. */
  kith (...args: string[]): Promise<string>
  kithJson<T> (...args: string[]): Promise<T>
  stop (): Promise<void>
}

/** Starts `kith serve` in a fresh data directory, or in `dir` (removed by `stop` all the same). */
export async function serve (name: string, extra: string[] = [], dir?: string): Promise<Served> {
  const data = dir ?? mkdtempSync(join(tmpdir(), `kith-web-${name}-`))
  const child = spawn(NODE, [...CLI, '--data', data, 'serve', '--name', name, '--json', ...extra], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  const status = await new Promise<{ peerId: string, web: string }>((resolve, reject) => {
    let out = ''
    let err = ''
    child.stderr!.on('data', (d: Buffer) => { err += d.toString() })
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const line = out.split('\n').find((l) => l.includes('"peerId"'))
      if (line !== undefined) resolve(JSON.parse(line) as { peerId: string, web: string })
    })
    child.once('exit', (code) => { reject(new Error(`kith serve exited with ${code}: ${err.trim()}`)) })
  })
  const kith = async (...args: string[]): Promise<string> => (await run(NODE, [...CLI, '--data', data, ...args], { cwd: root })).stdout.trim()
  return {
    data,
    url: status.web,
    peerId: status.peerId,
    process: child,
    kith,
    kithJson: async <T>(...args: string[]) => JSON.parse(await kith('--json', ...args)) as T,
    stop: async () => {
      // A process killed by a signal has no exit code, only a signal code: either means it is gone.
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      }
      rmSync(data, { recursive: true, force: true })
    }
  }
}

/** Headless Debian Chromium with the flags TESTING.md lists. */
export async function launchBrowser (): Promise<Browser> {
  return await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      '--allow-loopback-in-peer-connection']
  })
}

/** A person in their own browser profile. */
export interface User {
  readonly name: string
  readonly context: BrowserContext
  readonly page: Page
}

/** Opens a fresh browser profile on `url`. */
export async function openProfile (browser: Browser, url: string, viewport = { width: 1280, height: 800 }, hooks?: TestHooks): Promise<{ context: BrowserContext, page: Page }> {
  const context = await browser.newContext({ viewport })
  await context.addInitScript('globalThis.__name = (f) => f')
  // Test hooks (src/web/client/test-hooks.ts) are in place before the app first reads them.
  if (hooks !== undefined) await context.addInitScript((json) => { try { localStorage.setItem('kith.test', json) } catch {} }, JSON.stringify(hooks))
  const page = await context.newPage()
  await page.goto(url)
  return { context, page }
}

/** Opens the app in a fresh profile, onboards as `name`, and waits until it is online. */
export async function onboard (browser: Browser, url: string, name: string, hooks?: TestHooks): Promise<User> {
  const { context, page } = await openProfile(browser, url, undefined, hooks)
  await page.getByTestId('onboard-name').fill(name)
  await page.getByTestId('onboard-submit').click()
  await waitOnline(page)
  return { name, context, page }
}

/** Waits for the connection indicator to say online, and the invite link to carry a relay address. */
export async function waitOnline (page: Page): Promise<void> {
  await page.getByTestId('connection-status').and(page.locator('[data-state="online"]')).waitFor({ timeout: 30_000 })
}

/** The end of a page's own log (`kithDebug.log`: connections, greetings, errors; no secrets), for a failure's message. */
export async function pageLog (page: Page, lines = 40): Promise<string> {
  return await page.evaluate((n) => (globalThis as unknown as { kithDebug?: { log: string[] } }).kithDebug?.log.slice(-n).join('\n') ?? '(no log)', lines).catch((err: unknown) => String(err))
}

/** What `waiting` resolves to; if it fails, its error with the end of each user's page log (CI keeps no other trace). */
export async function withPageLogs<T> (waiting: Promise<T>, users: readonly User[]): Promise<T> {
  try {
    return await waiting
  } catch (err) {
    const logs = await Promise.all(users.map(async (u) => `--- ${u.name}'s page log ---\n${await pageLog(u.page)}`))
    throw new Error(`${String(err)}\n${logs.join('\n')}`, { cause: err })
  }
}

/** The user's invite link as the page shows it. */
export async function inviteLink (page: Page): Promise<string> {
  const link = page.getByTestId('invite-link')
  if (!await link.isVisible()) await page.getByRole('button', { name: /invite/i }).first().click()
  await link.waitFor()
  const text = (await link.textContent())?.trim() ?? ''
  await page.keyboard.press('Escape')
  return text
}

/** Adds a contact by pasting a link into "add contact". */
export async function addContact (page: Page, link: string): Promise<void> {
  const input = page.getByTestId('add-contact-input')
  if (!await input.isVisible()) await page.getByRole('button', { name: /add contact/i }).first().click()
  await input.fill(link)
  await page.getByTestId('add-contact-submit').click()
}

/** Opens the conversation whose list item contains `name`. */
export async function openConversation (page: Page, name: string): Promise<void> {
  await conversationItem(page, name).click()
}

/** The conversation list item whose name is exactly `name` (not merely mentioned in a preview). */
export function conversationItem (page: Page, name: string): ReturnType<Page['getByTestId']> {
  return page.getByTestId('conversation').filter({ has: page.getByText(name, { exact: true }) }).first()
}

/** Types and sends a message in the open conversation. */
export async function sendMessage (page: Page, text: string): Promise<void> {
  const composer = page.getByTestId('composer')
  await composer.fill(text)
  // A conversation that just opened may reset its draft once; type again if it did.
  if (await composer.inputValue() !== text) await composer.fill(text)
  await page.getByTestId('send').click()
}

/** The message bubble with this text. */
export function message (page: Page, text: string): ReturnType<Page['getByTestId']> {
  return page.getByTestId('message').filter({ hasText: text })
}

/**
 * `creator` makes the group `name` in the app with the contacts whose aliases are `members` (their
 * lowercased names), and says `first` in it; each member's page opens the group once it arrives.
 */
export async function createGroup (creator: User, name: string, members: readonly User[], first: string): Promise<void> {
  const page = creator.page
  await page.getByTestId('open-new-group').click()
  await page.getByTestId('group-name').fill(name)
  await page.getByTestId('group-create').click()
  for (const m of members) await page.locator(`[data-testid="member-option"][data-alias="${m.name.toLowerCase()}"]`).check()
  await page.getByTestId('group-add-members').click()
  try {
    await page.getByTestId('group-add-members').waitFor({ state: 'hidden' })
  } catch (err) {
    // The dialog's error and the page's log say why an add failed (CI has no other trace of it).
    const alert = await page.getByTestId('new-group-dialog').getByRole('alert').textContent({ timeout: 1_000 }).catch(() => null)
    throw new Error(`${name}: adding ${members.map((m) => m.name).join(', ')} did not finish (${alert ?? 'no error shown'}):\n${await pageLog(page, 80)}`, { cause: err })
  }
  await sendMessage(page, first)
  for (const m of members) {
    await conversationItem(m.page, name).waitFor({ timeout: 60_000 })
    await openConversation(m.page, name)
  }
}

/** Saves a screenshot to test-results/NAME.png. */
export async function screenshot (page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true })
  await page.screenshot({ path: join(SHOTS, `${name}.png`) })
}

/** Alice and Bob in their own browser profiles on one `kith serve` (Carol), already in a 1:1. */
export interface ChattingPair {
  readonly carol: Served
  readonly browser: Browser
  readonly alice: User
  readonly bob: User
  /** Bob's invite link, as Alice added it. */
  readonly bobLink: string
}

/**
 * Registers the hooks of a test file whose tests start from {@link ChattingPair}: Alice adds Bob and
 * sends `firstMessage`, which Bob sees; a failing test leaves screenshots of both browsers named
 * after `tag`; everything stops after the file. Read the fields inside hooks and tests.
 */
export function useChattingPair (tag: string, firstMessage: string, hooks?: TestHooks): ChattingPair {
  const pair: { -readonly [K in keyof ChattingPair]?: ChattingPair[K] } = {}
  beforeAll(async () => {
    buildApp()
    pair.carol = await serve('Carol')
    pair.browser = await launchBrowser()
    const alice = pair.alice = await onboard(pair.browser, pair.carol.url, 'Alice', hooks)
    const bob = pair.bob = await onboard(pair.browser, pair.carol.url, 'Bob', hooks)
    pair.bobLink = await inviteLink(bob.page)
    await addContact(alice.page, pair.bobLink)
    await alice.page.getByTestId('composer').waitFor()
    await sendMessage(alice.page, firstMessage)
    await openConversation(bob.page, 'Alice')
    await message(bob.page, firstMessage).waitFor()
  }, 120_000)
  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail' || pair.alice === undefined || pair.bob === undefined) return
    const name = context.task.name.replace(/\W+/g, '-').slice(0, 40)
    await screenshot(pair.alice.page, `failed-${tag}-${name}-alice`).catch(() => {})
    await screenshot(pair.bob.page, `failed-${tag}-${name}-bob`).catch(() => {})
  })
  afterAll(async () => {
    await pair.browser?.close()
    await pair.carol?.stop()
  })
  return pair as ChattingPair
}
