/**
 * Frames queued for peers, kept in memory so the delivery service need not read the store for a
 * frame that was written a moment ago. Memory speaks for a peer only after a read of the store
 * reached the end of that peer's queue; from then on every frame queued for the peer is added
 * here, and a read that starts before what memory covers goes to the store again.
 */

/** A queued frame, as the store holds it. */
export interface QueuedFrame {
  readonly rowId: number
  readonly frame: Uint8Array
  readonly messageId: string | null
  readonly groupId: string
}

/** Frames memory keeps for one peer at most; past it, the peer's frames are read from the store. */
const MAX_FRAMES_PER_PEER = 4096

interface PeerQueue {
  /** The store holds no frame for the peer with a row id above this that is not in `frames`. */
  through: number
  /** In row id order. */
  frames: QueuedFrame[]
}

/** The in-memory side of the outbox (see the file comment). */
export class OutboxMemory {
  private readonly peers = new Map<string, PeerQueue>()
  /** Counts frames added, so a store read that overlapped an add is not trusted to be complete. */
  private added = 0

  /** A token to pass to {@link readFromStore} for a store read about to start. */
  beginRead (): number {
    return this.added
  }

  /**
   * A store read of up to `limit` frames after `after` returned `frames`. If it did not fill its
   * limit, and nothing was queued while it ran, memory now speaks for the peer.
   */
  readFromStore (peerId: string, after: number, limit: number, frames: readonly QueuedFrame[], token: number): void {
    if (frames.length < limit && token === this.added) {
      this.peers.set(peerId, { through: Math.max(after, frames.at(-1)?.rowId ?? after), frames: [] })
    } else {
      this.peers.delete(peerId)
    }
  }

  /** Up to `limit` frames after `after`, or undefined when only the store can say. */
  next (peerId: string, after: number, limit: number): QueuedFrame[] | undefined {
    const queue = this.peers.get(peerId)
    if (queue === undefined || after < queue.through) return undefined
    const out: QueuedFrame[] = []
    for (const f of queue.frames) {
      if (f.rowId <= after) continue
      out.push(f)
      if (out.length >= limit) break
    }
    return out
  }

  /** A frame was durably queued for a peer. */
  add (peerId: string, frame: QueuedFrame): void {
    this.added++
    const queue = this.peers.get(peerId)
    if (queue === undefined) return
    if (queue.frames.length >= MAX_FRAMES_PER_PEER) {
      this.peers.delete(peerId)
      return
    }
    queue.frames.push(frame)
  }

  /** A peer's frames were settled (deleted from the store). */
  settled (peerId: string, rowIds: ReadonlySet<number>): void {
    const queue = this.peers.get(peerId)
    if (queue !== undefined) queue.frames = queue.frames.filter((f) => !rowIds.has(f.rowId))
  }

  /** Every frame of a message was deleted from the store. */
  dropMessage (messageId: string): void {
    for (const queue of this.peers.values()) queue.frames = queue.frames.filter((f) => f.messageId !== messageId)
  }
}
