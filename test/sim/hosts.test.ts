/**
 * The simulated-host harness itself, with real processes in real namespaces: public hosts reach
 * each other, NAT routers masquerade and drop unsolicited traffic, loss drops packets both ways,
 * Chromium and coturn run inside hosts, and destroy() leaves nothing behind.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest'
import { SimNet, simulationSupport, waitForOutput, type Host, type Nat } from './hosts.ts'
import { countUdp, dialTcp, echoUdp, probeStun, sendUdpBurst, serveHttp, serveTcp, type Dial } from './probes.ts'

const support = simulationSupport()

/** Skips the test, saying why, when this machine cannot simulate hosts. */
function requireSimulation (ctx: TestContext): void {
  if (!support.ok) ctx.skip(`network simulation unavailable: ${support.reason}`)
}

function namespacesNow (): string[] {
  return spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n !== '')
}

/** Starts a probe server on `host` and waits for its `listening` line. */
async function startServer (host: Host, serve: (arg: { ip: string, port: number }) => Promise<void>, port: number): Promise<void> {
  await waitForOutput(host.spawnNode(serve, { ip: host.ip, port }), /listening/)
}

async function dial (from: Host, ip: string, port: number, timeoutMs = 5_000): Promise<Dial> {
  return await from.runNode(dialTcp, { ip, port, timeoutMs })
}

describe('simulated hosts', () => {
  let net: SimNet
  let pubA: Host, pubB: Host, lossy: Host, turnHost: Host
  let natX: Nat, natY: Nat
  let x1: Host, x2: Host, y1: Host, lanLossy: Host

  beforeAll(async () => {
    if (!support.ok) return
    net = await SimNet.create()
    ;[natX, natY] = await Promise.all([net.addNat('natx'), net.addNat('naty')])
    ;[pubA, pubB, lossy, turnHost, x1, x2, y1, lanLossy] = await Promise.all([
      net.addHost('a'), net.addHost('b'), net.addHost('lossy'), net.addHost('turn'),
      net.addHost('x1', { nat: natX }), net.addHost('x2', { nat: natX }), net.addHost('y1', { nat: natY }),
      net.addHost('y2', { nat: natY })
    ])
  })

  afterAll(async () => {
    await net?.destroy()
  })

  it('two public hosts reach each other by TCP', async (ctx) => {
    requireSimulation(ctx)
    await startServer(pubB, serveTcp, 7001)
    const result = await dial(pubA, pubB.ip, 7001)
    expect(result).toEqual({ outcome: 'connected', reply: JSON.stringify({ from: pubA.ip }) })
  })

  it('a host behind a NAT reaches a public host, which sees the NAT\'s public address', async (ctx) => {
    requireSimulation(ctx)
    await startServer(pubB, serveTcp, 7002)
    const result = await dial(x1, pubB.ip, 7002)
    expect(result).toEqual({ outcome: 'connected', reply: JSON.stringify({ from: natX.publicIp }) })
    expect(natX.publicIp).not.toBe(x1.ip)
  })

  it('nothing outside a NAT can open a connection to a host behind it', async (ctx) => {
    requireSimulation(ctx)
    await startServer(x1, serveTcp, 7003)
    // The server is up: a neighbour on the same LAN gets in.
    expect(await dial(x2, x1.ip, 7003)).toEqual({ outcome: 'connected', reply: JSON.stringify({ from: x2.ip }) })
    // The NAT's public address answers nothing: the SYN is dropped, not refused.
    expect(await dial(pubA, natX.publicIp, 7003, 1_500)).toEqual({ outcome: 'timeout' })
    // Even a host that routes the LAN through the NAT is filtered out.
    await pubB.exec('ip', ['route', 'add', natX.subnet, 'via', natX.publicIp])
    expect(await dial(pubB, x1.ip, 7003, 1_500)).toEqual({ outcome: 'timeout' })
    // A host behind another NAT cannot reach the private address either.
    expect((await dial(y1, x1.ip, 7003, 1_500)).outcome).not.toBe('connected')
  })

  it('loss drops a plausible share of UDP datagrams in both directions, silently for the sender', async (ctx) => {
    requireSimulation(ctx)
    await Promise.all([startServer(lossy, countUdp, 9001), startServer(pubA, countUdp, 9001)])
    await net.loss(lossy, 0.5)
    await net.loss(lanLossy, 0.5)
    const inbound = await pubA.runNode(sendUdpBurst, { ip: lossy.ip, port: 9001, count: 200 }, { timeoutMs: 30_000 })
    const outbound = await lossy.runNode(sendUdpBurst, { ip: pubA.ip, port: 9001, count: 200 }, { timeoutMs: 30_000 })
    const fromLan = await lanLossy.runNode(sendUdpBurst, { ip: pubA.ip, port: 9001, count: 200 }, { timeoutMs: 30_000 })
    // The counter on pubA keeps counting, so each later burst's arrivals are the increase.
    const outboundArrived = outbound.received
    const lanArrived = fromLan.received - outbound.received
    for (const arrived of [inbound.received, outboundArrived, lanArrived]) {
      expect(arrived).toBeGreaterThanOrEqual(40)
      expect(arrived).toBeLessThanOrEqual(160)
    }
    expect([inbound.sendErrors, outbound.sendErrors, fromLan.sendErrors]).toEqual([0, 0, 0])

    await net.loss(lossy, 0)
    await startServer(lossy, countUdp, 9002)
    await startServer(pubA, countUdp, 9002)
    expect((await pubA.runNode(sendUdpBurst, { ip: lossy.ip, port: 9002, count: 50 })).received).toBe(50)
    expect((await lossy.runNode(sendUdpBurst, { ip: pubA.ip, port: 9002, count: 50 })).received).toBe(50)
  })

  it('Chromium started through chromiumPath() runs inside its host', async (ctx) => {
    requireSimulation(ctx)
    await startServer(pubA, serveHttp, 8080)
    const browser = await chromium.launch({
      executablePath: pubB.chromiumPath(),
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream']
    })
    try {
      const page = await browser.newPage()
      await page.goto(`http://${pubA.ip}:8080/`)
      // Only a browser inside b has b's address; the root namespace has no route to this net at all.
      expect(await page.textContent('#from')).toBe(pubB.ip)
    } finally {
      await browser.close()
    }
  })

  it('coturn answers a STUN binding from behind a NAT with the NAT\'s public address', async (ctx) => {
    requireSimulation(ctx)
    const turn = await net.addTurnServer(turnHost)
    expect(turn.stun).toBe(`stun:${turnHost.ip}:3478`)
    const report = await x1.runNode(probeStun, { server: turnHost.ip, port: 3478 })
    expect(report.mapped.ip).toBe(natX.publicIp)

    // The same server relays with the test user's long-term credentials, and only with them.
    await startServer(pubA, echoUdp, 9100)
    const relayed = await y1.runNode(probeStun, {
      server: turnHost.ip, port: 3478,
      turn: { username: turn.username, credential: turn.credential, peer: { ip: pubA.ip, port: 9100 }, text: 'hello' }
    })
    expect(relayed.mapped.ip).toBe(natY.publicIp)
    expect(relayed.relayed?.ip).toBe(turnHost.ip)
    expect(relayed.echo).toBe('echo:hello')
    const wrong = await y1.runNode(probeStun, {
      server: turnHost.ip, port: 3478,
      turn: { username: turn.username, credential: 'wrong', peer: { ip: pubA.ip, port: 9100 }, text: 'hello' }
    })
    expect(wrong.allocateError).toBe(401)
  })
})

describe('SimNet.destroy', () => {
  it('removes every namespace, process and temp file, and can be called again', async (ctx) => {
    requireSimulation(ctx)
    const [one, two] = await Promise.all([SimNet.create(), SimNet.create()])
    try {
      expect(one.subnet).not.toBe(two.subnet)
      const nat = await one.addNat('home')
      const [inside, outside] = await Promise.all([one.addHost('in', { nat }), one.addHost('out')])
      const server = outside.spawnNode(serveTcp, { ip: outside.ip, port: 7000 })
      await waitForOutput(server, /listening/)
      // A process that leaves our process group is still inside the namespace, and must go too.
      const stray = await inside.exec('sh', ['-c', 'setsid sleep 600 >/dev/null 2>&1 & echo $!'])
      const strayPid = Number(stray.stdout.trim())
      const wrapper = inside.chromiumPath()
      const names = one.namespaces
      expect(names).toHaveLength(4)
      expect(namespacesNow()).toEqual(expect.arrayContaining([...names]))

      await one.destroy()
      await one.destroy()
      expect(namespacesNow().filter((n) => names.includes(n))).toEqual([])
      expect(server.exitCode !== null || server.signalCode !== null).toBe(true)
      expect(isAlive(strayPid)).toBe(false)
      expect(existsSync(wrapper)).toBe(false)
      await expect(one.addHost('late')).rejects.toThrow(/destroyed/)
    } finally {
      await Promise.all([one.destroy(), two.destroy()])
    }
  })
})

/** Whether `pid` is a process that has not finished (a zombie waiting for its parent counts as gone). */
function isAlive (pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}
