/**
 * Child processes for the simulated-host harness: bounded command runs, long-running processes that
 * are tracked so they can all be stopped (SIGTERM, then SIGKILL after a bounded wait), their output
 * kept for waiting and diagnostics, and self-contained functions turned into `node -e` scripts.
 * Every process starts in its own process group, so stopping one also stops what it started.
 */
import { spawn, type ChildProcess } from 'node:child_process'

const DEFAULT_TIMEOUT_MS = 10_000
const OUTPUT_TAIL_CHARS = 256 * 1024
const RESULT_MARK = '@@kith-sim-result@@'

/** Options for a command that runs to completion. */
export interface ExecOptions {
  /** Killed (with its process group) and rejected after this long; default 10 s. */
  timeoutMs?: number
  /** Written to its stdin, which is then closed. */
  input?: string
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** Resolve with the result even when the exit status is not 0. */
  allowFailure?: boolean
}

/** What a finished command printed and how it ended. */
export interface ExecResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Options for a long-running process. */
export interface SpawnOptions {
  env?: NodeJS.ProcessEnv
  cwd?: string
}

/** A command that failed, timed out or could not start; `result` holds what it printed. */
export class SimCommandError extends Error {
  override name = 'SimCommandError'
  constructor (message: string, readonly result: ExecResult, options?: ErrorOptions) {
    super(message, options)
  }
}

/** A function run as a `node -e` script from its source: self-contained (no closures), modules via `await import()`, JSON in and out. */
export type NodeFunction<A, R> = (arg: A) => R | Promise<R>

const outputs = new WeakMap<ChildProcess, { text: string }>()

/** Everything `child` printed on stdout and stderr since it was first watched (the last 256 KiB). */
export function outputOf (child: ChildProcess): string {
  return watchOutput(child).text
}

function watchOutput (child: ChildProcess): { text: string } {
  let out = outputs.get(child)
  if (out === undefined) {
    const buffer = { text: '' }
    const append = (chunk: Buffer | string): void => {
      buffer.text = (buffer.text + chunk.toString()).slice(-OUTPUT_TAIL_CHARS)
    }
    child.stdout?.on('data', append)
    child.stderr?.on('data', append)
    outputs.set(child, buffer)
    out = buffer
  }
  return out
}

/** Resolves with the first match of `pattern` in what `child` prints; rejects if it exits first or the time runs out. */
export async function waitForOutput (child: ChildProcess, pattern: RegExp, options: { timeoutMs?: number } = {}): Promise<RegExpExecArray> {
  const out = watchOutput(child)
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  return await new Promise((resolve, reject) => {
    const check = (): boolean => {
      const match = pattern.exec(out.text)
      if (match === null) return false
      finish()
      resolve(match)
      return true
    }
    const onClose = (): void => {
      if (check()) return
      finish()
      reject(new Error(`process ${child.pid ?? '?'} exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}; it printed:\n${out.text.slice(-4000)}`))
    }
    const timer = setTimeout(() => {
      finish()
      reject(new Error(`no ${pattern} from process ${child.pid ?? '?'} within ${timeoutMs} ms; it printed:\n${out.text.slice(-4000)}`))
    }, timeoutMs)
    const finish = (): void => {
      clearTimeout(timer)
      child.stdout?.off('data', check)
      child.stderr?.off('data', check)
      child.off('close', onClose)
    }
    if (check()) return
    // Registered after watchOutput's listeners, so the buffer already holds each new chunk.
    child.stdout?.on('data', check)
    child.stderr?.on('data', check)
    child.once('close', onClose)
    if (child.exitCode !== null || child.signalCode !== null) onClose()
  })
}

/** `node -e` source that calls `fn(arg)` and, with `report`, prints its JSON result after a marker and exits. */
export function nodeScript<A, R> (fn: NodeFunction<A, R>, arg: A, report: boolean): string {
  // The source is what the test's transpiler made of it: esbuild/tsx may wrap functions in
  // `__name(...)`, and vitest rewrites `import()` to `__vite_ssr_dynamic_import__()`.
  const helpers = 'var __name = (f) => f;\nvar __vite_ssr_dynamic_import__ = (id) => import(id);\n'
  const call = `Promise.resolve().then(() => (${fn.toString()})(${JSON.stringify(arg)}))`
  const done = report
    ? `(r) => { process.stdout.write('\\n${RESULT_MARK}' + JSON.stringify(r ?? null) + '\\n'); process.exit(0) }`
    : '() => {}'
  return `${helpers}${call}.then(${done}, (e) => { console.error(e); process.exit(1) })\n`
}

/** The value a `nodeScript(..., true)` run reported. */
export function parseNodeResult<R> (result: ExecResult): R {
  const at = result.stdout.lastIndexOf(RESULT_MARK)
  if (at < 0) throw new SimCommandError(`node script reported no result; stderr: ${result.stderr.trim()}`, result)
  return JSON.parse(result.stdout.slice(at + RESULT_MARK.length)) as R
}

function isRunning (child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null
}

function signalGroup (child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return
  try { process.kill(-child.pid, signal) } catch { /* already gone */ }
}

async function exited (child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (!isRunning(child)) return true
  return await new Promise((resolve) => {
    const timer = setTimeout(() => { child.off('exit', onExit); resolve(false) }, timeoutMs)
    const onExit = (): void => { clearTimeout(timer); resolve(true) }
    child.once('exit', onExit)
  })
}

/** The processes one SimNet started; `stopAll` ends every one still running. */
export class ProcessSet {
  private readonly children = new Set<ChildProcess>()
  private closed = false

  /** Runs `command` to completion, bounded by `timeoutMs`. */
  async run (command: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const child = this.start(command, args, options, 'pipe')
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    const line = [command, ...args].join(' ').slice(0, 300)
    let stdout = ''
    let stderr = ''
    child.stdout?.setEncoding('utf8').on('data', (d: string) => { stdout += d })
    child.stderr?.setEncoding('utf8').on('data', (d: string) => { stderr += d })
    child.stdin?.on('error', () => { /* it exited without reading its input */ })
    child.stdin?.end(options.input ?? '')
    return await new Promise((resolve, reject) => {
      let timedOut = false
      const timer = setTimeout(() => { timedOut = true; signalGroup(child, 'SIGKILL') }, timeoutMs)
      child.once('error', (err) => {
        clearTimeout(timer)
        reject(new SimCommandError(`${line}: could not start: ${err.message}`, { code: null, signal: null, stdout, stderr }, { cause: err }))
      })
      child.once('close', (code, signal) => {
        clearTimeout(timer)
        const result = { code, signal, stdout, stderr }
        if (timedOut) reject(new SimCommandError(`${line}: timed out after ${timeoutMs} ms; stderr: ${stderr.trim()}`, result))
        else if (code !== 0 && options.allowFailure !== true) reject(new SimCommandError(`${line}: exited with ${code ?? signal}: ${stderr.trim()}`, result))
        else resolve(result)
      })
    })
  }

  /** Starts a long-running `command` with stdout and stderr piped and kept (see `outputOf`). */
  spawn (command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
    const child = this.start(command, args, options, 'ignore')
    watchOutput(child)
    child.on('error', () => { /* seen by callers through 'exit'/'close'; never an uncaught error */ })
    return child
  }

  private start (command: string, args: readonly string[], options: SpawnOptions, stdin: 'pipe' | 'ignore'): ChildProcess {
    if (this.closed) throw new Error('this SimNet has been destroyed')
    const child = spawn(command, args, { detached: true, stdio: [stdin, 'pipe', 'pipe'], env: options.env, cwd: options.cwd })
    this.children.add(child)
    child.once('exit', () => { this.children.delete(child) })
    return child
  }

  /** SIGTERM to every process group still running, then SIGKILL to those that outlive `graceMs`. */
  async stopAll (graceMs: number): Promise<void> {
    this.closed = true
    await Promise.all([...this.children].map(async (child) => {
      signalGroup(child, 'SIGTERM')
      if (await exited(child, graceMs)) return
      signalGroup(child, 'SIGKILL')
      await exited(child, graceMs)
    }))
  }

  /** SIGKILL to every process group still running, without waiting (for process exit). */
  killAllNow (): void {
    this.closed = true
    for (const child of this.children) signalGroup(child, 'SIGKILL')
  }
}
