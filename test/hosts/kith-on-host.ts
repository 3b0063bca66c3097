/**
 * `kith serve` and `kith` commands on a simulated host: the daemon runs inside the host's network
 * namespace (its local API is on that host's loopback), and so do the commands that talk to it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ChildProcess } from 'node:child_process'
import { waitForOutput, type Host } from '../sim/hosts.ts'
import { KITH_CLI } from '../kith-cli.ts'

const root = join(import.meta.dirname, '../..')
const CLI = KITH_CLI

/** What `kith serve --json` printed when it came up. */
export interface ServeStatus {
  readonly peerId: string
  readonly addrs: readonly string[]
  readonly web: string
  readonly tlsFingerprint?: string
  readonly tlsSpki?: string
}

/** A `kith serve` running on a simulated host. */
export interface KithOnHost {
  readonly host: Host
  readonly data: string
  readonly status: ServeStatus
  readonly process: ChildProcess
  /** Runs a `kith` command against this daemon, on its host; returns stdout. */
  kith (...args: string[]): Promise<string>
  /** The same with `--json`, parsed. */
  json<T> (...args: string[]): Promise<T>
  /** The API token and port, for a script on the host that talks to the local API directly. */
  readonly dataDir: string
}

/** Starts `kith serve --host 0.0.0.0 --json` on `host` in a fresh data directory. */
export async function serveOn (host: Host, name: string, extra: readonly string[] = [], data?: string): Promise<KithOnHost> {
  const dir = data ?? mkdtempSync(join(tmpdir(), `kith-sim-${name}-`))
  const child = host.spawn(process.execPath, [...CLI, '--data', dir, 'serve', '--name', name, '--host', '0.0.0.0', '--json', ...extra], { cwd: root })
  const line = await waitForOutput(child, /^\{"peerId".*\}$/m, { timeoutMs: 60_000 })
  const status = JSON.parse(line[0]) as ServeStatus
  const kith = async (...args: string[]): Promise<string> =>
    (await host.exec(process.execPath, [...CLI, '--data', dir, ...args], { cwd: root, timeoutMs: 60_000 })).stdout.trim()
  return {
    host,
    data: dir,
    dataDir: dir,
    status,
    process: child,
    kith,
    json: async <T>(...args: string[]) => JSON.parse(await kith('--json', ...args)) as T
  }
}

/** Removes data directories made by {@link serveOn} (the SimNet stops the processes). */
export function removeData (nodes: readonly (KithOnHost | undefined)[]): void {
  if (process.env.KITH_KEEP_SIM_DATA === "1") return
  for (const n of nodes) if (n !== undefined) rmSync(n.data, { recursive: true, force: true })
}

/**
 * The end of each daemon's kith.log (peer ids, conversation-id prefixes, errors; no secrets), to
 * put in a failed assertion's message: the run that failed is often one that cannot be repeated.
 */
export function logTails (nodes: Readonly<Record<string, KithOnHost | undefined>>, lines = 40): string {
  return Object.entries(nodes).map(([name, node]) => {
    if (node === undefined) return `--- ${name}: not started ---`
    let log: string
    try { log = readFileSync(join(node.data, 'kith.log'), 'utf8').trimEnd().split('\n').slice(-lines).join('\n') } catch (err) { log = String(err) }
    return `--- ${name}'s kith.log (end) ---\n${log}`
  }).join('\n')
}

/** A connection as `kith status --json` lists it. */
export interface LinkJson { peer: string, addr: string, relayed: boolean, streams: string[] }

/** Resolves once `check` passes on this node's status, polling it; rejects after `timeoutMs` with the last status. */
export async function waitForStatus (node: KithOnHost, check: (status: { links: LinkJson[], reachability: { kind: string } }) => boolean, timeoutMs = 60_000): Promise<{ links: LinkJson[], reachability: { kind: string } }> {
  const deadline = Date.now() + timeoutMs
  let last: { links: LinkJson[], reachability: { kind: string } } | undefined
  while (Date.now() < deadline) {
    last = await node.json<{ links: LinkJson[], reachability: { kind: string } }>('status')
    if (check(last)) return last
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  throw new Error(`status of ${node.status.peerId} never matched; last: ${JSON.stringify(last)}\n${logTails({ [node.status.peerId]: node })}`)
}
