/**
 * Bootstrap addresses the page learns rather than is told: those of the Kith node that served it
 * (its `/kith.json`), remembered in localStorage with those given in `?bootstrap=`, so that a later
 * visit still knows them when that node is down or the page comes from a plain static host.
 */

const LEARNED_KEY = 'kith.learned-bootstrap'
const LEARNED_MAX = 8
/** A node that answers at all answers at once; a host that swallows packets must not hold up start-up. */
const SERVED_TIMEOUT_MS = 3_000

/** What the node that served this page says about itself. */
export interface ServedNode {
  /** Its multiaddrs (with /p2p/). */
  readonly bootstrap: string[]
  /** Its peer id and web ticket, which admits this page to a mailbox there (PROTOCOL.md §5.4). */
  readonly mailbox?: { readonly node: string, readonly ticket: Uint8Array }
}

/**
 * The node that served this page, from its `/kith.json`. A static host has none: it answers 404,
 * or its fallback page, which is not JSON; both give an empty list.
 */
export async function fetchServedNode (): Promise<ServedNode> {
  try {
    const response = await fetch('/kith.json', { cache: 'no-store', signal: AbortSignal.timeout(SERVED_TIMEOUT_MS) })
    if (!response.ok) return { bootstrap: [] }
    const body = await response.json() as { bootstrap?: unknown, peerId?: unknown, mailboxTicket?: unknown }
    const bootstrap = Array.isArray(body.bootstrap) ? body.bootstrap.filter((a): a is string => typeof a === 'string' && a.startsWith('/')) : []
    const ticket = typeof body.mailboxTicket === 'string' && /^[0-9a-f]{64}$/.test(body.mailboxTicket) ? body.mailboxTicket : undefined
    if (ticket === undefined || typeof body.peerId !== 'string') return { bootstrap }
    return { bootstrap, mailbox: { node: body.peerId, ticket: Uint8Array.from(ticket.match(/../g)!.map((h) => parseInt(h, 16))) } }
  } catch {
    return { bootstrap: [] }
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
