/**
 * Bootstrap addresses the page learns rather than is told: those of the Kith node that served it
 * (its `/kith.json`), remembered in localStorage with those given in `?bootstrap=`, so that a later
 * visit still knows them when that node is down or the page comes from a plain static host.
 */

const LEARNED_KEY = 'kith.learned-bootstrap'
const LEARNED_MAX = 8
/** A node that answers at all answers at once; a host that swallows packets must not hold up start-up. */
const SERVED_TIMEOUT_MS = 3_000

/**
 * Multiaddrs (with /p2p/) of the node that served this page, from its `/kith.json`. A static host
 * has none: it answers 404, or its fallback page, which is not JSON; both give an empty list.
 */
export async function fetchServedBootstrap (): Promise<string[]> {
  try {
    const response = await fetch('/kith.json', { cache: 'no-store', signal: AbortSignal.timeout(SERVED_TIMEOUT_MS) })
    if (!response.ok) return []
    const body = await response.json() as { bootstrap?: unknown }
    return Array.isArray(body.bootstrap) ? body.bootstrap.filter((a): a is string => typeof a === 'string' && a.startsWith('/')) : []
  } catch {
    return []
  }
}

/** Adds `fresh` to the remembered bootstrap addresses (newest first) and returns them all. */
export function rememberBootstrap (fresh: readonly string[]): string[] {
  let learned: string[] = []
  try {
    const raw = JSON.parse(localStorage.getItem(LEARNED_KEY) ?? '[]') as unknown
    if (Array.isArray(raw)) learned = raw.filter((a): a is string => typeof a === 'string' && a.startsWith('/'))
  } catch { /* a damaged list is replaced */ }
  const all = [...new Set([...fresh.filter((a) => a.startsWith('/')), ...learned])].slice(0, LEARNED_MAX)
  localStorage.setItem(LEARNED_KEY, JSON.stringify(all))
  return all
}
