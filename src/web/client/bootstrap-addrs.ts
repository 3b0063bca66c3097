/**
 * Which multiaddrs a page can dial, and in what order. A browser reaches a Node peer over
 * WebSockets (`/ws`, or TLS: `/wss`, `/tls/ws`, `/tls/sni/<host>/ws`) or WebRTC-direct
 * (`/udp/<port>/webrtc-direct/certhash/<hash>`); nothing else. A page served over https:// may not
 * open plain `/ws` connections (browsers block mixed content), so those are dropped there.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'

/** How a browser would reach a bootstrap address. */
export type BootstrapTransport = 'tls-ws' | 'ws' | 'webrtc-direct'

/** A bootstrap address the page can dial, or why it cannot. */
export type BootstrapAddrCheck =
  | { readonly kind: 'ok', readonly multiaddr: Multiaddr, readonly peerId: string, readonly transport: BootstrapTransport }
  | { readonly kind: 'unusable', readonly reason: string }

/** Bootstrap addresses of one node, best first. */
export interface BootstrapTarget {
  readonly peerId: string
  readonly addrs: readonly Multiaddr[]
}

/** Lower dials first: WebSockets connect in one round trip fewer than WebRTC-direct's ICE and DTLS. */
const PREFERENCE: Record<BootstrapTransport, number> = { 'tls-ws': 0, ws: 1, 'webrtc-direct': 2 }

/** The transport this address uses, or why a browser cannot dial it. */
function transportOf (names: readonly string[]): BootstrapTransport | string {
  const has = (name: string): boolean => names.includes(name)
  if (has('p2p-circuit')) return 'it goes through a relay; give the relay node’s own address instead'
  if (has('webrtc-direct')) {
    if (!has('udp')) return 'a /webrtc-direct address needs /udp/<port>'
    if (!has('certhash')) return 'a /webrtc-direct address needs the node’s /certhash/…'
    return 'webrtc-direct'
  }
  if (has('wss') || (has('tls') && has('ws'))) return has('tcp') ? 'tls-ws' : 'a WebSocket address needs /tcp/<port>'
  if (has('ws')) return has('tcp') ? 'ws' : 'a WebSocket address needs /tcp/<port>'
  return 'browsers reach Kith nodes only over /ws, /tls/ws (or /wss) and /webrtc-direct'
}

/**
 * Checks one bootstrap address for a page served over `pageProtocol` (`location.protocol`): it
 * must parse, name its peer (`/p2p/<peer id>`), and use a transport this page may open.
 */
export function checkBootstrapAddr (addr: string, pageProtocol: string): BootstrapAddrCheck {
  let ma: Multiaddr
  try {
    ma = multiaddr(addr.trim())
  } catch {
    return { kind: 'unusable', reason: 'it is not a multiaddr' }
  }
  const components = ma.getComponents()
  const peerId = components.findLast((c) => c.name === 'p2p')?.value
  if (peerId === undefined) return { kind: 'unusable', reason: 'it does not end in /p2p/<peer id>' }
  try {
    peerIdFromString(peerId)
  } catch {
    return { kind: 'unusable', reason: `“${peerId}” is not a peer id` }
  }
  const transport = transportOf(components.map((c) => c.name))
  if (transport !== 'tls-ws' && transport !== 'ws' && transport !== 'webrtc-direct') return { kind: 'unusable', reason: transport }
  if (transport === 'ws' && pageProtocol === 'https:') {
    return { kind: 'unusable', reason: 'a page opened over https:// cannot use plain /ws; use /tls/ws (or /wss) or /webrtc-direct' }
  }
  return { kind: 'ok', multiaddr: ma, peerId, transport }
}

/**
 * Groups the usable addresses by node, each node's addresses best first, keeping the order in which
 * nodes were first listed. Unusable addresses come back with the reason, for the log.
 */
export function bootstrapTargets (addrs: readonly string[], pageProtocol: string): { targets: BootstrapTarget[], skipped: Array<{ addr: string, reason: string }> } {
  const byPeer = new Map<string, Array<{ ma: Multiaddr, transport: BootstrapTransport }>>()
  const skipped: Array<{ addr: string, reason: string }> = []
  const seen = new Set<string>()
  for (const addr of addrs) {
    if (seen.has(addr)) continue
    seen.add(addr)
    const checked = checkBootstrapAddr(addr, pageProtocol)
    if (checked.kind === 'unusable') {
      skipped.push({ addr, reason: checked.reason })
      continue
    }
    const list = byPeer.get(checked.peerId) ?? []
    list.push({ ma: checked.multiaddr, transport: checked.transport })
    byPeer.set(checked.peerId, list)
  }
  const targets = [...byPeer].map(([peerId, list]) => ({
    peerId,
    addrs: list.sort((a, b) => PREFERENCE[a.transport] - PREFERENCE[b.transport]).map((e) => e.ma)
  }))
  return { targets, skipped }
}

/**
 * Whether the page can open this address by itself: anything a browser can dial except a plain
 * relayed address (which `connectivity.ts`'s `dialableContactAddr` admits for contacts, as the
 * fallback behind their `/p2p-circuit/webrtc` form) and, on https:// pages, plain `/ws`.
 */
export function dialableFromPage (addr: string, pageProtocol: string): boolean {
  let names: string[]
  try {
    names = multiaddr(addr).getComponents().map((c) => c.name)
  } catch {
    return false
  }
  const circuit = names.indexOf('p2p-circuit')
  if (circuit >= 0) {
    if (!names.slice(circuit).includes('webrtc')) return false
    names = names.slice(0, circuit)
  }
  const transport = transportOf(names)
  if (transport === 'ws') return pageProtocol !== 'https:'
  return transport === 'tls-ws' || transport === 'webrtc-direct'
}
