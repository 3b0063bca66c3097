/**
 * Writing a peer's addresses (from a contact card, a handshake or a directory record) into the
 * libp2p peer store, the same way on both runtimes.
 */
import type { Libp2p } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'

/**
 * Stores `addrs` for `peerId`: `merge` adds them to what is known, `replace` drops what is known
 * (a newer record superseding addresses that failed). Addresses libp2p cannot parse are skipped;
 * the sources were shape-checked already. Nothing happens when none is left.
 */
export async function storePeerAddresses (libp2p: Pick<Libp2p, 'peerStore'>, peerId: string, addrs: readonly string[], how: 'merge' | 'replace'): Promise<void> {
  const multiaddrs: Multiaddr[] = []
  for (const a of addrs) {
    try { multiaddrs.push(multiaddr(a)) } catch { /* skip an address we cannot parse */ }
  }
  if (multiaddrs.length === 0) return
  const id = peerIdFromString(peerId)
  if (how === 'merge') await libp2p.peerStore.merge(id, { multiaddrs })
  else await libp2p.peerStore.patch(id, { multiaddrs })
}
