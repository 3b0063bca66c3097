/**
 * Whether a connection still carries streams. A WebRTC connection whose other end went away (a
 * page reloaded or closed, a laptop lid shut) stays `open` here until ICE consent runs out, about
 * 20–30 s later, and libp2p keeps opening new streams on it meanwhile: messages to a contact who
 * just reloaded would wait that long. Probing needs one round trip (a protocol negotiation).
 */
import type { Connection, Libp2p } from '@libp2p/interface'
import { describeError } from '../core/errors.ts'

/**
 * A protocol nobody handles (docs/PROTOCOL.md §2.4): the other end answers `na`, which proves it is
 * there. Probing with ping instead would hold ping's one outbound stream per connection, and
 * libp2p's connection monitor aborts a connection whose ping cannot open a stream.
 */
const PROBE_PROTOCOL = '/kith/probe/1.0.0'
/** How long an older connection has to answer once a newer one to the same peer opened (libp2p's connection monitor gives its pings as long). */
const STALE_PROBE_MS = 5_000

/**
 * Asks for a stream of {@link PROBE_PROTOCOL} on `connection`; throws if no answer comes within
 * `timeoutMs`. Negotiating a protocol is a round trip: its refusal is proof that the other end is there.
 */
export async function probeConnection (connection: Connection, timeoutMs: number): Promise<void> {
  const signal = AbortSignal.timeout(timeoutMs)
  try {
    const stream = await connection.newStream(PROBE_PROTOCOL, { signal })
    // Some muxers (WebRTC's data channels) open a stream before negotiating: its opening was the answer.
    stream.abort(new Error('probe done'))
  } catch (err) {
    if (err instanceof Error && err.name === 'UnsupportedProtocolError') return
    throw err
  }
}

/** What a check that probes connections and drops dead ones is given. */
export interface ProbingOptions {
  readonly log: (line: string) => void
  /** Called after a connection was dropped. */
  readonly changed?: () => void
  /** How long a probe may wait for its answer (5 s by default). */
  readonly timeoutMs?: number
}

/**
 * Drops connections that died without closing. A new connection to a peer this node is already
 * connected to usually means the peer restarted (a reloaded page keeps its peer id), so each
 * older direct connection to it is probed and aborted if it does not answer. Relayed (limited)
 * connections are left alone: the relay closes them when either side goes away.
 */
export class StaleConnectionSweeper {
  private readonly probing = new WeakSet<Connection>()
  private readonly onOpen = (evt: CustomEvent<Connection>): void => { this.sweep(evt.detail) }

  constructor (
    private readonly libp2p: Libp2p,
    private readonly options: ProbingOptions & {
      /** Connections another check owns (the browser's unproven accepted WebRTC ones): neither probed nor a reason to probe. */
      readonly skip?: (connection: Connection) => boolean
      /** Each probe's outcome (diagnostics and tests). */
      readonly probed?: (connection: Connection, alive: boolean) => void
    }
  ) {}

  /** Starts watching new connections. */
  start (): void {
    this.libp2p.addEventListener('connection:open', this.onOpen)
  }

  /** Stops watching; probes under way finish. */
  stop (): void {
    this.libp2p.removeEventListener('connection:open', this.onOpen)
  }

  private sweep (fresh: Connection): void {
    if (this.options.skip?.(fresh) === true) return
    for (const old of this.libp2p.getConnections(fresh.remotePeer)) {
      if (old === fresh || old.status !== 'open' || old.limits !== undefined || this.probing.has(old) || this.options.skip?.(old) === true) continue
      if (old.timeline.open > fresh.timeline.open) continue
      this.probing.add(old)
      void this.probe(old).finally(() => { this.probing.delete(old) })
    }
  }

  private async probe (connection: Connection): Promise<void> {
    try {
      await probeConnection(connection, this.options.timeoutMs ?? STALE_PROBE_MS)
      this.options.probed?.(connection, true)
    } catch (err) {
      this.options.probed?.(connection, false)
      if (connection.status !== 'open') return
      dropDeadConnection(connection, 'a newer one replaced it', err, this.options)
    }
  }
}

/** Aborts a connection that did not answer a probe, saying why in the log, and tells `changed`. */
export function dropDeadConnection (connection: Connection, why: string, err: unknown, options: ProbingOptions): void {
  options.log(`dropping a dead connection to ${connection.remotePeer.toString().slice(-8)} (${connection.remoteAddr.toString().split('/').slice(0, 6).join('/')}…): ${why}: ${describeError(err)}`)
  connection.abort(new Error(`the connection stopped answering (${why})`))
  options.changed?.()
}
