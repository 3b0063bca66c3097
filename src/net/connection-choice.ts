/**
 * Which connection a stream to a peer goes on, when some connections do not count as links
 * (`inbound-webrtc-check.ts`): a direct one that counts, else a dial, else the relayed one.
 */
import type { Connection, Libp2p, PeerId } from '@libp2p/interface'
import type { CountsAsLink } from './inbound-webrtc-check.ts'

/** An open direct (unlimited) connection to `peer` that counts, if there is one. */
export function directConnection (libp2p: Libp2p, peer: PeerId, counts: CountsAsLink): Connection | undefined {
  return libp2p.getConnections(peer).find((c) => c.status === 'open' && c.limits === undefined && counts(c))
}

/**
 * The connection to open a stream to `peer` on: a direct one that counts; else what `dial` gives
 * (it may find a direct path, or join an upgrade under way); else, when that dial fails or gives a
 * connection that does not count (an unproven accepted WebRTC one), the relayed connection already
 * open, so a stream is never put on a connection that may never have connected while a working
 * relay is there. `relayedInstead` hears why the relay was used.
 */
export async function connectionFor (
  libp2p: Libp2p,
  peer: PeerId,
  counts: CountsAsLink,
  dial: () => Promise<Connection>,
  relayedInstead?: (err: unknown) => void
): Promise<Connection> {
  const direct = directConnection(libp2p, peer, counts)
  if (direct !== undefined) return direct
  const relayed = (): Connection | undefined => libp2p.getConnections(peer).find((c) => c.status === 'open' && c.limits !== undefined && counts(c))
  let dialled: Connection
  try {
    dialled = await dial()
  } catch (err) {
    const fallback = relayed()
    if (fallback === undefined) throw err
    relayedInstead?.(err)
    return fallback
  }
  return counts(dialled) ? dialled : relayed() ?? dialled
}
