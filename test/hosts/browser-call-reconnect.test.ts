/**
 * A call whose network path breaks (DESIGN.md §7). Host A serves the web app over HTTPS (a test
 * CA) and relays; Chromium on host B and on host C, each on the public net. Bea calls Cy; once the
 * call runs, Cy's host gains a second address (another network, as a laptop that joins a phone's
 * hotspot) and its first one stops carrying UDP, so the media's candidate pair is dead for good
 * and only an ICE restart, which gathers the new address, can bring the call back (PROTOCOL.md
 * §11.7). Chat keeps flowing over TCP through A meanwhile, and the restart's offer and answer with it.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { SimNet, simulationSupport, type Host } from '../sim/hosts.ts'
import { addContact, buildApp, inviteLink, message, openConversation, pageLog, screenshot, sendMessage, type User } from '../e2e/browser-harness.ts'
import { callLog, callState, framesKeepGrowing } from '../e2e/call-harness.ts'
import { launchChromiumOn, onboardRecorded } from './browser-on-host.ts'
import { removeData, serveOn, type KithOnHost } from './kith-on-host.ts'
import { issueCertificate } from './test-ca.ts'

const SLOW = 300_000
const support = simulationSupport()
let net: SimNet | undefined
let certDir: string | undefined
let nodeA: KithOnHost | undefined
let hostC: Host | undefined
const browsers: Browser[] = []
let bea: User
let cy: User

/** The remote address of the call's selected ICE candidate pair (its peer connection has media sections), if it has one. */
async function callRemoteAddress (page: Page): Promise<string | undefined> {
  return await page.evaluate(async () => {
    const pcs = (globalThis as unknown as { kithTestPeerConnections: RTCPeerConnection[] }).kithTestPeerConnections
    const call = pcs.filter((pc) => pc.connectionState !== 'closed' && pc.getTransceivers().length > 0).at(-1)
    if (call === undefined || call.connectionState !== 'connected') return undefined
    const byId = new Map<string, Record<string, unknown>>()
    ;(await call.getStats()).forEach((s: Record<string, unknown>) => { byId.set(s.id as string, s) })
    for (const s of byId.values()) {
      if (s.type !== 'transport' || typeof s.selectedCandidatePairId !== 'string') continue
      const pair = byId.get(s.selectedCandidatePairId)
      const remote = pair === undefined ? undefined : byId.get(pair.remoteCandidateId as string)
      if (remote !== undefined) return String(remote.address)
    }
    return undefined
  })
}

/** The packet loss the call indicator shows, in percent (NaN without one). */
async function lossShown (page: Page): Promise<number> {
  const text = await page.getByTestId('call-indicator').first().textContent({ timeout: 1000 }).catch(() => '')
  return Number(/([\d.]+)% loss/.exec(text ?? '')?.[1] ?? NaN)
}

/** The call indicator's state on the page: connected, reconnecting or failed (undefined while there is none). */
async function indicatorState (page: Page): Promise<string | null> {
  return await page.getByTestId('call-indicator').first().getAttribute('data-state', { timeout: 1000 }).catch(() => null)
}

beforeAll(async () => {
  if (!support.ok) return
  buildApp()
  net = await SimNet.create()
  const hostA = await net.addHost('a')
  const hostB = await net.addHost('b')
  hostC = await net.addHost('c')
  certDir = mkdtempSync(join(tmpdir(), 'kith-ca-'))
  const cert = await issueCertificate(certDir, hostA.ip)
  nodeA = await serveOn(hostA, 'Anchor', ['--tls-cert', cert.certFile, '--tls-key', cert.keyFile])
  const [onB, onC] = await Promise.all([launchChromiumOn(hostB, cert.spkiList), launchChromiumOn(hostC, cert.spkiList)])
  browsers.push(onB, onC)
  ;[bea, cy] = await Promise.all([onboardRecorded(onB, nodeA.status.web, 'Bea'), onboardRecorded(onC, nodeA.status.web, 'Cy')])
}, SLOW)

afterEach(async (context) => {
  if (context.task.result?.state !== 'fail' || bea === undefined) return
  for (const u of [bea, cy]) {
    await screenshot(u.page, `call-reconnect-failed-${u.name.toLowerCase()}`).catch(() => {})
    console.log(`--- ${u.name}'s page log ---\n${await pageLog(u.page, 80)}\n--- ${u.name}'s call log ---\n${await callLog(u.page)}`)
  }
})

afterAll(async () => {
  for (const b of browsers) await b.close().catch(() => {})
  await net?.destroy()
  removeData([nodeA])
  if (certDir !== undefined) rmSync(certDir, { recursive: true, force: true })
})

it('a call whose path dies (Cy moves to another network) says "reconnecting", restarts ICE onto the new address, and goes on decoding on both sides', async (ctx) => {
  if (!support.ok) ctx.skip(`simulated hosts are not available here: ${support.reason}`)
  await addContact(bea.page, await inviteLink(cy.page))
  await bea.page.getByTestId('composer').waitFor({ timeout: 60_000 })
  await sendMessage(bea.page, 'Call you in a second')
  await openConversation(cy.page, 'Bea')
  await message(cy.page, 'Call you in a second').waitFor({ timeout: 60_000 })

  await bea.page.getByTestId('call-start-video').click()
  await cy.page.getByTestId('call-accept').click({ timeout: 60_000 })
  await framesKeepGrowing(bea.page)
  await framesKeepGrowing(cy.page)
  const oldIp = hostC!.ip
  expect(await callRemoteAddress(bea.page)).toBe(oldIp)

  // Cy's host joins another network (an address in another prefix, reachable on the same wire),
  // and its first address stops carrying UDP both ways: the call's candidate pair is dead for good.
  const newIp = oldIp.replace(/^10\.(\d+)\./, (_, octet: string) => `10.${Number(octet) + 10}.`)
  await hostC!.exec('ip', ['addr', 'add', `${newIp}/24`, 'dev', 'eth0'])
  await hostC!.exec('iptables', ['-I', 'INPUT', '-d', oldIp, '-p', 'udp', '-j', 'DROP'])
  await hostC!.exec('iptables', ['-I', 'OUTPUT', '-s', oldIp, '-p', 'udp', '-j', 'DROP'])

  // Both say so while the path is down, and neither call ends.
  await expect.poll(async () => await indicatorState(bea.page), { timeout: 30_000, interval: 200 }).toBe('reconnecting')
  await screenshot(bea.page, 'call-reconnecting-bea')
  expect(await callState(bea.page).textContent()).toBe('Reconnecting…')

  // The restart gathers Cy's new address, and media flows over it on both sides.
  await expect.poll(async () => await callRemoteAddress(bea.page), { timeout: 60_000, interval: 500 }).toBe(newIp)
  await framesKeepGrowing(bea.page)
  await framesKeepGrowing(cy.page)
  expect(await indicatorState(bea.page)).toBe('connected')
  expect(await indicatorState(cy.page)).toBe('connected')
  await expect.poll(async () => await callState(cy.page).getAttribute('data-state')).toBe('connected')
  expect(await callState(bea.page).getAttribute('data-state')).toBe('connected')
  // The offering side of the pair restarted (offer-rule.ts decides which one that is).
  const logs = [await callLog(bea.page), await callLog(cy.page)]
  expect(logs.filter((l) => /ICE restart$/m.test(l))).toHaveLength(1)
  // The indicator's loss is recent: the packets lost in the outage stop counting once media flows again.
  await expect.poll(async () => lossShown(bea.page), { timeout: 30_000, interval: 500 }).toBeLessThan(5)
  await screenshot(cy.page, 'call-reconnected-cy')

  await bea.page.getByTestId('call-hangup').click()
  await expect.poll(async () => await callState(cy.page).getAttribute('data-state').catch(() => 'ended'), { timeout: 30_000 }).toBe('ended')
}, SLOW)
