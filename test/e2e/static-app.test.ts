/**
 * The web app away from the node that served it, in headless Debian Chromium on loopback:
 * - a page over plain http:// from another host name explains that Kith needs a secure connection;
 * - the service worker opens the app while its node is down, and the app goes online through
 *   another node it knows;
 * - dist/ on a plain static host (no /kith.json) bootstraps from `?bootstrap=`, or from the
 *   kith.config.json it was built with; a malformed config stops the build;
 * - a page dials a node's WebRTC-direct address (a `kith serve`, and a bare libp2p relay), and
 *   uses the STUN/TURN servers set in Settings (and none before).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { extname, join, normalize } from 'node:path'
import { circuitRelayServer } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import type { Libp2p } from '@libp2p/interface'
import { noise } from '@libp2p/noise'
import { webRTCDirect } from '@libp2p/webrtc'
import { createLibp2p } from 'libp2p'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp, onboard, openProfile, root, screenshot, serve, waitOnline, type Served } from './browser-harness.ts'

const SLOW = 120_000
const NODE = process.execPath
const VITE = join(root, 'node_modules/vite/bin/vite.js')

/** Headless Chromium with TESTING.md's flags, and `kith.test` resolving to loopback (not a secure origin). */
async function launch (): Promise<Browser> {
  return await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      '--allow-loopback-in-peer-connection', '--host-resolver-rules=MAP kith.test 127.0.0.1']
  })
}

/** A plain static file server, as any web host would be: no /kith.json, no fallback page. */
interface StaticHost { readonly url: string, readonly requests: Array<{ path: string, status: number }>, close (): Promise<void> }

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.webmanifest': 'application/manifest+json'
}

async function staticHost (dir: string): Promise<StaticHost> {
  const requests: Array<{ path: string, status: number }> = []
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    const file = join(dir, normalize(path === '/' ? '/index.html' : path))
    const found = file.startsWith(dir) && existsSync(file) && statSync(file).isFile()
    requests.push({ path, status: found ? 200 : 404 })
    if (!found) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
      return
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' }).end(readFileSync(file))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('the static host has no port')
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: async () => await new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) })
  }
}

/** A node's WebSocket bootstrap addresses, from its /kith.json. */
async function wsAddrs (node: Served): Promise<string[]> {
  const info = await (await fetch(`${node.url}/kith.json`)).json() as { bootstrap: string[] }
  const ws = info.bootstrap.filter((a) => a.includes('/ws/'))
  if (ws.length === 0) throw new Error(`${node.url}/kith.json lists no WebSocket address`)
  return ws
}

/** The TCP port in a multiaddr. */
function tcpPort (addr: string): string {
  const port = /\/tcp\/(\d+)\//.exec(addr)?.[1]
  if (port === undefined) throw new Error(`${addr} has no TCP port`)
  return port
}

/** Builds dist/ into `outDir` with `KITH_CONFIG` naming `config`; returns the exit status and output. */
function buildWith (config: string, outDir: string): { status: number | null, output: string } {
  const result = spawnSync(NODE, [VITE, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: root, env: { ...process.env, KITH_CONFIG: config }, encoding: 'utf8'
  })
  return { status: result.status, output: `${result.stdout}${result.stderr}` }
}

/** Records uncaught page errors, to assert there were none. */
function collectErrors (page: Page): string[] {
  const errors: string[] = []
  page.on('pageerror', (err) => { errors.push(err.message) })
  return errors
}

/** Remote addresses of the page's open connections to `peerId`. */
async function remoteAddrs (page: Page, peerId: string): Promise<string[]> {
  return await page.evaluate((peer) => (globalThis as unknown as Debug).kithDebug.libp2p.getConnections()
    .filter((c) => c.remotePeer.toString() === peer).map((c) => c.remoteAddr.toString()), peerId)
}

/** Opens Settings, saves `text` as the extra bootstrap nodes, and closes it. */
async function saveBootstrap (page: Page, text: string): Promise<void> {
  await page.getByTestId('open-settings').click()
  await page.getByTestId('setting-bootstrap').fill(text)
  await page.getByTestId('save-bootstrap').click()
  await page.getByTestId('settings-dialog').getByRole('status').filter({ hasText: 'Saved' }).waitFor()
  await page.keyboard.press('Escape')
}

describe('the web app away from its node', () => {
  let browser: Browser
  let nodeA: Served
  let nodeB: Served
  const temp: string[] = []

  beforeAll(async () => {
    buildApp()
    browser = await launch()
    ;[nodeA, nodeB] = await Promise.all([serve('A'), serve('B')])
  }, SLOW)

  afterAll(async () => {
    await browser?.close()
    await nodeA?.stop()
    await nodeB?.stop()
    for (const dir of temp) rmSync(dir, { recursive: true, force: true })
  })

  it('a page over plain http:// from another host explains that Kith needs a secure connection', async () => {
    const port = new URL(nodeA.url).port
    const { context, page } = await openProfile(browser, 'about:blank')
    const errors = collectErrors(page)
    await page.goto(`http://kith.test:${port}/`)
    const screen = page.getByTestId('insecure-origin')
    await screen.waitFor()
    expect(await page.evaluate(() => isSecureContext)).toBe(false)
    expect(await screen.textContent()).toMatch(/needs a secure connection/i)
    expect(await page.getByTestId('local-url').textContent()).toBe(`http://localhost:${port}/`)
    // Nothing started: no storage was opened and no error escaped.
    expect(await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name))).toEqual([])
    expect(errors).toEqual([])
    await screenshot(page, 'insecure-origin')
    await page.setViewportSize({ width: 390, height: 844 })
    await page.emulateMedia({ colorScheme: 'dark' })
    await screenshot(page, 'insecure-origin-phone-dark')
    await context.close()
  }, SLOW)

  it('the app opens from its service worker while its node is down, and goes online through another node', async () => {
    const alice = await onboard(browser, nodeA.url, 'Alice')
    const errors = collectErrors(alice.page)
    await alice.page.waitForFunction(() => navigator.serviceWorker.controller !== null)
    const [viaB] = await wsAddrs(nodeB)
    await saveBootstrap(alice.page, viaB!)

    await nodeA.stop()
    await alice.page.reload()
    // The shell came from the cache: the app itself, not the browser's error page.
    await alice.page.getByTestId('connection-status').waitFor()
    await waitOnline(alice.page)
    expect(await alice.page.getByTestId('connection-status').textContent()).toContain(`127.0.0.1:${tcpPort(viaB!)}`)
    expect(errors).toEqual([])
    await screenshot(alice.page, 'offline-node-online-via-b')
    await alice.context.close()
  }, SLOW)

  it('dist/ on a plain static host bootstraps from ?bootstrap=', async () => {
    const host = await staticHost(join(root, 'dist'))
    try {
      const [viaB] = await wsAddrs(nodeB)
      const carol = await onboard(browser, `${host.url}/?bootstrap=${encodeURIComponent(viaB!)}`, 'Carol')
      expect(await carol.page.getByTestId('connection-status').textContent()).toContain(`127.0.0.1:${tcpPort(viaB!)}`)
      // The host really had no Kith node behind it.
      expect(host.requests).toContainEqual({ path: '/kith.json', status: 404 })
      await screenshot(carol.page, 'static-host-online')
      await carol.context.close()
    } finally {
      await host.close()
    }
  }, SLOW)

  it('a page on a static host reaches a kith serve node by its WebRTC-direct address alone', async () => {
    const info = await (await fetch(`${nodeB.url}/kith.json`)).json() as { bootstrap: string[] }
    const direct = info.bootstrap.find((a) => a.includes('/webrtc-direct/certhash/'))
    if (direct === undefined) throw new Error(`${nodeB.url}/kith.json lists no WebRTC-direct address: ${info.bootstrap.join(' ')}`)
    const host = await staticHost(join(root, 'dist'))
    try {
      const frank = await onboard(browser, `${host.url}/?bootstrap=${encodeURIComponent(direct)}`, 'Frank')
      const udpPort = /\/udp\/(\d+)\//.exec(direct)?.[1]
      expect(await frank.page.getByTestId('connection-status').textContent()).toContain(`127.0.0.1:${udpPort}`)
      expect(await remoteAddrs(frank.page, nodeB.peerId)).toContainEqual(expect.stringContaining('/webrtc-direct/'))
      await frank.context.close()
    } finally {
      await host.close()
    }
  }, SLOW)

  it('a build with kith.config.json bootstraps from it and offers its STUN servers as the default', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kith-static-'))
    temp.push(dir)
    const [viaB] = await wsAddrs(nodeB)
    writeFileSync(join(dir, 'kith.config.json'), JSON.stringify({ bootstrap: [viaB], iceServers: [{ urls: 'stun:127.0.0.1:3478' }] }))
    const built = buildWith(join(dir, 'kith.config.json'), join(dir, 'dist'))
    expect(built.status, built.output).toBe(0)
    expect(built.output).toMatch(/plain \/ws/) // the warning that https:// pages cannot use it
    const host = await staticHost(join(dir, 'dist'))
    try {
      const dave = await onboard(browser, host.url, 'Dave')
      expect(await dave.page.getByTestId('connection-status').textContent()).toContain(`127.0.0.1:${tcpPort(viaB!)}`)
      await dave.page.getByTestId('open-settings').click()
      expect(await dave.page.getByTestId('ice-servers-input').inputValue()).toBe('stun:127.0.0.1:3478')
      await dave.context.close()
    } finally {
      await host.close()
    }
  }, SLOW)

  it('a malformed kith.config.json stops the build and says what is wrong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kith-static-'))
    temp.push(dir)
    writeFileSync(join(dir, 'kith.config.json'), JSON.stringify({ bootstrap: ['/ip4/127.0.0.1/tcp/4002/ws'] }))
    const built = buildWith(join(dir, 'kith.config.json'), join(dir, 'dist'))
    expect(built.status).not.toBe(0)
    expect(built.output).toContain('"bootstrap"[0] “/ip4/127.0.0.1/tcp/4002/ws” cannot be used: it does not end in /p2p/<peer id>')
    expect(existsSync(join(dir, 'dist/index.html'))).toBe(false)
  })

  describe('WebRTC-direct and ICE servers', () => {
    let relay: Libp2p

    beforeAll(async () => {
      // A Node peer that listens only on WebRTC-direct and offers relay reservations, as a public node would.
      relay = await createLibp2p({
        addresses: { listen: ['/ip4/127.0.0.1/udp/0/webrtc-direct'] },
        transports: [webRTCDirect({ rtcConfiguration: { iceServers: [] } })],
        connectionEncrypters: [noise()],
        connectionGater: { denyDialMultiaddr: () => false },
        services: { identify: identify(), relay: circuitRelayServer() }
      })
    }, SLOW)

    afterAll(async () => { await relay?.stop() })

    it('a page on a static host goes online over WebRTC-direct, and uses the STUN/TURN servers set in Settings for new connections', async () => {
      const direct = relay.getMultiaddrs().map((ma) => ma.toString()).find((a) => a.includes('/webrtc-direct/certhash/'))
      if (direct === undefined) throw new Error('the relay has no WebRTC-direct address')
      const host = await staticHost(join(root, 'dist'))
      const { context, page } = await openProfile(browser, 'about:blank')
      try {
        // Every RTCPeerConnection the page makes, with the ICE servers it was given.
        await context.addInitScript(() => {
          const Native = RTCPeerConnection
          const seen: Array<RTCIceServer[] | undefined> = []
          ;(globalThis as unknown as { iceSeen: typeof seen }).iceSeen = seen
          globalThis.RTCPeerConnection = class extends Native {
            constructor (config?: RTCConfiguration) {
              seen.push(config?.iceServers)
              super(config)
            }
          }
        })
        const errors = collectErrors(page)
        await page.goto(`${host.url}/?bootstrap=${encodeURIComponent(direct)}`)
        await page.getByTestId('onboard-name').fill('Erin')
        await page.getByTestId('onboard-submit').click()
        await waitOnline(page)
        const relayPeer = relay.peerId.toString()
        expect(await remoteAddrs(page, relayPeer)).toContainEqual(expect.stringContaining('/webrtc-direct/'))
        const seen = async (): Promise<Array<RTCIceServer[] | undefined>> => await page.evaluate(() => (globalThis as unknown as { iceSeen: Array<RTCIceServer[] | undefined> }).iceSeen)
        // No public STUN server, ever: the transports were given an empty list.
        expect((await seen()).length).toBeGreaterThan(0)
        expect(await seen()).toEqual((await seen()).map(() => []))

        await page.getByTestId('open-settings').click()
        const input = page.getByTestId('ice-servers-input')
        await input.fill('turn:127.0.0.1:3478')
        await page.getByTestId('ice-servers-save').click()
        expect(await page.getByRole('alert').filter({ hasText: 'turn:' }).textContent()).toBe('Line 1: turn: URLs need a username and credential')
        await screenshot(page, 'settings-ice-error')
        // The USER:PASS@ form, as kith serve --ice-server takes it, is saved and shown in canonical form.
        await input.fill('stun:127.0.0.1:3478\nturn:kith:s3cret@127.0.0.1:3478?transport=udp')
        await page.getByTestId('ice-servers-save').click()
        await page.getByTestId('settings-dialog').getByRole('status').filter({ hasText: 'Saved' }).waitFor()
        expect(await page.getByTestId('ice-servers-save').isDisabled()).toBe(true)
        await screenshot(page, 'settings-network')
        await page.keyboard.press('Escape')

        // A new connection (the relay link dropped and redialled) is made with the saved servers.
        const before = (await seen()).length
        await page.evaluate((peer) => {
          for (const c of (globalThis as unknown as Debug).kithDebug.libp2p.getConnections()) if (c.remotePeer.toString() === peer) void c.close()
        }, relayPeer)
        await expect.poll(async () => (await seen()).length, { timeout: 30_000 }).toBeGreaterThan(before)
        expect((await seen()).at(-1)).toEqual([
          { urls: 'stun:127.0.0.1:3478' },
          { urls: 'turn:127.0.0.1:3478?transport=udp', username: 'kith', credential: 's3cret' }
        ])
        await waitOnline(page)

        // Saved in this browser: a reload shows them again.
        await page.reload()
        await waitOnline(page)
        await page.getByTestId('open-settings').click()
        expect(await page.getByTestId('ice-servers-input').inputValue()).toBe('stun:127.0.0.1:3478\nturn:127.0.0.1:3478?transport=udp kith s3cret')
        expect(errors).toEqual([])
      } finally {
        await context.close()
        await host.close()
      }
    }, SLOW)
  })
})

interface Debug { kithDebug: { libp2p: { getConnections (): Array<{ remotePeer: { toString (): string }, remoteAddr: { toString (): string }, close (): Promise<void> }> } } }
