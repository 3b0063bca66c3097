/**
 * The browser app's entry: checks that this page can run Kith at all (a secure context with
 * WebCrypto, IndexedDB and workers), then starts the peer, mounts the UI on it, and registers the
 * service worker that keeps the app available while the node that served it is down.
 */
import { BrowserClient } from './client/kith-client.ts'
import { checkPlatform, platformFacts } from './client/platform-check.ts'
import { registerShellCache } from './client/shell-cache.ts'
import { mountApp } from './ui/app.tsx'
import { mountUnsupported } from './ui/unsupported.tsx'

const root = document.getElementById('app')
if (root === null) throw new Error('index.html has no #app element')
const platform = checkPlatform(platformFacts())
if (platform.kind !== 'ok') {
  // Before the worker and IndexedDB: without WebCrypto they would fail deep inside key generation.
  mountUnsupported(root, platform)
} else {
  const client = new BrowserClient()
  mountApp(root, client)
  registerShellCache(() => { client.notice('info', 'A new version of Kith is ready. Reload the page to use it.') })
  void client.boot()
}
