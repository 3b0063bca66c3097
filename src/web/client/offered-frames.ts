/**
 * Frames the messenger worker offered the page as it queued them, so that the page's delivery
 * service can send a message without first asking the worker for it (a postMessage round trip that
 * waits behind whatever the page is rendering). Each offered frame names the row id of the frame
 * offered before it for the same peer (`after`), or null for the first of the worker's session; the
 * worker offers every frame it queues, in row order. So a chain of offered frames that starts right
 * after the last frame the delivery service handled is exactly what the outbox holds next. Anything
 * else (a resend from the start after a failure, frames from before this session, a chain broken
 * by a withdrawn message) is left to the worker: {@link OfferedFrames.take} returns undefined.
 */
import type { OutboundFrame } from '../../net/protocols/deliver.ts'

/** A frame as the worker offers it. */
export interface OfferedFrame {
  readonly rowId: number
  readonly frame: Uint8Array
  readonly messageId: string | null
  /** The row id of the frame offered before it for this peer; null if none was this session. */
  readonly after: number | null
}

/** Frames kept per peer at most; older ones are forgotten, and the worker answers for them. */
const MAX_FRAMES_PER_PEER = 1024
/**
 * Frames kept in all at most: a group's offline members would otherwise pile up every message
 * here. Past it, the peers offered to least recently are forgotten whole.
 */
const MAX_FRAMES = 4096

interface PeerFrames {
  /** In row order. */
  frames: OfferedFrame[]
  /** The row id of the last frame offered for the peer. */
  last: number
}

/** The page's copy of the frames the worker offered (see the file comment). */
export class OfferedFrames {
  /** By the time frames were last offered for them, oldest first. */
  private readonly peers = new Map<string, PeerFrames>()
  private total = 0

  /** The worker queued these frames for `peerId`, in row order. */
  add (peerId: string, frames: readonly OfferedFrame[]): void {
    if (frames.length === 0) return
    const peer = this.peers.get(peerId) ?? { frames: [], last: -1 }
    this.peers.delete(peerId)
    this.peers.set(peerId, peer)
    this.total += frames.length
    peer.frames.push(...frames)
    peer.last = frames.at(-1)!.rowId
    if (peer.frames.length > MAX_FRAMES_PER_PEER) this.forget(peer, peer.frames.length - MAX_FRAMES_PER_PEER)
    for (const [id, other] of this.peers) {
      if (this.total <= MAX_FRAMES || id === peerId) break
      this.forget(other, other.frames.length)
      this.peers.delete(id)
    }
  }

  /** A message's frames left the outbox (a TYPING replaced, a resend after a rollback). */
  withdraw (messageId: string): void {
    for (const peer of this.peers.values()) {
      const kept = peer.frames.filter((f) => f.messageId !== messageId)
      this.total -= peer.frames.length - kept.length
      peer.frames = kept
    }
  }

  /** Drops the oldest `count` frames of a peer. */
  private forget (peer: PeerFrames, count: number): void {
    peer.frames.splice(0, count)
    this.total -= count
  }

  /**
   * Up to `limit` frames for `peerId` after row `after`, as the outbox would answer; undefined
   * when only the worker can say. Frames up to `after` are forgotten: the delivery service has them.
   */
  take (peerId: string, after: number, limit: number): OutboundFrame[] | undefined {
    const peer = this.peers.get(peerId)
    if (peer === undefined) return undefined
    const handled = peer.frames.findIndex((f) => f.rowId > after)
    this.forget(peer, handled < 0 ? peer.frames.length : handled)
    const first = peer.frames[0]
    if (first === undefined) return after === peer.last ? [] : undefined
    if (first.after !== after) return undefined
    const out: OutboundFrame[] = [{ rowId: first.rowId, frame: first.frame }]
    for (let i = 1; i < peer.frames.length && out.length < limit; i++) {
      const f = peer.frames[i]!
      if (f.after !== peer.frames[i - 1]!.rowId) break
      out.push({ rowId: f.rowId, frame: f.frame })
    }
    return out
  }
}
