/**
 * `/kith/directory/1.0.0` (docs/PROTOCOL.md §10.5): a Node peer looks directory records up and
 * publishes them in the DHT for peers that run no DHT (browsers). One query and one answer per
 * stream. The asker trusts nothing in an answer: a record it gets back is verified against the
 * identity it asked for, and a record it publishes is signed by its own identity key, so the
 * serving node can withhold or delay records but not forge or alter them.
 */
import type { Libp2p, PeerId } from '@libp2p/interface'
import { DirectoryAnswer, DirectoryAnswerStatus, DirectoryQuery, DirectoryQueryOp } from '../../core/codec/directory.ts'
import { PUBLIC_KEY_LENGTH } from '../../core/identity/identity-key.ts'
import { MAX_RECORD_BYTES } from '../../core/directory/record.ts'
import { describeError, PeerError, ValidationError } from '../../core/errors.ts'
import { DIRECTORY_QUERY_PROTOCOL } from '../constants.ts'
import { FrameStream } from '../frames.ts'
import type { DirectoryAccess } from '../../core/directory/access.ts'
import type { Log } from './deliver.ts'

/** Largest query or answer frame: a record and a little framing. */
const MAX_FRAME = MAX_RECORD_BYTES + 1024
/** How long an answer may take: a DHT query or put, which kad-dht bounds at about 30 s. */
const ANSWER_TIMEOUT_MS = 40_000
/** Queries one peer may make per minute; the rest are refused. */
export const QUERIES_PER_MINUTE = 30

/** Decodes a query and checks the fields its operation uses; throws ValidationError naming the fault. */
export function decodeDirectoryQuery (bytes: Uint8Array): DirectoryQuery {
  let query: DirectoryQuery
  try {
    query = DirectoryQuery.decode(bytes)
  } catch (err) {
    throw new ValidationError(`directory query is not valid protobuf: ${describeError(err)}`)
  }
  if (query.version !== 1) throw new ValidationError(`directory query version ${query.version} is not supported`)
  if (query.op === DirectoryQueryOp.LOOKUP && query.identityKey.length !== PUBLIC_KEY_LENGTH) throw new ValidationError(`directory lookup needs a ${PUBLIC_KEY_LENGTH}-byte identity key, got ${query.identityKey.length} bytes`)
  if (query.op === DirectoryQueryOp.PUBLISH && (query.record.length === 0 || query.record.length > MAX_RECORD_BYTES)) throw new ValidationError(`directory record to publish must be 1 to ${MAX_RECORD_BYTES} bytes, got ${query.record.length}`)
  if (query.op !== DirectoryQueryOp.LOOKUP && query.op !== DirectoryQueryOp.PUBLISH) throw new ValidationError(`unknown directory operation ${String(query.op)}`)
  return query
}

function answer (status: DirectoryAnswerStatus, fields: Partial<DirectoryAnswer> = {}): DirectoryAnswer {
  return { status, error: '', record: new Uint8Array(), storedOn: 0, routingTable: 0, ...fields }
}

/** Serves directory lookups and publications from this node's DHT. */
export class DirectoryQueryService {
  private readonly recent = new Map<string, number[]>()

  constructor (
    private readonly libp2p: Libp2p,
    private readonly directory: DirectoryAccess,
    private readonly log: Log,
    private readonly now: () => number = Date.now
  ) {}

  async start (): Promise<void> {
    await this.libp2p.handle(DIRECTORY_QUERY_PROTOCOL, async (stream, connection) => {
      const from = connection.remotePeer
      const lp = new FrameStream(stream, { maxFrame: MAX_FRAME })
      try {
        const query = await lp.read({ signal: AbortSignal.timeout(10_000) })
        await lp.write(DirectoryAnswer.encode(await this.answer(from, query)))
        await stream.close()
      } catch (err) {
        this.log(`directory query from ${from} dropped: ${describeError(err)}`)
        stream.abort(err as Error)
      }
    }, { maxInboundStreams: 8, runOnLimitedConnection: true })
  }

  async stop (): Promise<void> {
    await this.libp2p.unhandle(DIRECTORY_QUERY_PROTOCOL)
  }

  /** Whether `peer` is still within {@link QUERIES_PER_MINUTE}; counts this query. */
  private admit (peer: string): boolean {
    const t = this.now()
    const times = (this.recent.get(peer) ?? []).filter((x) => t - x < 60_000)
    if (times.length >= QUERIES_PER_MINUTE) return false
    times.push(t)
    this.recent.set(peer, times)
    if (this.recent.size > 10_000) this.recent.delete(this.recent.keys().next().value!)
    return true
  }

  /** The answer to one query; refusals are answers, not errors. */
  async answer (from: PeerId, bytes: Uint8Array): Promise<DirectoryAnswer> {
    const routingTable = this.directory.routingTableSize()
    let query: DirectoryQuery
    try {
      query = decodeDirectoryQuery(bytes)
    } catch (err) {
      this.log(`directory: bad query from ${from}: ${describeError(err)}`)
      return answer(DirectoryAnswerStatus.BAD_QUERY, { error: describeError(err), routingTable })
    }
    if (!this.admit(from.toString())) {
      this.log(`directory: query from ${from} refused: over ${QUERIES_PER_MINUTE} a minute`)
      return answer(DirectoryAnswerStatus.REFUSED, { error: `over ${QUERIES_PER_MINUTE} directory queries a minute; try again later`, routingTable })
    }
    const signal = AbortSignal.timeout(ANSWER_TIMEOUT_MS)
    try {
      if (query.op === DirectoryQueryOp.LOOKUP) {
        const found = await this.directory.lookup(query.identityKey, signal)
        return found === undefined
          ? answer(DirectoryAnswerStatus.NOT_FOUND, { error: 'no valid directory record was found', routingTable })
          : answer(DirectoryAnswerStatus.FOUND, { record: found.encoded as Uint8Array<ArrayBuffer>, routingTable })
      }
      const storedOn = await this.directory.publish(query.record, signal)
      return answer(DirectoryAnswerStatus.PUBLISHED, { storedOn, routingTable })
    } catch (err) {
      const refused = err instanceof ValidationError || (err as Error).name === 'DirectoryRecordError'
      this.log(`directory: ${DirectoryQueryOp[query.op]} for ${from} ${refused ? 'refused' : 'failed'}: ${describeError(err)}`)
      return answer(refused ? DirectoryAnswerStatus.REFUSED : DirectoryAnswerStatus.FAILED, { error: describeError(err), routingTable })
    }
  }
}

/** A node's answer that is not FOUND, NOT_FOUND or PUBLISHED. */
export class DirectoryQueryError extends PeerError {
  static override name = 'DirectoryQueryError'
  override name = 'DirectoryQueryError'
}

/** Sends one query to `node`; returns its answer, or throws naming what went wrong. */
export async function queryDirectory (libp2p: Libp2p, node: PeerId, query: Omit<DirectoryQuery, 'version'>, signal?: AbortSignal): Promise<DirectoryAnswer> {
  let reply: DirectoryAnswer
  try {
    const timeout = AbortSignal.timeout(ANSWER_TIMEOUT_MS + 5_000)
    const both = signal === undefined ? timeout : AbortSignal.any([signal, timeout])
    const stream = await libp2p.dialProtocol(node, DIRECTORY_QUERY_PROTOCOL, { signal: both, runOnLimitedConnection: true })
    const lp = new FrameStream(stream, { maxFrame: MAX_FRAME })
    await lp.write(DirectoryQuery.encode({ version: 1, ...query }))
    reply = DirectoryAnswer.decode(await lp.read({ signal: both }))
    await stream.close().catch(() => {})
  } catch (err) {
    throw new PeerError(`directory node ${node.toString()} did not answer: ${describeError(err)}`, { cause: err })
  }
  if (reply.status === DirectoryAnswerStatus.REFUSED || reply.status === DirectoryAnswerStatus.BAD_QUERY || reply.status === DirectoryAnswerStatus.FAILED) {
    throw new DirectoryQueryError(`directory node ${node.toString()} ${reply.status === DirectoryAnswerStatus.FAILED ? 'failed' : 'refused'}: ${reply.error}`)
  }
  return reply
}
