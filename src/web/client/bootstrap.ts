/**
 * Keeps the browser connected to at least one bootstrap node (the node that served the page, the
 * user's configured ones, and those given in the URL): dials them at start, and again with backoff
 * whenever none is connected. The relay reservation follows the connection.
 */
import type { Libp2p } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'

const FIRST_RETRY_MS = 1_000
const MAX_RETRY_MS = 30_000

/** Dials bootstrap nodes until one is connected, and again after it drops. */
export class BootstrapDialer {
  /** Why the last round failed, for the indicator. */
  lastError: string | null = null
  private delay = FIRST_RETRY_MS
  private timer: ReturnType<typeof setTimeout> | undefined
  private running = false

  constructor (
    private readonly node: Libp2p,
    private readonly list: () => string[],
    private readonly log: (line: string) => void,
    private readonly changed: () => void
  ) {
    node.addEventListener('connection:close', () => { this.schedule(FIRST_RETRY_MS) })
    addEventListener('online', () => { this.start() })
  }

  /** Dials now (resetting the backoff). */
  start (): void {
    this.delay = FIRST_RETRY_MS
    this.schedule(0)
  }

  private schedule (ms: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = setTimeout(() => { this.timer = undefined; void this.round() }, ms)
  }

  private parsed (): Multiaddr[] {
    const out: Multiaddr[] = []
    for (const a of this.list()) {
      try {
        const ma = multiaddr(a)
        if (ma.getComponents().some((c) => c.name === 'p2p')) out.push(ma)
        else this.log(`bootstrap address ${a} has no /p2p/ peer id; skipped`)
      } catch {
        this.log(`bootstrap address ${a} is not a multiaddr; skipped`)
      }
    }
    return out
  }

  private connected (ma: Multiaddr): boolean {
    const id = ma.getComponents().find((c) => c.name === 'p2p')?.value
    return this.node.getConnections().some((c) => c.remotePeer.toString() === id && c.status === 'open')
  }

  private async round (): Promise<void> {
    if (this.running) return
    this.running = true
    try {
      const targets = this.parsed()
      if (targets.length === 0) {
        this.lastError = 'no bootstrap node is configured'
        return
      }
      if (targets.some((ma) => this.connected(ma))) {
        this.lastError = null
        return
      }
      const results = await Promise.allSettled(targets.map(async (ma) => await this.node.dial(ma, { signal: AbortSignal.timeout(10_000) })))
      if (results.some((r) => r.status === 'fulfilled')) {
        this.lastError = null
        this.delay = FIRST_RETRY_MS
        return
      }
      this.lastError = `cannot reach ${targets.length === 1 ? 'the bootstrap node' : `any of ${targets.length} bootstrap nodes`}`
      this.log(`${this.lastError}; retrying in ${this.delay} ms`)
      this.schedule(this.delay)
      this.delay = Math.min(this.delay * 2, MAX_RETRY_MS)
    } finally {
      this.running = false
      this.changed()
    }
  }
}
