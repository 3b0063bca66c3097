/**
 * `/kith/mailbox/1.0.0`: a node holds ciphertext frames for devices that are offline
 * (docs/PROTOCOL.md §5.4). One request and one response per stream:
 * - OPEN: the owner creates a mailbox under a random id, leaving the hashes of its fetch and
 *   deposit tokens. Only peers the node admits may open one (its own devices and its contacts,
 *   or anyone when the node serves everyone);
 * - DEPOSIT: anyone holding the deposit token (members of the owner's conversations, who got it
 *   inside MLS) leaves one Deliver frame with a TTL of at most 14 days, within quotas;
 * - FETCH and ACK: the owner, with the fetch token, reads frames and deletes those it has stored.
 * The node sees a random mailbox id, the depositor's peer id, sizes and times; never plaintext,
 * group membership or identity keys (docs/SECURITY.md, "Mailbox nodes").
 */
import type { Libp2p, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { MailboxOp, MailboxRequest, MailboxResponse, MailboxStatus, type MailboxEntry } from '../../core/codec/mailbox.ts'
import { tokenHash, MAILBOX_SECRET_BYTES, type MailboxCredentials } from '../../core/mailbox/credentials.ts'
import { FETCH_BYTES, FETCH_ENTRIES, MAX_ACK_SEQS, MAX_MAILBOX_FRAME, MAX_MAILBOX_MESSAGE, MAX_TTL_SECONDS } from '../../core/mailbox/limits.ts'
import type { MailboxResult, MailboxStore } from '../../core/mailbox/store.ts'
import { PeerError, ValidationError, describeError } from '../../core/errors.ts'
import { MAILBOX_PROTOCOL } from '../constants.ts'
import { FrameStream } from '../frames.ts'
import { decodeDeliver, type Log } from './deliver.ts'

/**
 * Whether this node keeps a mailbox for `peer` (OPEN), which may show the node's web ticket;
 * deposits and fetches need only tokens.
 */
export interface MailboxAdmission {
  (peer: PeerId, ticket: Uint8Array): boolean | Promise<boolean>
}

/** Bytes of a node's web ticket. */
export const MAILBOX_TICKET_BYTES = 32

/** How long a mailbox answer may take before the caller gives up. */
const REQUEST_TIMEOUT_MS = 10_000
/** How often expired entries are swept. */
const SWEEP_INTERVAL_MS = 60_000

function need32 (value: Uint8Array, what: string): Uint8Array {
  if (value.length !== MAILBOX_SECRET_BYTES) throw new ValidationError(`${what} must be ${MAILBOX_SECRET_BYTES} bytes, got ${value.length}`)
  return value
}

/** Decodes a request and checks every field its operation uses; throws ValidationError naming the fault. */
export function decodeMailboxRequest (bytes: Uint8Array): MailboxRequest {
  let request: MailboxRequest
  try {
    request = MailboxRequest.decode(bytes, { limits: { seqs: MAX_ACK_SEQS } })
  } catch (err) {
    throw new ValidationError(`mailbox request is not valid protobuf: ${describeError(err)}`)
  }
  if (request.version !== 1) throw new ValidationError(`mailbox request version ${request.version} is not supported`)
  need32(request.mailboxId, 'mailbox id')
  need32(request.token, 'mailbox token')
  if (request.ticket.length !== 0 && request.ticket.length !== MAILBOX_TICKET_BYTES) throw new ValidationError(`mailbox ticket must be ${MAILBOX_TICKET_BYTES} bytes, got ${request.ticket.length}`)
  if (request.op === MailboxOp.OPEN) {
    need32(request.depositHash, 'deposit hash')
  }
  if (request.op === MailboxOp.DEPOSIT) {
    if (request.ttlSeconds < 1 || request.ttlSeconds > MAX_TTL_SECONDS) throw new ValidationError(`mailbox TTL must be 1 to ${MAX_TTL_SECONDS} seconds, got ${request.ttlSeconds}`)
    if (request.frame.length === 0 || request.frame.length > MAX_MAILBOX_FRAME) throw new ValidationError(`mailbox frame must be 1 to ${MAX_MAILBOX_FRAME} bytes, got ${request.frame.length}`)
    try {
      decodeDeliver(request.frame)
    } catch (err) {
      throw new ValidationError(`mailbox frame is not a delivery frame: ${describeError(err)}`)
    }
  }
  if (request.after > BigInt(Number.MAX_SAFE_INTEGER)) throw new ValidationError('mailbox fetch position is out of range')
  for (const seq of request.seqs) if (seq > BigInt(Number.MAX_SAFE_INTEGER)) throw new ValidationError('mailbox entry number is out of range')
  return request
}

const STATUS_OF = { refused: MailboxStatus.REFUSED, 'over-quota': MailboxStatus.OVER_QUOTA } as const

/** Serves the mailboxes of one node. */
export class MailboxService {
  private sweeper: ReturnType<typeof setInterval> | undefined

  constructor (
    private readonly libp2p: Libp2p,
    private readonly store: MailboxStore,
    private readonly admit: MailboxAdmission,
    private readonly log: Log,
    private readonly now: () => number = Date.now
  ) {}

  async start (): Promise<void> {
    this.store.sweep(this.now())
    this.sweeper = setInterval(() => {
      try {
        const n = this.store.sweep(this.now())
        if (n > 0) this.log(`mailbox: ${n} expired entries deleted`)
      } catch (err) {
        this.log(`mailbox sweep failed: ${describeError(err)}`)
      }
    }, SWEEP_INTERVAL_MS)
    this.sweeper.unref?.()
    await this.libp2p.handle(MAILBOX_PROTOCOL, async (stream, connection) => {
      const from = connection.remotePeer
      const lp = new FrameStream(stream, { maxFrame: MAX_MAILBOX_MESSAGE })
      try {
        const response = await this.answer(from, await lp.read({ signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }))
        await lp.write(MailboxResponse.encode(response))
        await stream.close()
      } catch (err) {
        this.log(`mailbox request from ${from} dropped: ${describeError(err)}`)
        stream.abort(err as Error)
      }
    }, { maxInboundStreams: 16, runOnLimitedConnection: true })
  }

  /** The response to one request; refusals are answers, not errors. */
  async answer (from: PeerId, bytes: Uint8Array): Promise<MailboxResponse> {
    let request: MailboxRequest
    try {
      request = decodeMailboxRequest(bytes)
    } catch (err) {
      this.log(`mailbox: bad request from ${from}: ${describeError(err)}`)
      return { status: MailboxStatus.BAD_REQUEST, error: describeError(err), seq: 0n, entries: [], more: false, depth: 0 }
    }
    const now = this.now()
    const hash = await tokenHash(request.token)
    const reply = <T>(result: MailboxResult<T>, ok: (value: T) => Partial<MailboxResponse>): MailboxResponse => {
      const base = { status: MailboxStatus.OK, error: '', seq: 0n, entries: [], more: false, depth: 0 }
      if (result.ok) return { ...base, ...ok(result.value) }
      this.log(`mailbox: ${MailboxOp[request.op] ?? request.op} from ${from} refused: ${result.error}`)
      return { ...base, status: STATUS_OF[result.refusal], error: result.error }
    }
    switch (request.op) {
      case MailboxOp.OPEN:
        if (!(await this.admit(from, request.ticket))) return reply({ ok: false, refusal: 'refused', error: 'this node keeps mailboxes only for its own devices, its contacts and the pages it serves' }, () => ({}))
        return reply(this.store.open(request.mailboxId, hash, request.depositHash, now), (v) => ({ depth: v.depth }))
      case MailboxOp.DEPOSIT:
        return reply(this.store.deposit(request.mailboxId, hash, from.toString(), request.frame, now + request.ttlSeconds * 1000, now),
          (v) => ({ seq: BigInt(v.seq), depth: v.depth }))
      case MailboxOp.FETCH:
        return reply(this.store.fetch(request.mailboxId, hash, Number(request.after), now, { entries: FETCH_ENTRIES, bytes: FETCH_BYTES }),
          (v) => ({ entries: v.entries.map((e) => ({ seq: BigInt(e.seq), frame: e.frame as Uint8Array<ArrayBuffer>, expiresAt: BigInt(e.expiresAt), depositor: e.depositor })), more: v.more, depth: v.depth }))
      case MailboxOp.ACK:
        return reply(this.store.ack(request.mailboxId, hash, request.seqs.map(Number), now), (v) => ({ depth: v.depth }))
      default:
        return { status: MailboxStatus.BAD_REQUEST, error: `unknown mailbox operation ${String(request.op)}`, seq: 0n, entries: [], more: false, depth: 0 }
    }
  }

  async stop (): Promise<void> {
    if (this.sweeper !== undefined) clearInterval(this.sweeper)
    await this.libp2p.unhandle(MAILBOX_PROTOCOL)
  }
}

/** Where a mailbox is: the node's peer id, or its addresses (with /p2p/). */
export type MailboxNode = PeerId | Multiaddr[]

/** A mailbox node's answer that is not OK. */
export class MailboxRefusedError extends PeerError {
  static override name = 'MailboxRefusedError'
  override name = 'MailboxRefusedError'
  constructor (readonly status: 'refused' | 'over-quota' | 'bad-request', message: string) {
    super(message)
  }
}

async function request (libp2p: Libp2p, node: MailboxNode, req: Omit<MailboxRequest, 'version'>): Promise<MailboxResponse> {
  let response: MailboxResponse
  try {
    const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS)
    const stream = await libp2p.dialProtocol(node, MAILBOX_PROTOCOL, { signal, runOnLimitedConnection: true })
    const lp = new FrameStream(stream, { maxFrame: MAX_MAILBOX_MESSAGE })
    await lp.write(MailboxRequest.encode({ version: 1, ...req }))
    response = MailboxResponse.decode(await lp.read({ signal }), { limits: { entries: FETCH_ENTRIES } })
    await stream.close().catch(() => {})
  } catch (err) {
    throw new PeerError(`mailbox node ${describeNode(node)} did not answer: ${describeError(err)}`, { cause: err })
  }
  if (response.status === MailboxStatus.OK) return response
  const status = response.status === MailboxStatus.OVER_QUOTA ? 'over-quota' : response.status === MailboxStatus.REFUSED ? 'refused' : 'bad-request'
  throw new MailboxRefusedError(status, `mailbox node ${describeNode(node)} refused: ${response.error === '' ? status : response.error}`)
}

function describeNode (node: MailboxNode): string {
  return Array.isArray(node) ? (node[0]?.getComponents().find((c) => c.name === 'p2p')?.value ?? node[0]?.toString() ?? 'with no address') : node.toString()
}

const EMPTY = new Uint8Array(0)
const NO_FIELDS = { token: EMPTY, depositHash: EMPTY, ttlSeconds: 0, frame: EMPTY, after: 0n, seqs: [], ticket: EMPTY }

/** Opens (or re-keys) the owner's mailbox at `node`, showing its web `ticket` if the page has one; returns how many entries wait in it. */
export async function openMailbox (libp2p: Libp2p, node: MailboxNode, creds: MailboxCredentials, ticket?: Uint8Array): Promise<number> {
  const response = await request(libp2p, node, {
    ...NO_FIELDS,
    ticket: (ticket ?? EMPTY) as Uint8Array<ArrayBuffer>,
    op: MailboxOp.OPEN,
    mailboxId: creds.mailboxId as Uint8Array<ArrayBuffer>,
    token: creds.fetchToken as Uint8Array<ArrayBuffer>,
    depositHash: await tokenHash(creds.depositToken) as Uint8Array<ArrayBuffer>
  })
  return response.depth
}

/** Leaves one Deliver frame in a mailbox; throws MailboxRefusedError ('over-quota', 'refused') or PeerError. */
export async function depositFrame (libp2p: Libp2p, node: MailboxNode, mailbox: { mailboxId: Uint8Array, depositToken: Uint8Array }, frame: Uint8Array, ttlSeconds: number): Promise<{ seq: number, depth: number }> {
  const response = await request(libp2p, node, {
    ...NO_FIELDS,
    op: MailboxOp.DEPOSIT,
    mailboxId: mailbox.mailboxId as Uint8Array<ArrayBuffer>,
    token: mailbox.depositToken as Uint8Array<ArrayBuffer>,
    ttlSeconds,
    frame: frame as Uint8Array<ArrayBuffer>
  })
  return { seq: Number(response.seq), depth: response.depth }
}

/** Entries waiting after `after`, oldest first. */
export async function fetchMailbox (libp2p: Libp2p, node: MailboxNode, creds: MailboxCredentials, after: number): Promise<{ entries: MailboxEntry[], more: boolean, depth: number }> {
  const response = await request(libp2p, node, {
    ...NO_FIELDS,
    op: MailboxOp.FETCH,
    mailboxId: creds.mailboxId as Uint8Array<ArrayBuffer>,
    token: creds.fetchToken as Uint8Array<ArrayBuffer>,
    after: BigInt(after)
  })
  return { entries: response.entries, more: response.more, depth: response.depth }
}

/** Deletes entries the owner has stored durably; returns how many remain. */
export async function ackMailbox (libp2p: Libp2p, node: MailboxNode, creds: MailboxCredentials, seqs: readonly number[]): Promise<number> {
  const response = await request(libp2p, node, {
    ...NO_FIELDS,
    op: MailboxOp.ACK,
    mailboxId: creds.mailboxId as Uint8Array<ArrayBuffer>,
    token: creds.fetchToken as Uint8Array<ArrayBuffer>,
    seqs: seqs.map(BigInt)
  })
  return response.depth
}
