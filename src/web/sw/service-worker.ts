/**
 * The service worker (built to `/sw.js`, scope `/`): keeps the app shell (index.html and the
 * build's files) in Cache Storage, so the app opens while the node that served it is down and
 * reaches the network through the other bootstrap nodes it knows. The build prepends the precache
 * list (`self.KITH_PRECACHE`, see `build/precache-plugin.ts`); how requests are answered is
 * `shell-routes.ts`. A new build installs at once and takes over open pages.
 */
import { CACHE_PREFIX, routeOf, shellShouldReplace, type PrecacheManifest } from './shell-routes.ts'

/** The slice of ServiceWorkerGlobalScope this file uses (the DOM typings lack it). */
interface ServiceWorkerScope {
  readonly KITH_PRECACHE: PrecacheManifest
  readonly registration: { readonly scope: string }
  readonly clients: { claim (): Promise<void> }
  skipWaiting (): Promise<void>
  addEventListener (type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void
  addEventListener (type: 'fetch', listener: (event: FetchEvent) => void): void
}
interface ExtendableEvent extends Event { waitUntil (work: Promise<unknown>): void }
interface FetchEvent extends ExtendableEvent { readonly request: Request, respondWith (response: Promise<Response>): void }

/** How long a page load waits for the network before the cached shell is shown. */
const NAVIGATION_TIMEOUT_MS = 3_000

const sw = globalThis as unknown as ServiceWorkerScope
const manifest = sw.KITH_PRECACHE
const cacheName = CACHE_PREFIX + manifest.version
const precached = new Set(manifest.files)
const shellUrl = new URL('index.html', sw.registration.scope).href

sw.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(cacheName)
    // 'reload' skips the HTTP cache, so a file is never stored older than this version.
    await cache.addAll(manifest.files.map((f) => new Request(new URL(f, sw.registration.scope), { cache: 'reload' })))
    await sw.skipWaiting()
  })())
})

sw.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(CACHE_PREFIX) && name !== cacheName) await caches.delete(name)
    }
    await sw.clients.claim()
  })())
})

sw.addEventListener('fetch', (event) => {
  const route = routeOf(event.request, sw.registration.scope, precached)
  if (route === 'navigate') event.respondWith(navigate(event.request))
  else if (route === 'cache-first') event.respondWith(cacheFirst(event.request))
})

/** The network's page if it answers in time and well, else the cached shell. */
async function navigate (request: Request): Promise<Response> {
  const network = fetch(request)
  network.catch(() => {}) // handled below; this only keeps a late failure from being reported as uncaught
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<undefined>((resolve) => { timer = setTimeout(() => { resolve(undefined) }, NAVIGATION_TIMEOUT_MS) })
  try {
    const response = await Promise.race([network, late])
    if (response !== undefined && !shellShouldReplace(response.status)) return response
  } catch { /* offline, or the node is down: the shell answers */ } finally {
    clearTimeout(timer)
  }
  const shell = await caches.match(shellUrl, { cacheName })
  // Without a shell (the cache was cleared) the network's own answer or error is all there is.
  return shell ?? await network
}

/** The cached copy; on a miss the network's, kept if it is a good same-origin answer. */
async function cacheFirst (request: Request): Promise<Response> {
  const cache = await caches.open(cacheName)
  const hit = await cache.match(request)
  if (hit !== undefined) return hit
  const response = await fetch(request)
  if (response.ok && response.type === 'basic') await cache.put(request, response.clone())
  return response
}
