/** The page's dial order (`browserAddressSorter` in src/net/node.browser.ts): WebRTC first, the relay as the fallback. */
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { browserAddressSorter, relayRank } from '../../../../src/net/node.browser.ts'

const FRIEND = 'QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC'
const RELAY = 'QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN'
const CERTHASH = 'uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g'
const RELAY_WSS = `/ip4/198.51.100.1/tcp/443/tls/ws/p2p/${RELAY}`
const RELAY_DIRECT = `/ip4/198.51.100.1/udp/4001/webrtc-direct/certhash/${CERTHASH}/p2p/${RELAY}`
const RELAY_TCP = `/ip4/198.51.100.1/tcp/4001/p2p/${RELAY}`

function sorted (addrs: readonly string[]): string[] {
  return addrs.map((a) => ({ multiaddr: multiaddr(a), isCertified: false }))
    .sort(browserAddressSorter)
    .map((a) => a.multiaddr.toString())
}

describe('the order in which a page dials a peer', () => {
  it('ranks addresses: no relay, WebRTC signalled by a relay, through a relay', () => {
    expect(relayRank(`/ip4/198.51.100.9/tcp/443/tls/ws/p2p/${FRIEND}`)).toBe(0)
    expect(relayRank(`${RELAY_WSS}/p2p-circuit/webrtc/p2p/${FRIEND}`)).toBe(1)
    expect(relayRank(`${RELAY_WSS}/p2p-circuit/p2p/${FRIEND}`)).toBe(2)
    expect(relayRank(`${RELAY_DIRECT}/p2p-circuit/p2p/${FRIEND}`)).toBe(2)
  })

  it('tries WebRTC through the best relay address, then the plain relayed connection through it, before the rest', () => {
    const webrtc = (relay: string): string => `${relay}/p2p-circuit/webrtc/p2p/${FRIEND}`
    const plain = (relay: string): string => `${relay}/p2p-circuit/p2p/${FRIEND}`
    const all = [plain(RELAY_TCP), plain(RELAY_DIRECT), webrtc(RELAY_TCP), plain(RELAY_WSS), webrtc(RELAY_DIRECT), webrtc(RELAY_WSS)]
    expect(sorted(all)).toEqual([
      webrtc(RELAY_WSS), plain(RELAY_WSS),
      webrtc(RELAY_DIRECT), plain(RELAY_DIRECT),
      webrtc(RELAY_TCP), plain(RELAY_TCP)
    ])
  })

  it('dials a peer\'s own addresses before any relayed one', () => {
    const own = `/ip4/198.51.100.1/tcp/443/tls/ws/p2p/${FRIEND}`
    expect(sorted([`${RELAY_WSS}/p2p-circuit/webrtc/p2p/${FRIEND}`, own, `${RELAY_WSS}/p2p-circuit/p2p/${FRIEND}`])[0]).toBe(own)
  })

  it('keeps libp2p\'s own rules: public before private, loopback last, TLS WebSockets before WebRTC-direct', () => {
    const loopback = `/ip4/127.0.0.1/tcp/4002/ws/p2p/${FRIEND}`
    const lan = `/ip4/192.168.1.5/tcp/4002/ws/p2p/${FRIEND}`
    const direct = `/ip4/198.51.100.9/udp/4001/webrtc-direct/certhash/${CERTHASH}/p2p/${FRIEND}`
    const wss = `/ip4/198.51.100.9/tcp/443/tls/ws/p2p/${FRIEND}`
    expect(sorted([loopback, lan, wss])).toEqual([wss, lan, loopback])
    expect(sorted([direct, wss])).toEqual([wss, direct])
  })
})
