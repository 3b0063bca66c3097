/**
 * Benchmarks on simulated hosts (test/sim/hosts.ts): real `kith serve` daemons in Linux network
 * namespaces, behind NAT routers or on the simulated public net. Skipped, with the reason on
 * stderr, where hosts cannot be simulated (not root, no `ip`/`iptables`).
 *
 * Hole punching. A public relay node and a public coturn STUN server stay up for the whole run.
 * A trial is: two new NAT routers, a new host behind each, a new `kith serve` on each (new data
 * directory: new identity, new ports) started with `--bootstrap <relay tcp address> --ice-server
 * <stun>`; once both report `relayed` reachability (a relay reservation, what `kith status` shows
 * a user before they share an invite), a script on Alice's host starts the clock, adds Bob's
 * invite through her local API, sends one message, and polls her `/v1/status` every 50 ms. The
 * trial succeeds when a link to Bob that is not relayed appears within 30 s; its time runs from
 * the contact add to that poll. A trial whose nodes get no reservation within 30 s fails too
 * (the log says why, with the tails of both kith.log files). The rate is set against a constant,
 * libp2p DCUtR's 70% (±7.1%) measured in the wild; the time to the direct link against the time
 * to the relayed link of the same trials, which it can only follow.
 *
 * Independence: a NAT's state (its conntrack table: port mappings and the holes punched) lives in
 * the router's namespace, and every trial gets new routers, so no `conntrack -F` is needed (the
 * tool is not installed here) and nothing is flushed; the new nodes bring new ports too. Trials
 * run one at a time, so no trial's clock runs while another starts up. What trials share is the
 * relay and the STUN server, as users in the wild do; the relay's DHT remembers the stopped nodes
 * of earlier trials, so each new node also dials those at start-up (a separate dial each, as
 * against any long-running relay). A SimNet holds 42 NATs, so at most 21 trials.
 *
 * Message latency. Alice and Bob on two public hosts, and as the baseline two daemons on one
 * host's loopback (`--host 127.0.0.1`), alternated in rounds; Bob's fixed ports make Alice use
 * TCP in both (the row names say which transport carried the messages). A script on Alice's host
 * sends through her local API one message at a time, and sends the next only once her own event stream
 * says the last is `delivered` (Bob acknowledged it, after storing it). A script on Bob's host
 * reads his `/v1/events` stream, which announces a received message once it is durably stored.
 * Both stamp with `process.hrtime` (CLOCK_MONOTONIC, one clock for every process on the machine,
 * whatever its network namespace), so "send → stored at peer" runs from just before Alice's
 * POST to the arrival of Bob's event, and "send → delivered" is the round trip Alice sees. Both
 * include each local API's HTTP hop, in both setups alike.
 *
 * Everything that talks to a simulated address runs inside a namespace (host.exec/spawn/runNode);
 * nothing in this process does.
 */
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SimNet, outputOf, simulationSupport, waitForOutput, type Host, type TurnServer } from '../test/sim/hosts.ts'
import { serveOn, type KithOnHost } from '../test/hosts/kith-on-host.ts'
import { quantile, result, type BenchResult } from './stats.ts'

/** libp2p DCUtR's hole-punching success rate measured in the wild (a constant, not measured here). */
const DCUTR_SUCCESS_PERCENT = 70
const PUNCH_TIMEOUT_MS = 30_000
const RESERVATION_TIMEOUT_MS = 30_000
const STATUS_POLL_MS = 50
/** Trials stop early once they have taken this long on average (a trial is 5–25 s here), so the bench stays bounded. */
const TRIAL_BUDGET_MS = 18_000
const STOP_GRACE_MS = 5_000
const LATENCY_ROUNDS = 3
/**
 * Bob's listening ports in both latency setups. libp2p dials a peer's equally ranked addresses in
 * their byte order, so with random ports Alice would pick TCP or WebSocket by chance, perhaps a
 * different one in each setup; fixed ports put TCP first in both.
 */
const BOB_PORTS = ['--tcp-port', '4001', '--ws-port', '4002']
const WARM_UP_MESSAGES = 30

type Log = (line: string) => void

/** Starts `kith serve` on `host` in a new data directory, which it adds to `dirs` first, so that it is removed even if the start fails. */
async function serveFresh (host: Host, name: string, extra: readonly string[], dirs: string[]): Promise<KithOnHost> {
  const dir = mkdtempSync(join(tmpdir(), `kith-bench-${host.name}-`))
  dirs.push(dir)
  return await serveOn(host, name, extra, dir)
}

/** Runs the simulated-host benchmarks, or explains on stderr why they cannot run here. */
export async function benchHosts (quick: boolean, log: Log): Promise<BenchResult[]> {
  const support = simulationSupport()
  if (!support.ok) {
    process.stderr.write(`hosts benchmarks skipped: cannot simulate hosts here (${support.reason})\n`)
    return []
  }
  const started = Date.now()
  const results = [
    ...await benchHolePunching(quick ? 5 : 20, log),
    ...await benchHostLatency(quick ? 50 : 200, log)
  ]
  log(`hosts benchmarks took ${((Date.now() - started) / 1000).toFixed(0)} s`)
  return results
}

/** What one hole-punching trial saw, from Alice's host. */
interface PunchOutcome {
  direct: boolean
  /** From contact add to the first poll that listed a relayed link to Bob. */
  relayedMs: number | null
  /** From contact add to the first poll that listed a direct link to Bob. */
  directMs: number | null
  addr: string | null
  /** When the contact add and the send returned, from the contact add. */
  addedMs: number | null
  sentMs: number | null
  error: string | null
}

async function benchHolePunching (trials: number, log: Log): Promise<BenchResult[]> {
  const net = await SimNet.create()
  const dirs: string[] = []
  const outcomes: PunchOutcome[] = []
  try {
    const relayHost = await net.addHost('relay')
    const stunHost = await net.addHost('stun')
    const stun = await net.addTurnServer(stunHost)
    const relay = await serveFresh(relayHost, 'Relay', [], dirs)
    const tcp = relay.status.addrs.find((a) => a.includes(`/ip4/${relayHost.ip}/tcp/`) && !a.includes('/ws'))
    if (tcp === undefined) throw new Error(`the relay listed no TCP address: ${relay.status.addrs.join(' ')}`)
    const deadline = Date.now() + (trials * TRIAL_BUDGET_MS)
    for (let i = 0; i < trials && Date.now() < deadline; i++) {
      const outcome = await punchTrial(net, i, tcp, stun, dirs)
      outcomes.push(outcome)
      const ms = (v: number | null): string => v === null ? '-' : `${v.toFixed(0)} ms`
      log(`hole punching trial ${i + 1}/${trials}: ` + (outcome.direct
        ? `direct after ${ms(outcome.directMs)}, relayed after ${ms(outcome.relayedMs)}, contact added after ${ms(outcome.addedMs)}; direct over ${outcome.addr ?? '?'}`
        : `no direct link: ${outcome.error ?? '?'}`))
    }
    if (outcomes.length < trials) log(`hole punching: the time budget ran out after ${outcomes.length} of ${trials} trials`)
  } finally {
    await net.destroy()
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  }
  const direct = outcomes.filter((o) => o.direct)
  const toDirect = direct.map((o) => o.directMs!)
  const toRelayed = direct.flatMap((o) => o.relayedMs === null ? [] : [o.relayedMs])
  const anchor = `libp2p DCUtR in the wild, ${DCUTR_SUCCESS_PERCENT}% ±7.1% (constant)`
  return [
    result(`hole punching success, 2 NATs, ${outcomes.length} trials (direct link ≤ ${PUNCH_TIMEOUT_MS / 1000} s)`, 100 * direct.length / outcomes.length, '%', anchor, DCUTR_SUCCESS_PERCENT),
    result('hole punching contact add → direct link p50', quantile(toDirect, 0.5), 'ms', 'contact add → relayed link p50, same trials', quantile(toRelayed, 0.5)),
    result('hole punching contact add → direct link p90', quantile(toDirect, 0.9), 'ms', 'contact add → relayed link p90, same trials', quantile(toRelayed, 0.9))
  ]
}

/** One trial on fresh NAT routers, hosts and nodes; the nodes are stopped before it returns. */
async function punchTrial (net: SimNet, i: number, relayTcp: string, stun: TurnServer, dirs: string[]): Promise<PunchOutcome> {
  const [natA, natB] = [await net.addNat(`na${i}`), await net.addNat(`nb${i}`)]
  const [aliceHost, bobHost] = [await net.addHost(`a${i}`, { nat: natA }), await net.addHost(`b${i}`, { nat: natB })]
  const flags = ['--bootstrap', relayTcp, '--ice-server', stun.stun]
  const [alice, bob] = await Promise.all([serveFresh(aliceHost, 'Alice', flags, dirs), serveFresh(bobHost, 'Bob', flags, dirs)])
  try {
    const reachability = await Promise.all([alice, bob].map(async (n) =>
      await n.host.runNode(awaitReachability, { dir: n.data, kind: 'relayed', timeoutMs: RESERVATION_TIMEOUT_MS, pollMs: STATUS_POLL_MS }, { timeoutMs: RESERVATION_TIMEOUT_MS + 10_000 })))
    const unreserved = (['Alice', 'Bob'] as const).flatMap((who, k) => reachability[k] === null ? [] : [`${who} (last status ${reachability[k]})`])
    if (unreserved.length > 0) {
      const error = `no relay reservation within ${RESERVATION_TIMEOUT_MS} ms: ${unreserved.join(', ')}; ${logTail(alice, 'Alice')}; ${logTail(bob, 'Bob')}`
      return { direct: false, relayedMs: null, directMs: null, addr: null, addedMs: null, sentMs: null, error }
    }
    const { link } = await bob.host.runNode(callApi, { dir: bob.data, method: 'GET', path: '/v1/invite' }) as { link: string }
    const outcome = await aliceHost.runNode(runPunch, {
      dir: alice.data, link, peer: bob.status.peerId, timeoutMs: PUNCH_TIMEOUT_MS, pollMs: STATUS_POLL_MS
    }, { timeoutMs: PUNCH_TIMEOUT_MS + 30_000 })
    if (!outcome.direct) outcome.error = `${outcome.error ?? 'none'}; ${logTail(alice, 'Alice')}; ${logTail(bob, 'Bob')}`
    return outcome
  } finally {
    await Promise.all([stopProcess(alice.process), stopProcess(bob.process)])
  }
}

/** The last lines of a node's kith.log, for a failed trial's report. */
function logTail (node: KithOnHost, who: string): string {
  try {
    const lines = readFileSync(`${node.data}/kith.log`, 'utf8').trim().split('\n')
    return `${who}'s kith.log ends: ${lines.slice(-8).join(' | ')}`
  } catch (err) {
    return `${who}'s kith.log unreadable: ${(err as Error).message}`
  }
}

/** SIGTERM to the process group `child` leads (every process here starts its own), SIGKILL after a grace period. */
async function stopProcess (child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  const gone = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), STOP_GRACE_MS)
    child.once('exit', () => { clearTimeout(timer); resolve(true) })
  })
  try { process.kill(-child.pid, 'SIGTERM') } catch { return }
  if (await gone) return
  try { process.kill(-child.pid, 'SIGKILL') } catch { /* gone meanwhile */ }
}

async function benchHostLatency (samples: number, log: Log): Promise<BenchResult[]> {
  const net = await SimNet.create()
  const dirs: string[] = []
  const oneWay = { hosts: [] as number[], loopback: [] as number[] }
  const roundTrip = { hosts: [] as number[], loopback: [] as number[] }
  const transport = { hosts: '?', loopback: '?' }
  try {
    const [aliceHost, bobHost, loopHost] = [await net.addHost('alice'), await net.addHost('bob'), await net.addHost('loop')]
    const loopback = ['--host', '127.0.0.1']
    const pairs = {
      hosts: await Promise.all([serveFresh(aliceHost, 'Alice', [], dirs), serveFresh(bobHost, 'Bob', BOB_PORTS, dirs)]),
      loopback: await Promise.all([serveFresh(loopHost, 'Alice', loopback, dirs), serveFresh(loopHost, 'Bob', [...loopback, ...BOB_PORTS], dirs)])
    }
    const listeners: Record<keyof typeof pairs, ChildProcess> = {
      hosts: pairs.hosts[1].host.spawnNode(listenForArrivals, { dir: pairs.hosts[1].data }),
      loopback: pairs.loopback[1].host.spawnNode(listenForArrivals, { dir: pairs.loopback[1].data })
    }
    for (const [setup, [alice, bob]] of Object.entries(pairs) as Array<[keyof typeof pairs, [KithOnHost, KithOnHost]]>) {
      await waitForOutput(listeners[setup], /^listening$/m, { timeoutMs: 30_000 })
      const { link } = await bob.host.runNode(callApi, { dir: bob.data, method: 'GET', path: '/v1/invite' }) as { link: string }
      await alice.host.runNode(callApi, { dir: alice.data, method: 'POST', path: '/v1/contacts', body: { link, name: 'bob' } }, { timeoutMs: 60_000 })
      await sendOneByOne(alice, `${setup}-warm`, WARM_UP_MESSAGES)
      const status = await alice.host.runNode(callApi, { dir: alice.data, method: 'GET', path: '/v1/status' }) as { links: Array<{ peer: string, addr: string, streams: string[] }> }
      const delivering = status.links.find((l) => l.peer === bob.status.peerId && l.streams.includes('/kith/deliver/1.0.0'))
      transport[setup] = delivering === undefined ? '?' : /\/(ws|wss|tls\/ws)(\/|$)/.test(delivering.addr) ? 'WebSocket' : delivering.addr.includes('/webrtc') ? 'WebRTC' : 'TCP'
      log(`message latency, ${setup}: Alice delivers to Bob over ${delivering?.addr ?? 'no link with a delivery stream'}`)
    }
    for (let round = 0; round < LATENCY_ROUNDS; round++) {
      const order: Array<keyof typeof pairs> = round % 2 === 0 ? ['hosts', 'loopback'] : ['loopback', 'hosts']
      for (const setup of order) {
        log(`round ${round + 1}/${LATENCY_ROUNDS}: message latency, ${setup === 'hosts' ? 'two public hosts' : 'loopback'}`)
        const prefix = `${setup}-r${round}`
        const sends = await sendOneByOne(pairs[setup][0], prefix, samples)
        const arrivals = arrivalsOf(listeners[setup])
        for (const s of sends) {
          const at = arrivals.get(s.text)
          if (at === undefined) throw new Error(`Bob never announced "${s.text}" (${setup})`)
          oneWay[setup].push(Number(BigInt(at) - BigInt(s.sentAt)) / 1e6)
          roundTrip[setup].push(Number(BigInt(s.deliveredAt) - BigInt(s.sentAt)) / 1e6)
        }
      }
    }
  } finally {
    await net.destroy()
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  }
  const hosts = `two public hosts over ${transport.hosts}`
  const baseline = `the same, two nodes on one host's loopback over ${transport.loopback}`
  return [
    result(`message latency p50, ${hosts} (send → stored at peer)`, quantile(oneWay.hosts, 0.5), 'ms', baseline, quantile(oneWay.loopback, 0.5)),
    result(`message latency p99, ${hosts} (send → stored at peer)`, quantile(oneWay.hosts, 0.99), 'ms', baseline, quantile(oneWay.loopback, 0.99)),
    result(`message round trip p50, ${hosts} (send → delivered)`, quantile(roundTrip.hosts, 0.5), 'ms', baseline, quantile(roundTrip.loopback, 0.5))
  ]
}

/** One send as Alice's host saw it: CLOCK_MONOTONIC stamps in nanoseconds, as decimal strings. */
interface Sent { text: string, sentAt: string, deliveredAt: string }

async function sendOneByOne (alice: KithOnHost, prefix: string, count: number): Promise<Sent[]> {
  return await alice.host.runNode(sendAwaitingDelivery, { dir: alice.data, target: 'bob', prefix, count, timeoutMs: 30_000 }, { timeoutMs: 30_000 + count * 30_000 })
}

/** The monotonic stamp of each message text a `listenForArrivals` process has printed. */
function arrivalsOf (listener: ChildProcess): Map<string, string> {
  const arrivals = new Map<string, string>()
  for (const line of outputOf(listener).split('\n')) {
    if (!line.startsWith('{')) continue
    const { text, at } = JSON.parse(line) as { text: string, at: string }
    if (!arrivals.has(text)) arrivals.set(text, at)
  }
  return arrivals
}

// The functions below run inside a simulated host (host.runNode / spawnNode): self-contained,
// modules through `await import()`, JSON in and out. Each reads the API address and token from
// the node's data directory, as `kith` commands do.

/** Calls one local API endpoint and returns its JSON answer. */
async function callApi ({ dir, method, path, body }: { dir: string, method: string, path: string, body?: unknown }): Promise<unknown> {
  const { readFileSync } = await import('node:fs')
  const daemon = JSON.parse(readFileSync(`${dir}/daemon.json`, 'utf8')) as { api: string }
  const token = readFileSync(`${dir}/api-token`, 'utf8').trim()
  const res = await fetch(`${daemon.api}${path}`, {
    method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const json = await res.json() as unknown
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`)
  return json
}

/** Polls `/v1/status` until its reachability is `kind`: null once it is, else the last status (reachability and links) when `timeoutMs` has passed. */
async function awaitReachability ({ dir, kind, timeoutMs, pollMs }: { dir: string, kind: string, timeoutMs: number, pollMs: number }): Promise<string | null> {
  const { readFileSync } = await import('node:fs')
  const daemon = JSON.parse(readFileSync(`${dir}/daemon.json`, 'utf8')) as { api: string }
  const token = readFileSync(`${dir}/api-token`, 'utf8').trim()
  const deadline = Date.now() + timeoutMs
  let last = ''
  while (Date.now() < deadline) {
    const status = await (await fetch(`${daemon.api}/v1/status`, { headers: { authorization: `Bearer ${token}` } })).json() as { reachability: { kind: string }, links: unknown }
    if (status.reachability.kind === kind) return null
    last = JSON.stringify({ reachability: status.reachability, links: status.links })
    await new Promise((resolve) => setTimeout(resolve, pollMs))
  }
  return last
}

/** A hole-punching trial from Alice's side: add `link`, send one message, poll for a direct link to `peer`. */
async function runPunch ({ dir, link, peer, timeoutMs, pollMs }: { dir: string, link: string, peer: string, timeoutMs: number, pollMs: number }): Promise<PunchOutcome> {
  const { readFileSync } = await import('node:fs')
  const daemon = JSON.parse(readFileSync(`${dir}/daemon.json`, 'utf8')) as { api: string }
  const token = readFileSync(`${dir}/api-token`, 'utf8').trim()
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${daemon.api}${path}`, {
      method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    const json = await res.json() as unknown
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`)
    return json
  }
  const start = performance.now()
  const outcome: PunchOutcome = { direct: false, relayedMs: null, directMs: null, addr: null, addedMs: null, sentMs: null, error: null }
  let links: Array<{ peer: string, addr: string, relayed: boolean }> = []
  // Polls run alongside the add and the send, which may themselves wait for the connection.
  const poll = (async () => {
    while (performance.now() - start < timeoutMs) {
      const status = await call('GET', '/v1/status') as { links: typeof links }
      const at = performance.now() - start
      links = status.links.filter((l) => l.peer === peer)
      if (outcome.relayedMs === null && links.some((l) => l.relayed)) outcome.relayedMs = at
      const direct = links.find((l) => !l.relayed)
      if (direct !== undefined) {
        Object.assign(outcome, { direct: true, directMs: at, addr: direct.addr })
        return
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs))
    }
  })()
  try {
    await call('POST', '/v1/contacts', { link, name: 'bob' })
    outcome.addedMs = performance.now() - start
    await call('POST', '/v1/messages', { target: 'bob', text: 'hello through two NATs' })
    outcome.sentMs = performance.now() - start
  } catch (err) {
    outcome.error = (err as Error).message
  }
  await poll
  if (!outcome.direct) outcome.error = `${outcome.error ?? ''} links to Bob after ${timeoutMs} ms: ${JSON.stringify(links)}`
  return outcome
}

/** Prints `{"text","at"}` (at: CLOCK_MONOTONIC ns) for each received message the event stream announces; prints `listening` once subscribed. */
async function listenForArrivals ({ dir }: { dir: string }): Promise<void> {
  const { readFileSync } = await import('node:fs')
  const daemon = JSON.parse(readFileSync(`${dir}/daemon.json`, 'utf8')) as { api: string }
  const token = readFileSync(`${dir}/api-token`, 'utf8').trim()
  const res = await fetch(`${daemon.api}/v1/events`, { headers: { authorization: `Bearer ${token}` } })
  if (!res.ok || res.body === null) throw new Error(`cannot subscribe to events: ${res.status}`)
  console.log('listening')
  const decoder = new TextDecoder()
  let buffer = ''
  const reader = res.body.getReader()
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return
    const at = process.hrtime.bigint().toString()
    buffer += decoder.decode(value, { stream: true })
    let end
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      if (!block.startsWith('data: ')) continue
      const event = JSON.parse(block.slice(6)) as { type: string, message?: { own: boolean, text: string } }
      if (event.type === 'message' && event.message?.own === false) console.log(JSON.stringify({ text: event.message.text, at }))
    }
  }
}

/** Sends `count` messages one at a time, each once the last is `delivered`; returns CLOCK_MONOTONIC stamps. */
async function sendAwaitingDelivery ({ dir, target, prefix, count, timeoutMs }: { dir: string, target: string, prefix: string, count: number, timeoutMs: number }): Promise<Sent[]> {
  const { readFileSync } = await import('node:fs')
  const daemon = JSON.parse(readFileSync(`${dir}/daemon.json`, 'utf8')) as { api: string }
  const token = readFileSync(`${dir}/api-token`, 'utf8').trim()
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
  const delivered = new Map<string, string>()
  const waiters = new Map<string, () => void>()
  const events = new AbortController()
  const res = await fetch(`${daemon.api}/v1/events`, { headers, signal: events.signal })
  if (!res.ok || res.body === null) throw new Error(`cannot subscribe to events: ${res.status}`)
  const reading = (async () => {
    const decoder = new TextDecoder()
    let buffer = ''
    const reader = res.body!.getReader()
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      const at = process.hrtime.bigint().toString()
      buffer += decoder.decode(value, { stream: true })
      let end
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        if (!block.startsWith('data: ')) continue
        const event = JSON.parse(block.slice(6)) as { type: string, id?: string, state?: string }
        if (event.type === 'message-state' && (event.state === 'delivered' || event.state === 'read') && !delivered.has(event.id!)) {
          delivered.set(event.id!, at)
          waiters.get(event.id!)?.()
        }
      }
    }
  })().catch(() => { /* aborted at the end */ })
  const sent: Sent[] = []
  for (let i = 0; i < count; i++) {
    const text = `${prefix}-${i}`
    const sentAt = process.hrtime.bigint().toString()
    const r = await fetch(`${daemon.api}/v1/messages`, { method: 'POST', headers, body: JSON.stringify({ target, text }) })
    const json = await r.json() as { message?: { id: string }, error?: string }
    if (!r.ok || json.message === undefined) throw new Error(`send ${text}: ${r.status} ${json.error ?? ''}`)
    const id = json.message.id
    if (!delivered.has(id)) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${text} not delivered within ${timeoutMs} ms`)), timeoutMs)
        waiters.set(id, () => { clearTimeout(timer); resolve() })
      })
      waiters.delete(id)
    }
    sent.push({ text, sentAt, deliveredAt: delivered.get(id)! })
  }
  events.abort()
  await reading
  return sent
}
