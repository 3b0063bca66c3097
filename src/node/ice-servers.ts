/**
 * `--ice-server` values: the STUN/TURN servers a person runs or trusts, for WebRTC. Kith builds in
 * none (DESIGN.md §4). `stun:HOST[:PORT]`, or `turn:USER:PASSWORD@HOST[:PORT]` (also `turns:`),
 * the credentials being TURN's long-term ones.
 */
import { UsageError } from '../core/errors.ts'

/** Parses one `--ice-server` value into an RTCIceServer; throws a UsageError saying what is wrong. */
export function parseIceServer (value: string): RTCIceServer {
  const m = /^(stuns?|turns?):(?:([^:@/]+):([^@/]+)@)?([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\])(?::(\d{1,5}))?(\?transport=(?:udp|tcp))?$/.exec(value)
  if (m === null) throw new UsageError(`--ice-server ${value}: expected stun:HOST[:PORT] or turn:USER:PASSWORD@HOST[:PORT]`)
  const [, scheme, user, password, host, port, query] = m
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) throw new UsageError(`--ice-server ${value}: port ${port} is out of range`)
  const urls = `${scheme!}:${host!}${port !== undefined ? `:${port}` : ''}${query ?? ''}`
  if (scheme!.startsWith('turn')) {
    if (user === undefined || password === undefined) throw new UsageError(`--ice-server ${value}: a TURN server needs USER:PASSWORD@ before the host`)
    return { urls, username: decodeURIComponent(user), credential: decodeURIComponent(password) }
  }
  if (user !== undefined) throw new UsageError(`--ice-server ${value}: a STUN server takes no credentials`)
  return { urls }
}
