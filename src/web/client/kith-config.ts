/**
 * `kith.config.json`: what a build of the web app carries for pages that no Kith node serves (any
 * static HTTPS host). Read and checked at build time (`vite.config.ts`), embedded in the bundle:
 *
 * ```json
 * { "bootstrap": ["/dns4/node.example.org/tcp/443/tls/ws/p2p/12D3Koo…",
 *                 "/ip4/203.0.113.7/udp/4001/webrtc-direct/certhash/uEi…/p2p/12D3Koo…"],
 *   "iceServers": [{ "urls": "stun:stun.example.org:3478" },
 *                  { "urls": "turn:turn.example.org:3478", "username": "kith", "credential": "…" }] }
 * ```
 *
 * Both keys are optional. Bootstrap nodes are always dialled; the ICE servers are the default a
 * person can change in Settings.
 */
import { checkBootstrapAddr } from './bootstrap-addrs.ts'
import { iceServersFromJson, type IceServer } from './ice-servers.ts'

/** The checked contents of `kith.config.json`. */
export interface KithConfig {
  /** Multiaddrs (with /p2p/) of nodes every page of this build dials. */
  readonly bootstrap: readonly string[]
  /** Default STUN/TURN servers, until the person saves their own in Settings. */
  readonly iceServers: readonly IceServer[]
}

/** A `kith.config.json` that cannot be used; the message names the file and the fault. */
export class KithConfigError extends Error {
  override readonly name = 'KithConfigError'
}

/** The configuration of a build without `kith.config.json`. */
export const EMPTY_CONFIG: KithConfig = { bootstrap: [], iceServers: [] }

/**
 * Parses and checks the file's text. Throws {@link KithConfigError} naming `source` and the first
 * fault; returns warnings for addresses that only some pages can use.
 */
export function parseKithConfig (text: string, source: string): { config: KithConfig, warnings: string[] } {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new KithConfigError(`${source} is not valid JSON: ${(err as Error).message}`, { cause: err })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new KithConfigError(`${source} must hold a JSON object like { "bootstrap": [...], "iceServers": [...] }`)
  }
  const { bootstrap = [], iceServers = [], ...rest } = value as Record<string, unknown>
  const unknown = Object.keys(rest)
  if (unknown.length > 0) throw new KithConfigError(`${source}: unknown key “${unknown[0]}” (expected "bootstrap" and "iceServers")`)

  if (!Array.isArray(bootstrap)) throw new KithConfigError(`${source}: "bootstrap" must be a list of multiaddrs`)
  const warnings: string[] = []
  const addrs: string[] = []
  for (const [i, addr] of bootstrap.entries()) {
    if (typeof addr !== 'string') throw new KithConfigError(`${source}: "bootstrap"[${i}] must be a multiaddr string`)
    // Checked as an http:// page would use it: plain /ws works from localhost but not over https://.
    const checked = checkBootstrapAddr(addr, 'http:')
    if (checked.kind === 'unusable') throw new KithConfigError(`${source}: "bootstrap"[${i}] “${addr}” cannot be used: ${checked.reason}`)
    if (checked.transport === 'ws') warnings.push(`${source}: "bootstrap"[${i}] uses plain /ws, which pages served over https:// cannot open; add a /tls/ws or /webrtc-direct address for them`)
    addrs.push(addr.trim())
  }

  const servers = iceServersFromJson(iceServers, `${source}: "iceServers"`)
  if (servers.kind === 'invalid') throw new KithConfigError(servers.reason)
  return { config: { bootstrap: addrs, iceServers: servers.value }, warnings }
}
