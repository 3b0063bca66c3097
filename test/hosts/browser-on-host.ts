/**
 * Headless Chromium inside a simulated host (its process runs in the host's network namespace),
 * with the flags TESTING.md lists, trusting the given certificate keys
 * (`--ignore-certificate-errors-spki-list`, base64 SHA-256 of each SubjectPublicKeyInfo).
 */
import { chromium, type Browser } from 'playwright-core'
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
