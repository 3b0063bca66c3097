/**
 * Client of the local API, used by the `kith` commands: finds the daemon of a data directory,
 * sends the token, and turns error answers into {@link KithError}s with the daemon's message.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { KithError, UsageError, describeError } from '../../core/errors.ts'
import type { DataPaths } from '../paths.ts'

/** The daemon could not be reached, or its answer was lost: an idempotent request may be repeated. */
export class DaemonUnreachableError extends KithError {
  static override name = 'DaemonUnreachableError'
  override name = 'DaemonUnreachableError'
}

/** A connection to a running daemon's API. */
export class ApiClient {
  constructor (readonly base: string, private readonly token: string) {}

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
      throw new DaemonUnreachableError(`cannot reach the Kith daemon at ${this.base}: ${describeError(err)}`, { cause: err })
    }
    let json: Record<string, unknown>
    try {
      json = await res.json() as Record<string, unknown>
    } catch (err) {
      // The connection broke while the answer was read: the request may or may not have been done.
      if (res.ok) throw new DaemonUnreachableError(`the Kith daemon's answer was cut off: ${describeError(err)}`, { cause: err })
      json = {}
    }
    if (!res.ok) throw new KithError(typeof json.error === 'string' ? json.error : `daemon answered ${res.status}`)
    return json as T
  }

  /**
   * Sends a message with an id chosen here, and sends it again with the same id when the request or
   * its response was lost: the daemon stores it once and answers the repeat with the same message.
   */
  async sendMessage<T = Record<string, unknown>> (body: Record<string, unknown>, attempts = 3): Promise<T> {
    const withId = { ...body, id: randomBytes(16).toString('hex') }
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.call<T>('POST', '/v1/messages', withId)
      } catch (err) {
        if (!(err instanceof DaemonUnreachableError) || attempt >= attempts) throw err
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt))
      }
    }
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
