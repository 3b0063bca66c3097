/**
 * Keeps the browser connected to at least one bootstrap node (the node that served the page, the
 * user's configured ones, those built into this copy of the app, and those given in the URL): dials
 * them at start, and again with backoff whenever none is connected. The relay reservation follows
 * the connection. Which addresses a page can use, and in what order, is `bootstrap-addrs.ts`.
 */
import type { Libp2p } from '@libp2p/interface'
import { bootstrapTargets, type BootstrapTarget } from './bootstrap-addrs.ts'

const FIRST_RETRY_MS = 1_000
const MAX_RETRY_MS = 30_000
const DIAL_TIMEOUT_MS = 10_000

/** Dials bootstrap nodes until one is connected, and again after it drops. */
export class BootstrapDialer {
  /** Why the last round failed, for the indicator. */
  lastError: string | null = null
  private delay = FIRST_RETRY_MS
  private timer: ReturnType<typeof setTimeout> | undefined
  private running = false
  private stopped = false
  private readonly reported = new Set<string>()
  private readonly onOnline = (): void => { this.start() }
  private readonly onClose = (): void => { this.schedule(FIRST_RETRY_MS) }

  constructor (
    private readonly node: Libp2p,
    private readonly list: () => string[],
    private readonly log: (line: string) => void,
    private readonly changed: () => void,
    private readonly pageProtocol: string = location.protocol,
    /** Where the browser's `online` event arrives (the window). */
    private readonly network: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> = globalThis
  ) {
    node.addEventListener('connection:close', this.onClose)
    network.addEventListener('online', this.onOnline)
  }

  /** Stops dialling for good (the tab handed the device to another tab). */
  stop (): void {
    this.stopped = true
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    this.node.removeEventListener('connection:close', this.onClose)
    this.network.removeEventListener('online', this.onOnline)
  }

  /** Dials now (resetting the backoff). */
  start (): void {
    this.delay = FIRST_RETRY_MS
    this.schedule(0)
  }

  private schedule (ms: number): void {
    if (this.stopped) return
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = setTimeout(() => { this.timer = undefined; void this.round() }, ms)
  }

  private targets (): { targets: BootstrapTarget[], skipped: number } {
    const { targets, skipped } = bootstrapTargets(this.list(), this.pageProtocol)
    for (const { addr, reason } of skipped) {
      // Said once per address, not on every retry.
      if (this.reported.has(addr)) continue
      this.reported.add(addr)
      this.log(`bootstrap address ${addr} skipped: ${reason}`)
    }
    return { targets, skipped: skipped.length }
  }

  private connected (target: BootstrapTarget): boolean {
    return this.node.getConnections().some((c) => c.remotePeer.toString() === target.peerId && c.status === 'open')
  }

  private async round (): Promise<void> {
    if (this.running) return
    this.running = true
    try {
      const { targets, skipped } = this.targets()
      if (targets.length === 0) {
        this.lastError = skipped > 0
          ? (this.pageProtocol === 'https:'
              ? 'no bootstrap node this https:// page can reach (plain /ws is blocked here; use /tls/ws or /webrtc-direct)'
              : 'none of the bootstrap addresses can be dialled from a browser')
          : 'no bootstrap node is configured'
        return
      }
      if (targets.some((t) => this.connected(t))) {
        this.lastError = null
        return
      }
      // One dial per node with all its addresses: libp2p tries them in turn and keeps the first.
      const results = await Promise.allSettled(targets.map(async (t) => await this.node.dial([...t.addrs], { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) })))
      if (results.some((r) => r.status === 'fulfilled')) {
        this.lastError = null
        this.delay = FIRST_RETRY_MS
        return
      }
      this.lastError = `cannot reach ${targets.length === 1 ? 'the bootstrap node' : `any of ${targets.length} bootstrap nodes`}`
      const why = results.map((r) => r.status === 'rejected' ? (r.reason instanceof Error ? r.reason.message : String(r.reason)) : '').filter((m) => m !== '')
      this.log(`${this.lastError} (${why.join('; ')}); retrying in ${this.delay} ms`)
      this.schedule(this.delay)
      this.delay = Math.min(this.delay * 2, MAX_RETRY_MS)
    } finally {
      this.running = false
      this.changed()
    }
  }
}
