import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { kithAddressSorter } from '../../../src/net/address-sorter.ts'

const sortFor = (own: string[], addrs: string[], loopbackOnly = false): string[] =>
  addrs.map((a) => ({ multiaddr: multiaddr(a), isCertified: false })).sort(kithAddressSorter(() => own, loopbackOnly)).map((a) => a.multiaddr.toString())

const relay = '/ip4/10.213.1.1/tcp/4001/p2p/12D3KooWRrM8zw4TRSvETgG5uojFWWvhnK7ufkxLwdsXKKvhhoHL/p2p-circuit'

describe('kithAddressSorter', () => {
  it('tries a relayed address before private addresses of another network, and relayed WebRTC last', () => {
    const order = sortFor(['/ip4/10.214.1.2/tcp/1'], [`${relay}/webrtc`, '/ip4/10.216.1.2/tcp/4001', '/ip4/10.216.1.2/udp/4002/webrtc-direct/certhash/uEiAbc', relay])
    expect(order[0]).toBe(relay)
    expect(order[order.length - 1]).toBe(`${relay}/webrtc`)
  })

  it('tries a peer on its own LAN directly before any relay', () => {
    const order = sortFor(['/ip4/192.168.7.20/tcp/1'], [relay, '/ip4/192.168.7.31/tcp/4001'])
    expect(order).toEqual(['/ip4/192.168.7.31/tcp/4001', relay])
  })

  it('tries public addresses first, and loopback last unless the node is on loopback only', () => {
    expect(sortFor([], [relay, '/ip4/127.0.0.1/tcp/4001', '/ip4/8.8.4.4/tcp/4001'])).toEqual(['/ip4/8.8.4.4/tcp/4001', relay, '/ip4/127.0.0.1/tcp/4001'])
    expect(sortFor([], [relay, '/ip4/127.0.0.1/tcp/4001'], true)[0]).toBe('/ip4/127.0.0.1/tcp/4001')
  })
})
