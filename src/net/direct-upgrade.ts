/**
 * Upgrades relayed connections to direct ones. When this node opens a connection to a peer
 * through a relay (a limited connection: the peer is behind a NAT), it dials the peer's
 * `/p2p-circuit/webrtc` address: the WebRTC transport signals over the relay, ICE punches through
 * both NATs (with the STUN servers configured), and the delivery stream moves to the direct
 * connection (`protocols/deliver.ts`). This does for UDP what DCUtR does for TCP; js-libp2p's TCP
 * cannot reuse its listening port for outgoing dials, so DCUtR alone cannot punch a TCP hole.
 */
import type { Connection, Libp2p, PeerId } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { describeError } from '../core/errors.ts'

/** Wait before trying again when a dial only joined the relayed one already under way. */
const JOINED_RETRY_MS = 100
/** Upgrade attempts that only joined another dial, at most, before they count as attempts. */
const MAX_JOINED = 20

/** How to retry an upgrade; a constructor option so tests need not wait. */
export interface DirectUpgradeOptions {
  readonly attempts?: number
  readonly retryMs?: number
  readonly log?: (line: string) => void
}

/** Watches for relayed connections and tries to replace each with a direct one. */
export class DirectUpgrader {
  private readonly pending = new Set<string>()
  private stopped = false
  private readonly onOpen = (evt: CustomEvent<Connection>): void => { this.consider(evt.detail) }

  constructor (private readonly libp2p: Libp2p, private readonly options: DirectUpgradeOptions = {}) {}

  /** Starts watching. */
  start (): void {
    this.libp2p.addEventListener('connection:open', this.onOpen)
  }

  /** Stops watching; attempts under way end at their next step. */
  stop (): void {
    this.stopped = true
    this.libp2p.removeEventListener('connection:open', this.onOpen)
  }

  private hasDirect (peer: PeerId): boolean {
    return this.libp2p.getConnections(peer).some((c) => c.status === 'open' && c.limits === undefined)
  }

  private consider (connection: Connection): void {
    if (connection.limits === undefined || connection.direction !== 'outbound') return
    const key = connection.remotePeer.toString()
    if (this.pending.has(key)) return
    this.pending.add(key)
    void this.upgrade(connection.remotePeer).finally(() => { this.pending.delete(key) })
  }

  private async upgrade (peer: PeerId): Promise<void> {
    const attempts = this.options.attempts ?? 3
    const retryMs = this.options.retryMs ?? 5_000
    let tried = 0
    let joins = 0
    while (tried < attempts && !this.stopped) {
      if (this.hasDirect(peer)) return
      const known = await this.libp2p.peerStore.get(peer).catch(() => undefined)
      const webrtc = (known?.addresses ?? []).map((a) => a.multiaddr.toString()).filter((a) => a.includes('/p2p-circuit/webrtc'))
      if (webrtc.length === 0) return
      let joined = false
      for (const addr of webrtc) {
        const full = addr.includes(`/p2p/${peer.toString()}`) ? addr : `${addr}/p2p/${peer.toString()}`
        try {
          const direct = await this.libp2p.dial(multiaddr(full), { signal: AbortSignal.timeout(15_000), force: true })
          if (direct.limits === undefined) {
            this.options.log?.(`direct connection to ${peer.toString()} over ${direct.remoteAddr.toString()}`)
            return
          }
          // The dial joined one already under way (the relayed dial that opened this connection)
          // and got its result back: nothing was tried, so try again as soon as that one is done.
          joined = true
          break
        } catch (err) {
          this.options.log?.(`direct upgrade to ${peer.toString()} via ${full} failed: ${describeError(err)}`)
        }
      }
      if (joined && joins++ < MAX_JOINED) {
        await new Promise((resolve) => setTimeout(resolve, JOINED_RETRY_MS))
        continue
      }
      tried++
      if (tried < attempts) await new Promise((resolve) => setTimeout(resolve, retryMs))
    }
  }
}
