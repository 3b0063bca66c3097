/**
 * Which of a node's addresses it gives to others. A node that listens beyond loopback never hands
 * out loopback addresses (a peer on another host would dial itself), and every host a person
 * announces (`--announce HOST`, e.g. a router's public address or a DNS name) is offered first, on
 * each port the node listens on. A full multiaddr given to `--announce` is offered as it is.
 */
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'

/** How to choose announced addresses. */
export interface AnnounceOptions {
  /** Hosts (IP addresses or DNS names) and full multiaddrs to announce. */
  readonly announce: readonly string[]
  /** Whether the node listens on loopback only; then loopback addresses are all it has. */
  readonly loopbackOnly: boolean
}

const LOOPBACK = /^\/(ip4\/127\.|ip6\/::1\/|ip6\/0:0:0:0:0:0:0:1\/)/

/** Whether a multiaddr (string form) points at this host's loopback interface. */
export function isLoopbackAddr (addr: string): boolean {
  return LOOPBACK.test(addr) || addr.startsWith('/dns4/localhost/')
}

/** The leading `/ipX/HOST` or `/dnsX/HOST` of a host or multiaddr-host given to `--announce`. */
export function hostComponent (host: string): string {
  if (host.includes(':')) return `/ip6/${host}`
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return `/ip4/${host}`
  return `/dns4/${host}`
}

/** Checks one `--announce` value; returns an error sentence, or null when it is usable. */
export function checkAnnounce (value: string): string | null {
  if (value.startsWith('/')) {
    try { multiaddr(value); return null } catch (err) { return `--announce ${value} is not a multiaddr: ${(err as Error).message}` }
  }
  if (!/^[A-Za-z0-9.:-]+$/.test(value) || value.length > 253) return `--announce ${value} is neither a host name, an IP address nor a multiaddr`
  if (/^(127\.|localhost$|::1$)/.test(value)) return `--announce ${value} is a loopback address; peers on other hosts cannot reach it`
  return null
}

/** The addresses to hand out, given those libp2p's transports report. */
export function announcedAddrs (addrs: readonly Multiaddr[], options: AnnounceOptions): Multiaddr[] {
  const own = addrs.map((ma) => ma.toString())
  const kept = options.loopbackOnly ? own : own.filter((a) => !isLoopbackAddr(a))
  const extra: string[] = []
  for (const value of options.announce) {
    if (value.startsWith('/')) {
      extra.push(value)
      continue
    }
    const host = hostComponent(value)
    for (const a of own) {
      if (a.includes('/p2p-circuit')) continue
      const m = /^\/(ip4|ip6|dns4|dns6|dns)\/[^/]+(\/.*)$/.exec(a)
      if (m?.[2] !== undefined) extra.push(host + m[2])
    }
  }
  const out: Multiaddr[] = []
  for (const a of new Set([...extra, ...kept])) {
    try { out.push(multiaddr(a)) } catch { /* checked at start-up; an unparsable one is dropped */ }
  }
  return out
}
