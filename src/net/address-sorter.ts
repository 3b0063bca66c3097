/**
 * The order in which a node tries a peer's addresses. libp2p tries them one at a time (each for up
 * to a few seconds), so an unreachable private address of a peer behind another NAT would use up the
 * whole dial before its relayed address is tried. Kith tries, in order:
 * 1. addresses likely reachable directly: public ones, and private ones in a /24 of its own (a LAN);
 * 2. plain relayed addresses (`/p2p-circuit`), which work behind any NAT; a relayed connection is
 *    then upgraded in the background (`direct-upgrade.ts`);
 * 3. other private addresses (perhaps routed, perhaps a VPN);
 * 4. relayed WebRTC (`/p2p-circuit/webrtc`), which may need seconds of ICE;
 * and loopback last unless the node itself is on loopback only.
 */
import { isPrivate } from '@libp2p/utils'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'

/** An address as libp2p's sorter receives it. */
export interface SortableAddress { readonly multiaddr: Multiaddr, readonly isCertified: boolean }

const IPV4 = /^\/ip4\/(\d+\.\d+\.\d+)\.\d+\//

/** The rank of one address: lower is tried first. */
export function addressRank (addr: string, ownPrefixes: ReadonlySet<string>, loopbackOnly: boolean): number {
  const webrtc = addr.includes('/p2p-circuit/webrtc')
  if (webrtc) return 4
  if (addr.includes('/p2p-circuit')) return 2
  if (/^\/(ip4\/127\.|ip6\/::1\/)/.test(addr)) return loopbackOnly ? 0 : 5
  const prefix = IPV4.exec(addr)?.[1]
  let isPrivateAddr: boolean | undefined
  try { isPrivateAddr = isPrivate(multiaddr(addr)) } catch { isPrivateAddr = undefined }
  if (isPrivateAddr === false) return 1
  if (prefix !== undefined && ownPrefixes.has(prefix)) return 1
  return 3
}

/** A libp2p `addressSorter` over Kith's ranks; `own` returns this node's current addresses. */
export function kithAddressSorter (own: () => readonly string[], loopbackOnly: boolean): (a: SortableAddress, b: SortableAddress) => -1 | 0 | 1 {
  return (a, b) => {
    const prefixes = new Set(own().map((x) => IPV4.exec(x)?.[1]).filter((p): p is string => p !== undefined))
    const ra = addressRank(a.multiaddr.toString(), prefixes, loopbackOnly)
    const rb = addressRank(b.multiaddr.toString(), prefixes, loopbackOnly)
    return Math.sign(ra - rb || Number(b.isCertified) - Number(a.isCertified)) as -1 | 0 | 1
  }
}
