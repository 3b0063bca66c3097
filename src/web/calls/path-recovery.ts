/**
 * A call link that loses its path (PROTOCOL.md §11.7): the network drops for a while, or a device
 * moves to another network, so that the address its candidate pair used is gone for good. Chromium
 * calls the connection `disconnected` about 2.5 s after its checks go unanswered and `failed` some
 * 30 s later, and recovers by itself only if the old path comes back. So a link that was up and is
 * down is `reconnecting`, and the side of the pair that offers restarts ICE: an offer with new
 * credentials, which gathers the candidates of the network the device is on now and changes
 * nothing else. It tries again while the link stays down; after a while the link shows as failed,
 * and the tries go on. Whether the other participant is still in the call is for `ALIVE` to say
 * (§11.6), not the media path.
 */

/** After a link was up, how long it may stay disconnected before the offering side restarts ICE. */
const RESTART_AFTER_MS = 2000
/** A restart not connected after this long is tried again: its offer may have been lost, or the path may have come back since. */
const RESTART_RETRY_MS = 8000
/** A link down this long after it was up shows as failed; restarts go on meanwhile. */
const GIVE_UP_MS = 30_000
/** How often a link that is down looks at its clocks. */
const TICK_MS = 1000

/** What a call link shows: `reconnecting` once it was connected and lost its path; `failed` when it never connected, or stayed down {@link GIVE_UP_MS}. */
export type LinkState = 'new' | 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed'

/** What {@link PathRecovery} needs of its link. */
export interface PathRecoveryOptions {
  /** Whether this side gives way in a glare: the polite side never restarts, it answers. */
  readonly polite: boolean
  /** The peer connection's state now. */
  readonly connectionState: () => RTCPeerConnectionState
  /** Whether an offer of the other side is being answered (a restart waits for it). */
  readonly answering: () => boolean
  /** Sends an ICE restart offer. */
  readonly restart: () => Promise<void>
  /** The link's state moved on a tick (down long enough to show as failed). */
  readonly changed: (state: LinkState) => void
  readonly log: (line: string) => void
}

/** The clocks and restarts of one link's path. */
export class PathRecovery {
  /** Whether the link was ever connected. */
  wasConnected = false
  /** Since when a link that was up has been down (performance.now()), or undefined. */
  private downSince: number | undefined
  /** When this side last offered a restart, or undefined since the link was last up. */
  private restartedAt: number | undefined
  private timer: ReturnType<typeof setInterval> | undefined
  private state: LinkState = 'new'

  constructor (private readonly options: PathRecoveryOptions) {}

  /** The link's state after a change of its peer connection's state; runs the recovery while it is down. */
  update (s: RTCPeerConnectionState): LinkState {
    const now = performance.now()
    if (s === 'connected') {
      if (this.downSince !== undefined) this.options.log(`reconnected after ${Math.round(now - this.downSince)} ms down`)
      this.wasConnected = true
      this.downSince = undefined
      this.restartedAt = undefined
      this.stop()
      this.state = 'connected'
    } else if (s === 'closed') {
      this.stop()
      this.state = 'closed'
    } else if (this.wasConnected) {
      if (this.downSince === undefined) {
        this.downSince = now
        this.options.log(`lost the path (${s})`)
      }
      this.state = now - this.downSince >= GIVE_UP_MS ? 'failed' : 'reconnecting'
      this.timer ??= setInterval(() => { this.tick() }, TICK_MS)
      // Failed outright: no need to wait out the grace of a path that may come back by itself.
      if (s === 'failed') this.tick()
    } else {
      this.state = s === 'failed' ? 'failed' : 'connecting'
    }
    return this.state
  }

  /**
   * An answer came while no offer of this side was open: it answered a restart offer this side
   * has since replaced, and the answer that was applied in its place belonged to that older offer,
   * so the credentials of the two sides no longer match. The next tick restarts again at once.
   */
  staleAnswer (): void {
    if (this.downSince !== undefined) this.restartedAt = undefined
  }

  /** Stops the clock (the link closed, or is up). */
  stop (): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  private tick (): void {
    const since = this.downSince
    if (since === undefined || this.state === 'closed') return this.stop()
    const now = performance.now()
    const state = now - since >= GIVE_UP_MS ? 'failed' : 'reconnecting'
    if (state !== this.state) {
      this.state = state
      this.options.changed(state)
    }
    if (this.options.polite) return
    const due = this.restartedAt === undefined
      ? this.options.connectionState() === 'failed' || now - since >= RESTART_AFTER_MS
      : now - this.restartedAt >= RESTART_RETRY_MS
    if (!due || this.options.answering()) return
    this.restartedAt = now
    this.options.log('ICE restart')
    void this.options.restart().catch((err: unknown) => { this.options.log(`ICE restart failed: ${String(err)}`) })
  }
}
