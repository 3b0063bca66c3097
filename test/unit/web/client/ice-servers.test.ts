import { describe, expect, it } from 'vitest'
import { checkIceUrl, formatIceServers, iceServersFromJson, parseIceServers } from '../../../../src/web/client/ice-servers.ts'

function problem (text: string): string {
  const parsed = parseIceServers(text)
  return parsed.kind === 'invalid' ? parsed.reason : 'ok'
}

describe('the STUN/TURN settings field', () => {
  it('reads one server per line, with credentials for TURN, skipping blank lines', () => {
    expect(parseIceServers('stun:stun.example.org:3478\n\n  turns:turn.example.org:5349?transport=tcp  alice  s3cret \n')).toEqual({
      kind: 'ok',
      value: [
        { urls: 'stun:stun.example.org:3478' },
        { urls: 'turns:turn.example.org:5349?transport=tcp', username: 'alice', credential: 's3cret' }
      ]
    })
    expect(parseIceServers('  \n')).toEqual({ kind: 'ok', value: [] })
  })

  it('refuses TURN without a username and credential, naming the line', () => {
    expect(problem('stun:a.example\nturn:turn.example.org:3478')).toBe('Line 2: turn: URLs need a username and credential')
    expect(problem('turns:turn.example.org alice')).toBe('Line 1: turns: URLs need a username and credential')
  })

  it('also reads the form kith serve --ice-server takes, turn:USER:PASS@host', () => {
    expect(parseIceServers('turn:kith:p@ss:w0rd@turn.example.org:3478?transport=tcp')).toEqual({
      kind: 'ok', value: [{ urls: 'turn:turn.example.org:3478?transport=tcp', username: 'kith', credential: 'p@ss:w0rd' }]
    })
    expect(problem('stun:alice:pw@stun.example.org')).toBe('Line 1: stun: URLs take no username or credential')
  })

  it('refuses credentials on STUN, and stray words', () => {
    expect(problem('stun:stun.example.org alice secret')).toBe('Line 1: stun: URLs take no username or credential')
    expect(problem('turn:t.example alice secret extra')).toMatch(/^Line 1: too many words/)
  })

  it('round-trips through the text it shows', () => {
    const text = 'stun:[2001:db8::1]:3478\nturn:192.0.2.1?transport=udp bob pw'
    const parsed = parseIceServers(text)
    expect(parsed.kind).toBe('ok')
    if (parsed.kind === 'ok') expect(formatIceServers(parsed.value)).toBe(text)
  })
})

describe('STUN and TURN URLs (RFC 7064, RFC 7065)', () => {
  const reason = (url: string): string => { const c = checkIceUrl(url); return c.kind === 'invalid' ? c.reason : 'ok' }
  it('accepts host names, IPv4 and bracketed IPv6, with or without a port', () => {
    for (const url of ['stun:stun.example.org', 'stuns:192.0.2.1:5349', 'turn:[::1]:3478', 'TURN:Turn.Example.org:3478?transport=tcp']) expect(reason(url), url).toBe('ok')
  })
  it('says what is wrong with the rest', () => {
    expect(reason('https://turn.example.org')).toMatch(/must start with stun:, stuns:, turn: or turns:/)
    expect(reason('stun://stun.example.org')).toBe('write “stun:stun.example.org”, without “//”')
    expect(reason('stun:')).toMatch(/names no host/)
    expect(reason('stun:bad_host')).toMatch(/not a host name or IP address/)
    expect(reason('turn:t.example:70000')).toMatch(/port 70000 is out of range/)
    expect(reason('stun:s.example?transport=udp')).toMatch(/stun: URLs take no “\?…” part/)
    expect(reason('turn:t.example?transport=quic')).toMatch(/\?transport=udp or \?transport=tcp/)
  })
})

describe('ICE servers in JSON', () => {
  it('takes RTCIceServer objects and splits several URLs into several servers', () => {
    expect(iceServersFromJson([{ urls: ['turn:t.example:3478', 'turns:t.example:5349'], username: 'u', credential: 'c' }], 'x')).toEqual({
      kind: 'ok',
      value: [{ urls: 'turn:t.example:3478', username: 'u', credential: 'c' }, { urls: 'turns:t.example:5349', username: 'u', credential: 'c' }]
    })
  })
  it('names the entry at fault', () => {
    expect(iceServersFromJson({}, 'iceServers')).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/^iceServers must be a list/) })
    expect(iceServersFromJson([{ urls: 'stun:s.example' }, { url: 'stun:s.example' }], 'iceServers')).toEqual({
      kind: 'invalid', reason: 'iceServers[1] has an unknown key “url” (expected urls, username, credential)'
    })
    expect(iceServersFromJson([{ urls: 'turn:t.example' }], 'iceServers')).toEqual({ kind: 'invalid', reason: 'iceServers[0]: turn: URLs need a username and credential' })
    expect(iceServersFromJson([{ urls: 'turn:u:p@t.example' }], 'iceServers')).toEqual({
      kind: 'invalid', reason: 'iceServers[0]: give the username and credential apart from the URL: turn:t.example USERNAME CREDENTIAL'
    })
    expect(iceServersFromJson([{ urls: [] }], 'iceServers')).toMatchObject({ kind: 'invalid', reason: 'iceServers[0].urls must be a URL or a list of URLs' })
  })
})
