import { describe, expect, it } from 'vitest'
import { bootstrapTargets, checkBootstrapAddr, dialableFromPage } from '../../../../src/web/client/bootstrap-addrs.ts'

const PEER = '12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp'
const OTHER = 'QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC'
const WS = `/ip4/192.0.2.1/tcp/4002/ws/p2p/${PEER}`
const TLS_WS = `/dns4/node.example.org/tcp/443/tls/ws/p2p/${PEER}`
const WSS = `/dns4/node.example.org/tcp/443/wss/p2p/${PEER}`
const SNI = `/ip4/192.0.2.1/tcp/443/tls/sni/node.example.org/ws/p2p/${PEER}`
const DIRECT = `/ip4/192.0.2.1/udp/4001/webrtc-direct/certhash/uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g/p2p/${PEER}`

function reason (addr: string, protocol = 'http:'): string {
  const checked = checkBootstrapAddr(addr, protocol)
  return checked.kind === 'unusable' ? checked.reason : 'ok'
}

describe('bootstrap addresses a page can dial', () => {
  it('takes WebSockets, TLS WebSockets in every spelling, and WebRTC-direct with a certhash', () => {
    for (const addr of [WS, TLS_WS, WSS, SNI, DIRECT]) expect(reason(addr), addr).toBe('ok')
    expect(checkBootstrapAddr(DIRECT, 'https:')).toMatchObject({ kind: 'ok', peerId: PEER, transport: 'webrtc-direct' })
    expect(checkBootstrapAddr(TLS_WS, 'https:')).toMatchObject({ kind: 'ok', transport: 'tls-ws' })
  })

  it('refuses plain /ws on an https:// page (mixed content), and says what to use instead', () => {
    expect(reason(WS, 'https:')).toMatch(/cannot use plain \/ws; use \/tls\/ws \(or \/wss\) or \/webrtc-direct/)
  })

  it('says why an address cannot be used', () => {
    expect(reason('not a multiaddr')).toBe('it is not a multiaddr')
    expect(reason('/ip4/192.0.2.1/tcp/4002/ws')).toBe('it does not end in /p2p/<peer id>')
    expect(reason(`/ip4/192.0.2.1/tcp/4001/p2p/${PEER}`)).toMatch(/only over \/ws, \/tls\/ws \(or \/wss\) and \/webrtc-direct/)
    expect(reason(`/ip4/192.0.2.1/udp/4001/webrtc-direct/p2p/${PEER}`)).toMatch(/needs the node’s \/certhash/)
    expect(reason(`${WS}/p2p-circuit/p2p/${OTHER}`)).toMatch(/goes through a relay/)
  })

  it('groups addresses by node, best transport first, nodes in the order given', () => {
    const { targets, skipped } = bootstrapTargets([WS, `/ip4/192.0.2.9/tcp/9/ws/p2p/${OTHER}`, DIRECT, TLS_WS, WS, 'junk'], 'http:')
    expect(targets.map((t) => t.peerId)).toEqual([PEER, OTHER])
    expect(targets[0]!.addrs.map((a) => a.toString())).toEqual([TLS_WS, WS, DIRECT])
    expect(skipped).toEqual([{ addr: 'junk', reason: 'it is not a multiaddr' }])
  })

  it('on an https:// page leaves a node reachable only by plain /ws out', () => {
    const { targets, skipped } = bootstrapTargets([WS, `/ip4/192.0.2.9/tcp/9/ws/p2p/${OTHER}`, DIRECT], 'https:')
    expect(targets).toHaveLength(1)
    expect(targets[0]!.addrs.map((a) => a.toString())).toEqual([DIRECT])
    expect(skipped.map((s) => s.addr)).toEqual([WS, `/ip4/192.0.2.9/tcp/9/ws/p2p/${OTHER}`])
  })
})

describe('contact addresses worth storing', () => {
  const relayedWebRtc = `/ip4/192.0.2.1/tcp/4002/ws/p2p/${PEER}/p2p-circuit/webrtc`
  it('keeps direct transports and the WebRTC form of relayed addresses, drops plain circuits', () => {
    expect(dialableFromPage(relayedWebRtc, 'http:')).toBe(true)
    expect(dialableFromPage(`/ip4/192.0.2.1/tcp/4002/ws/p2p/${PEER}/p2p-circuit`, 'http:')).toBe(false)
    expect(dialableFromPage(DIRECT, 'https:')).toBe(true)
    expect(dialableFromPage('/ip4/192.0.2.1/tcp/4001', 'http:')).toBe(false)
    expect(dialableFromPage('garbage', 'http:')).toBe(false)
  })
  it('drops plain /ws, relayed through or not, on an https:// page', () => {
    expect(dialableFromPage(relayedWebRtc, 'https:')).toBe(false)
    expect(dialableFromPage(WS, 'https:')).toBe(false)
    expect(dialableFromPage(`/dns4/node.example.org/tcp/443/tls/ws/p2p/${PEER}/p2p-circuit/webrtc`, 'https:')).toBe(true)
  })
})
