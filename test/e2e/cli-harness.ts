/**
 * CLI end-to-end helpers: `kith` commands and `kith serve` daemons in data directories of their
 * own, all killed and removed after the test file. Daemons keep their directory when they stop, so
 * a test can start one again on it (a restart, a restore).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, expect } from 'vitest'
import { KITH_CLI } from '../kith-cli.ts'

const run = promisify(execFile)
export const root = join(import.meta.dirname, '../..')
const NODE = process.execPath
const ARGS = KITH_CLI

/** Runs `kith --data DATA ARGS…` and returns its stdout, trimmed. */
export async function kith (data: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(NODE, [...ARGS, '--data', data, ...args], { cwd: root })
  return stdout.trim()
}

/** The same with `--json`, parsed. */
export async function kithJson<T> (data: string, ...args: string[]): Promise<T> {
  return JSON.parse(await kith(data, '--json', ...args)) as T
}

/** Runs a command that must fail; returns its stderr. */
export async function kithFails (data: string, ...args: string[]): Promise<string> {
  const err = await run(NODE, [...ARGS, '--data', data, ...args], { cwd: root }).then(() => undefined, (e: { stderr: string }) => e)
  expect(err, `kith ${args.join(' ')} should fail`).toBeDefined()
  return err!.stderr.trim()
}

/**
 * Polls `check` until it returns something other than undefined (a thrown error counts as
 * undefined): a command-line client has no event stream to wait on.
 */
export async function until<T> (check: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await check().catch(() => undefined)
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/** Registers the cleanup of one test file's directories and daemons; returns how to make them. */
export function useDaemons (tag: string): { dir: (name: string) => string, serve: (data: string, name: string) => Promise<ChildProcess>, daemons: ChildProcess[] } {
  const dirs: string[] = []
  const daemons: ChildProcess[] = []
  afterAll(() => {
    for (const d of daemons) d.kill('SIGKILL')
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })
  return {
    dir: (name) => {
      const d = mkdtempSync(join(tmpdir(), `kith-${tag}-${name}-`))
      dirs.push(d)
      return d
    },
    /** Starts `kith serve` and resolves once it printed that it is running. */
    serve: async (data, name) => {
      const child = spawn(NODE, [...ARGS, '--data', data, 'serve', '--name', name, '--json'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
      daemons.push(child)
      await new Promise<void>((resolve, reject) => {
        let out = ''
        child.stdout!.on('data', (d: Buffer) => { out += d.toString(); if (out.includes('"peerId"')) resolve() })
        child.once('exit', (code) => reject(new Error(`kith serve exited with ${code}`)))
      })
      return child
    },
    daemons
  }
}
