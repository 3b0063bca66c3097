/**
 * `kith backup export` and `kith backup import` end to end, with `--passphrase-file`: Alice backs
 * up through her running daemon, loses her data directory, restores into a new one and, once Bob
 * puts her new device back in, reads her old history and chats on. Mistakes give one line.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const root = join(import.meta.dirname, '../..')
const NODE = process.execPath
const ARGS = ['--disable-warning=ExperimentalWarning', '--import', 'tsx', join(root, 'src/node/cli/main.ts')]
const dirs: string[] = []
const daemons: ChildProcess[] = []

function dir (name: string): string {
  const d = mkdtempSync(join(tmpdir(), `kith-backup-cli-${name}-`))
  dirs.push(d)
  return d
}

async function kith (data: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(NODE, [...ARGS, '--data', data, ...args], { cwd: root })
  return stdout.trim()
}

/** Runs a command that must fail; returns its stderr. */
async function kithFails (data: string, ...args: string[]): Promise<string> {
  const err = await run(NODE, [...ARGS, '--data', data, ...args], { cwd: root }).then(() => undefined, (e: { stderr: string }) => e)
  expect(err, `kith ${args.join(' ')} should fail`).toBeDefined()
  return err!.stderr.trim()
}

async function serve (data: string, name: string): Promise<ChildProcess> {
  const child = spawn(NODE, [...ARGS, '--data', data, 'serve', '--name', name, '--json'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  daemons.push(child)
  await new Promise<void>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (d: Buffer) => { out += d.toString(); if (out.includes('"peerId"')) resolve() })
    child.once('exit', (code) => reject(new Error(`kith serve exited with ${code}`)))
  })
  return child
}

async function until<T> (check: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 30_000
  for (;;) {
    const v = await check().catch(() => undefined)
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

afterAll(() => {
  for (const d of daemons) d.kill('SIGKILL')
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

describe('kith backup', () => {
  it('exports through the daemon, imports into a new data directory, and the new device rejoins', async () => {
    const alice = dir('alice')
    const bob = dir('bob')
    const files = dir('files')
    const passphraseFile = join(files, 'passphrase')
    writeFileSync(passphraseFile, 'correct horse battery staple\n')
    const aliceDaemon = await serve(alice, 'Alice')
    let bobDaemon = await serve(bob, 'Bob')
    await kith(alice, 'contact', 'add', await kith(bob, 'invite'), '--name', 'bob')
    await kith(alice, 'send', 'bob', 'written before the backup')
    await until(async () => (await kith(bob, 'messages', 'alice')).includes('written before the backup') ? true : undefined, 'bob to get the message')

    const file = join(files, 'alice.kith')
    expect(await kith(alice, 'backup', 'export', file, '--history', '--passphrase-file', passphraseFile)).toMatch(/^wrote .*alice\.kith \(\d+ bytes, with message history\)/)
    expect(readFileSync(file).subarray(0, 7).toString()).toBe('KITHBAK')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(await kithFails(alice, 'backup', 'export', file, '--passphrase-file', passphraseFile)).toBe(`kith: ${file} already exists; choose a new file name`)

    aliceDaemon.kill('SIGTERM')
    await new Promise((r) => aliceDaemon.once('exit', r))
    rmSync(alice, { recursive: true, force: true })
    // Bob is offline while Alice restores: her conversation must wait for him.
    bobDaemon.kill('SIGTERM')
    await new Promise((r) => bobDaemon.once('exit', r))

    const restored = dir('alice-restored')
    const wrong = join(files, 'wrong')
    writeFileSync(wrong, 'not the passphrase\n')
    expect(await kithFails(restored, 'backup', 'import', file, '--passphrase-file', wrong)).toBe('kith: wrong passphrase, or the file is damaged')
    expect(await kith(restored, 'backup', 'import', file, '--passphrase-file', passphraseFile)).toMatch(/^restored "Alice" into .* as a new device; 1 conversation\(s\) will rejoin/)
    expect(await kithFails(restored, 'backup', 'import', file, '--passphrase-file', passphraseFile)).toMatch(/^kith: .* already has an account \("Alice"\); import a backup into a new data directory/)

    await serve(restored, 'Alice')
    expect(await kith(restored, 'messages', 'bob')).toContain('written before the backup')
    expect(await kith(restored, 'groups')).toMatch(/^1:1 +bob .*\[rejoining: waiting for bob to come online\]$/)
    expect(await kithFails(restored, 'send', 'bob', 'too early')).toBe('kith: this conversation is rejoining after a restore; you can send once bob puts this device back in')

    bobDaemon = await serve(bob, 'Bob')
    await until(async () => {
      const groups = await kith(restored, 'groups')
      return groups.includes('bob') && !groups.includes('[rejoining') ? groups : undefined
    }, 'the 1:1 to be rejoined')
    await kith(restored, 'send', 'bob', 'sent from the restored device')
    await until(async () => (await kith(bob, 'messages', 'alice')).includes('sent from the restored device') ? true : undefined, 'bob to get the new message')
  }, 120_000)
})
