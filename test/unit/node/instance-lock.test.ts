import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { acquireInstanceLock } from '../../../src/node/instance-lock.ts'

const dirs: string[] = []
function tempDir (): string {
  const dir = mkdtempSync(join(tmpdir(), 'kith-lock-'))
  dirs.push(dir)
  return dir
}
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })

describe('acquireInstanceLock', () => {
  it('refuses a second holder while the first lives, naming its pid and web address', () => {
    const dir = tempDir()
    const file = join(dir, 'serve.lock')
    const first = acquireInstanceLock(file, dir)
    first.update('https://10.0.0.1:8443')
    expect(() => acquireInstanceLock(file, dir)).toThrow(`already running (pid ${process.pid}), web app at https://10.0.0.1:8443`)
    // the refused attempt left the holder's lock as it was
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ pid: process.pid, web: 'https://10.0.0.1:8443' })
    first.release()
    expect(existsSync(file)).toBe(false)
    acquireInstanceLock(file, dir).release()
  })

  it('takes over the lock of a node that died without releasing it', () => {
    const dir = tempDir()
    const file = join(dir, 'serve.lock')
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString()
    writeFileSync(file, JSON.stringify({ pid: Number(dead), web: 'http://127.0.0.1:1' }))
    const lock = acquireInstanceLock(file, dir)
    expect(JSON.parse(readFileSync(file, 'utf8')).pid).toBe(process.pid)
    lock.release()
  })

  it('replaces a damaged lock file', () => {
    const dir = tempDir()
    const file = join(dir, 'serve.lock')
    writeFileSync(file, '{"pid":')
    acquireInstanceLock(file, dir).release()
    expect(existsSync(file)).toBe(false)
  })
})
