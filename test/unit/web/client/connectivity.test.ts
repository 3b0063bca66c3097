import type { Libp2p } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import {
  dialableContactAddr, isDirect, linkOf, statusOf, upgradeRelayedLinks, usableAddrs
} from '../../../../src/web/client/connectivity.ts'

const ME = '12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp'
const FRIEND = 'QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC'
const RELAY = 'QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN'
const OTHER_RELAY = 'QmQCU2EcMqAqQPR2i9bChDtGNJchTbq5TbXJJ16u19uLTa'
const CERTHASH = 'uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g'
const RELAY_WSS = `/ip4/192.0.2.1/tcp/443/tls/ws/p2p/${RELAY}`
const RELAY_WS = `/ip4/192.0.2.1/tcp/4002/ws/p2p/${RELAY}`
const RELAY_TCP = `/ip4/192.0.2.1/tcp/4001/p2p/${RELAY}`
const RELAY_DIRECT = `/ip4/192.0.2.1/udp/4001/webrtc-direct/certhash/${CERTHASH}/p2p/${RELAY}`

interface FakeConnection { status: string, limits?: object, remoteAddr: { toString (): string }, direction: 'inbound' | 'outbound' }

function connection (addr: string, options: { limited?: boolean, direction?: 'inbound' | 'outbound' } = {}): FakeConnection {
  return { status: 'open', remoteAddr: multiaddr(addr), direction: options.direction ?? 'outbound', ...(options.limited === true ? { limits: { seconds: 3600 } } : {}) }
}

/** A node whose only connections are `connections`, all to FRIEND, and whose own addresses are `own`. */
function fakeNode (connections: FakeConnection[], own: string[] = []): Libp2p {
  return {
    peerId: { toString: () => ME },
    getMultiaddrs: () => own.map((a) => multiaddr(a)),
    getConnections: (peer?: { toString (): string }) => (peer === undefined || peer.toString() === FRIEND ? connections : [])
  } as unknown as Libp2p
}

describe('which links are direct', () => {
  it('counts a WebRTC connection the relay only signalled as direct, and a plain relayed one as relayed', () => {
    expect(isDirect(`${RELAY_WSS}/p2p-circuit/p2p/${FRIEND}`)).toBe(false)
    expect(isDirect(`${RELAY_WSS}/p2p-circuit/webrtc/p2p/${FRIEND}`)).toBe(true)
    expect(isDirect(`/webrtc/p2p/${FRIEND}`)).toBe(true)
    expect(isDirect(`/ip4/192.0.2.9/tcp/443/tls/ws/p2p/${FRIEND}`)).toBe(true)
  })

  it('does not take a relay reached over WebRTC-direct for a WebRTC connection', () => {
    expect(isDirect(`${RELAY_DIRECT}/p2p-circuit/p2p/${FRIEND}`)).toBe(false)
  })

  it('says relayed for a contact reached only through a relay, and direct once a direct connection opens', () => {
    const relayed = connection(`${RELAY_WSS}/p2p-circuit/p2p/${FRIEND}`, { limited: true })
    expect(linkOf(fakeNode([relayed]), [FRIEND])).toBe('relayed')
    expect(linkOf(fakeNode([relayed, connection(`${RELAY_WSS}/p2p-circuit/webrtc/p2p/${FRIEND}`)]), [FRIEND])).toBe('direct')
    expect(linkOf(fakeNode([]), [FRIEND])).toBe('none')
  })

  it('trusts the relay\'s limits over the address', () => {
    expect(linkOf(fakeNode([connection(`/webrtc/p2p/${FRIEND}`, { limited: true })]), [FRIEND])).toBe('relayed')
  })

  it('leaves out connections the check does not count yet', () => {
    const accepted = connection(`/webrtc/p2p/${FRIEND}`, { direction: 'inbound' })
    expect(linkOf(fakeNode([accepted]), [FRIEND], () => false)).toBe('none')
  })

  it('shows the relay, and no direct peer, in the indicator for a relayed contact', () => {
    const node = fakeNode([connection(`${RELAY_WSS}/p2p-circuit/p2p/${FRIEND}`, { limited: true })], [`${RELAY_WSS}/p2p-circuit/p2p/${ME}`])
    expect(statusOf(node, [FRIEND], true, null)).toEqual({ kind: 'online', relay: '192.0.2.1:443', direct: 0 })
  })
})

describe('contact addresses', () => {
  it('keeps plain relayed addresses through a relay the page can reach', () => {
    expect(dialableContactAddr(`${RELAY_WSS}/p2p-circuit/p2p/${FRIEND}`, 'https:')).toBe(true)
    expect(dialableContactAddr(`${RELAY_WSS}/p2p-circuit`, 'https:')).toBe(true)
    expect(dialableContactAddr(`${RELAY_DIRECT}/p2p-circuit`, 'https:')).toBe(true)
    expect(dialableContactAddr(`${RELAY_WS}/p2p-circuit`, 'http:')).toBe(true)
  })

  it('drops relayed addresses through a relay the page cannot reach', () => {
    expect(dialableContactAddr(`${RELAY_WS}/p2p-circuit`, 'https:')).toBe(false)
    expect(dialableContactAddr(`${RELAY_TCP}/p2p-circuit/p2p/${FRIEND}`, 'https:')).toBe(false)
  })

  it('keeps relayed WebRTC and direct addresses as before, and drops what is not a multiaddr', () => {
    expect(dialableContactAddr(`${RELAY_WSS}/p2p-circuit/webrtc/p2p/${FRIEND}`, 'https:')).toBe(true)
    expect(dialableContactAddr(`/ip4/192.0.2.9/tcp/443/tls/ws/p2p/${FRIEND}`, 'https:')).toBe(true)
    expect(dialableContactAddr(`/ip4/192.0.2.9/tcp/4001/p2p/${FRIEND}`, 'https:')).toBe(false)
    expect(dialableContactAddr('junk', 'https:')).toBe(false)
  })

  it('gives out relayed WebRTC addresses first, then plain relayed ones, without its own peer id', () => {
    const node = fakeNode([], [
      `${RELAY_WSS}/p2p-circuit/p2p/${ME}`,
      `${RELAY_WSS}/p2p-circuit/webrtc/p2p/${ME}`,
      `${RELAY_DIRECT}/p2p-circuit/p2p/${ME}`,
      `${RELAY_DIRECT}/p2p-circuit/webrtc/p2p/${ME}`,
      `/ip4/10.0.0.2/udp/9/webrtc-direct/certhash/${CERTHASH}/p2p/${ME}`
    ])
    expect(usableAddrs(node)).toEqual([
      `${RELAY_WSS}/p2p-circuit/webrtc`,
      `${RELAY_DIRECT}/p2p-circuit/webrtc`,
      `${RELAY_WSS}/p2p-circuit`,
      `${RELAY_DIRECT}/p2p-circuit`
    ])
  })
})

describe('moving a relayed link to WebRTC', () => {
  it('tries WebRTC once through each relay, and stops at the first that connects', async () => {
    const relayed = connection(`${RELAY_WSS}/p2p-circuit/p2p/${FRIEND}`, { limited: true })
    const connections: FakeConnection[] = [relayed]
    const dialled: string[] = []
    const node = {
      getConnections: () => connections,
      peerStore: {
        get: async () => ({
          addresses: [
            `${RELAY_WSS}/p2p-circuit`, `${RELAY_WSS}/p2p-circuit/webrtc`, `${RELAY_DIRECT}/p2p-circuit/webrtc`,
            `/ip4/192.0.2.7/tcp/443/tls/ws/p2p/${OTHER_RELAY}/p2p-circuit/webrtc`
          ].map((a) => ({ multiaddr: multiaddr(a) }))
        })
      },
      dial: async (ma: { toString (): string }) => {
        dialled.push(ma.toString())
        if (!ma.toString().includes(OTHER_RELAY)) throw new Error('ICE failed')
        const direct = connection(ma.toString())
        connections.push(direct)
        return direct
      }
    } as unknown as Libp2p
    const lines: string[] = []
    expect(await upgradeRelayedLinks(node, [FRIEND], { log: (l) => lines.push(l) })).toEqual([FRIEND])
    expect(dialled).toEqual([
      `${RELAY_WSS}/p2p-circuit/webrtc/p2p/${FRIEND}`,
      `/ip4/192.0.2.7/tcp/443/tls/ws/p2p/${OTHER_RELAY}/p2p-circuit/webrtc/p2p/${FRIEND}`
    ])
    expect(lines[0]).toMatch(/stays relayed: ICE failed/)
  })

  it('does not take an accepted WebRTC connection the check has not counted for a direct link', async () => {
    const connections = [
      connection(`${RELAY_WSS}/p2p-circuit/p2p/${FRIEND}`, { limited: true }),
      connection(`/webrtc/p2p/${FRIEND}`, { direction: 'inbound' })
    ]
    const dialled: string[] = []
    const node = {
      getConnections: () => connections,
      peerStore: { get: async () => ({ addresses: [{ multiaddr: multiaddr(`${RELAY_WSS}/p2p-circuit/webrtc`) }] }) },
      dial: async (ma: { toString (): string }) => {
        dialled.push(ma.toString())
        return connection(ma.toString())
      }
    } as unknown as Libp2p
    expect(await upgradeRelayedLinks(node, [FRIEND], { log: () => {}, counts: (c) => c.direction === 'outbound' })).toEqual([FRIEND])
    expect(dialled).toHaveLength(1)
  })

  it('leaves contacts alone that are direct already or not connected', async () => {
    const node = fakeNode([connection(`/webrtc/p2p/${FRIEND}`)])
    expect(await upgradeRelayedLinks(node, [FRIEND], { log: () => {} })).toEqual([])
    expect(await upgradeRelayedLinks(fakeNode([]), [FRIEND], { log: () => {} })).toEqual([])
  })
})
