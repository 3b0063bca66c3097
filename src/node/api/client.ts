/**
 * Client of the local API, used by the `kith` commands: finds the daemon of a data directory,
 * sends the token, and turns error answers into {@link KithError}s with the daemon's message.
 */
import { existsSync, readFileSync } from 'node:fs'
import { KithError, UsageError, describeError } from '../../core/errors.ts'
import type { DataPaths } from '../paths.ts'

/** A connection to a running daemon's API. */
export class ApiClient {
  private constructor (readonly base: string, private readonly token: string) {}

  /** Connects to the daemon of `paths`, or explains how to start one. */
  static forDataDir (paths: DataPaths): ApiClient {
    if (!existsSync(paths.daemon) || !existsSync(paths.token)) {
      throw new UsageError(`no Kith daemon is running for ${paths.dir}: start one with \`kith serve --data ${paths.dir}\``)
    }
    let daemon: { api?: unknown, pid?: unknown }
    try { daemon = JSON.parse(readFileSync(paths.daemon, 'utf8')) as typeof daemon } catch { throw new UsageError(`${paths.daemon} is damaged; restart \`kith serve\``) }
    if (typeof daemon.pid === 'number') {
      try { process.kill(daemon.pid, 0) } catch { throw new UsageError(`the Kith daemon for ${paths.dir} is not running: start it with \`kith serve --data ${paths.dir}\``) }
    }
    if (typeof daemon.api !== 'string') throw new UsageError(`${paths.daemon} is damaged; restart \`kith serve\``)
    return new ApiClient(daemon.api, readFileSync(paths.token, 'utf8').trim())
  }

  /** Calls an endpoint and returns its JSON answer. */
  async call<T = Record<string, unknown>> (method: string, path: string, body?: unknown): Promise<T> {
    let res: Response
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {})
      })
    } catch (err) {
      throw new KithError(`cannot reach the Kith daemon at ${this.base}: ${describeError(err)}`)
    }
    const json = await res.json().catch(() => ({})) as Record<string, unknown>
    if (!res.ok) throw new KithError(typeof json.error === 'string' ? json.error : `daemon answered ${res.status}`)
    return json as T
  }

  /** Streams events until `signal` aborts. */
  async events (onEvent: (event: Record<string, unknown>) => void, signal: AbortSignal): Promise<void> {
    const res = await fetch(`${this.base}/v1/events`, { headers: { authorization: `Bearer ${this.token}` }, signal })
    if (!res.ok || res.body === null) throw new KithError(`cannot subscribe to events: ${res.status}`)
    const decoder = new TextDecoder()
    let buffer = ''
    const reader = res.body.getReader()
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      buffer += decoder.decode(value, { stream: true })
      let idx
      while ((idx = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, idx)
        buffer = buffer.slice(idx + 2)
        for (const line of block.split('\n')) {
          if (line.startsWith('data: ')) {
            try { onEvent(JSON.parse(line.slice(6)) as Record<string, unknown>) } catch { /* ignore a damaged event */ }
          }
        }
      }
    }
  }
}
