/**
 * STUN and TURN servers a person configures for WebRTC (RFC 7064 `stun:`/`stuns:` URIs, RFC 7065
 * `turn:`/`turns:` URIs). Kith builds none in (DESIGN.md §4): the list is empty unless the user's
 * settings or the build's `kith.config.json` name some. The settings field holds one server per
 * line: `stun:host[:port]`, or `turn:host[:port][?transport=udp|tcp] USERNAME CREDENTIAL`; the
 * form `kith serve --ice-server` takes, `turn:USERNAME:CREDENTIAL@host[:port]`, is read too.
 */

/** One ICE server with one URL, as `RTCIceServer` takes it. */
export interface IceServer {
  readonly urls: string
  readonly username?: string
  readonly credential?: string
}

/** A checked value, or why it was refused. */
export type IceCheck<T> = { readonly kind: 'ok', readonly value: T } | { readonly kind: 'invalid', readonly reason: string }

const SCHEMES = new Set(['stun', 'stuns', 'turn', 'turns'])
// RFC 3986 host: a name or IPv4 address, or an IPv6 address in brackets.
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])$/

/** Checks a STUN or TURN URL (RFC 7064 §3.1, RFC 7065 §3.1) without credentials. */
export function checkIceUrl (url: string): IceCheck<{ scheme: string, url: string }> {
  const colon = url.indexOf(':')
  const scheme = colon < 0 ? '' : url.slice(0, colon).toLowerCase()
  if (!SCHEMES.has(scheme)) return { kind: 'invalid', reason: `“${url}” is not a STUN or TURN URL: it must start with stun:, stuns:, turn: or turns:` }
  let rest = url.slice(colon + 1)
  if (rest.startsWith('//')) return { kind: 'invalid', reason: `write “${scheme}:${rest.slice(2)}”, without “//”` }
  if (rest.includes('@')) {
    return { kind: 'invalid', reason: scheme.startsWith('stun') ? `${scheme}: URLs take no username or credential` : `give the username and credential apart from the URL: ${scheme}:${rest.slice(rest.lastIndexOf('@') + 1)} USERNAME CREDENTIAL` }
  }
  const question = rest.indexOf('?')
  const query = question < 0 ? null : rest.slice(question + 1)
  if (question >= 0) rest = rest.slice(0, question)
  if (query !== null) {
    if (scheme === 'stun' || scheme === 'stuns') return { kind: 'invalid', reason: `${scheme}: URLs take no “?…” part` }
    if (query !== 'transport=udp' && query !== 'transport=tcp') return { kind: 'invalid', reason: `“?${query}” is not understood: a TURN URL may end in ?transport=udp or ?transport=tcp` }
  }
  const port = /:(\d+)$/.exec(rest)
  const host = port === null ? rest : rest.slice(0, -port[0].length)
  if (host.length === 0) return { kind: 'invalid', reason: `“${url}” names no host` }
  if (!HOST.test(host)) return { kind: 'invalid', reason: `“${host}” is not a host name or IP address` }
  if (port !== null) {
    const n = Number(port[1])
    if (n < 1 || n > 65_535) return { kind: 'invalid', reason: `port ${port[1]} is out of range (1–65535)` }
  }
  return { kind: 'ok', value: { scheme, url } }
}

/** Checks one server: TURN needs a username and credential, STUN takes none. */
export function checkIceServer (urls: string, username: string | undefined, credential: string | undefined): IceCheck<IceServer> {
  const checked = checkIceUrl(urls)
  if (checked.kind === 'invalid') return checked
  const { scheme } = checked.value
  const hasUser = username !== undefined && username !== ''
  const hasCredential = credential !== undefined && credential !== ''
  if (scheme === 'turn' || scheme === 'turns') {
    if (!hasUser || !hasCredential) return { kind: 'invalid', reason: `${scheme}: URLs need a username and credential` }
    return { kind: 'ok', value: { urls, username, credential } }
  }
  if (hasUser || hasCredential) return { kind: 'invalid', reason: `${scheme}: URLs take no username or credential` }
  return { kind: 'ok', value: { urls } }
}

/** Parses the settings field: one server per line, blank lines ignored. The first bad line is reported by number. */
export function parseIceServers (text: string): IceCheck<IceServer[]> {
  const servers: IceServer[] = []
  const lines = text.split('\n')
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim()
    if (line.length === 0) continue
    const words = line.split(/\s+/)
    if (words.length > 3) return { kind: 'invalid', reason: `Line ${i + 1}: too many words; write the URL, then the username and credential for TURN` }
    const [url = '', username, credential] = words.length === 1 ? withUserinfo(line) : words
    const checked = checkIceServer(url, username, credential)
    if (checked.kind === 'invalid') return { kind: 'invalid', reason: `Line ${i + 1}: ${checked.reason}` }
    servers.push(checked.value)
  }
  return { kind: 'ok', value: servers }
}

/** Splits `turn:USERNAME:CREDENTIAL@host…` into URL, username and credential; other URLs pass unchanged. */
function withUserinfo (word: string): [string, string | undefined, string | undefined] {
  const m = /^(turns?):([^:@/]+):(.+)@([^@]+)$/i.exec(word)
  return m === null ? [word, undefined, undefined] : [`${m[1]}:${m[4]}`, m[2], m[3]]
}

/** The settings field's text for these servers (the inverse of {@link parseIceServers}). */
export function formatIceServers (servers: readonly IceServer[]): string {
  return servers.map((s) => [s.urls, s.username, s.credential].filter((p) => p !== undefined && p !== '').join(' ')).join('\n')
}

/**
 * Reads ICE servers from JSON (`kith.config.json`, saved settings) in `RTCIceServer` form:
 * `{ "urls": "turn:…" | ["turn:…", …], "username"?: "…", "credential"?: "…" }`. Several URLs
 * become several servers with the same credentials. `where` names the value in error messages.
 */
export function iceServersFromJson (value: unknown, where: string): IceCheck<IceServer[]> {
  if (!Array.isArray(value)) return { kind: 'invalid', reason: `${where} must be a list of { "urls", "username", "credential" } objects` }
  const servers: IceServer[] = []
  for (const [i, entry] of value.entries()) {
    const at = `${where}[${i}]`
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return { kind: 'invalid', reason: `${at} must be an object like { "urls": "stun:host:3478" }` }
    const { urls, username, credential, ...rest } = entry as Record<string, unknown>
    const unknown = Object.keys(rest)
    if (unknown.length > 0) return { kind: 'invalid', reason: `${at} has an unknown key “${unknown[0]}” (expected urls, username, credential)` }
    const list = typeof urls === 'string' ? [urls] : urls
    if (!Array.isArray(list) || list.length === 0 || !list.every((u): u is string => typeof u === 'string')) return { kind: 'invalid', reason: `${at}.urls must be a URL or a list of URLs` }
    if ((username !== undefined && typeof username !== 'string') || (credential !== undefined && typeof credential !== 'string')) {
      return { kind: 'invalid', reason: `${at}: username and credential must be strings` }
    }
    for (const url of list) {
      const checked = checkIceServer(url, username, credential)
      if (checked.kind === 'invalid') return { kind: 'invalid', reason: `${at}: ${checked.reason}` }
      servers.push(checked.value)
    }
  }
  return { kind: 'ok', value: servers }
}
