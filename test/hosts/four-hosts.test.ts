/**
 * Kith across four machines (DESIGN.md §7). Host A runs a node that serves the web app over HTTPS
 * with a certificate from a CA the test made. Chromium on host B and Chromium on host C open A's
 * page, and their people chat, with the chat traffic going directly between B and C (not through
 * A). A CLI peer on host D joins their group.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { SimNet, simulationSupport, type Host } from '../sim/hosts.ts'
import {
  addContact, buildApp, inviteLink, message, onboard, openConversation, screenshot, sendMessage, type User
} from '../e2e/browser-harness.ts'
import { launchChromiumOn } from './browser-on-host.ts'
import { removeData, serveOn, type KithOnHost } from './kith-on-host.ts'
import { issueCertificate } from './test-ca.ts'

const SLOW = 240_000
const support = simulationSupport()
let net: SimNet | undefined
let certDir: string | undefined
let nodeA: KithOnHost | undefined
let nodeD: KithOnHost | undefined
let hostA: Host | undefined
let bHost: Host | undefined
let eHost: Host | undefined
let cHost: Host | undefined
let spki: string | undefined
const browsers: Browser[] = []
let bea: User
let cy: User

async function chromiumOn (host: Host, spkiList: string): Promise<Browser> {
  const browser = await launchChromiumOn(host, spkiList)
  browsers.push(browser)
  return browser
}

interface Debug { kithDebug: { libp2p: { peerId: { toString (): string }, getConnections (): Array<{ remoteAddr: { toString (): string }, remotePeer: { toString (): string }, streams: Array<{ protocol?: string }> }> } } }

/** Remote addresses of the connections to `peer` that carry a delivery stream. */
async function deliveryPaths (page: Page, peer: string): Promise<string[]> {
  return await page.evaluate((p) => (globalThis as unknown as Debug).kithDebug.libp2p.getConnections()
    .filter((c) => c.remotePeer.toString() === p && c.streams.some((s) => s.protocol === '/kith/deliver/1.0.0'))
    .map((c) => c.remoteAddr.toString()), peer)
}

async function peerIdOf (page: Page): Promise<string> {
  return await page.evaluate(() => (globalThis as unknown as Debug).kithDebug.libp2p.peerId.toString())
}

beforeAll(async () => {
  if (!support.ok) return
  buildApp()
  net = await SimNet.create()
  const [a, b, c, d] = [await net.addHost('a'), await net.addHost('b'), await net.addHost('c'), await net.addHost('d')]
  bHost = b
  cHost = c
  eHost = await net.addHost('e')
  hostA = a
  certDir = mkdtempSync(join(tmpdir(), 'kith-ca-'))
  const cert = await issueCertificate(certDir, a.ip)
  spki = cert.spkiList
  nodeA = await serveOn(a, 'Anchor', ['--tls-cert', cert.certFile, '--tls-key', cert.keyFile])
  const tcpA = nodeA.status.addrs.find((x) => x.startsWith(`/ip4/${a.ip}/tcp/`) && !x.includes('/ws'))!
  nodeD = await serveOn(d, 'Dee', ['--bootstrap', tcpA])
  expect(nodeA.status.web).toMatch(new RegExp(`^https://${a.ip.replaceAll('.', '\\.')}:\\d+$`))
  ;[bea, cy] = await Promise.all([
    onboard(await chromiumOn(b, cert.spkiList), nodeA.status.web, 'Bea'),
    onboard(await chromiumOn(c, cert.spkiList), nodeA.status.web, 'Cy')
  ])
}, SLOW)

afterEach(async (context) => {
  if (context.task.result?.state !== 'fail' || bea === undefined) return
  await screenshot(bea.page, 'hosts-failed-bea').catch(() => {})
  await screenshot(cy.page, 'hosts-failed-cy').catch(() => {})
})

afterAll(async () => {
  for (const b of browsers) await b.close().catch(() => {})
  await net?.destroy()
  removeData([nodeA, nodeD])
  if (certDir !== undefined) rmSync(certDir, { recursive: true, force: true })
})

it('browsers on two hosts open the app from a third over HTTPS and chat directly; a CLI peer on a fourth joins their group', async (ctx) => {
  if (!support.ok) ctx.skip(`simulated hosts are not available here: ${support.reason}`)
  expect(await bea.page.evaluate(() => window.isSecureContext)).toBe(true)
  const link = await inviteLink(cy.page)
  expect(link.startsWith(`${nodeA!.status.web}/#/invite/`)).toBe(true)
  await addContact(bea.page, link)
  await bea.page.getByTestId('composer').waitFor()
  await sendMessage(bea.page, 'Hello Cy, from host B')
  await openConversation(cy.page, 'Bea')
  await message(cy.page, 'Hello Cy, from host B').waitFor()
  await sendMessage(cy.page, 'Hi Bea, from host C')
  await message(bea.page, 'Hi Bea, from host C').waitFor()
  // The delivery stream runs over a direct WebRTC connection between B and C, not through A.
  const paths = await deliveryPaths(bea.page, await peerIdOf(cy.page))
  expect(paths.length).toBeGreaterThan(0)
  for (const p of paths) expect(p).toContain('/webrtc')
  await screenshot(bea.page, 'hosts-chat-bea')
  // The proof that A carries none of it: with every packet to and from A dropped, they still chat.
  await net!.loss(hostA!, 1)
  await sendMessage(bea.page, 'Still here while host A is cut off')
  await message(cy.page, 'Still here while host A is cut off').waitFor()
  await sendMessage(cy.page, 'Loud and clear')
  await message(bea.page, 'Loud and clear').waitFor()
  await net!.loss(hostA!, 0)

  // Dee, a CLI peer on host D, joins a group with both.
  await addContact(bea.page, await nodeD!.kith('invite'))
  await bea.page.getByTestId('conversation').filter({ hasText: 'Dee' }).waitFor()
  await bea.page.getByTestId('open-new-group').click()
  await bea.page.getByTestId('group-name').fill('Four hosts')
  await bea.page.getByTestId('group-create').click()
  for (const alias of ['cy', 'dee']) await bea.page.locator(`[data-testid="member-option"][data-alias="${alias}"]`).check()
  await bea.page.getByTestId('group-add-members').click()
  await bea.page.getByTestId('group-add-members').waitFor({ state: 'hidden' })
  await sendMessage(bea.page, 'Welcome to the group, Dee')
  await expect.poll(async () => (await nodeD!.json<{ messages: Array<{ text: string }> }>('messages', 'Four hosts').catch(() => ({ messages: [] }))).messages.map((m) => m.text), { timeout: 60_000 })
    .toContain('Welcome to the group, Dee')
  await nodeD!.kith('send', 'Four hosts', 'Dee here, from the terminal on host D')
  await openConversation(cy.page, 'Four hosts')
  await message(cy.page, 'Dee here, from the terminal on host D').waitFor({ timeout: 60_000 })
  await message(bea.page, 'Dee here, from the terminal on host D').waitFor({ timeout: 60_000 })
  await screenshot(cy.page, 'hosts-group-cy')
}, SLOW)

it('from another host, a node without a certificate gets an explanation, and one with a self-signed certificate runs once its fingerprint is accepted', async (ctx) => {
  if (!support.ok) ctx.skip(`simulated hosts are not available here: ${support.reason}`)
  // Dee's node serves plain http: not a secure context for a browser on another host.
  const plain = await chromiumOn(bHost!, 'none')
  const page = await (await plain.newContext()).newPage()
  const errors: string[] = []
  page.on('pageerror', (err) => { errors.push(err.message) })
  await page.goto(nodeD!.status.web)
  await page.getByTestId('insecure-origin').waitFor()
  expect(await page.getByTestId('insecure-origin').textContent()).toMatch(/https/)
  expect(errors).toEqual([])
  await screenshot(page, 'hosts-insecure-origin')
  // A node with a self-signed certificate: the browser trusts exactly the key `kith serve` printed.
  const selfSigned = await serveOn(eHost!, 'Eve', ['--tls', 'self-signed'])
  try {
    expect(selfSigned.status.tlsFingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)
    expect(selfSigned.status.web.startsWith('https://')).toBe(true)
    const trusting = await chromiumOn(bHost!, selfSigned.status.tlsSpki!)
    const eve = await onboard(trusting, selfSigned.status.web, 'Eve')
    expect(await eve.page.evaluate(() => window.isSecureContext)).toBe(true)
  } finally {
    removeData([selfSigned])
  }
}, SLOW)

it('a page served by host A also bootstraps to a node on another host, over WebRTC-direct with no certificate to trust', async (ctx) => {
  if (!support.ok) ctx.skip(`simulated hosts are not available here: ${support.reason}`)
  const direct = nodeD!.status.addrs.find((x) => x.includes('/webrtc-direct/') && !x.includes('/p2p-circuit'))
  expect(direct).toBeDefined()
  const browser = await chromiumOn(cHost!, spki!)
  const url = `${nodeA!.status.web}/?bootstrap=${encodeURIComponent(direct!)}`
  const fay = await onboard(browser, url, 'Fay')
  const dee = nodeD!.status.peerId
  await expect.poll(async () => await fay.page.evaluate((p) => (globalThis as unknown as Debug).kithDebug.libp2p.getConnections()
    .filter((c) => c.remotePeer.toString() === p).map((c) => c.remoteAddr.toString()), dee), { timeout: 30_000 })
    .toEqual(expect.arrayContaining([expect.stringContaining('/webrtc-direct/')]))
}, SLOW)
