/**
 * The sending side of mailboxes: when a device cannot be reached, its queued frames are left in
 * its mailboxes (docs/PROTOCOL.md §5.4), so it gets them when it comes back even if this device is
 * offline by then. The frames stay queued for the device itself too: its acknowledgement, whenever
 * both are online again, is what makes them delivered; it drops the copy it already has.
 */
import type { Libp2p } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { describeError } from '../core/errors.ts'
import { MAX_TTL_SECONDS } from '../core/mailbox/limits.ts'
import type { PeerMailbox } from '../core/messenger/mailboxes.ts'
import { depositFrame, MailboxRefusedError } from './protocols/mailbox.ts'
import type { Log, OutboundFrame } from './protocols/deliver.ts'

/** What the courier reads and records: the outbox and the peers' mailboxes. */
export interface CourierPorts {
  /** Queued frames for `peerId` after `afterRowId`, oldest first. */
  next (peerId: string, afterRowId: number, limit: number): Promise<OutboundFrame[]>
  /** Mailboxes of `peerId` hold copies of these frames. */
  deposited (peerId: string, rowIds: readonly number[]): Promise<void>
  /** Where `peerId`'s mailboxes are. */
  mailboxesOf (peerId: string): Promise<PeerMailbox[]>
}

/** Frames read from the outbox at a time. */
const PAGE = 64

/** A mailbox node's addresses as one dial target. */
export function mailboxNodeAddrs (m: { node: string, addrs: readonly string[] }): Multiaddr[] {
  return m.addrs.flatMap((a) => {
    try {
      return [multiaddr(`${a}/p2p/${m.node}`)]
    } catch {
      return []
    }
  })
}

/** Leaves frames for unreachable devices in their mailboxes. */
export class MailboxCourier {
  /** Rows already in a mailbox, per peer: not deposited again until the peer is seen. */
  private readonly done = new Map<string, Set<number>>()
  private readonly busy = new Set<string>()
  private stopped = false

  constructor (
    private readonly libp2p: Libp2p,
    private readonly ports: CourierPorts,
    private readonly log: Log,
    private readonly ttlSeconds: number = MAX_TTL_SECONDS
  ) {}

  /** `peerId` could not be reached: leave what is queued for it in its mailboxes. Never throws. */
  async unreachable (peerId: string): Promise<void> {
    if (this.stopped || this.busy.has(peerId)) return
    this.busy.add(peerId)
    try {
      await this.depositQueued(peerId)
    } catch (err) {
      this.log(`could not leave frames for ${peerId} in its mailboxes: ${describeError(err)}`)
    } finally {
      this.busy.delete(peerId)
    }
  }

  /** The peer is back: what it has not acknowledged may go to its mailboxes again later. */
  seen (peerId: string): void {
    this.done.delete(peerId)
  }

  stop (): void {
    this.stopped = true
  }

  private async depositQueued (peerId: string): Promise<void> {
    const boxes = await this.ports.mailboxesOf(peerId)
    if (boxes.length === 0) return
    let done = this.done.get(peerId)
    if (done === undefined) {
      done = new Set()
      this.done.set(peerId, done)
    }
    let after = 0
    for (;;) {
      const frames = await this.ports.next(peerId, after, PAGE)
      if (frames.length === 0 || this.stopped) return
      const deposited: number[] = []
      for (const f of frames) {
        after = f.rowId
        // A TYPING or an ALIVE would be stale by the time the device fetched it: not worth a mailbox's room.
        if (f.ephemeral === true || done.has(f.rowId)) continue
        const results = await Promise.allSettled(boxes.map(async (b) => await depositFrame(this.libp2p, mailboxNodeAddrs(b), b, f.frame, this.ttlSeconds)))
        if (results.some((r) => r.status === 'fulfilled')) {
          done.add(f.rowId)
          deposited.push(f.rowId)
          continue
        }
        // No mailbox took it: it stays queued for the device, and the next failed attempt tries again.
        const reasons = results.map((r) => r.status === 'rejected' ? describeError(r.reason) : '').join('; ')
        this.log(`no mailbox of ${peerId} took frame ${f.rowId}: ${reasons}`)
        if (results.every((r) => r.status === 'rejected' && r.reason instanceof MailboxRefusedError && r.reason.status === 'over-quota')) {
          this.log(`every mailbox of ${peerId} is full; keeping its frames until it is back`)
        }
        if (deposited.length > 0) await this.ports.deposited(peerId, deposited)
        return
      }
      if (deposited.length > 0) await this.ports.deposited(peerId, deposited)
    }
  }
}
