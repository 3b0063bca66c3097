/**
 * Scenario harness: real Kith peers (SQLite, libp2p on 127.0.0.1, the full messenger) in one
 * process, each with its own data directory, with fast retry timings.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseInviteLink } from '../../src/core/identity/invite.ts'
import type { MessageOut } from '../../src/core/messenger/messenger.ts'
import { afterAll, afterEach } from 'vitest'
import { KithNode, type KithNodeConfig } from '../../src/node/kith-node.ts'

const dirs: string[] = []

/** A fresh data directory, removed by {@link cleanup}. */
export function tempDir (name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `kith-${name}-`))
  dirs.push(dir)
  return dir
}

/** Starts a peer on loopback with retry timings fit for tests; `extra` adds or overrides settings. */
export async function startPeer (name: string, dataDir: string = tempDir(name), extra: KithNodeConfig = {}): Promise<KithNode> {
  return await KithNode.start({
    dataDir,
    name,
    host: '127.0.0.1',
    api: false,
    retry: { initialMs: 50, maxMs: 400 },
    establishRetryMs: 50,
    establishRetryMaxMs: 400,
    ...extra
  })
}

/** Makes `a` add `b` as a contact under `alias`. */
export async function addContact (a: KithNode, b: KithNode, alias: string): Promise<string> {
  const { safetyNumber } = await a.messenger.addContact(await parseInviteLink(b.messenger.inviteLink()), alias)
  return safetyNumber
}

/**
 * Resolves once `check` returns a value other than undefined/false. It is re-run whenever one of
 * the peers emits an event, and at a short interval for state no event announces.
 */
export async function eventually<T> (nodes: KithNode[], check: () => Promise<T | undefined | false>, what: string, timeoutMs = 20_000): Promise<T> {
  let done = false
  return await new Promise<T>((resolve, reject) => {
    const unsubscribes: Array<() => void> = []
    const finish = (): void => {
      done = true
      clearInterval(interval)
      clearTimeout(timeout)
      for (const u of unsubscribes) u()
    }
    let running = false
    const run = (): void => {
      if (done || running) return
      running = true
      check().then((v) => {
        running = false
        if (done) return
        if (v !== undefined && v !== false) { finish(); resolve(v) }
      }, (err: unknown) => { running = false; if (!done) { finish(); reject(err as Error) } })
    }
    for (const n of nodes) unsubscribes.push(n.messenger.subscribe(run))
    const interval = setInterval(run, 50)
    const timeout = setTimeout(() => { finish(); reject(new Error(`timed out waiting for ${what}`)) }, timeoutMs)
    run()
  })
}

/** Waits until `node` holds a message with `text` in `target`. */
export async function waitForMessage (node: KithNode, target: string, text: string): Promise<MessageOut> {
  return await eventually([node], async () => {
    try {
      return (await node.messenger.messages(target)).find((m) => m.text === text)
    } catch {
      return undefined
    }
  }, `"${text}" to arrive at ${target}`)
}

/** Lines of a peer's log file. */
export function logOf (node: KithNode): string {
  try { return readFileSync(node.paths.log, 'utf8') } catch { return '' }
}

/** Removes every directory made by {@link tempDir}. */
export function cleanup (): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
}

/**
 * Peers for one test file: each started through `peer` is stopped after its test (unless `stop`
 * stopped it first), and the data directories are removed after the file.
 */
export function usePeers (): { peer: (name: string, dir?: string, extra?: KithNodeConfig) => Promise<KithNode>, stop: (n: KithNode) => Promise<void> } {
  const running: KithNode[] = []
  afterEach(async () => {
    await Promise.all(running.splice(0).map(async (n) => await n.stop()))
  })
  afterAll(cleanup)
  return {
    peer: async (name, dir, extra) => {
      const n = await startPeer(name, dir, extra)
      running.push(n)
      return n
    },
    stop: async (n) => {
      running.splice(running.indexOf(n), 1)
      await n.stop()
    }
  }
}
