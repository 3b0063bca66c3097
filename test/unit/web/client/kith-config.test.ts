import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { kithConfigPath, readKithConfig } from '../../../../src/web/build/kith-config-plugin.ts'
import { EMPTY_CONFIG, KithConfigError, parseKithConfig } from '../../../../src/web/client/kith-config.ts'

const PEER = '12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp'
const TLS_WS = `/dns4/node.example.org/tcp/443/tls/ws/p2p/${PEER}`
const DIRECT = `/ip4/203.0.113.7/udp/4001/webrtc-direct/certhash/uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g/p2p/${PEER}`

function failure (text: string): string {
  try {
    parseKithConfig(text, 'kith.config.json')
  } catch (err) {
    expect(err).toBeInstanceOf(KithConfigError)
    return (err as Error).message
  }
  throw new Error('the configuration was accepted')
}

describe('kith.config.json', () => {
  it('reads bootstrap addresses and ICE servers', () => {
    const { config, warnings } = parseKithConfig(JSON.stringify({
      bootstrap: [TLS_WS, DIRECT],
      iceServers: [{ urls: 'stun:stun.example.org:3478' }, { urls: 'turn:turn.example.org:3478', username: 'kith', credential: 'pw' }]
    }), 'kith.config.json')
    expect(config).toEqual({
      bootstrap: [TLS_WS, DIRECT],
      iceServers: [{ urls: 'stun:stun.example.org:3478' }, { urls: 'turn:turn.example.org:3478', username: 'kith', credential: 'pw' }]
    })
    expect(warnings).toEqual([])
  })

  it('has both keys optional', () => {
    expect(parseKithConfig('{}', 'kith.config.json').config).toEqual(EMPTY_CONFIG)
  })

  it('warns that plain /ws works only for pages that are not on https://', () => {
    const { warnings } = parseKithConfig(JSON.stringify({ bootstrap: [`/ip4/192.0.2.1/tcp/4002/ws/p2p/${PEER}`] }), 'kith.config.json')
    expect(warnings).toEqual([expect.stringMatching(/"bootstrap"\[0\] uses plain \/ws, which pages served over https:\/\/ cannot open/)])
  })

  it('names the fault of a malformed file', () => {
    expect(failure('{ "bootstrap": [')).toMatch(/^kith.config.json is not valid JSON: /)
    expect(failure('[]')).toMatch(/must hold a JSON object/)
    expect(failure('{ "bootstraps": [] }')).toBe('kith.config.json: unknown key “bootstraps” (expected "bootstrap" and "iceServers")')
    expect(failure('{ "bootstrap": "/dns4/x" }')).toBe('kith.config.json: "bootstrap" must be a list of multiaddrs')
    expect(failure(JSON.stringify({ bootstrap: ['/dns4/node.example.org/tcp/443/tls/ws'] })))
      .toBe('kith.config.json: "bootstrap"[0] “/dns4/node.example.org/tcp/443/tls/ws” cannot be used: it does not end in /p2p/<peer id>')
    expect(failure(JSON.stringify({ iceServers: [{ urls: 'turn:turn.example.org' }] })))
      .toBe('kith.config.json: "iceServers"[0]: turn: URLs need a username and credential')
  })
})

describe('where the build finds kith.config.json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kith-config-'))
  afterAll(() => { rmSync(dir, { recursive: true, force: true }) })

  it('uses KITH_CONFIG when set, else the optional file at the project root', () => {
    expect(kithConfigPath('/repo', {})).toEqual({ path: '/repo/kith.config.json', required: false })
    expect(kithConfigPath('/repo', { KITH_CONFIG: 'deploy/kith.json' })).toEqual({ path: '/repo/deploy/kith.json', required: true })
  })

  it('builds without a file, but not without the one KITH_CONFIG names', () => {
    expect(readKithConfig(join(dir, 'none.json'), false)).toEqual({ config: EMPTY_CONFIG, warnings: [] })
    expect(() => readKithConfig(join(dir, 'none.json'), true, 'none.json')).toThrow('none.json does not exist (KITH_CONFIG names it)')
    writeFileSync(join(dir, 'kith.config.json'), JSON.stringify({ bootstrap: [DIRECT] }))
    expect(readKithConfig(join(dir, 'kith.config.json'), true).config.bootstrap).toEqual([DIRECT])
  })
})
