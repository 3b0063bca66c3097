/**
 * A small typed request/response channel over `postMessage`, between the page and the messenger
 * worker. Each side serves an API object; calls resolve with the other side's return value or
 * reject with its error's name and message. Notes are calls without a reply.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parameters are checked per API at the call site
type Fn = (...args: any[]) => unknown
/** An API one side serves: methods taking and returning structured-cloneable values. */
export type Api<T> = { [K in keyof T]: Fn }

interface CallMessage { readonly t: 'call', readonly id: number, readonly method: string, readonly args: unknown[] }
interface NoteMessage { readonly t: 'note', readonly method: string, readonly args: unknown[] }
type ResultMessage =
  | { readonly t: 'result', readonly id: number, readonly ok: true, readonly value: unknown }
  | { readonly t: 'result', readonly id: number, readonly ok: false, readonly name: string, readonly message: string }
type RpcMessage = CallMessage | NoteMessage | ResultMessage

/** The part of a Worker or worker scope this needs. */
export interface MessagePortLike {
  postMessage (message: unknown): void
  addEventListener (type: 'message', listener: (event: MessageEvent) => void): void
}

/** An error the other side threw, with its class name kept for display and tests. */
export class RemoteError extends Error {
  constructor (name: string, message: string) {
    super(message)
    this.name = name
  }
}

/** One end of the channel: serves `Local`, calls `Remote`. */
export class RpcEndpoint<Local extends Api<Local>, Remote extends Api<Remote>> {
  private nextId = 1
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void, reject: (e: Error) => void }>()

  constructor (private readonly port: MessagePortLike, private readonly local: Local, private readonly onError: (message: string) => void = () => {}) {
    port.addEventListener('message', (event) => { this.dispatch(event.data as RpcMessage) })
  }

  /** Calls a method on the other side. */
  async call<K extends keyof Remote & string> (method: K, ...args: Parameters<Remote[K]>): Promise<Awaited<ReturnType<Remote[K]>>> {
    const id = this.nextId++
    return await new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this.port.postMessage({ t: 'call', id, method, args } satisfies CallMessage)
    })
  }

  /** Calls a method on the other side without waiting for, or learning of, its outcome. */
  note<K extends keyof Remote & string> (method: K, ...args: Parameters<Remote[K]>): void {
    this.port.postMessage({ t: 'note', method, args } satisfies NoteMessage)
  }

  private dispatch (message: RpcMessage): void {
    if (message.t === 'result') {
      const waiter = this.waiting.get(message.id)
      if (waiter === undefined) return
      this.waiting.delete(message.id)
      if (message.ok) waiter.resolve(message.value)
      else waiter.reject(new RemoteError(message.name, message.message))
      return
    }
    const fn = Object.hasOwn(this.local, message.method) ? (this.local as Record<string, Fn>)[message.method] : undefined
    const run = async (): Promise<unknown> => {
      if (fn === undefined) throw new RemoteError('UsageError', `unknown method ${message.method}`)
      return await fn.apply(this.local, message.args)
    }
    void run().then((value) => {
      if (message.t === 'call') this.port.postMessage({ t: 'result', id: message.id, ok: true, value } satisfies ResultMessage)
    }, (err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err))
      if (message.t === 'call') this.port.postMessage({ t: 'result', id: message.id, ok: false, name: e.name, message: e.message } satisfies ResultMessage)
      else this.onError(`${message.method} failed: ${e.message}`)
    })
  }
}
