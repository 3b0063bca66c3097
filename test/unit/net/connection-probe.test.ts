import { createServer, connect, type Server, type Socket } from 'node:net'
import type { Connection, Libp2p } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { StaleConnectionSweeper } from '../../../src/net/connection-probe.ts'
import { InboundWebRtcCheck } from '../../../src/net/inbound-webrtc-check.ts'
import { LoopbackPeers } from './loopback.ts'

/** A TCP forwarder to `port` that can go silent without closing: a connection that died unseen. */
class FreezableProxy {
  private readonly sockets: Socket[] = []
  private readonly server: Server

  constructor (port: number) {
    this.server = createServer((inbound) => {
      const outbound = connect(port, '127.0.0.1')
      inbound.pipe(outbound)
      outbound.pipe(inbound)
      this.sockets.push(inbound, outbound)
    })
  }

  async listen (): Promise<number> {
    await new Promise<void>((resolve) => { this.server.listen(0, '127.0.0.1', resolve) })
    const address = this.server.address()
    if (address === null || typeof address === 'string') throw new Error('no port')
    return address.port
  }

  /** Stops forwarding in both directions; the sockets stay open. */
  freeze (): void {
    for (const s of this.sockets) {
      s.unpipe()
      s.pause()
    }
  }

  close (): void {
    for (const s of this.sockets) s.destroy()
    this.server.close()
  }
}

function tcpPort (addrs: readonly { toString: () => string }[]): number {
  const m = addrs.map((a) => /\/ip4\/127\.0\.0\.1\/tcp\/(\d+)/.exec(a.toString())).find((x) => x !== null)
  if (m == null) throw new Error('no loopback TCP address')
  return Number(m[1])
}

describe('StaleConnectionSweeper', () => {
  const peers = new LoopbackPeers()
  let proxy: FreezableProxy | undefined
  afterEach(async () => {
    proxy?.close()
    await peers.stop()
  })

  async function connectedTwice (freeze: boolean, probed: (c: Connection, alive: boolean) => void): Promise<{ first: Connection, second: Connection, lines: string[] }> {
    const [a, b] = [await peers.node(), await peers.node()]
    proxy = new FreezableProxy(tcpPort(b.getMultiaddrs()))
    const port = await proxy.listen()
    const first = await a.dial(multiaddr(`/ip4/127.0.0.1/tcp/${port}/p2p/${b.peerId.toString()}`))
    if (freeze) proxy.freeze()
    const lines: string[] = []
    new StaleConnectionSweeper(a, { log: (l) => { lines.push(l) }, probed, timeoutMs: 1_000 }).start()
    const second = await a.dial(b.getMultiaddrs(), { force: true })
    return { first, second, lines }
  }

  it('drops an older connection to the same peer that stopped answering, once a newer one opens', async () => {
    let outcome: (alive: boolean) => void = () => {}
    const probed = new Promise<boolean>((resolve) => { outcome = resolve })
    const { first, second, lines } = await connectedTwice(true, (_c, alive) => { outcome(alive) })
    expect(first).not.toBe(second)
    expect(await probed).toBe(false)
    expect(first.status).not.toBe('open')
    expect(second.status).toBe('open')
    expect(lines.join('\n')).toMatch(/dropping a dead connection to .*a newer one replaced it/)
  })

  it('keeps an older connection that still answers', async () => {
    let outcome: (c: Connection, alive: boolean) => void = () => {}
    const probed = new Promise<{ c: Connection, alive: boolean }>((resolve) => { outcome = (c, alive) => { resolve({ c, alive }) } })
    const { first, second, lines } = await connectedTwice(false, (c, alive) => { outcome(c, alive) })
    const result = await probed
    expect(result.c === first).toBe(true)
    expect(result.alive, lines.join("\n")).toBe(true)
    expect(first.status).toBe('open')
    expect(second.status).toBe('open')
    expect(lines).toEqual([])
  })
})

const FRIEND = 'QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC'
const RELAY = '/ip4/192.0.2.1/tcp/443/tls/ws/p2p/QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN'

/** An open connection to FRIEND with this remote address, limited (relayed) or not. */
function fakeConnection (addr: string, direction: 'inbound' | 'outbound', limited = false): Connection {
  return { status: 'open', remoteAddr: multiaddr(addr), direction, ...(limited ? { limits: { seconds: 3600 } } : {}) } as unknown as Connection
}

/** A node that emits connection:open for the check; `changed` resolves once the check is done with one. */
function checkedNode (): { node: Libp2p, open: (c: Partial<Connection>) => void } {
  const target = new EventTarget()
  const node = {
    addEventListener: target.addEventListener.bind(target),
    removeEventListener: target.removeEventListener.bind(target)
  } as unknown as Libp2p
  return { node, open: (c) => { target.dispatchEvent(new CustomEvent('connection:open', { detail: c })) } }
}

/** A promise and the function that resolves it. */
function signalled (): { promise: Promise<void>, resolve: () => void } {
  let resolve = (): void => {}
  const promise = new Promise<void>((r) => { resolve = r })
  return { promise, resolve }
}

describe('accepted WebRTC connections that never connected', () => {
  function accepted (newStream: Connection['newStream']): Connection & { aborted: Error | undefined } {
    const c = {
      status: 'open',
      direction: 'inbound',
      remoteAddr: multiaddr(`/webrtc/p2p/${FRIEND}`),
      remotePeer: { toString: () => FRIEND },
      aborted: undefined as Error | undefined,
      newStream,
      abort (err: Error) { this.aborted = err; this.status = 'closed' }
    }
    return c as unknown as Connection & { aborted: Error | undefined }
  }

  it('counts one once a stream crosses it', async () => {
    const { node, open } = checkedNode()
    const done = signalled()
    const check = new InboundWebRtcCheck(node, { log: () => {}, changed: () => { done.resolve() } })
    check.start()
    const c = accepted(async () => ({ close: async () => {}, abort: () => {} }) as never)
    expect(check.counts(c)).toBe(false)
    open(c)
    await done.promise
    expect(check.counts(c)).toBe(true)
    expect(c.aborted).toBeUndefined()
  })

  it('aborts one whose streams never open, and never counts it', async () => {
    const { node, open } = checkedNode()
    const done = signalled()
    const lines: string[] = []
    const check = new InboundWebRtcCheck(node, { log: (l) => lines.push(l), changed: () => { done.resolve() }, timeoutMs: 10 })
    check.start()
    const c = accepted(async (_protocol, options) => await new Promise((_resolve, reject) => {
      options?.signal?.addEventListener('abort', () => { reject(options.signal?.reason) })
    }))
    open(c)
    await done.promise
    expect(c.aborted?.message).toBe('the WebRTC connection never connected')
    expect(check.counts(c)).toBe(false)
    expect(lines.join('\n')).toMatch(/never connected/)
  })

  it('counts other connections at once', () => {
    const check = new InboundWebRtcCheck(checkedNode().node, { log: () => {}, changed: () => {} })
    expect(check.counts(fakeConnection(`${RELAY}/p2p-circuit/webrtc/p2p/${FRIEND}`, 'outbound'))).toBe(true)
    expect(check.counts(fakeConnection(`${RELAY}/p2p-circuit/p2p/${FRIEND}`, 'inbound', true))).toBe(true)
  })
})
