/**
 * Says hello to known peers when a device comes online: it dials each of them once, a few at a
 * time. A peer holding frames for this device sees the connection (`peer:connect`) and sends them at
 * once, instead of when its retry backoff next fires (up to 30 s later).
 */
import type { Libp2p } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { describeError } from '../core/errors.ts'

/** How to greet. */
export interface GreetOptions {
  /** Dials under way at once. */
  readonly concurrency?: number
  /** Time allowed for each dial. */
  readonly timeoutMs?: number
  readonly log?: (line: string) => void
}

/** Dials every peer in `peerIds` not already connected; resolves with how many answered. */
export async function greetPeers (libp2p: Libp2p, peerIds: readonly string[], options: GreetOptions = {}): Promise<number> {
  const queue = [...new Set(peerIds)].filter((p) => p !== libp2p.peerId.toString())
  let reached = 0
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      let peer
      try { peer = peerIdFromString(next) } catch { continue }
      if (libp2p.getConnections(peer).some((c) => c.status === 'open')) { reached++; continue }
      try {
        await libp2p.dial(peer, { signal: AbortSignal.timeout(options.timeoutMs ?? 15_000) })
        reached++
      } catch (err) {
        options.log?.(`could not greet ${next}: ${describeError(err)}`)
      }
    }
  }
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker))
  return reached
}
