/**
 * Dialling a peer by id, past a race in libp2p's dial queue: there is one dial per peer, and a
 * second dial joins the one under way. When the part of the node that started that one gives it up
 * (its signal aborts: a DHT query that ended, a lookup that timed out), libp2p rejects it with an
 * `AbortError`, and a dial that joined it in that moment gets the same error though its own signal
 * is fine. A reloaded page's first greeting to its contacts failed that way every time.
 */
import type { Connection, Libp2p, PeerId } from '@libp2p/interface'

/** Times a dial is tried again after failing with another's abort, at most. */
const REJOINS = 3

/** Dials `peer`; a dial that fails with an abort that is not `signal`'s is tried again, within `signal`. */
export async function dialPeer (libp2p: Libp2p, peer: PeerId, signal: AbortSignal): Promise<Connection> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await libp2p.dial(peer, { signal })
    } catch (err) {
      if (attempt >= REJOINS || signal.aborted || !(err instanceof Error) || err.name !== 'AbortError') throw err
    }
  }
}
