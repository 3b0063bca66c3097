/**
 * How the service worker answers each request (pure, so it is tested without a browser):
 * - page loads (navigations): the network first, then the cached app shell if the network fails,
 *   answers 5xx, or is slower than a short timeout: the app opens while the node that served it is down;
 * - files of the build (hashed assets, the precached public files): the cache first;
 * - `/kith.json`: always the network, never cached: a stored answer would hide that the node is gone,
 *   and a static host's 404 must never be kept as if it were the node's;
 * - anything else (other origins, other methods, WebSockets): not touched.
 */

/** What the service worker does with a request. */
export type ShellRoute = 'navigate' | 'cache-first' | 'network'

/** The precache list the build writes into the service worker. */
export interface PrecacheManifest {
  /** Changes whenever any precached file changes; names the cache. */
  readonly version: string
  /** Paths relative to the service worker's scope, e.g. `index.html`, `assets/index-abc123.js`. */
  readonly files: readonly string[]
}

/** The request as the route needs it. */
export interface RouteRequest {
  readonly url: string
  readonly method: string
  readonly mode: string
}

/** The cache's name for a manifest version; old versions are deleted on activation. */
export const CACHE_PREFIX = 'kith-shell-'

/** Chooses how to answer `request` for a service worker whose scope is `scope`. */
export function routeOf (request: RouteRequest, scope: string, precached: ReadonlySet<string>): ShellRoute {
  if (request.method !== 'GET') return 'network'
  const url = new URL(request.url)
  const base = new URL(scope)
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) return 'network'
  const path = url.pathname.slice(base.pathname.length)
  if (path === 'kith.json') return 'network'
  if (request.mode === 'navigate') return 'navigate'
  // Hashed names never change content; the rest of the precache changes only with the version.
  if (path.startsWith('assets/') || precached.has(path)) return 'cache-first'
  return 'network'
}

/** Whether a network answer to a page load should give way to the cached shell. */
export function shellShouldReplace (status: number): boolean {
  return status >= 500
}
