/**
 * WebRtcPathWatch on stand-ins for what it reads of libp2p and WebRTC: a node that announces a
 * connection, the connection's multiaddr connection holding an RTCPeerConnection-like object whose
 * state the test moves, and a `newStream` that answers, refuses, or never answers the probe. The
 * real path (a closed tab) is in test/e2e/browser-call-vanish.test.ts.
 */
import { UnsupportedProtocolError, type Connection, type Libp2p } from '@libp2p/interface'
import { describe, expect, it } from 'vitest'
import { WebRtcPathWatch } from '../../../src/net/webrtc-path-watch.ts'

class FakePeerConnection extends EventTarget {
  connectionState = 'connected'
  move (state: string): void {
    this.connectionState = state
    this.dispatchEvent(new Event('connectionstatechange'))
  }
}

type Answer = 'refuse' | 'never'

/** A node announcing one connection over `pc`, whose probe gets `answer`; records aborts. */
function setUp (answer: Answer, pc: FakePeerConnection | null = new FakePeerConnection(), existing = false): { pc: FakePeerConnection | null, aborted: string[], lines: string[], probes: () => number, connection: { status: string } } {
  const node = Object.assign(new EventTarget(), { getConnections: () => existing ? [connection] : [] })
  const aborted: string[] = []
  const lines: string[] = []
  let probes = 0
  const connection = {
    status: 'open',
    remotePeer: { toString: () => '12D3KooWTestPeerAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    remoteAddr: { toString: () => '/ip4/127.0.0.1/udp/1/webrtc/p2p/x' },
    maConn: pc === null ? {} : { peerConnection: pc },
    newStream: async (_protocol: string, options: { signal: AbortSignal }) => {
      probes++
      if (answer === 'refuse') throw new UnsupportedProtocolError('protocol not supported')
      await new Promise((_resolve, reject) => { options.signal.addEventListener('abort', () => { reject(options.signal.reason as Error) }) })
    },
    abort: (err: Error) => {
      aborted.push(err.message)
      connection.status = 'closed'
    }
  }
  const watch = new WebRtcPathWatch(node as unknown as Libp2p, { log: (l) => { lines.push(l) }, timeoutMs: 30 })
  watch.start()
  if (!existing) node.dispatchEvent(new CustomEvent('connection:open', { detail: connection as unknown as Connection }))
  return { pc, aborted, lines, probes: () => probes, connection }
}

/** Resolves after `ms` (the watch's probe timeout is 30 ms here). */
async function after (ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms))
}

describe('WebRtcPathWatch', () => {
  it('drops a connection whose path went quiet and which does not answer a probe', async () => {
    const { pc, aborted, lines } = setUp('never')
    pc!.move('disconnected')
    await expect.poll(() => aborted.length).toBe(1)
    expect(aborted[0]).toMatch(/WebRTC path went quiet/)
    expect(lines.join('\n')).toMatch(/dropping a dead connection to AAAAAAAA .*its WebRTC path went quiet/)
  })

  it('keeps one that answers the probe (a refusal is an answer), and probes it again while it stays quiet', async () => {
    const { pc, aborted, probes } = setUp('refuse')
    pc!.move('disconnected')
    await expect.poll(() => probes()).toBe(1)
    await expect.poll(() => probes()).toBeGreaterThanOrEqual(2)
    expect(aborted).toEqual([])
    pc!.move('connected')
    const now = probes()
    await after(100)
    expect(probes()).toBe(now)
  })

  it('watches a connection that was open before it started', async () => {
    const { pc, aborted } = setUp('never', new FakePeerConnection(), true)
    pc!.move('disconnected')
    await expect.poll(() => aborted.length).toBe(1)
  })

  it('keeps one whose path came back while the probe waited', async () => {
    const { pc, aborted, probes } = setUp('never')
    pc!.move('disconnected')
    await expect.poll(() => probes()).toBe(1)
    pc!.move('connected')
    await after(60)
    expect(aborted).toEqual([])
  })

  it('probes only on disconnected, once at a time, and never a connection libp2p closed', async () => {
    const { pc, aborted, probes, connection } = setUp('never')
    pc!.move('connecting')
    pc!.move('connected')
    expect(probes()).toBe(0)
    pc!.move('disconnected')
    pc!.move('connected')
    pc!.move('disconnected')
    expect(probes()).toBe(1)
    connection.status = 'closed'
    await after(60)
    expect(aborted).toEqual([])
  })

  it('leaves alone a connection that is not WebRTC', async () => {
    const { aborted, probes } = setUp('never', null)
    await after(60)
    expect(probes()).toBe(0)
    expect(aborted).toEqual([])
  })
})
