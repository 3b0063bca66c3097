/**
 * Simulated hosts for network tests (DESIGN.md §7): each host is a Linux network namespace with a
 * veth to a bridge that plays the public internet, or to the LAN bridge of a NAT router that
 * masquerades and filters like a home router. Packet loss comes from iptables' `statistic` match
 * (this kernel has no netem). Commands, node scripts, Chromium and coturn run inside a host.
 *
 * Addressing: each SimNet claims a number X in 1..254 by creating the namespace `k<X>-net`, which
 * fails if another SimNet (in any process) holds it. Its public net is 10.213.X.0/24 (hosts and NAT
 * WAN legs numbered from .1 in creation order); NAT number n (1..42) has the LAN 10.(213+n).X.0/24
 * with the router at .1. Namespaces are named `k<X>-<name>`. Traffic cannot leave: the bridge's
 * namespace has no address and no route, and nothing links to the root namespace.
 */
import type { ChildProcess } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { atExit, deleteNamespaces, deleteNamespacesNow, simulationSupport } from './namespaces.ts'
import {
  nodeScript, outputOf, parseNodeResult, ProcessSet, type ExecOptions, type ExecResult, type NodeFunction,
  type SpawnOptions
} from './processes.ts'

export { simulationSupport, type SimulationSupport } from './namespaces.ts'
export { outputOf, SimCommandError, waitForOutput, type ExecOptions, type ExecResult, type NodeFunction, type SpawnOptions } from './processes.ts'

const PUBLIC_OCTET = 213
const MAX_NATS = 255 - PUBLIC_OCTET
const BRIDGE = 'br0'
const KILL_GRACE_MS = 3_000
/** The real binary: /usr/bin/chromium is a shell wrapper that adds flags and noise. */
const CHROMIUM_BINARIES = ['/usr/lib/chromium/chromium', '/usr/bin/chromium']
const NAME = /^[a-z][a-z0-9-]{0,15}$/

/** A NAT router: one leg on the public net, one LAN bridge behind it. */
export interface Nat {
  readonly name: string
  readonly namespace: string
  /** Its address on the public net: what hosts outside see as the source of its hosts' traffic. */
  readonly publicIp: string
  /** Its address on its LAN, the default gateway of the hosts behind it. */
  readonly lanIp: string
  /** Its LAN, as `a.b.c.0/24`. */
  readonly subnet: string
}

/** One simulated machine. */
export interface Host {
  readonly name: string
  readonly namespace: string
  /** Its own address: public, or private on its NAT's LAN. */
  readonly ip: string
  /** The NAT router it sits behind, if any. */
  readonly nat: Nat | undefined
  /** Runs a command to completion inside the host; rejects on a non-zero exit unless `allowFailure`. */
  exec (command: string, args?: readonly string[], options?: ExecOptions): Promise<ExecResult>
  /** Starts a long-running command inside the host; `destroy()` stops it. */
  spawn (command: string, args?: readonly string[], options?: SpawnOptions): ChildProcess
  /** Runs a self-contained function in a fresh node process inside the host and returns its JSON result. */
  runNode<A, R> (fn: NodeFunction<A, R>, arg: A, options?: ExecOptions): Promise<R>
  /** Starts a self-contained function in a long-running node process inside the host. */
  spawnNode<A> (fn: NodeFunction<A, unknown>, arg: A, options?: SpawnOptions): ChildProcess
  /** Resolves once a TCP connection from this host to `ip:port` succeeds; rejects after `timeoutMs`. */
  waitForTcp (ip: string, port: number, options?: { timeoutMs?: number }): Promise<void>
  /** An executable that starts Chromium inside this host, for playwright's `executablePath`. */
  chromiumPath (): string
}

/** A coturn STUN/TURN server with one long-term-credential user. */
export interface TurnServer {
  readonly stun: string
  readonly turn: string
  readonly username: string
  readonly credential: string
  /** `stun` and `turn` as an RTCConfiguration's `iceServers`. */
  readonly iceServers: RTCIceServer[]
  readonly process: ChildProcess
}

/** Options for `addTurnServer`. */
export interface TurnServerOptions {
  port?: number
  username?: string
  credential?: string
}

let instances = 0

/** A set of simulated hosts, NAT routers and the public net between them. */
export class SimNet {
  /** X: this SimNet's number, the third octet of its addresses and part of its namespaces' names. */
  readonly index: number
  /** The namespace holding the public bridge. */
  readonly internet: string
  /** The public net, as `10.213.X.0/24`. */
  readonly subnet: string
  private readonly procs = new ProcessSet()
  private readonly made: string[] = []
  private readonly names = new Set<string>(['net'])
  private readonly lossChains = new Set<string>()
  private nextPublic = 1
  private nextPort = 1
  private nats = 0
  private bridgeFiltering = false
  private destroying: Promise<void> | undefined
  private readonly cancelExitCleanUp: () => void

  private constructor (index: number, private readonly tempDir: string) {
    this.index = index
    this.internet = `k${index}-net`
    this.subnet = `10.${PUBLIC_OCTET}.${index}.0/24`
    this.made.push(this.internet)
    this.cancelExitCleanUp = atExit(() => { this.destroyNow() })
  }

  /** Claims a free X, then builds the public bridge; throws if simulation is unsupported. */
  static async create (): Promise<SimNet> {
    const s = simulationSupport()
    if (!s.ok) throw new Error(`cannot simulate hosts: ${s.reason}`)
    const claim = new ProcessSet()
    const start = (process.pid * 7 + instances++ * 31) % 254
    for (let attempt = 0; attempt < 254; attempt++) {
      const index = ((start + attempt) % 254) + 1
      const r = await claim.run('ip', ['netns', 'add', `k${index}-net`], { allowFailure: true })
      if (r.code !== 0) {
        if (r.stderr.includes('File exists')) continue
        throw new Error(`ip netns add k${index}-net: ${r.stderr.trim()}`)
      }
      let net: SimNet
      try {
        net = new SimNet(index, mkdtempSync(join(tmpdir(), `kith-sim-${index}-`)))
      } catch (err) {
        await claim.run('ip', ['netns', 'del', `k${index}-net`], { allowFailure: true })
        throw err
      }
      try {
        await net.ip('-n', net.internet, 'link', 'add', BRIDGE, 'type', 'bridge', 'forward_delay', '0')
        await net.ip('-n', net.internet, 'link', 'set', BRIDGE, 'up')
        // With br_netfilter, bridged frames pass this namespace's iptables, so loss can hit a host's sends here.
        net.bridgeFiltering = (await net.nsExec(net.internet, ['sysctl', '-n', 'net.bridge.bridge-nf-call-iptables'], { allowFailure: true })).stdout.trim() === '1'
      } catch (err) {
        await net.destroy()
        throw err
      }
      return net
    }
    throw new Error('all 254 simulated networks are taken: remove stale ones with `ip netns del k<X>-...`')
  }

  /** Every namespace this SimNet created and has not yet deleted. */
  get namespaces (): readonly string[] {
    return this.destroying === undefined ? [...this.made] : []
  }

  /** Adds a host on the public net, or on `nat`'s LAN with `nat` as its default gateway. */
  async addHost (name: string, options: { nat?: Nat } = {}): Promise<Host> {
    const { nat } = options
    const namespace = this.reserve(name)
    let ip: string
    let upstream: string
    if (nat === undefined) {
      ip = this.allocatePublic()
      upstream = this.internet
    } else {
      if (!(nat instanceof NatRouter) || nat.net !== this) throw new Error(`NAT ${nat.name} belongs to another SimNet`)
      ip = nat.allocate()
      upstream = nat.namespace
    }
    await this.attach(namespace, 'eth0', upstream, ip)
    if (nat === undefined) await this.ip('-n', namespace, 'route', 'add', 'default', 'dev', 'eth0')
    else await this.ip('-n', namespace, 'route', 'add', 'default', 'via', nat.lanIp)
    return new SimHost(this, this.procs, this.tempDir, name, namespace, ip, nat)
  }

  /** Adds a NAT router: masquerades its LAN and drops everything unsolicited arriving on its public leg. */
  async addNat (name: string): Promise<Nat> {
    if (this.nats >= MAX_NATS) throw new Error(`a SimNet holds at most ${MAX_NATS} NATs`)
    const namespace = this.reserve(name)
    const lanOctet = PUBLIC_OCTET + ++this.nats
    const nat = new NatRouter(this, name, namespace, this.allocatePublic(), `10.${lanOctet}.${this.index}`)
    await this.attach(namespace, 'wan0', this.internet, nat.publicIp)
    await this.ip('-n', namespace, 'route', 'add', 'default', 'dev', 'wan0')
    await this.ip('-n', namespace, 'link', 'add', BRIDGE, 'type', 'bridge', 'forward_delay', '0')
    await this.ip('-n', namespace, 'addr', 'add', `${nat.lanIp}/24`, 'dev', BRIDGE)
    await this.ip('-n', namespace, 'link', 'set', BRIDGE, 'up')
    await this.nsExec(namespace, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'])
    // A home router: LAN out freely; from the WAN only replies to what the LAN started. DROP, not
    // REJECT, so an outside connect() times out as it would on the internet. The br0->br0 rule keeps
    // LAN-to-LAN traffic flowing when br_netfilter sends bridged frames through FORWARD.
    const rules = [
      '*nat', `-A POSTROUTING -o wan0 -j MASQUERADE`, 'COMMIT',
      '*filter', ':FORWARD DROP [0:0]',
      '-A INPUT -i wan0 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', '-A INPUT -i wan0 -j DROP',
      `-A FORWARD -i ${BRIDGE} -o ${BRIDGE} -j ACCEPT`, `-A FORWARD -i ${BRIDGE} -o wan0 -j ACCEPT`,
      `-A FORWARD -i wan0 -o ${BRIDGE} -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT`, 'COMMIT', ''
    ]
    await this.nsExec(namespace, ['iptables-restore'], { input: rules.join('\n') })
    return nat
  }

  /**
   * Drops each packet `host` receives, and each it sends, with `probability` (0 removes the loss).
   * Sends are dropped one hop upstream (bridge or NAT), because an OUTPUT drop inside the host makes
   * its UDP sends fail with EPERM, which no real lossy link does; only without br_netfilter does a
   * public host fall back to OUTPUT.
   */
  async loss (host: Host, probability: number): Promise<void> {
    if (!(probability >= 0 && probability <= 1)) throw new RangeError(`loss probability must be in [0, 1], got ${probability}`)
    if (!(host instanceof SimHost) || host.net !== this) throw new Error(`host ${host.name} belongs to another SimNet`)
    const drop = probability > 0 ? `-m statistic --mode random --probability ${probability.toFixed(6)} -j DROP` : undefined
    const upstream = host.nat?.namespace ?? (this.bridgeFiltering ? this.internet : undefined)
    const chain = `kith-loss-${host.name}`
    const first = !this.lossChains.has(chain)
    const hostRules = ['*filter', ':kith-loss - [0:0]', ...(drop === undefined ? [] : [`-A kith-loss ${drop}`])]
    if (first) hostRules.push('-I INPUT 1 -j kith-loss', ...(upstream === undefined ? ['-I OUTPUT 1 -j kith-loss'] : []))
    await this.nsExec(host.namespace, ['iptables-restore', '--noflush'], { input: [...hostRules, 'COMMIT', ''].join('\n') })
    if (upstream === undefined) {
      this.lossChains.add(chain)
      return
    }
    const upRules = ['*filter', `:${chain} - [0:0]`, ...(drop === undefined ? [] : [`-A ${chain} ${drop}`])]
    if (first) upRules.push(`-I FORWARD 1 -s ${host.ip} -j ${chain}`, `-I INPUT 1 -s ${host.ip} -j ${chain}`)
    await this.nsExec(upstream, ['iptables-restore', '--noflush'], { input: [...upRules, 'COMMIT', ''].join('\n') })
    this.lossChains.add(chain)
  }

  /** Starts coturn on a public host as STUN and TURN server (UDP and TCP, no TLS) and waits until it accepts connections. */
  async addTurnServer (host: Host, options: TurnServerOptions = {}): Promise<TurnServer> {
    if (host.nat !== undefined) throw new Error(`a TURN server must be on the public net; ${host.name} is behind ${host.nat.name}`)
    const { port = 3478, username = 'kith', credential = 'kith-test' } = options
    const dir = mkdtempSync(join(this.tempDir, `turn-${host.name}-`))
    const child = host.spawn('turnserver', [
      '-n', '--no-cli', '--no-tls', '--no-dtls', '--listening-ip', host.ip, '--relay-ip', host.ip,
      '--listening-port', String(port), '--min-port', '49152', '--max-port', '49251',
      '--lt-cred-mech', '--user', `${username}:${credential}`, '--realm', 'kith.test', '--fingerprint',
      '--no-multicast-peers', '--db', join(dir, 'turndb'), '--pidfile', join(dir, 'turnserver.pid'),
      '--log-file', 'stdout', '--simple-log'
    ])
    const gone = new Promise<never>((_resolve, reject) => {
      child.once('close', (code, signal) => { reject(new Error(`turnserver on ${host.name} exited (${code ?? signal}):\n${outputOf(child).slice(-4000)}`)) })
    })
    gone.catch(() => { /* only matters while waiting */ })
    await Promise.race([host.waitForTcp(host.ip, port), gone])
    const stun = `stun:${host.ip}:${port}`
    const turn = `turn:${host.ip}:${port}`
    return { stun, turn, username, credential, iceServers: [{ urls: stun }, { urls: turn, username, credential }], process: child }
  }

  /** Stops every process, deletes every namespace (and so its links) and the temp files; safe to call again. */
  async destroy (): Promise<void> {
    this.destroying ??= this.teardown()
    await this.destroying
  }

  private async teardown (): Promise<void> {
    this.cancelExitCleanUp()
    await this.procs.stopAll(KILL_GRACE_MS)
    const failures = await deleteNamespaces(new ProcessSet(), this.made, KILL_GRACE_MS)
    rmSync(this.tempDir, { recursive: true, force: true })
    if (failures.length > 0) throw new Error(`could not delete namespaces: ${failures.join('; ')}`)
  }

  private destroyNow (): void {
    this.procs.killAllNow()
    deleteNamespacesNow(this.made)
    rmSync(this.tempDir, { recursive: true, force: true })
  }

  private reserve (name: string): string {
    if (this.destroying !== undefined) throw new Error('this SimNet has been destroyed')
    if (!NAME.test(name)) throw new Error(`host name ${JSON.stringify(name)} must match ${NAME}`)
    if (this.names.has(name)) throw new Error(`the name ${name} is taken in this SimNet`)
    this.names.add(name)
    return `k${this.index}-${name}`
  }

  private allocatePublic (): string {
    if (this.nextPublic > 254) throw new Error('the public net is full (254 addresses)')
    return `10.${PUBLIC_OCTET}.${this.index}.${this.nextPublic++}`
  }

  /** Creates `namespace` with `lo` up and a veth `dev` carrying `ip`/24, its peer enslaved to `upstream`'s bridge. */
  private async attach (namespace: string, dev: string, upstream: string, ip: string): Promise<void> {
    await this.ip('netns', 'add', namespace)
    this.made.push(namespace)
    // IPv4 only: an IPv6 link-local address still in duplicate address detection when Chromium
    // starts reads to it as a network change, and a page load aborts with ERR_NETWORK_CHANGED.
    await this.nsExec(namespace, ['sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'])
    const port = `p${this.nextPort++}`
    await this.ip('-n', namespace, 'link', 'set', 'lo', 'up')
    await this.ip('-n', namespace, 'link', 'add', dev, 'type', 'veth', 'peer', 'name', port, 'netns', upstream)
    await this.ip('-n', upstream, 'link', 'set', port, 'master', BRIDGE)
    await this.ip('-n', upstream, 'link', 'set', port, 'up')
    await this.ip('-n', namespace, 'addr', 'add', `${ip}/24`, 'dev', dev)
    await this.ip('-n', namespace, 'link', 'set', dev, 'up')
  }

  private async ip (...args: string[]): Promise<void> {
    await this.procs.run('ip', args)
  }

  private async nsExec (namespace: string, command: string[], options: ExecOptions = {}): Promise<ExecResult> {
    return await this.procs.run('ip', ['netns', 'exec', namespace, ...command], options)
  }
}

class NatRouter implements Nat {
  readonly lanIp: string
  readonly subnet: string
  private nextHost = 2

  constructor (readonly net: SimNet, readonly name: string, readonly namespace: string, readonly publicIp: string, private readonly lanPrefix: string) {
    this.lanIp = `${lanPrefix}.1`
    this.subnet = `${lanPrefix}.0/24`
  }

  allocate (): string {
    if (this.nextHost > 254) throw new Error(`the LAN of ${this.name} is full`)
    return `${this.lanPrefix}.${this.nextHost++}`
  }
}

class SimHost implements Host {
  private chromium: string | undefined

  constructor (
    readonly net: SimNet, private readonly procs: ProcessSet, private readonly tempDir: string,
    readonly name: string, readonly namespace: string, readonly ip: string, readonly nat: Nat | undefined
  ) {}

  async exec (command: string, args: readonly string[] = [], options: ExecOptions = {}): Promise<ExecResult> {
    return await this.procs.run('ip', ['netns', 'exec', this.namespace, command, ...args], options)
  }

  spawn (command: string, args: readonly string[] = [], options: SpawnOptions = {}): ChildProcess {
    return this.procs.spawn('ip', ['netns', 'exec', this.namespace, command, ...args], options)
  }

  async runNode<A, R> (fn: NodeFunction<A, R>, arg: A, options: ExecOptions = {}): Promise<R> {
    return parseNodeResult<R>(await this.exec(process.execPath, ['-e', nodeScript(fn, arg, true)], options))
  }

  spawnNode<A> (fn: NodeFunction<A, unknown>, arg: A, options: SpawnOptions = {}): ChildProcess {
    return this.spawn(process.execPath, ['-e', nodeScript(fn, arg, false)], options)
  }

  async waitForTcp (ip: string, port: number, options: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 10_000
    const ok = await this.runNode(probeTcp, { ip, port, timeoutMs }, { timeoutMs: timeoutMs + 5_000 })
    if (!ok) throw new Error(`${this.name} could not connect to ${ip}:${port} within ${timeoutMs} ms`)
  }

  chromiumPath (): string {
    if (this.chromium !== undefined) return this.chromium
    const binary = CHROMIUM_BINARIES.find((p) => existsSync(p))
    if (binary === undefined) throw new Error(`no Chromium at ${CHROMIUM_BINARIES.join(' or ')}: apt-get install chromium`)
    const path = join(this.tempDir, `chromium-${this.name}`)
    // Playwright talks to the browser over inherited pipes (fds 3 and 4), which `ip netns exec` passes on.
    writeFileSync(path, `#!/bin/sh\nexec ip netns exec ${this.namespace} ${binary} "$@"\n`)
    chmodSync(path, 0o755)
    this.chromium = path
    return path
  }
}

/** Runs inside the host (see runNode): retries a TCP connect until it succeeds or time runs out. */
async function probeTcp ({ ip, port, timeoutMs }: { ip: string, port: number, timeoutMs: number }): Promise<boolean> {
  const net = await import('node:net')
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const connected = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: ip, port, timeout: 1_000 })
      socket.once('connect', () => { socket.destroy(); resolve(true) })
      socket.once('error', () => { resolve(false) })
      socket.once('timeout', () => { socket.destroy(); resolve(false) })
    })
    if (connected) return true
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return false
}
