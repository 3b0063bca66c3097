/**
 * Named network namespaces for the simulated-host harness: whether this machine can make them,
 * deleting them together with every process still inside, and a last-resort cleanup when the test
 * process exits or is signalled without having called `destroy()`.
 */
import { spawnSync } from 'node:child_process'
import type { ProcessSet } from './processes.ts'

/** Whether this machine can simulate hosts, and if not, why. */
export type SimulationSupport = { ok: true } | { ok: false, reason: string }

let support: SimulationSupport | undefined

/** Checks, once per process, for root, `ip`, `iptables` and a namespace with the netfilter matches the harness uses. */
export function simulationSupport (): SimulationSupport {
  support ??= probeSupport()
  return support
}

function probeSupport (): SimulationSupport {
  if (process.platform !== 'linux') return { ok: false, reason: `network namespaces need Linux, not ${process.platform}` }
  const uid = process.getuid?.()
  if (uid !== 0) return { ok: false, reason: `network namespaces need root; this test runs as uid ${uid ?? '?'}` }
  const sh = (args: string[], input?: string): string | undefined => {
    const r = spawnSync(args[0] ?? '', args.slice(1), { input, encoding: 'utf8', timeout: 10_000 })
    if (r.status === 0) return undefined
    return `\`${args.join(' ')}\` failed: ${r.error?.message ?? r.stderr.trim()}`
  }
  const tools = sh(['ip', '-V']) ?? sh(['iptables', '--version'])
  if (tools !== undefined) return { ok: false, reason: tools }
  const probe = `kprobe${process.pid}`
  const added = sh(['ip', 'netns', 'add', probe])
  if (added !== undefined) return { ok: false, reason: added }
  try {
    const rules = '*nat\n-A POSTROUTING -o lo -j MASQUERADE\nCOMMIT\n*filter\n' +
      '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n' +
      '-A INPUT -m statistic --mode random --probability 0.5 -j DROP\nCOMMIT\n'
    const filtered = sh(['ip', 'netns', 'exec', probe, 'iptables-restore'], rules)
    return filtered === undefined ? { ok: true } : { ok: false, reason: filtered }
  } finally {
    sh(['ip', 'netns', 'del', probe])
  }
}

/**
 * Stops whatever still runs inside `namespaces` (a Chromium a test forgot to close, a daemon's
 * grandchildren) with SIGTERM, then SIGKILL after `graceMs`, and deletes them, which also deletes
 * their veths and bridges. Returns what could not be deleted.
 */
export async function deleteNamespaces (procs: ProcessSet, namespaces: readonly string[], graceMs: number): Promise<string[]> {
  const pidsInside = async (): Promise<number[]> => {
    const lists = await Promise.all(namespaces.map(async (ns) => (await procs.run('ip', ['netns', 'pids', ns], { allowFailure: true })).stdout))
    return lists.join('\n').split('\n').filter((p) => p.trim() !== '').map(Number)
  }
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    const pids = await pidsInside()
    if (pids.length === 0) break
    for (const pid of pids) try { process.kill(pid, signal) } catch { /* gone */ }
    const deadline = Date.now() + graceMs
    while (Date.now() < deadline && (await pidsInside()).length > 0) await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const failures: string[] = []
  for (const ns of [...namespaces].reverse()) {
    const r = await procs.run('ip', ['netns', 'del', ns], { allowFailure: true })
    if (r.code !== 0 && !r.stderr.includes('No such file')) failures.push(`${ns}: ${r.stderr.trim()}`)
  }
  return failures
}

/** `deleteNamespaces` without waiting: SIGKILL to everything inside, then delete (for process exit). */
export function deleteNamespacesNow (namespaces: readonly string[]): void {
  for (const ns of namespaces) {
    const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', timeout: 5_000 }).stdout ?? ''
    for (const pid of pids.split('\n')) {
      if (pid.trim() !== '') try { process.kill(Number(pid), 'SIGKILL') } catch { /* gone */ }
    }
    spawnSync('ip', ['netns', 'del', ns], { timeout: 5_000 })
  }
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const
const cleanUps = new Set<() => void>()

function runCleanUps (): void {
  for (const cleanUp of [...cleanUps]) cleanUp()
  cleanUps.clear()
}

function onSignal (signal: NodeJS.Signals): void {
  runCleanUps()
  setHandlers(false)
  // Re-raise only if nobody else handles it, so the process still dies the way it would have.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
}

function setHandlers (on: boolean): void {
  const method = on ? 'on' : 'off'
  process[method]('exit', runCleanUps)
  for (const s of SIGNALS) process[method](s, onSignal)
}

/** Runs `cleanUp` (synchronously) if the process exits or gets SIGINT/SIGTERM/SIGHUP first; returns the way to cancel that. */
export function atExit (cleanUp: () => void): () => void {
  if (cleanUps.size === 0) setHandlers(true)
  cleanUps.add(cleanUp)
  return () => {
    if (cleanUps.delete(cleanUp) && cleanUps.size === 0) setHandlers(false)
  }
}
