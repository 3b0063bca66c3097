/**
 * `kith backup export` and `kith backup import` end to end, with `--passphrase-file`: Alice backs
 * up through her running daemon, loses her data directory, restores into a new one and, once Bob
 * puts her new device back in, reads her old history and chats on. Mistakes give one line.
 */
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { kith, kithFails, until, useDaemons } from './cli-harness.ts'

const { dir, serve } = useDaemons('backup-cli')

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
