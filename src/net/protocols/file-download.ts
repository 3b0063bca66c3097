/**
 * `/kith/file/1.0.0`, the downloading side (docs/PROTOCOL.md §9.4–9.5): fetches a file's chunks
 * from several sources at once. Each source gets one stream and up to `maxInFlightBytes` of
 * requests outstanding; the piece picker chooses rarest first and runs the end-game. Every chunk
 * is checked against the manifest's Merkle root before it is stored; a source that sends a chunk
 * that fails, sends what it was not asked for, or stalls is dropped, and its chunks go to others.
 */
import type { Libp2p, PeerId } from '@libp2p/interface'
import { FileRequest, FileRequestKind, FileResponse, FileResponseKind } from '../../core/codec/files.ts'
import { PeerError, describeError } from '../../core/errors.ts'
import { Bitfield } from '../../core/files/bitfield.ts'
import { QuotaExceededError, type ChunkStore } from '../../core/files/chunk-store.ts'
import { chunkCiphertextLength, chunkCountOf, fileIdHex, validateManifest, type FileManifest } from '../../core/files/manifest.ts'
import { leafHash, verifyProof } from '../../core/files/merkle.ts'
import { PiecePicker } from '../../core/files/piece-picker.ts'
import { decodeFileResponseParts, type FileResponseParts } from '../../core/files/response-parts.ts'
import { FILE_PROTOCOL, MAX_FILE_RESPONSE_FRAME } from '../constants.ts'
import { FrameStream, type FrameParts } from '../frames.ts'
import type { Log } from './deliver.ts'

/**
 * Bytes requested and not yet stored per source, by default. Measured on loopback between two
 * busy processes, 2 MiB ran at about a third of 8 MiB's rate and 16–32 MiB faster still: a
 * request waits behind the source's disk reads and event loop, so the window has to cover that.
 */
const DEFAULT_IN_FLIGHT_BYTES = 16 * 1024 * 1024

/**
 * Bytes requested and not yet stored at a source that holds the whole file (the sender) while a
 * member that holds part of it is a source too (`seedInFlightBytes`), on Node and in the browser; others get the default
 * 16 MiB. With 16 MiB everywhere every downloader had most of a file asked of the sender before
 * the others could offer it: in the swarm benchmark (1 sender, 4 receivers, 256 MiB) the sender
 * uploaded 1.9 times the file; with 4 MiB everywhere 1.4 times and the swarm was slower than the
 * sender alone; with 4 MiB for the sender only (filled last) and each receiver asking the sender
 * for its own part of the file first (`swarmPart`), 1.15–1.2 times, and the swarm's time went from
 * 22–57 s to 16–21 s (docs/ARCHITECTURE.md, "Swarming"). An 8 MiB seed window gave 1.34–1.42.
 */
export const SWARM_IN_FLIGHT_BYTES = 4 * 1024 * 1024

/** Progress after each stored chunk. */
export interface DownloadProgress {
  readonly index: number
  readonly held: number
  readonly total: number
  readonly from: string
}

/** Options of {@link downloadFile}. */
export interface DownloadOptions {
  readonly store: ChunkStore
  readonly log: Log
  /** Bytes of chunks requested and not yet stored, per source, at most (default 16 MiB; one request always goes). */
  readonly maxInFlightBytes?: number
  /**
   * The window of a source that holds the whole file (the sender, typically) while another source
   * that does not is open too (default: `maxInFlightBytes`). Smaller, it leaves the chunks the
   * others hold to them, so that the swarm, not the sender, serves most copies.
   */
  readonly seedInFlightBytes?: number
  /** A source with requests outstanding that sends nothing for this long is dropped (default 20 s). */
  readonly stallTimeoutMs?: number
  /** How long to wait for a source to open the stream and send HAVE (default 10 s). */
  readonly openTimeoutMs?: number
  readonly signal?: AbortSignal
  /** Called after each chunk is verified and stored (for progress, and to announce it: `FileService.announce`). */
  readonly onChunk?: (progress: DownloadProgress) => void
  /** Tie-breaking for the piece picker (default Math.random). */
  readonly random?: () => number
  /** This downloader's part of a swarm fetching the file at once (see `PiecePickerOptions.part`; {@link swarmPart}). */
  readonly part?: { readonly index: number, readonly of: number }
}

/**
 * This device's part of the swarm of a file: its place among the member devices that may fetch it
 * (`devices`, this one included), the offer's sender left out, ordered by peer id, so that every
 * member computes the same split without a word. Undefined when it would be the whole file.
 */
export function swarmPart (self: string, sender: string, devices: Iterable<string>): { index: number, of: number } | undefined {
  const members = [...new Set([self, ...devices])].filter((d) => d !== sender).sort()
  return members.length < 2 ? undefined : { index: members.indexOf(self), of: members.length }
}

/** What a finished download did. */
export interface DownloadReport {
  /** Chunks this download fetched and stored (not those already held). */
  readonly chunksFetched: number
  /** Encrypted bytes stored, by source peer id. */
  readonly bytesBySource: ReadonlyMap<string, number>
  /** Sources dropped, with the reason. */
  readonly dropped: ReadonlyArray<{ readonly peer: string, readonly reason: string }>
}

interface Source {
  readonly id: string
  readonly lp: FrameStream
  readonly abort: (err: Error) => void
  readonly close: () => Promise<void>
  /** Bytes requested and not yet stored. */
  awaiting: number
  /** End-game requests cancelled whose chunk may still arrive. */
  readonly cancelled: Set<number>
  /** Chunks arrived from this source and being checked and stored. */
  readonly processing: Set<number>
  /** It held every chunk when it opened (a seed). */
  seed: boolean
  lastFrameAt: number
  dropped: boolean
}

function request (kind: FileRequestKind, fields: { fileId?: Uint8Array, index?: number }): Uint8Array {
  return FileRequest.encode({ kind, fileId: (fields.fileId ?? new Uint8Array()) as Uint8Array<ArrayBuffer>, index: fields.index ?? 0 })
}

/** A download under way, which sources can join while it runs. */
export interface FileDownload {
  /** Settles as {@link downloadFile}'s promise does. */
  readonly done: Promise<DownloadReport>
  /**
   * Asks `peer` too (a member device that came online, connected, or joined after the download
   * began): it is opened like the first sources and its HAVE counted from then on. Returns false,
   * doing nothing, when it is this device, already a source (open or opening), was dropped for
   * misbehaving, or the download has finished.
   */
  addSource: (peer: PeerId) => boolean
}

/**
 * Fetches every chunk of `manifest` that `options.store` does not hold yet from `sources`, and
 * stores each once verified. Resolves when the store holds the whole file. Rejects with a
 * {@link PeerError} when no source can supply the rest, with {@link QuotaExceededError} when the
 * store is full (resume by calling again once there is room), or with the signal's reason.
 */
export async function downloadFile (libp2p: Libp2p, manifest: FileManifest, sources: readonly PeerId[], options: DownloadOptions): Promise<DownloadReport> {
  return await startDownload(libp2p, manifest, sources, options).done
}

/** {@link downloadFile}, with a handle to add sources to it while it runs. */
export function startDownload (libp2p: Libp2p, manifest: FileManifest, sources: readonly PeerId[], options: DownloadOptions): FileDownload {
  // Sources added before the download has opened its store wait here.
  const early: PeerId[] = []
  let add: ((peer: PeerId) => boolean) | undefined
  let finished = false
  const done = runDownload(libp2p, manifest, sources, options, (ready) => {
    add = ready
    for (const peer of early.splice(0)) ready(peer)
  }).finally(() => { finished = true })
  return {
    done,
    addSource: (peer) => {
      if (add !== undefined) return add(peer)
      if (finished || early.some((p) => p.equals(peer))) return false
      early.push(peer)
      return true
    }
  }
}

async function runDownload (libp2p: Libp2p, manifest: FileManifest, sources: readonly PeerId[], options: DownloadOptions, expose: (addSource: (peer: PeerId) => boolean) => void): Promise<DownloadReport> {
  validateManifest(manifest)
  const count = chunkCountOf(manifest.size, manifest.chunkSize)
  const held = await options.store.open(manifest.fileId, count)
  const fileName = fileIdHex(manifest.fileId)
  const bytesBySource = new Map<string, number>()
  const dropped: Array<{ peer: string, reason: string }> = []
  if (held.complete) return { chunksFetched: 0, bytesBySource, dropped }
  const maxInFlight = options.maxInFlightBytes ?? DEFAULT_IN_FLIGHT_BYTES
  const seedInFlight = options.seedInFlightBytes ?? maxInFlight
  const windowOf = (source: Source): number => {
    if (!source.seed || seedInFlight >= maxInFlight) return maxInFlight
    for (const other of active.values()) if (!other.seed) return seedInFlight
    return maxInFlight
  }
  const stallMs = options.stallTimeoutMs ?? 20_000
  const openMs = options.openTimeoutMs ?? 10_000
  const picker = new PiecePicker(held, { ...(options.random !== undefined ? { random: options.random } : {}), ...(options.part !== undefined ? { part: options.part } : {}) })
  const active = new Map<string, Source>()
  /** Sources being opened. */
  const opening = new Set<string>()
  /** Sources dropped for misbehaving (a bad chunk, a protocol violation): never asked again by this download. */
  const penalised = new Set<string>()
  let fetched = 0
  /** Chunks being checked and stored. */
  const running = new Set<Promise<void>>()
  let pending = 0 // sources still opening
  let settled = false
  let resolveDone!: () => void
  let rejectDone!: (err: Error) => void
  const done = new Promise<void>((resolve, reject) => { resolveDone = resolve; rejectDone = reject })
  /** When nothing is in flight and nothing can be asked for, since when. */
  let stuckSince: number | undefined

  const finish = (err?: Error): void => {
    if (settled) return
    settled = true
    clearInterval(timer)
    options.signal?.removeEventListener('abort', onAbort)
    for (const s of active.values()) {
      if (err === undefined) void s.close().catch(() => {})
      else s.abort(err)
    }
    // Settles once no chunk is being stored: a caller may then open the store afresh.
    void Promise.allSettled([...running]).then(() => {
      if (err === undefined) resolveDone()
      else rejectDone(err)
    })
  }

  /** Drops a source; `misbehaved` false for one that is merely gone (it may be added again when it is back). */
  const drop = (source: Source, reason: string, misbehaved = true): void => {
    if (source.dropped) return
    source.dropped = true
    active.delete(source.id)
    if (misbehaved) penalised.add(source.id)
    dropped.push({ peer: source.id, reason })
    options.log(`file ${fileName}: dropped source ${source.id}: ${reason}`)
    source.abort(new PeerError(reason))
    picker.removeSource(source.id)
    fillAll()
  }

  const send = (source: Source, frames: Uint8Array[]): void => {
    if (frames.length === 0) return
    void source.lp.write(...frames).catch((err: unknown) => { drop(source, `write failed: ${describeError(err)}`, false) })
  }

  const fill = (source: Source): void => {
    if (settled || source.dropped) return
    const maxInFlight = windowOf(source)
    // The stall clock runs only while requests are outstanding.
    if (picker.inFlight(source.id).size <= source.processing.size) source.lastFrameAt = Date.now()
    const frames: Uint8Array[] = []
    for (;;) {
      if (source.awaiting > 0 && source.awaiting >= maxInFlight) break
      const pick = picker.pick(source.id)
      if (pick === undefined) break
      source.awaiting += chunkCiphertextLength(manifest, pick.index)
      if (source.awaiting > maxInFlight && picker.inFlight(source.id).size > 1) {
        // Does not fit after all: give it back for the next round.
        source.awaiting -= chunkCiphertextLength(manifest, pick.index)
        picker.release(source.id, pick.index)
        break
      }
      frames.push(request(FileRequestKind.GET, { index: pick.index }))
    }
    send(source, frames)
  }

  function fillAll (): void {
    if (settled) return
    // Sources that hold part of the file first, seeds last: a seed is asked for what is left.
    for (const s of active.values()) if (!s.seed) fill(s)
    for (const s of active.values()) if (s.seed) fill(s)
    checkStuck()
  }

  const checkStuck = (): void => {
    if (settled) return
    if (picker.complete) {
      finish()
      return
    }
    let busy = pending > 0
    for (const s of active.values()) if (picker.inFlight(s.id).size > 0) busy = true
    if (busy) {
      stuckSince = undefined
      return
    }
    if (active.size === 0) {
      const why = dropped.length > 0 ? ` (${dropped.map((d) => `${d.peer}: ${d.reason}`).join('; ')})` : ''
      finish(new PeerError(`${picker.missing} of ${count} chunks of file ${fileName} are missing and no source is left to fetch them from${why}`))
      return
    }
    stuckSince ??= Date.now()
  }

  const receive = (source: Source, parts: FrameParts): void => {
    let frame: FileResponseParts
    try {
      // A CHUNK stays the views of the Noise messages it came in: hashed and written as they are.
      frame = decodeFileResponseParts(parts)
    } catch (err) {
      drop(source, `sent an undecodable frame: ${describeError(err)}`)
      return
    }
    const index = frame.index
    switch (frame.kind) {
      case FileResponseKind.HAVE_ONE:
        if (index >= count) return drop(source, `announced chunk ${index}, out of range 0..${count - 1}`)
        picker.addHave(source.id, index)
        fillAll()
        return
      case FileResponseKind.DONT_HAVE:
        if (!picker.isRequested(source.id, index)) return
        source.awaiting -= chunkCiphertextLength(manifest, index)
        picker.release(source.id, index, true)
        fillAll()
        return
      case FileResponseKind.CHUNK:
        break
      default:
        return drop(source, `sent a ${frame.kind} frame after HAVE`)
    }
    if (!picker.isRequested(source.id, index)) {
      if (source.cancelled.delete(index)) return // an end-game duplicate that lost the race
      return drop(source, `sent chunk ${index}, which it was not asked for`)
    }
    const expected = chunkCiphertextLength(manifest, index)
    if (source.processing.has(index)) return drop(source, `sent chunk ${index} twice`)
    // Checked and stored while the next frames are read; its bytes count against the window until stored.
    source.processing.add(index)
    const task = store(source, index, frame, expected).finally(() => {
      running.delete(task)
      source.processing.delete(index)
      source.awaiting -= expected
      fill(source)
    })
    running.add(task)
  }

  const store = async (source: Source, index: number, frame: FileResponseParts, expected: number): Promise<void> => {
    if (frame.chunkLength !== expected) return drop(source, `sent chunk ${index} of ${frame.chunkLength} bytes, expected ${expected}`)
    const leaf = await leafHash(frame.chunk)
    if (!await verifyProof(manifest.merkleRoot, count, index, leaf, frame.proof)) {
      return drop(source, `sent chunk ${index}, which fails verification against the file's Merkle root`)
    }
    if (settled || source.dropped || !picker.isRequested(source.id, index)) return
    try {
      await options.store.put(manifest.fileId, index, { chunk: frame.chunk, proof: frame.proof, leaf })
    } catch (err) {
      picker.release(source.id, index)
      if (err instanceof QuotaExceededError) options.log(`file ${fileName}: paused: ${err.message}`)
      finish(err as Error)
      return
    }
    // Another source's copy of the same chunk was stored meanwhile (end-game).
    if (settled || !picker.isRequested(source.id, index)) return
    for (const other of picker.received(source.id, index)) {
      const o = active.get(other)
      if (o === undefined || o.processing.has(index)) continue
      o.awaiting -= expected
      o.cancelled.add(index)
      send(o, [request(FileRequestKind.CANCEL, { index })])
    }
    fetched++
    bytesBySource.set(source.id, (bytesBySource.get(source.id) ?? 0) + frame.chunkLength)
    options.onChunk?.({ index, held: count - picker.missing, total: count, from: source.id })
    fillAll()
  }

  const openSource = async (peer: PeerId): Promise<void> => {
    const id = peer.toString()
    let source: Source | undefined
    try {
      const stream = await libp2p.dialProtocol(peer, FILE_PROTOCOL, { signal: AbortSignal.timeout(openMs) })
      const lp = new FrameStream(stream, { maxFrame: MAX_FILE_RESPONSE_FRAME, maxBuffered: 2 * maxInFlight + 2 * MAX_FILE_RESPONSE_FRAME })
      source = { id, lp, abort: (err) => { stream.abort(err) }, close: async () => { await stream.close() }, awaiting: 0, cancelled: new Set(), processing: new Set(), lastFrameAt: Date.now(), dropped: false, seed: false }
      if (settled) {
        source.abort(new Error('download finished'))
        return
      }
      await lp.write(request(FileRequestKind.OPEN, { fileId: manifest.fileId }))
      const first = FileResponse.decode(await lp.read({ signal: AbortSignal.timeout(openMs) }))
      if (first.kind === FileResponseKind.REFUSED) throw new PeerError(`refused: ${first.reason.slice(0, 200)}`)
      if (first.kind !== FileResponseKind.HAVE) throw new PeerError(`answered OPEN with ${first.kind}, not HAVE`)
      const have = Bitfield.fromBytes(first.bitfield, count)
      source.seed = have.complete
      if (settled) {
        source.abort(new Error('download finished'))
        return
      }
      picker.addSource(id, have)
      active.set(id, source)
    } catch (err) {
      dropped.push({ peer: id, reason: describeError(err) })
      options.log(`file ${fileName}: source ${id} unavailable: ${describeError(err)}`)
      source?.abort(err as Error)
      source = undefined
    } finally {
      pending--
      opening.delete(id)
    }
    fillAll()
    if (source === undefined) return
    const s = source
    for (;;) {
      let parts: FrameParts
      try {
        parts = await s.lp.readParts()
      } catch (err) {
        if (!settled) drop(s, `stream ended: ${describeError(err)}`, false)
        return
      }
      s.lastFrameAt = Date.now()
      if (s.dropped || settled) return
      receive(s, parts)
      if (s.dropped || settled) return
    }
  }

  const timer = setInterval(() => {
    const now = Date.now()
    for (const s of [...active.values()]) {
      if (picker.inFlight(s.id).size > s.processing.size && now - s.lastFrameAt > stallMs) drop(s, `stalled: nothing for ${stallMs} ms with requests outstanding`, false)
    }
    // Requests may have gone out since stuckSince was set (a source refilled on its own): look again.
    checkStuck()
    if (!settled && stuckSince !== undefined && now - stuckSince > stallMs) {
      finish(new PeerError(`${picker.missing} of ${count} chunks of file ${fileName} are held by none of the ${active.size} source(s)`))
    }
  }, Math.max(10, Math.floor(stallMs / 4)))
  const onAbort = (): void => { finish(options.signal?.reason as Error) }
  options.signal?.addEventListener('abort', onAbort, { once: true })
  if (options.signal?.aborted === true) onAbort()

  const self = libp2p.peerId.toString()
  const addSource = (peer: PeerId): boolean => {
    const id = peer.toString()
    if (settled || id === self || active.has(id) || opening.has(id) || penalised.has(id)) return false
    opening.add(id)
    pending++
    void openSource(peer)
    return true
  }
  for (const peer of sources) addSource(peer)
  expose(addSource)
  checkStuck()
  await done
  return { chunksFetched: fetched, bytesBySource, dropped }
}
