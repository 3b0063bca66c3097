/**
 * One node per data directory, at a stable web address: a second `kith serve` on a used directory
 * is refused (and the first keeps working), and a node whose remembered web port is taken refuses
 * to start rather than move.
 */
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { root, serve, type Served } from './browser-harness.ts'
import { KITH_CLI } from '../kith-cli.ts'

const run = promisify(execFile)
const CLI = KITH_CLI
let alice: Served

beforeAll(async () => { alice = await serve('Alice') })
afterAll(async () => { await alice.stop() })

async function kithFails (args: string[]): Promise<{ code: number, stderr: string }> {
  try {
    await run(process.execPath, [...CLI, ...args], { cwd: root, timeout: 60_000 })
  } catch (err) {
    const e = err as { code: number, stderr: string }
    return { code: e.code, stderr: e.stderr }
  }
  throw new Error(`kith ${args.join(' ')} succeeded`)
}

it('a second kith serve on the same data directory is refused, and the first keeps working', async () => {
  const before = readFileSync(join(alice.data, 'config.json'), 'utf8')
  const { code, stderr } = await kithFails(['--data', alice.data, 'serve'])
  expect(code).not.toBe(0)
  expect(stderr).toContain(`kith: already running (pid ${alice.process.pid!}), web app at ${alice.url}`)
  expect(readFileSync(join(alice.data, 'config.json'), 'utf8')).toBe(before)
  const status = await alice.kithJson<{ peerId: string }>('status')
  expect(status.peerId).toBe(alice.peerId)
  await alice.kith('group', 'create', 'still-here')
  expect(await alice.kith('groups')).toContain('still-here')
})

it('a node whose remembered web port is busy says so and exits instead of moving', async () => {
  const bob = await serve('Bob')
  const port = Number(new URL(bob.url).port)
  const data = bob.data
  const exited = new Promise((resolve) => bob.process.once('exit', resolve))
  bob.process.kill('SIGTERM')
  await exited
  const squatter = createServer()
  await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve))
  try {
    const { code, stderr } = await kithFails(['--data', data, 'serve'])
    expect(code).not.toBe(0)
    expect(stderr).toContain(`web port ${port}`)
    expect(stderr).toContain('is busy')
    expect(JSON.parse(readFileSync(join(data, 'config.json'), 'utf8')).webPort).toBe(port)
  } finally {
    squatter.close()
    await bob.stop()
  }
})
