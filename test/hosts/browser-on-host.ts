/**
 * Headless Chromium inside a simulated host (its process runs in the host's network namespace),
 * with the flags TESTING.md lists, trusting the given certificate keys
 * (`--ignore-certificate-errors-spki-list`, base64 SHA-256 of each SubjectPublicKeyInfo).
 */
import { chromium, type Browser } from 'playwright-core'
import type { User } from '../e2e/browser-harness.ts'
import { waitOnline } from '../e2e/browser-harness.ts'
import type { Host } from '../sim/hosts.ts'

/** Launches Chromium on `host`; `spkiList` is a comma-separated list of trusted key hashes. */
export async function launchChromiumOn (host: Host, spkiList: string): Promise<Browser> {
  return await chromium.launch({
    executablePath: host.chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      `--ignore-certificate-errors-spki-list=${spkiList}`]
  })
}

/**
 * Records every RTCPeerConnection the page makes (libp2p's WebRTC transport takes the constructor
 * from globalThis when its module loads, after this runs), as `kithTestPeerConnections`, so the
 * test can read ICE statistics.
 */
const RECORD_PEER_CONNECTIONS = `
globalThis.__name = (f) => f
;(() => {
  const Native = globalThis.RTCPeerConnection
  const made = []
  globalThis.kithTestPeerConnections = made
  globalThis.RTCPeerConnection = class extends Native {
    constructor (...args) { super(...args); made.push(this) }
  }
})()
`

/** A person in a fresh profile whose peer connections are recorded, who opens `url` and onboards as `name`. */
export async function onboardRecorded (browser: Browser, url: string, name: string): Promise<User> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  await context.addInitScript(RECORD_PEER_CONNECTIONS)
  const page = await context.newPage()
  await page.goto(url)
  await page.getByTestId('onboard-name').fill(name)
  await page.getByTestId('onboard-submit').click()
  await waitOnline(page)
  return { name, context, page }
}
