/**
 * What the connection indicator and the per-contact link pills show, read from libp2p's open
 * connections: a connection through `/p2p-circuit` is relayed, unless it is the WebRTC connection
 * the circuit only signalled (`…/p2p-circuit/webrtc`), which is direct, like WebSockets to a Node peer.
 */
import type { Libp2p } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import type { ConnectionStatus, LinkKind } from './types.ts'

/** The node's own addresses worth giving to others: relayed ones only in their WebRTC form. */
export function usableAddrs (node: Libp2p): string[] {
  const self = `/p2p/${node.peerId.toString()}`
  return [...new Set(node.getMultiaddrs()
    .map((ma) => ma.toString())
    .filter((a) => a.includes('/p2p-circuit/webrtc'))
    .map((a) => a.endsWith(self) ? a.slice(0, -self.length) : a))]
}

/** Whether a connection with this remote address carries traffic without a relay. */
export function isDirect (remoteAddr: string): boolean {
  return !remoteAddr.includes('/p2p-circuit') || remoteAddr.includes('/webrtc')
}

/** The best current link to any of these devices. */
export function linkOf (node: Libp2p, devices: readonly string[]): LinkKind {
  let best: LinkKind = 'none'
  for (const device of devices) {
    let peer
    try { peer = peerIdFromString(device) } catch { continue }
    for (const c of node.getConnections(peer)) {
      if (c.status !== 'open') continue
      if (isDirect(c.remoteAddr.toString())) return 'direct'
      best = 'relayed'
    }
  }
  return best
}

/** Short label of a relay: host:port of its address (TCP for WebSockets, UDP for WebRTC-direct). */
function relayLabel (addr: string): string {
  const m = /^\/(ip4|ip6|dns4|dns6|dns)\/([^/]+)\/(?:tcp|udp)\/(\d+)/.exec(addr)
  return m === null ? addr.slice(0, 24) : `${m[1] === 'ip6' ? `[${m[2]}]` : m[2]}:${m[3]}`
}

/** The indicator's state. */
export function statusOf (node: Libp2p, contactDevices: readonly string[], online: boolean, lastError: string | null): ConnectionStatus {
  if (!online) return { kind: 'offline', reason: 'this device has no network' }
  const relayed = node.getMultiaddrs().map((ma) => ma.toString()).find((a) => a.includes('/p2p-circuit'))
  const direct = new Set(contactDevices.filter((d) => linkOf(node, [d]) === 'direct')).size
  if (relayed !== undefined) return { kind: 'online', relay: relayLabel(relayed), direct }
  if (node.getConnections().length > 0) return direct > 0 ? { kind: 'online', relay: null, direct } : { kind: 'connecting' }
  return lastError === null ? { kind: 'connecting' } : { kind: 'offline', reason: lastError }
}
