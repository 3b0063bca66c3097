/**
 * One running node per data directory. `kith serve` creates `serve.lock` exclusively, with its pid
 * and web address; a second `kith serve` (or `npm start`) on the same directory finds it, sees that
 * the pid is alive, and refuses with "already running (pid N), web app at URL", before it opens or
 * writes any file of the running node. A lock left by a node that died (`kill -9`) is taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import { UsageError } from '../core/errors.ts'

/** What the lock file says. */
interface LockInfo { readonly pid: number, readonly web?: string }

/** A held lock. */
export interface InstanceLock {
  /** Records the web address, for the message a second start shows. */
  update (web: string): void
  release (): void
}

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function readLock (file: string): LockInfo | undefined {
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown, web?: unknown }
    if (typeof raw.pid !== 'number' || !Number.isInteger(raw.pid) || raw.pid <= 0) return undefined
    return { pid: raw.pid, ...(typeof raw.web === 'string' ? { web: raw.web } : {}) }
  } catch {
    return undefined
  }
}

/** Takes the directory's lock, or throws a UsageError naming the node that holds it. */
export function acquireInstanceLock (file: string, dir: string): InstanceLock {
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number
    try {
      fd = openSync(file, 'wx', 0o600)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const held = readLock(file)
      if (held !== undefined && alive(held.pid)) {
        throw new UsageError(`already running (pid ${held.pid}), web app at ${held.web ?? '(starting up)'}; data directory ${dir}`)
      }
      // A node that died without cleaning up (or a half-written lock): take it over.
      rmSync(file, { force: true })
      continue
    }
    writeSync(fd, JSON.stringify({ pid: process.pid }))
    closeSync(fd)
    let released = false
    return {
      update: (web) => { if (!released) writeFileSync(file, JSON.stringify({ pid: process.pid, web })) },
      release: () => {
        if (released) return
        released = true
        if (readLock(file)?.pid === process.pid) rmSync(file, { force: true })
      }
    }
  }
  throw new UsageError(`cannot take the lock ${file}; another node keeps starting on ${dir}`)
}
