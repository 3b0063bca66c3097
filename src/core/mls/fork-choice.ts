/**
 * Commit ordering without a server (DESIGN.md §4). Members may commit concurrently in one epoch;
 * every member keeps the commit with the lowest SHA-256 hash at the first epoch where two branches
 * differ, rolling back if it had applied the other. Pure: decides, never mutates.
 */
import { compareBytes, equalBytes, toHex } from '../bytes.ts'

/** The commit a member applied at `epoch`, moving the group to `epoch + 1`. */
export interface AppliedCommit {
  readonly epoch: number
  readonly commitHash: Uint8Array
  readonly parentHash: Uint8Array
}

/** What a member knows of its own branch. */
export interface ChainView {
  /** The group's current epoch. */
  readonly currentEpoch: number
  /** The epoch this member joined (or created) the group at. */
  readonly baseEpoch: number
  /** Hash of the commit that opened `baseEpoch` (empty for the creator). */
  readonly baseParent: Uint8Array
  /** The commit applied at an epoch, if still retained. */
  applied(epoch: number): AppliedCommit | undefined
  /** Hex hashes of commits known to have lost. */
  readonly losers: ReadonlySet<string>
}

/** An incoming commit, as the fork choice sees it. */
export interface IncomingCommit {
  readonly epoch: number
  readonly hash: Uint8Array
  readonly parent: Uint8Array
}

/** What to do with an incoming commit. */
export type CommitDecision =
  | { kind: 'apply' }
  | { kind: 'duplicate' }
  | { kind: 'wait', reason: string }
  | { kind: 'lose', reason: string }
  | { kind: 'switch', epoch: number }

function parentAt (view: ChainView, epoch: number): Uint8Array | undefined {
  if (epoch === view.baseEpoch) return view.baseParent
  return view.applied(epoch - 1)?.commitHash
}

/** Decides how an incoming commit relates to this member's branch. */
export function decideCommit (view: ChainView, incoming: IncomingCommit): CommitDecision {
  if (incoming.epoch > view.currentEpoch) return { kind: 'wait', reason: `commit for future epoch ${incoming.epoch}` }
  if (incoming.epoch < view.baseEpoch) return { kind: 'lose', reason: `commit for epoch ${incoming.epoch}, before this device joined` }
  const expectedParent = parentAt(view, incoming.epoch)
  if (expectedParent === undefined) return { kind: 'lose', reason: `commit for epoch ${incoming.epoch}, older than the retained history` }
  if (!equalBytes(expectedParent, incoming.parent)) {
    if (view.losers.has(toHex(incoming.parent))) return { kind: 'lose', reason: 'commit builds on a losing commit' }
    return { kind: 'wait', reason: 'commit builds on a commit not seen yet' }
  }
  if (incoming.epoch === view.currentEpoch) return { kind: 'apply' }
  const ours = view.applied(incoming.epoch)
  if (ours === undefined) return { kind: 'lose', reason: `no record of epoch ${incoming.epoch}` }
  if (equalBytes(ours.commitHash, incoming.hash)) return { kind: 'duplicate' }
  return compareBytes(incoming.hash, ours.commitHash) < 0
    ? { kind: 'switch', epoch: incoming.epoch }
    : { kind: 'lose', reason: `a concurrent commit with a lower hash won epoch ${incoming.epoch}` }
}
