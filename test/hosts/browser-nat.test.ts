/**
 * Browsers behind symmetric NATs (DESIGN.md §7). Host A serves the web app over HTTPS (a test CA)
 * and relays; host T runs coturn. Chromium on host B sits behind one NAT and Chromium on host C
 * behind another, both symmetric (`MASQUERADE --random-fully`: a fresh public port for every
 * destination), so no hole can be punched between them and only a TURN server can carry WebRTC.
 * Without one, browsers chat through A's relay and say so; with the TURN server typed into
 * Settings, they chat over WebRTC through T, and A carries none of it.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { formatIceServers, parseIceServers } from '../../src/web/client/ice-servers.ts'
import { SimNet, simulationSupport, type Host, type Nat, type TurnServer } from '../sim/hosts.ts'
import {
  addContact, buildApp, inviteLink, message, openConversation, screenshot, sendMessage, type User
} from '../e2e/browser-harness.ts'
import { launchChromiumOn, onboardRecorded } from './browser-on-host.ts'
import { removeData, serveOn, type KithOnHost } from './kith-on-host.ts'
import { issueCertificate } from './test-ca.ts'

const SLOW = 300_000
const DELIVER = '/kith/deliver/1.0.0'
const run = promisify(execFile)
const support = simulationSupport()
let net: SimNet | undefined
let certDir: string | undefined
let nodeA: KithOnHost | undefined
let hostA: Host | undefined
let hostT: Host | undefined
let turn: TurnServer | undefined
const browsers: Browser[] = []
/** Without TURN at first: Bea on host B, Cy on host C. */
let bea: User
let cy: User
/** With TURN from the start: Dee on host B, Eve on host C. */
let dee: User
let eve: User

async function makeSymmetric (nat: Nat): Promise<void> {
  await run('ip', ['netns', 'exec', nat.namespace, 'iptables', '-t', 'nat', '-R', 'POSTROUTING', '1', '-o', 'wan0', '-j', 'MASQUERADE', '--random-fully'])
}

async function chromiumOn (host: Host, spkiList: string): Promise<Browser> {
  const browser = await launchChromiumOn(host, spkiList)
  browsers.push(browser)
  return browser
}

/**
 * Types STUN/TURN servers into Settings → Network after what is there, like a person, and saves.
 * Reopened, Settings shows them as saved, each in its `turn:host:port USERNAME CREDENTIAL` spelling.
 */
async function addIceServers (page: Page, lines: readonly string[]): Promise<void> {
  await page.getByTestId('open-settings').click()
  const input = page.getByTestId('ice-servers-input')
  await input.click()
  await page.keyboard.press('Control+End')
  const before = await input.inputValue()
  for (const [i, line] of lines.entries()) {
    if (i > 0 || before.length > 0) await page.keyboard.press('Enter')
    await page.keyboard.type(line)
  }
  const parsed = parseIceServers(await input.inputValue())
  expect(parsed.kind).toBe('ok')
  await page.getByTestId('ice-servers-save').click()
  await page.keyboard.press('Escape')
  await page.getByTestId('settings-dialog').waitFor({ state: 'hidden' })
  await page.getByTestId('open-settings').click()
  expect(await page.getByTestId('ice-servers-input').inputValue()).toBe(formatIceServers(parsed.kind === 'ok' ? parsed.value : []))
  await page.keyboard.press('Escape')
  await page.getByTestId('settings-dialog').waitFor({ state: 'hidden' })
}

interface ConnectionInfo { readonly addr: string, readonly direction: string, readonly limited: boolean, readonly streams: readonly string[] }
interface DebugConnection {
  direction: string
  remoteAddr: { toString (): string }
  remotePeer: { toString (): string }
  status: string
  limits?: unknown
  streams: Array<{ protocol?: string }>
}
interface DebugAddress { multiaddr: { toString (): string, encapsulate (addr: string): unknown } }
interface Debug {
  kithDebug: {
    libp2p: {
      peerId: { toString (): string }
      getConnections (): DebugConnection[]
      peerStore: { all (): Promise<Array<{ id: { toString (): string }, addresses: DebugAddress[] }>> }
      dial (target: unknown, options: { signal: AbortSignal, force: boolean }): Promise<DebugConnection>
    }
  }
}

async function peerIdOf (page: Page): Promise<string> {
  return await page.evaluate(() => (globalThis as unknown as Debug).kithDebug.libp2p.peerId.toString())
}

/** This page's open connections to `peer`. */
async function connectionsTo (page: Page, peer: string): Promise<ConnectionInfo[]> {
  return await page.evaluate((p) => (globalThis as unknown as Debug).kithDebug.libp2p.getConnections()
    .filter((c) => c.remotePeer.toString() === p && c.status === 'open')
    .map((c) => ({ addr: c.remoteAddr.toString(), direction: c.direction, limited: c.limits != null, streams: c.streams.map((s) => s.protocol ?? '') })), peer)
}

/**
 * Whether a connection is WebRTC (not WebRTC-direct) and unlimited: dialled as
 * `…/p2p-circuit/webrtc/p2p/<peer>`, or accepted as `/webrtc/p2p/<peer>`.
 */
function isWebRtc (c: ConnectionInfo): boolean {
  return !c.limited && /\/webrtc(\/|$)/.test(c.addr)
}

/** The connections to `peer` that carry a delivery stream. */
async function deliveryPaths (page: Page, peer: string): Promise<ConnectionInfo[]> {
  return (await connectionsTo(page, peer)).filter((c) => c.streams.includes(DELIVER))
}

/** Resolves once every delivery stream between this page and `peer` runs over WebRTC. */
async function waitForWebRtcDelivery (page: Page, peer: string): Promise<void> {
  await expect.poll(async () => {
    const paths = await deliveryPaths(page, peer)
    return paths.length > 0 && paths.every(isWebRtc)
  }, { timeout: 30_000 }).toBe(true)
}

/**
 * Dials a NEW WebRTC connection to `peer` through its relayed WebRTC address (signalled over the
 * relay, or over a connection already open), as the page's libp2p would. Bounded by `timeoutMs`.
 */
async function dialWebRtc (page: Page, peer: string, timeoutMs: number): Promise<{ ok: true, addr: string } | { ok: false, error: string }> {
  return await page.evaluate(async ({ p, ms }) => {
    const node = (globalThis as unknown as Debug).kithDebug.libp2p
    const known = (await node.peerStore.all()).find((x) => x.id.toString() === p)
    const addr = known?.addresses.map((a) => a.multiaddr).find((ma) => ma.toString().includes('/p2p-circuit/webrtc'))
    if (addr === undefined) return { ok: false as const, error: 'no /p2p-circuit/webrtc address known' }
    const target = addr.toString().endsWith(`/p2p/${p}`) ? addr : addr.encapsulate(`/p2p/${p}`)
    try {
      const c = await node.dial(target, { signal: AbortSignal.timeout(ms), force: true })
      return { ok: true as const, addr: c.remoteAddr.toString() }
    } catch (err) {
      return { ok: false as const, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) }
    }
  }, { p: peer, ms: timeoutMs })
}

/** One end of an ICE candidate pair as Chromium's getStats() reports it. */
interface CandidateInfo { readonly type: string, readonly address: string, readonly port: number, readonly protocol: string, readonly relayProtocol?: string }

/** The selected ICE candidate pair of each connected RTCPeerConnection on the page. */
async function selectedPairs (page: Page): Promise<Array<{ local: CandidateInfo, remote: CandidateInfo }>> {
  return await page.evaluate(async () => {
    const pcs = (globalThis as unknown as { kithTestPeerConnections: RTCPeerConnection[] }).kithTestPeerConnections
    const pairs: Array<{ local: CandidateInfo, remote: CandidateInfo }> = []
    for (const pc of pcs) {
      if (pc.connectionState !== 'connected') continue
      const byId = new Map<string, Record<string, unknown>>()
      ;(await pc.getStats()).forEach((s: Record<string, unknown>) => { byId.set(s.id as string, s) })
      const candidate = (id: unknown): CandidateInfo => {
        const c = byId.get(id as string) ?? {}
        return { type: String(c.candidateType), address: String(c.address), port: Number(c.port), protocol: String(c.protocol), ...(c.relayProtocol === undefined ? {} : { relayProtocol: String(c.relayProtocol) }) }
      }
      for (const s of byId.values()) {
        if (s.type !== 'transport' || typeof s.selectedCandidatePairId !== 'string') continue
        const pair = byId.get(s.selectedCandidatePairId)
        if (pair !== undefined) pairs.push({ local: candidate(pair.localCandidateId), remote: candidate(pair.remoteCandidateId) })
      }
    }
    return pairs
  })
}

/**
 * Whether the page's connected WebRTC path runs through T: every selected candidate pair has a
 * `relay` candidate (a TURN allocation) on T's address at one end. Logs the pairs as Chromium reports them.
 */
async function viaTurn (page: Page): Promise<boolean> {
  const pairs = await selectedPairs(page)
  console.log(`selected ICE candidate pairs: ${JSON.stringify(pairs)}`)
  return pairs.length > 0 && pairs.every((p) => [p.local, p.remote].some((c) => c.type === 'relay' && c.address === hostT!.ip))
}

/** Waits until the conversation's pill says how the contact is linked. */
async function waitForLink (page: Page, link: 'direct' | 'relayed'): Promise<void> {
  await page.getByTestId('link-kind').and(page.locator(`[data-link="${link}"]`)).waitFor({ timeout: 30_000 })
}

/** `from` sends `text`; it arrives at `to` (whose conversation with `from` is open). */
async function chat (from: User, to: User, text: string): Promise<void> {
  await sendMessage(from.page, text)
  await message(to.page, text).waitFor({ timeout: 60_000 })
}

beforeAll(async () => {
  if (!support.ok) return
  buildApp()
  net = await SimNet.create()
  hostA = await net.addHost('a')
  hostT = await net.addHost('t')
  const natB = await net.addNat('natb')
  const natC = await net.addNat('natc')
  await makeSymmetric(natB)
  await makeSymmetric(natC)
  const [b, c] = [await net.addHost('b', { nat: natB }), await net.addHost('c', { nat: natC })]
  turn = await net.addTurnServer(hostT)
  certDir = mkdtempSync(join(tmpdir(), 'kith-ca-'))
  const cert = await issueCertificate(certDir, hostA.ip)
  nodeA = await serveOn(hostA, 'Anchor', ['--tls-cert', cert.certFile, '--tls-key', cert.keyFile])
  const [onB, onC] = await Promise.all([chromiumOn(b, cert.spkiList), chromiumOn(c, cert.spkiList)])
  ;[bea, cy, dee, eve] = await Promise.all([
    onboardRecorded(onB, nodeA.status.web, 'Bea'), onboardRecorded(onC, nodeA.status.web, 'Cy'),
    onboardRecorded(onB, nodeA.status.web, 'Dee'), onboardRecorded(onC, nodeA.status.web, 'Eve')
  ])
}, SLOW)

afterEach(async (context) => {
  if (context.task.result?.state !== 'fail' || bea === undefined) return
  for (const u of [bea, cy, dee, eve]) {
    await screenshot(u.page, `browser-nat-failed-${u.name.toLowerCase()}`).catch(() => {})
    const log = await u.page.evaluate(() => (globalThis as unknown as { kithDebug: { log: string[] } }).kithDebug.log.slice(-60)).catch(() => [])
    console.log(`--- ${u.name}'s page log ---\n${log.join('\n')}`)
  }
  for (const [a, b] of [[bea, cy], [cy, bea], [dee, eve], [eve, dee]] as const) {
    const peer = await peerIdOf(b.page).catch(() => '')
    console.log(`--- ${a.name}'s connections to ${b.name} ---\n${JSON.stringify(await connectionsTo(a.page, peer).catch(() => []))}`)
  }
})

afterAll(async () => {
  for (const b of browsers) await b.close().catch(() => {})
  await net?.destroy()
  removeData([nodeA])
  if (certDir !== undefined) rmSync(certDir, { recursive: true, force: true })
})

it('behind two symmetric NATs without TURN, WebRTC fails, chat goes through the relay and says "Relayed"; a TURN server added in Settings moves it to WebRTC', async (ctx) => {
  if (!support.ok) ctx.skip(`simulated hosts are not available here: ${support.reason}`)
  // STUN alone: each learns its public address, but a symmetric NAT maps a new port per destination.
  await Promise.all([addIceServers(bea.page, [turn!.stun]), addIceServers(cy.page, [turn!.stun])])
  const cyPeer = await peerIdOf(cy.page)
  const beaPeer = await peerIdOf(bea.page)
  await addContact(bea.page, await inviteLink(cy.page))
  await bea.page.getByTestId('composer').waitFor({ timeout: 60_000 })
  await sendMessage(bea.page, 'Hello Cy, through two symmetric NATs')
  await openConversation(cy.page, 'Bea')
  await message(cy.page, 'Hello Cy, through two symmetric NATs').waitFor({ timeout: 60_000 })
  await chat(cy, bea, 'Hi Bea, the relay carries this')
  await chat(bea, cy, 'And this')

  // Only a relayed connection carries the chat, on both sides: a plain /p2p-circuit through A.
  for (const [page, peer] of [[bea.page, cyPeer], [cy.page, beaPeer]] as const) {
    const paths = await deliveryPaths(page, peer)
    expect(paths.length).toBeGreaterThan(0)
    for (const p of paths) {
      expect(p.addr).toContain(`/p2p/${nodeA!.status.peerId}/p2p-circuit`)
      expect(p.addr).not.toContain('/webrtc')
      expect(p.limited).toBe(true)
    }
    // No WebRTC connection got through ICE (an accepted one may exist for a few seconds without ever
    // connecting: the check in connectivity.ts drops it).
    expect(await selectedPairs(page)).toEqual([])
  }
  // The control: a new WebRTC dial between them fails, within the dial's bound.
  const control = await dialWebRtc(bea.page, cyPeer, 20_000)
  expect(control.ok).toBe(false)
  console.log(`WebRTC without TURN: ${control.ok ? control.addr : control.error}`)
  // What each person sees: the contact's pill says Relayed, and the indicator names the relay.
  await waitForLink(bea.page, 'relayed')
  await waitForLink(cy.page, 'relayed')
  expect(await bea.page.getByTestId('link-kind').textContent()).toBe('Relayed')
  expect(await bea.page.getByTestId('connection-status').textContent()).toMatch(new RegExp(`^Online via relay ${hostA!.ip.replaceAll('.', '\\.')}:\\d+$`))
  await screenshot(bea.page, 'browser-nat-relayed-bea')
  await screenshot(cy.page, 'browser-nat-relayed-cy')

  // Each adds the TURN server (in the two spellings Settings reads); saving retries WebRTC.
  await addIceServers(bea.page, [`${turn!.turn} ${turn!.username} ${turn!.credential}`])
  await addIceServers(cy.page, [`turn:${turn!.username}:${turn!.credential}@${hostT!.ip}:3478`])
  await expect.poll(async () => (await selectedPairs(bea.page)).length, { timeout: 60_000 }).toBeGreaterThan(0)
  await waitForLink(bea.page, 'direct')
  await waitForLink(cy.page, 'direct')
  // A delivery stream moves to the new connection with its sender's next message: a dial begun
  // before WebRTC got through may still have opened one on the relay, so each writes twice.
  await chat(bea, cy, 'Now over WebRTC through the TURN server')
  await chat(cy, bea, 'Confirmed')
  await chat(bea, cy, 'No relay host in between')
  await chat(cy, bea, 'Only the TURN server')
  await waitForWebRtcDelivery(bea.page, cyPeer)
  await waitForWebRtcDelivery(cy.page, beaPeer)
  expect(await viaTurn(bea.page)).toBe(true)
  await screenshot(bea.page, 'browser-nat-upgraded-bea')
}, SLOW)

it('browsers behind two symmetric NATs with a TURN server typed into Settings chat over WebRTC through it, not through host A; without TURN no new connection can be made', async (ctx) => {
  if (!support.ok) ctx.skip(`simulated hosts are not available here: ${support.reason}`)
  await Promise.all([
    addIceServers(dee.page, [`${turn!.turn} ${turn!.username} ${turn!.credential}`]),
    addIceServers(eve.page, [`turn:${turn!.username}:${turn!.credential}@${hostT!.ip}:3478`])
  ])
  const evePeer = await peerIdOf(eve.page)
  const deePeer = await peerIdOf(dee.page)
  await addContact(dee.page, await inviteLink(eve.page))
  await dee.page.getByTestId('composer').waitFor({ timeout: 60_000 })
  await sendMessage(dee.page, 'Hello Eve, via TURN')
  await openConversation(eve.page, 'Dee')
  await message(eve.page, 'Hello Eve, via TURN').waitFor({ timeout: 60_000 })
  await chat(eve, dee, 'Hi Dee, via TURN too')

  // The delivery streams run over WebRTC connections on both sides…
  await waitForWebRtcDelivery(dee.page, evePeer)
  await waitForWebRtcDelivery(eve.page, deePeer)
  // …whose ICE path goes through T: a relay candidate allocated on T's address.
  expect(await viaTurn(dee.page)).toBe(true)
  expect(await viaTurn(eve.page)).toBe(true)
  await waitForLink(dee.page, 'direct')
  await screenshot(dee.page, 'browser-nat-turn-dee')

  // Host A carries none of it: with every packet to and from A dropped, they still chat.
  await net!.loss(hostA!, 1)
  try {
    await chat(dee, eve, 'Still here while host A is cut off')
    await chat(eve, dee, 'Loud and clear')
  } finally {
    await net!.loss(hostA!, 0)
  }

  // And T is what makes it possible: with T cut off, a new WebRTC connection cannot be made.
  await net!.loss(hostT!, 1)
  try {
    const cut = await dialWebRtc(dee.page, evePeer, 20_000)
    expect(cut.ok).toBe(false)
    console.log(`WebRTC with TURN cut off: ${cut.ok ? cut.addr : cut.error}`)
  } finally {
    await net!.loss(hostT!, 0)
  }
  const again = await dialWebRtc(dee.page, evePeer, 20_000)
  expect(again).toMatchObject({ ok: true })
}, SLOW)
