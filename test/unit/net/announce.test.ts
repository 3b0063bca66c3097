import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { announcedAddrs, checkAnnounce, isLoopbackAddr } from '../../../src/net/announce.ts'

const own = [
  '/ip4/127.0.0.1/tcp/4001',
  '/ip4/10.1.2.3/tcp/4001',
  '/ip4/10.1.2.3/udp/4002/webrtc-direct/certhash/uEiAbc',
  '/ip6/::1/tcp/4001',
  '/ip4/10.9.9.9/tcp/4005/p2p/12D3KooWRelay/p2p-circuit'
].map((a) => multiaddr(a))

describe('announcedAddrs', () => {
  it('never hands out loopback addresses when the node listens beyond loopback', () => {
    const out = announcedAddrs(own, { announce: [], loopbackOnly: false }).map(String)
    expect(out.some(isLoopbackAddr)).toBe(false)
    expect(out).toContain('/ip4/10.1.2.3/tcp/4001')
    expect(out).toContain('/ip4/10.9.9.9/tcp/4005/p2p/12D3KooWRelay/p2p-circuit')
  })

  it('keeps loopback addresses for a node that has nothing else', () => {
    expect(announcedAddrs(own, { announce: [], loopbackOnly: true }).map(String)).toContain('/ip4/127.0.0.1/tcp/4001')
  })

  it('offers an announced host first, on every port and transport, certhash included', () => {
    const out = announcedAddrs(own, { announce: ['kith.example.org', '203.0.113.7'], loopbackOnly: false }).map(String)
    expect(out[0]).toBe('/dns4/kith.example.org/tcp/4001')
    expect(out).toContain('/dns4/kith.example.org/udp/4002/webrtc-direct/certhash/uEiAbc')
    expect(out).toContain('/ip4/203.0.113.7/tcp/4001')
    // relayed addresses belong to the relay's host, not ours
    expect(out.filter((a) => a.startsWith('/ip4/203.0.113.7')).some((a) => a.includes('p2p-circuit'))).toBe(false)
  })

  it('offers a full multiaddr as it is', () => {
    const out = announcedAddrs(own, { announce: ['/dns4/relay.example.org/tcp/443/tls/ws'], loopbackOnly: false }).map(String)
    expect(out[0]).toBe('/dns4/relay.example.org/tcp/443/tls/ws')
  })
})

describe('checkAnnounce', () => {
  it('accepts hosts, IP addresses and multiaddrs', () => {
    expect(checkAnnounce('kith.example.org')).toBeNull()
    expect(checkAnnounce('203.0.113.7')).toBeNull()
    expect(checkAnnounce('/ip4/203.0.113.7/tcp/4001')).toBeNull()
  })

  it('refuses loopback and garbage with a sentence naming the value', () => {
    expect(checkAnnounce('127.0.0.1')).toMatch(/127\.0\.0\.1 is a loopback address/)
    expect(checkAnnounce('not a host!')).toMatch(/not a host! is neither/)
    expect(checkAnnounce('/ip4/nonsense')).toMatch(/is not a multiaddr/)
  })
})

describe('compactAddrs', () => {
  it('keeps every direct address and one plain and one WebRTC address per relay, preferring its TCP address', async () => {
    const { compactAddrs } = await import('../../../src/net/kith-transport.ts')
    const relay = '12D3KooWRrM8zw4TRSvETgG5uojFWWvhnK7ufkxLwdsXKKvhhoHL'
    const out = compactAddrs([
      '/ip4/10.1.2.3/tcp/4001',
      `/ip4/10.9.9.9/udp/9/webrtc-direct/certhash/uEiAbc/p2p/${relay}/p2p-circuit`,
      `/ip4/10.9.9.9/tcp/8/ws/p2p/${relay}/p2p-circuit`,
      `/ip4/10.9.9.9/tcp/7/p2p/${relay}/p2p-circuit`,
      `/ip4/10.9.9.9/tcp/8/ws/p2p/${relay}/p2p-circuit/webrtc`,
      `/ip4/10.9.9.9/tcp/7/p2p/${relay}/p2p-circuit/webrtc`,
      '/ip4/10.1.2.3/tcp/4001'
    ])
    expect(out).toEqual([
      '/ip4/10.1.2.3/tcp/4001',
      `/ip4/10.9.9.9/tcp/7/p2p/${relay}/p2p-circuit`,
      `/ip4/10.9.9.9/tcp/7/p2p/${relay}/p2p-circuit/webrtc`
    ])
  })
})
