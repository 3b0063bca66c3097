/**
 * What the connection indicator and the per-contact link pills show, read from libp2p's open
 * connections: a connection through `/p2p-circuit` is relayed, unless it is the WebRTC connection
 * the circuit only signalled (`…/p2p-circuit/webrtc`), which is direct, like WebSockets to a Node
 * peer. Also which contact addresses the page keeps and gives out, and the retry that moves a
 * relayed link to WebRTC once that may work (after the person adds a TURN server). Unproven
 * accepted WebRTC connections are left out through `CountsAsLink` (`net/inbound-webrtc-check.ts`).
 */
import type { Libp2p } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { CountsAsLink } from '../../net/inbound-webrtc-check.ts'
import { relayRank } from '../../net/node.browser.ts'
import { dialableFromPage } from './bootstrap-addrs.ts'
import type { ConnectionStatus, LinkKind } from './types.ts'

const CIRCUIT = '/p2p-circuit'
/** How long one attempt to replace a relayed link by WebRTC may take (ICE through TURN included). */
const UPGRADE_TIMEOUT_MS = 10_000

/** Whether this address goes through a relay as a WebRTC connection the relay only signals. */
function isRelayedWebRtc (addr: string): boolean {
  return relayRank(addr) === 1
}

/**
 * The node's own addresses worth giving to others: its relayed ones (a browser has no other),
 * the WebRTC forms first (the invite keeps only the first few), then the plain relayed forms,
 * which carry chat through the relay when no WebRTC path exists.
 */
export function usableAddrs (node: Libp2p): string[] {
  const self = `/p2p/${node.peerId.toString()}`
  const relayed = [...new Set(node.getMultiaddrs()
    .map((ma) => ma.toString())
    .filter((a) => a.includes(CIRCUIT))
    .map((a) => a.endsWith(self) ? a.slice(0, -self.length) : a))]
  return [...relayed.filter(isRelayedWebRtc), ...relayed.filter((a) => !isRelayedWebRtc(a))]
}

/**
 * Whether the page can use this address of a contact: anything `dialableFromPage` takes, plus a
 * plain relayed address (`…/p2p-circuit`) through a relay the page can reach. A Kith relay lets a
 * relayed connection carry chat (`RELAY_DURATION_LIMIT_MS`, `RELAY_DATA_LIMIT_BYTES`), so it is the
 * fallback when WebRTC cannot get through (two symmetric NATs and no TURN server).
 */
export function dialableContactAddr (addr: string, pageProtocol: string): boolean {
  let canonical: string
  try {
    canonical = multiaddr(addr).toString()
  } catch {
    return false
  }
  const at = canonical.indexOf(CIRCUIT)
  if (at < 0 || isRelayedWebRtc(canonical)) return dialableFromPage(canonical, pageProtocol)
  // Plain relayed: nothing but the target's /p2p may follow, and the page must reach the relay.
  if (!/^(\/p2p\/[^/]+)?$/.test(canonical.slice(at + CIRCUIT.length))) return false
  return dialableFromPage(canonical.slice(0, at), pageProtocol)
}

/** Whether a connection with this remote address carries traffic without a relay. */
export function isDirect (remoteAddr: string): boolean {
  return !remoteAddr.includes(CIRCUIT) || isRelayedWebRtc(remoteAddr)
}

/** The best current link to any of these devices. */
export function linkOf (node: Libp2p, devices: readonly string[], counts: CountsAsLink = () => true): LinkKind {
  let best: LinkKind = 'none'
  for (const device of devices) {
    let peer
    try { peer = peerIdFromString(device) } catch { continue }
    for (const c of node.getConnections(peer)) {
      if (c.status !== 'open' || !counts(c)) continue
      // A relay's limits mark a relayed connection whatever its address says.
      if (c.limits === undefined && isDirect(c.remoteAddr.toString())) return 'direct'
      best = 'relayed'
    }
  }
  return best
}

/** Options of {@link upgradeRelayedLinks}. */
export interface UpgradeOptions {
  readonly log: (line: string) => void
  /** Which connections count as links (unproven accepted WebRTC ones do not). */
  readonly counts?: CountsAsLink
  /** Bound of one attempt; libp2p's per-address dial timeout (`node.browser.ts`) applies too. */
  readonly timeoutMs?: number
}

/**
 * Tries to replace each relayed link to these devices by WebRTC, dialling their relayed WebRTC
 * addresses: for when WebRTC may now get through where it failed before (a TURN server was added,
 * or the network changed). The relayed connection stays open; chat moves to the new one with its
 * next message (`protocols/deliver.ts`). Resolves with the devices now linked directly.
 */
export async function upgradeRelayedLinks (node: Libp2p, devices: readonly string[], options: UpgradeOptions): Promise<string[]> {
  const { log, counts = () => true, timeoutMs = UPGRADE_TIMEOUT_MS } = options
  const relayed = [...new Set(devices)].filter((d) => linkOf(node, [d], counts) === 'relayed')
  const upgraded = await Promise.all(relayed.map(async (device) => {
    const peer = peerIdFromString(device)
    const known = await node.peerStore.get(peer).catch(() => undefined)
    const suffix = `/p2p/${device}`
    const addrs = (known?.addresses ?? []).map((a) => a.multiaddr.toString()).filter(isRelayedWebRtc)
    // The relay only signals, and ICE is the same through any of its addresses: one try per relay.
    const relays = new Set<string>()
    for (const addr of addrs) {
      const relay = /\/p2p\/([^/]+)\/p2p-circuit/.exec(addr)?.[1] ?? addr
      if (relays.has(relay)) continue
      relays.add(relay)
      if (linkOf(node, [device], counts) === 'direct') return device
      try {
        const connection = await node.dial(multiaddr(addr.endsWith(suffix) ? addr : `${addr}${suffix}`), { signal: AbortSignal.timeout(timeoutMs), force: true })
        if (connection.limits === undefined) {
          log(`link to ${device.slice(-8)} moved off the relay: ${connection.remoteAddr.toString()}`)
          return device
        }
      } catch (err) {
        log(`link to ${device.slice(-8)} stays relayed: ${err instanceof Error ? err.message : String(err)}`)
      }
    }
    return undefined
  }))
  return upgraded.filter((d): d is string => d !== undefined)
}

/** Short label of a node: host:port of its address (TCP for WebSockets, UDP for WebRTC-direct). */
export function relayLabel (addr: string): string {
  const m = /^\/(ip4|ip6|dns4|dns6|dns)\/([^/]+)\/(?:tcp|udp)\/(\d+)/.exec(addr)
  return m === null ? addr.slice(0, 24) : `${m[1] === 'ip6' ? `[${m[2]}]` : m[2]}:${m[3]}`
}

/** The indicator's state. */
export function statusOf (node: Libp2p, contactDevices: readonly string[], online: boolean, lastError: string | null, counts: CountsAsLink = () => true): ConnectionStatus {
  if (!online) return { kind: 'offline', reason: 'this device has no network' }
  const relayed = node.getMultiaddrs().map((ma) => ma.toString()).find((a) => a.includes(CIRCUIT))
  const direct = new Set(contactDevices.filter((d) => linkOf(node, [d], counts) === 'direct')).size
  if (relayed !== undefined) return { kind: 'online', relay: relayLabel(relayed), direct }
  if (node.getConnections().length > 0) return direct > 0 ? { kind: 'online', relay: null, direct } : { kind: 'connecting' }
  return lastError === null ? { kind: 'connecting' } : { kind: 'offline', reason: lastError }
}
