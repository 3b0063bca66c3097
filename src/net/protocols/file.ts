/**
 * `/kith/file/1.0.0`, the serving side (docs/PROTOCOL.md §9.4): a downloader opens a stream per
 * file, learns which chunks this device holds (HAVE, then HAVE_ONE as more arrive), and asks
 * for chunks, several at a time (GET, CANCEL). Chunks come from the chunk store with their Merkle
 * proofs, one after another, each write waiting for the stream to drain. Every peer is checked
 * against `mayFetch` before anything is sent; unknown files and refused peers get the same answer.
 * The downloading side is in file-download.ts.
 */
import type { Connection, IdentifyResult, Libp2p, PeerId, PeerUpdate, Stream } from '@libp2p/interface'
import { FileRequest, FileRequestKind, FileResponse, FileResponseKind } from '../../core/codec/files.ts'
import { describeError } from '../../core/errors.ts'
import type { ChunkStore, StoredChunk } from '../../core/files/chunk-store.ts'
import { asFileId, fileIdHex, type FileId } from '../../core/files/manifest.ts'
import { FILE_PROTOCOL, MAX_FILE_REQUEST_FRAME, MAX_QUEUED_FILE_REQUESTS } from '../constants.ts'
import { Uint8ArrayList } from 'uint8arraylist'
import { FrameStream } from '../frames.ts'
import type { Log } from './deliver.ts'

export { downloadFile, startDownload, swarmPart, SWARM_IN_FLIGHT_BYTES, type DownloadOptions, type DownloadProgress, type DownloadReport, type FileDownload } from './file-download.ts'

/** Decides whether `peer` may fetch chunks of `fileId` (the lead wires it to group membership). */
export interface MayFetch {
  (peer: PeerId, fileId: FileId): boolean | Promise<boolean>
}

/** Options of a {@link FileService}. */
export interface FileServiceOptions {
  readonly store: ChunkStore
  readonly mayFetch: MayFetch
  readonly log: Log
  /** How long a new stream may take to say which file it wants (default 10 s). */
  readonly openTimeoutMs?: number
  /** How long a stream may stay without a request before it is closed (default 60 s). */
  readonly idleTimeoutMs?: number
  /** Inbound file streams per connection, at most (default 32). */
  readonly maxInboundStreams?: number
  /** Called after each chunk is written to a downloader (upload progress). */
  readonly onServed?: (peer: PeerId, fileId: FileId, index: number, bytes: number) => void
}

/** Chunks read ahead of the one being sent, per stream. */
const PREFETCH = 4
/**
 * How long a stream's "may fetch" yes is reused before the next chunk asks again, when no change of
 * membership was signalled ({@link FileService.membershipChanged}) meanwhile.
 */
const MAY_FETCH_REUSE_MS = 2_000

/** The answer to an unknown file and to a refused peer alike, so a refusal reveals nothing. */
const REFUSAL = 'unknown file or not allowed'

/** Encodes a response frame. */
function response (fields: Partial<FileResponse> & { kind: FileResponseKind }): Uint8Array {
  return FileResponse.encode({ bitfield: new Uint8Array(), index: 0, chunk: new Uint8Array(), proof: new Uint8Array(), reason: '', ...fields })
}

function varint (n: number): number[] {
  const out: number[] = []
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80)
    n = Math.floor(n / 0x80)
  }
  out.push(n)
  return out
}

/**
 * A length-prefixed CHUNK response, byte for byte what `encodeFrames([FileResponse.encode(...)])`
 * gives, but with the chunk and proof sent as they are rather than copied twice into new buffers.
 */
export function chunkFrame (index: number, chunk: Uint8Array, proof: Uint8Array): Uint8ArrayList {
  // FileResponse fields in number order: kind = CHUNK (1), index (3, omitted when 0), chunk (4), proof (5, omitted when empty).
  const head = [0x08, 0x01, ...(index !== 0 ? [0x18, ...varint(index)] : []), 0x22, ...varint(chunk.length)]
  const tail = proof.length > 0 ? [0x2a, ...varint(proof.length)] : []
  const length = head.length + chunk.length + tail.length + proof.length
  const list = new Uint8ArrayList(Uint8Array.from([...varint(length), ...head]), chunk)
  if (proof.length > 0) list.append(Uint8Array.from(tail), proof)
  return list
}

/** A request frame the source could not accept; the stream is dropped. */
class FileProtocolError extends Error {
  override readonly name = 'FileProtocolError'
}

/**
 * Calls `serving` with each connected peer that starts serving files. A peer that connects while it
 * is still starting (its file service not registered yet) refuses `/kith/file/1.0.0`; this node
 * learns it serves files from the identify that follows, or from the identify push it sends once
 * its service is up (Node runs identify push). A restarted peer's stored protocols still list the
 * file protocol from before, so each identify that lists it counts, not only a change in the peer
 * store. Returns a function that stops listening.
 */
export function onFileServiceAppears (libp2p: Libp2p, serving: (peer: PeerId) => void): () => void {
  const onUpdate = (evt: CustomEvent<PeerUpdate>): void => {
    const { peer, previous } = evt.detail
    if (peer.protocols.includes(FILE_PROTOCOL) && previous?.protocols.includes(FILE_PROTOCOL) !== true) serving(peer.id)
  }
  const onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    if (evt.detail.protocols.includes(FILE_PROTOCOL)) serving(evt.detail.peerId)
  }
  libp2p.addEventListener('peer:update', onUpdate)
  libp2p.addEventListener('peer:identify', onIdentify)
  return () => {
    libp2p.removeEventListener('peer:update', onUpdate)
    libp2p.removeEventListener('peer:identify', onIdentify)
  }
}

/** Serves chunks of the files in a chunk store to the peers `mayFetch` allows. */
export class FileService {
  /** Open streams by file, to tell them of chunks stored later. */
  private readonly watchers = new Map<string, Set<FrameStream>>()
  private readonly openTimeoutMs: number
  private readonly idleTimeoutMs: number
  /** Bumped by {@link membershipChanged}: every stream asks `mayFetch` again before its next chunk. */
  private membership = 0

  constructor (private readonly libp2p: Libp2p, private readonly options: FileServiceOptions) {
    this.openTimeoutMs = options.openTimeoutMs ?? 10_000
    this.idleTimeoutMs = options.idleTimeoutMs ?? 60_000
  }

  /** Starts answering `/kith/file/1.0.0` (direct connections only: bulk data never uses a relay). */
  async start (): Promise<void> {
    await this.libp2p.handle(FILE_PROTOCOL, async (stream, connection) => { await this.serve(stream, connection) }, {
      maxInboundStreams: this.options.maxInboundStreams ?? 32
    })
  }

  /** Stops taking new file streams. */
  async stop (): Promise<void> {
    await this.libp2p.unhandle(FILE_PROTOCOL)
  }

  /**
   * Some conversation's members changed (or may have): each open stream asks `mayFetch` again before
   * it serves another chunk, so a removed member is cut off at once. Between changes a stream reuses
   * its yes for up to 2 s instead of asking for every chunk.
   */
  membershipChanged (): void {
    this.membership++
  }

  /** Tells the peers fetching `fileId` that chunk `index` is now here too (HAVE_ONE). */
  announce (fileId: FileId, index: number): void {
    const streams = this.watchers.get(fileIdHex(fileId))
    if (streams === undefined) return
    const frame = response({ kind: FileResponseKind.HAVE_ONE, index })
    for (const lp of streams) void lp.write(frame).catch(() => {})
  }

  private async serve (stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer
    const lp = new FrameStream(stream, { maxFrame: MAX_FILE_REQUEST_FRAME, maxBuffered: MAX_QUEUED_FILE_REQUESTS * MAX_FILE_REQUEST_FRAME })
    let fileId: FileId | undefined
    try {
      const open = decodeRequest(await lp.read({ signal: AbortSignal.timeout(this.openTimeoutMs) }))
      if (open.kind !== FileRequestKind.OPEN) throw new FileProtocolError('the first frame is not OPEN')
      fileId = asFileId(open.fileId)
      const held = await this.options.store.held(fileId)
      const membership = this.membership
      const allowed = held !== undefined && await this.options.mayFetch(peer, fileId)
      if (!allowed || held === undefined) {
        this.options.log(`file ${fileIdHex(fileId)}: refused ${peer}: ${held === undefined ? 'unknown file' : 'not allowed to fetch it'}`)
        await lp.write(response({ kind: FileResponseKind.REFUSED, reason: REFUSAL }))
        await stream.close()
        return
      }
      const id = fileIdHex(fileId)
      let watchers = this.watchers.get(id)
      if (watchers === undefined) this.watchers.set(id, watchers = new Set())
      watchers.add(lp)
      try {
        await lp.write(response({ kind: FileResponseKind.HAVE, bitfield: held.toBytes() as Uint8Array<ArrayBuffer> }))
        const send = async (data: Uint8ArrayList): Promise<void> => { if (!stream.send(data)) await stream.onDrain() }
        await this.answer(lp, send, peer, fileId, held.size, { membership, at: Date.now() })
      } finally {
        watchers.delete(lp)
        if (watchers.size === 0) this.watchers.delete(id)
      }
      await stream.close()
    } catch (err) {
      const what = fileId === undefined ? 'file stream' : `file ${fileIdHex(fileId)}`
      this.options.log(`${what}: dropped the stream from ${peer}: ${describeError(err)}`)
      stream.abort(err as Error)
    }
  }

  /** Reads GETs and CANCELs into a queue while another loop answers them in order. */
  private async answer (lp: FrameStream, send: (data: Uint8ArrayList) => Promise<void>, peer: PeerId, fileId: FileId, count: number, allowed: { membership: number, at: number }): Promise<void> {
    const queue: number[] = []
    // Reads of the next chunks run while the current one is written out.
    const prefetched = new Map<number, Promise<StoredChunk | undefined>>()
    const read = (index: number): Promise<StoredChunk | undefined> => {
      let got = prefetched.get(index)
      if (got === undefined) {
        got = this.options.store.get(fileId, index)
        got.catch(() => {})
        prefetched.set(index, got)
      }
      return got
    }
    let wake: (() => void) | undefined
    let ended = false
    let failure: Error | undefined
    // OPEN was just allowed: the first chunks need not ask again.
    let allowedIn = allowed.membership
    let allowedAt = allowed.at
    const reader = (async () => {
      try {
        for (;;) {
          let frame: Uint8Array
          try {
            frame = await lp.read({ signal: AbortSignal.timeout(this.idleTimeoutMs) })
          } catch (err) {
            if ((err as Error).name === 'StreamEndedError') return
            if ((err as Error).name === 'TimeoutError') throw new FileProtocolError(`no request for ${this.idleTimeoutMs} ms`)
            throw err
          }
          const request = decodeRequest(frame)
          if (request.kind === FileRequestKind.OPEN) throw new FileProtocolError('OPEN on an open stream')
          if (request.index >= count) throw new FileProtocolError(`chunk index ${request.index} is out of range 0..${count - 1}`)
          if (request.kind === FileRequestKind.CANCEL) {
            const at = queue.indexOf(request.index)
            if (at >= 0) queue.splice(at, 1)
            if (!queue.includes(request.index)) prefetched.delete(request.index)
            continue
          }
          if (queue.length >= MAX_QUEUED_FILE_REQUESTS) throw new FileProtocolError(`more than ${MAX_QUEUED_FILE_REQUESTS} requests outstanding`)
          queue.push(request.index)
          wake?.()
        }
      } catch (err) {
        failure = err as Error
      } finally {
        ended = true
        wake?.()
      }
    })()
    for (;;) {
      if (failure !== undefined) throw failure
      const index = queue.shift()
      if (index === undefined) {
        if (ended) break
        await new Promise<void>((resolve) => { wake = resolve })
        wake = undefined
        continue
      }
      for (const next of queue.slice(0, PREFETCH - 1)) void read(next)
      if (allowedIn !== this.membership || Date.now() - allowedAt > MAY_FETCH_REUSE_MS) {
        const membership = this.membership
        if (!await this.options.mayFetch(peer, fileId)) throw new FileProtocolError('no longer allowed to fetch this file')
        allowedIn = membership
        allowedAt = Date.now()
      }
      const stored = await read(index)
      if (!queue.includes(index)) prefetched.delete(index)
      if (stored === undefined) await lp.write(response({ kind: FileResponseKind.DONT_HAVE, index }))
      else {
        await send(chunkFrame(index, stored.chunk, stored.proof))
        this.options.onServed?.(peer, fileId, index, stored.chunk.length)
      }
    }
    await reader
    if (failure !== undefined) throw failure
  }
}

/** Decodes a downloader's frame. Throws on garbage. */
function decodeRequest (bytes: Uint8Array): FileRequest {
  try {
    return FileRequest.decode(bytes)
  } catch (err) {
    throw new FileProtocolError(`undecodable request frame: ${describeError(err)}`)
  }
}
