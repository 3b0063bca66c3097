/**
 * Files on a Node peer: sealing a file into the chunk store and offering it in a conversation,
 * serving chunks over `/kith/file/1.0.0` to the devices the messenger allows, and downloads that
 * keep going after the command that started them has exited. A transfer's state (offered,
 * downloading, paused, done, failed) is kept in `files/transfers.json` and its chunks in the chunk
 * store, so `kill -9` of either side resumes from the verified chunks.
 *
 * The sender's original is copied, encrypted, into the chunk store when it is offered (not
 * referenced): a file edited or moved afterwards cannot serve chunks that fail their proofs, and
 * the store's quota covers everything this device serves (docs/ARCHITECTURE.md, "Files").
 */
import { existsSync } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { EpochWatch } from '../core/conversation/epoch-watch.ts'
import { NotFoundError, UsageError, ValidationError, describeError } from '../core/errors.ts'
import { QuotaExceededError, type ChunkStore } from '../core/files/chunk-store.ts'
import { asFileId, chunkCountOf, chunkPlaintextLength, fileIdHex, validateFileName, type FileManifest } from '../core/files/manifest.ts'
import { fromHex } from '../core/bytes.ts'
import { RoomWait, ROOM_CHECK_MS, roomForChunks, type WaitingForRoom } from '../core/files/room-wait.ts'
import { sealFile } from '../core/files/sealed-file.ts'
import type { FileOfferRecord, Messenger, MessageOut } from '../core/messenger/messenger.ts'
import type { Log } from '../core/messenger/ports.ts'
import type { KithLibp2p } from '../net/node.ts'
import { FileService, onFileServiceAppears, startDownload, swarmPart, SWARM_IN_FLIGHT_BYTES, type FileDownload } from '../net/protocols/file.ts'
import type { NodeChunkStore } from '../store/chunks.node.ts'
import { dueForRoom } from './disk-room.ts'
import { freePath, writeOut } from './file-write-out.ts'
import { mimeTypeOf } from './mime-type.ts'
import { loadTransferStates, saveTransferStates, type Saved, type TransferState } from './transfer-states.ts'
import { formatBytes } from './cli/format.ts'

/** Where a transfer stands, as `kith files` shows it. */

export type { TransferState } from './transfer-states.ts'

/** A file offered in a conversation, with this device's transfer of it. */
export interface TransferView {
  readonly fileId: string
  readonly conversation: string
  readonly messageId: string
  readonly name: string
  readonly size: number
  readonly mimeType: string
  readonly caption: string
  /** The sender's identity key, hex. */
  readonly sender: string
  readonly own: boolean
  readonly sentAt: number
  readonly state: TransferState
  /** Plaintext bytes of the chunks held. */
  readonly bytes: number
  /** Bytes per second over the last seconds, while downloading. */
  readonly speed: number
  /** Seconds left at that speed, while downloading and moving. */
  readonly etaSeconds?: number
  /** Where the file is: the saved download, or the original an own offer was read from. */
  readonly path?: string
  /** Why the transfer is paused, waiting or failed. */
  readonly error?: string
}

/** Options of {@link FileTransfers}. */
export interface FileTransfersOptions {
  /** The directory downloads are saved in when no `--out` is given. */
  readonly downloadsDir: string
  /** The JSON file transfer states are kept in. */
  readonly stateFile: string
  readonly log: Log
  /** First wait before retrying a download whose sources are all gone, doubling to 30 s (default 1 s; tests shorten it). */
  readonly retryMs?: number
  /** How often a running download looks again for member devices that may serve it (default 5 s). */
  readonly sourceRefreshMs?: number
  /** How often downloads paused for want of room look for room (default 3 s); a try that pauses again at once doubles its wait, to 5 min. */
  readonly roomCheckMs?: number
}

interface Running {
  readonly controller: AbortController
  readonly done: Promise<void>
  /** (time ms, bytes held) samples of the last seconds, for the speed. */
  readonly samples: Array<[number, number]>
  /** The download once it runs, to add sources to; with the devices it has been given so far. */
  download?: { readonly handle: FileDownload, readonly asked: Map<string, number> }
}

/** A connected member device that is not a source of a running download is asked again after this long. */
const REASK_MS = 30_000

/** Whether an error means the disk or the chunk store's quota is full. */
function isFull (err: unknown): boolean {
  return err instanceof QuotaExceededError || (err as NodeJS.ErrnoException | undefined)?.code === 'ENOSPC'
}

/** A device's file transfers. */
export class FileTransfers {
  private readonly service: FileService
  private readonly saved: Map<string, Saved>
  private readonly running = new Map<string, Running>()
  private readonly retries = new Map<string, NodeJS.Timeout>()
  /** Conversations' epochs: a new one sets off the downloads waiting for a source. */
  private readonly epochs = new EpochWatch()
  /** Downloads whose conversation changed while they ran: they run again when they end. */
  private readonly again = new Set<string>()
  /** Failed attempts in a row, per download, for the retry backoff. */
  private readonly attempts = new Map<string, number>()
  private readonly listeners = new Set<(view: TransferView) => void>()
  private stopped = false
  private refreshTimer: NodeJS.Timeout | undefined
  private roomTimer: NodeJS.Timeout | undefined
  private checkingRoom = false
  private readonly roomWait: RoomWait
  private stopWatchingServices: () => void = () => {}
  private stopWatchingMembers: () => void = () => {}

  constructor (private readonly libp2p: KithLibp2p, private readonly messenger: Messenger, private readonly chunks: NodeChunkStore, private readonly options: FileTransfersOptions) {
    this.roomWait = new RoomWait(options.roomCheckMs)
    this.service = new FileService(libp2p, {
      store: this.servingStore(),
      log: options.log,
      mayFetch: async (peer: PeerId, fileId) => await messenger.mayFetchFile(peer.toString(), fileIdHex(fileId))
    })
    this.saved = loadTransferStates(options.stateFile)
  }

  /**
   * The chunk store as the serving side sees it: a file this device holds an offer for but has not
   * started is opened empty on first ask, so a member that starts later answers HAVE (then
   * HAVE_ONE as its chunks arrive) instead of refusing, and stays a source of the asker's swarm.
   */
  private servingStore (): ChunkStore {
    const { chunks, messenger } = this
    return {
      open: async (fileId, count) => await chunks.open(fileId, count),
      held: async (fileId) => {
        const held = await chunks.held(fileId)
        if (held !== undefined) return held
        const record = await messenger.fileOffer(fileIdHex(fileId)).catch(() => undefined)
        if (record === undefined) return undefined
        return await chunks.open(fileId, chunkCountOf(record.manifest.size, record.manifest.chunkSize))
      },
      put: async (fileId, index, chunk) => { await chunks.put(fileId, index, chunk) },
      get: async (fileId, index) => await chunks.get(fileId, index),
      delete: async (fileId) => { await chunks.delete(fileId) }
    }
  }

  private persist (): void {
    saveTransferStates(this.options.stateFile, this.saved)
  }

  /** Serves chunks, and resumes the downloads that were running when the node last stopped. */
  async start (): Promise<void> {
    await this.service.start()
    // A member coming online may hold what a waiting download needs.
    this.libp2p.addEventListener('peer:connect', this.onConnect)
    // One that connected while it was starting is asked once its file service is up.
    this.stopWatchingServices = onFileServiceAppears(this.libp2p, (peer) => { this.refreshSources(peer.toString()) })
    this.refreshTimer = setInterval(() => { this.refreshSources() }, this.options.sourceRefreshMs ?? 5_000)
    this.refreshTimer.unref()
    this.roomTimer = setInterval(() => { this.lookForRoom() }, this.options.roomCheckMs ?? ROOM_CHECK_MS)
    this.roomTimer.unref()
    // Membership may have changed: a removed member is cut off before its next chunk.
    for (const c of await this.messenger.conversations()) this.epochs.seed(c)
    this.stopWatchingMembers = this.messenger.subscribe((event) => {
      if (event.type === 'conversation' || (event.type === 'message' && event.message.notice !== undefined)) {
        this.service.membershipChanged()
        // Who may serve what may have changed too: downloads waiting for a source look again now.
        if (event.type === 'conversation' && this.epochs.changed(event.conversation)) this.retryWaiting(event.conversation.id)
      }
      if (event.type === 'file-withdrawn') void this.withdraw(event.fileId)
    })
    // Files withdrawn while nothing here listened (before this start, or a crash between the
    // DELETE's commit and the cleanup): their chunks and transfers go now.
    for (const id of new Set([...this.chunks.fileIds(), ...this.saved.keys()])) {
      if (await this.messenger.fileWithdrawn(id)) await this.withdraw(id)
    }
    for (const [id, s] of this.saved) if (s.state === 'downloading') this.run(id)
  }

  private readonly onConnect = (evt: CustomEvent<PeerId>): void => {
    for (const [id, timer] of this.retries) {
      clearTimeout(timer)
      this.retries.delete(id)
      this.run(id)
    }
    this.refreshSources(evt.detail.toString())
  }

  /**
   * Adds to each running download the member devices it does not fetch from yet: one that joined
   * the conversation since, one that just connected (`connected`), and one connected now that was
   * last asked over {@link REASK_MS} ago (it was unreachable, refused, or went away). So a member
   * coming online mid-download is used without restarting the download.
   */
  private refreshSources (connected?: string): void {
    const own = this.libp2p.peerId.toString()
    for (const [id, running] of this.running) {
      const download = running.download
      if (download === undefined) continue
      void this.messenger.fileSources(id).then((sources) => {
        const now = Date.now()
        for (const p of sources) {
          if (p === own) continue
          const peer = peerIdFromString(p)
          const asked = download.asked.get(p)
          if (asked !== undefined && p !== connected && (now - asked < REASK_MS || this.libp2p.getConnections(peer).length === 0)) continue
          download.asked.set(p, now)
          if (download.handle.addSource(peer)) this.options.log(`file ${id}: asking ${p} too`)
        }
      }, () => {})
    }
  }

  /** Stops downloads (they resume at the next start) and serving. */
  async stop (): Promise<void> {
    this.stopped = true
    this.libp2p.removeEventListener('peer:connect', this.onConnect)
    this.stopWatchingServices()
    this.stopWatchingMembers()
    clearInterval(this.refreshTimer)
    clearInterval(this.roomTimer)
    for (const t of this.retries.values()) clearTimeout(t)
    this.retries.clear()
    for (const r of this.running.values()) r.controller.abort(new UsageError('the node is stopping'))
    await Promise.allSettled([...this.running.values()].map(async (r) => await r.done))
    await this.service.stop().catch(() => {})
  }

  /** Listens for a transfer's progress and state changes. */
  subscribe (listener: (view: TransferView) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private async changed (fileId: string): Promise<void> {
    if (this.listeners.size === 0) return
    const view = await this.view(fileId).catch(() => undefined)
    if (view !== undefined) for (const l of this.listeners) l(view)
  }

  /**
   * Seals each file into the chunk store and offers it in a conversation; the first gets the
   * caption. Returns the offers' messages.
   */
  async send (target: string, paths: readonly string[], caption?: string): Promise<MessageOut[]> {
    if (paths.length === 0) throw new ValidationError('name at least one file to send')
    const out: MessageOut[] = []
    for (const [i, given] of paths.entries()) {
      const path = resolve(given)
      const info = await stat(path).catch(() => undefined)
      if (info === undefined || !info.isFile()) throw new NotFoundError(`${given} is not a readable file`)
      validateFileName(basename(path))
      const handle = await open(path, 'r')
      let manifest: FileManifest
      try {
        manifest = await sealFile({
          name: basename(path),
          size: info.size,
          mimeType: mimeTypeOf(path),
          read: async (start, end) => {
            const buffer = new Uint8Array(end - start)
            let done = 0
            while (done < buffer.length) {
              const { bytesRead } = await handle.read(buffer, done, buffer.length - done, start + done)
              if (bytesRead === 0) break
              done += bytesRead
            }
            return buffer.subarray(0, done)
          }
        }, this.chunks)
      } catch (err) {
        if (isFull(err)) throw new UsageError(`${basename(path)} does not fit: ${describeError(err)}. Free some space or raise the file quota`)
        throw err
      } finally {
        await handle.close()
      }
      const id = fileIdHex(manifest.fileId)
      this.saved.set(id, { state: 'done', out: path })
      this.persist()
      out.push(await this.messenger.sendFile(target, manifest, i === 0 ? caption : undefined))
      this.options.log(`file ${id}: offered ${manifest.size} bytes in ${out[out.length - 1]!.conversation.slice(0, 12)}`)
    }
    return out
  }

  /** Every file offered in a conversation, with this device's transfer of each. */
  async list (target: string): Promise<TransferView[]> {
    const records = await this.messenger.fileOffers(target)
    return await Promise.all(records.map(async (r) => await this.viewOf(r)))
  }

  /** One file's transfer. */
  async view (fileId: string): Promise<TransferView> {
    return await this.viewOf(await this.messenger.fileOffer(fileId))
  }

  private async viewOf (record: FileOfferRecord): Promise<TransferView> {
    const { manifest } = record
    const id = fileIdHex(manifest.fileId)
    const saved = this.saved.get(id)
    const held = await this.chunks.held(manifest.fileId)
    const count = chunkCountOf(manifest.size, manifest.chunkSize)
    let bytes = 0
    if (held !== undefined) {
      bytes = held.count * manifest.chunkSize
      // The last chunk may be short.
      if (held.has(count - 1)) bytes -= manifest.chunkSize - chunkPlaintextLength(manifest, count - 1)
    }
    const running = this.running.get(id)
    const speed = running === undefined ? 0 : speedOf(running.samples)
    const own = record.senderDevice === this.libp2p.peerId.toString()
    return {
      fileId: id,
      conversation: record.groupId,
      messageId: record.messageId,
      name: manifest.name,
      size: manifest.size,
      mimeType: manifest.mimeType,
      caption: record.caption,
      sender: record.senderIdentity,
      own,
      sentAt: record.sentAt,
      state: saved?.state ?? (own && held?.complete === true ? 'done' : 'offered'),
      bytes: Math.min(bytes, manifest.size),
      speed,
      ...(speed > 0 ? { etaSeconds: Math.ceil((manifest.size - bytes) / speed) } : {}),
      ...(saved?.out !== undefined ? { path: saved.out } : {}),
      ...(saved?.error !== undefined ? { error: saved.error } : {})
    }
  }

  /** Starts (or resumes) downloading a file; `out` is where to save it (default: the downloads directory). */
  async get (fileId: string, out?: string): Promise<TransferView> {
    const record = await this.messenger.fileOffer(fileId)
    const id = fileIdHex(record.manifest.fileId)
    const saved = this.saved.get(id)
    if (saved?.state === 'done' && saved.out !== undefined && existsSync(saved.out)) return await this.view(id)
    const target = out === undefined ? undefined : resolve(out)
    if (target !== undefined && existsSync(target) && (await stat(target)).isDirectory()) {
      this.saved.set(id, { state: 'downloading', out: join(target, record.manifest.name) })
    } else {
      this.saved.set(id, { state: 'downloading', ...(target !== undefined ? { out: target } : saved?.out !== undefined ? { out: saved.out } : {}) })
    }
    this.roomWait.forget(id)
    this.persist()
    this.run(id)
    return await this.view(id)
  }

  /** Pauses a download; the chunks held are kept. */
  async pause (fileId: string): Promise<TransferView> {
    const id = (await this.view(fileId)).fileId
    const s = this.saved.get(id)
    // One paused for want of room is held paused: it no longer goes on by itself.
    if (s?.state !== 'downloading' && !(s?.state === 'paused' && s.full === true)) throw new UsageError(`file ${id.slice(0, 8)} is not downloading`)
    this.saved.set(id, { state: 'paused', ...(s.out !== undefined ? { out: s.out } : {}) })
    this.roomWait.forget(id)
    this.persist()
    await this.halt(id)
    return await this.view(id)
  }

  /** Resumes a paused (or failed) download from the chunks held. */
  async resume (fileId: string): Promise<TransferView> {
    const view = await this.view(fileId)
    if (view.state === 'done') return view
    return await this.get(view.fileId)
  }

  /** Cancels a download and deletes its chunks; the offer stays in the conversation. */
  async cancel (fileId: string): Promise<TransferView> {
    const view = await this.view(fileId)
    if (view.own) throw new UsageError('this is your own file; the others fetch it from you and from each other')
    await this.halt(view.fileId)
    this.saved.delete(view.fileId)
    this.persist()
    await this.chunks.delete((await this.messenger.fileOffer(view.fileId)).manifest.fileId)
    // Its room may be what a download paused for want of it needs.
    this.lookForRoom()
    return await this.view(view.fileId)
  }

  /**
   * Forgets a file its sender withdrew (PROTOCOL.md §9.6): stops its download, deletes its chunks
   * (this device's own sealed copy too), and stops serving it: its offer is gone, so streams that
   * ask `mayFetch` again are refused. A copy already saved to disk stays: it is the person's.
   */
  private async withdraw (id: string): Promise<void> {
    try {
      this.roomWait.forget(id)
      this.attempts.delete(id)
      await this.halt(id)
      if (this.saved.delete(id)) this.persist()
      this.service.membershipChanged()
      await this.chunks.delete(asFileId(fromHex(id)))
      this.options.log(`file ${id}: withdrawn by its sender: its chunks are deleted`)
    } catch (err) {
      this.options.log(`file ${id}: withdrawing failed: ${describeError(err)}`)
    }
  }

  /**
   * Sets off again each download paused because the disk or the file quota was full, once both have
   * room for a couple more of its chunks: the person freed space (cancelled other downloads, raised
   * the quota, deleted files on the disk).
   */
  private lookForRoom (): void {
    if (this.checkingRoom) return
    this.checkingRoom = true
    this.checkRoom()
      .catch((err: unknown) => { this.options.log(`looking for room for paused downloads: ${describeError(err)}`) })
      .finally(() => { this.checkingRoom = false })
  }

  private async checkRoom (): Promise<void> {
    const waiting = [...this.saved].filter(([, s]) => s.state === 'paused' && s.full === true)
    if (waiting.length === 0 || this.stopped) return
    const manifests = await Promise.all(waiting.map(async ([id]) => await this.messenger.fileOffer(id).then((o) => o.manifest, () => undefined)))
    const fetching: WaitingForRoom[] = []
    const saving: Array<WaitingForRoom & { out: string }> = []
    for (const [i, [id, s]] of waiting.entries()) {
      const manifest = manifests[i]
      if (s.saving === true && s.out !== undefined) saving.push({ id, out: s.out, needed: manifest?.size })
      else fetching.push({ id, needed: manifest === undefined ? undefined : roomForChunks(manifest.chunkSize) })
    }
    for (const id of await dueForRoom({ fetching, saving }, this.chunks, this.roomWait, Date.now(), this.options.log)) {
      const s = this.saved.get(id)
      // Paused, resumed or cancelled by the person meanwhile: theirs to say.
      if (s?.state !== 'paused' || s.full !== true || this.stopped) continue
      this.options.log(`file ${id}: there is room again: going on`)
      this.saved.set(id, { state: 'downloading', ...(s.out !== undefined ? { out: s.out } : {}) })
      this.persist()
      this.run(id)
    }
  }

  /**
   * Sets off again, now, the downloads of files offered in `groupId` that wait for a source. One
   * running now may have looked at the conversation before the change: it runs again once it ends,
   * if it is still downloading then.
   */
  private retryWaiting (groupId: string): void {
    for (const [id, s] of this.saved) {
      if (s.state !== 'downloading') continue
      void this.messenger.fileOffer(id).then((o) => {
        if (o.groupId !== groupId || this.saved.get(id)?.state !== 'downloading') return
        if (this.running.has(id)) this.again.add(id)
        else this.run(id)
      }, () => {})
    }
  }

  private async halt (id: string): Promise<void> {
    const timer = this.retries.get(id)
    if (timer !== undefined) clearTimeout(timer)
    this.retries.delete(id)
    const r = this.running.get(id)
    if (r === undefined) return
    r.controller.abort(new UsageError('paused'))
    await r.done
  }

  /** Runs a download in the background until it is done, paused, or has nobody left to ask. */
  private run (id: string): void {
    if (this.stopped || this.running.has(id)) return
    // A retry still pending (from a run that failed before this one) would otherwise start the
    // download again once this run has finished and saved the file.
    const retry = this.retries.get(id)
    if (retry !== undefined) clearTimeout(retry)
    this.retries.delete(id)
    const controller = new AbortController()
    const samples: Array<[number, number]> = []
    const running: Omit<Running, 'done'> = { controller, samples }
    const done = this.download(id, running)
      .catch((err: unknown) => { this.options.log(`file ${id}: ${describeError(err)}`) })
      .finally(() => {
        this.running.delete(id)
        void this.changed(id)
        if (this.again.delete(id) && this.saved.get(id)?.state === 'downloading') this.run(id)
      })
    this.running.set(id, Object.assign(running, { done }))
  }

  private async download (id: string, running: Omit<Running, 'done'>): Promise<void> {
    const { samples, controller: { signal } } = running
    const { log } = this.options
    const record = await this.messenger.fileOffer(id)
    const { manifest } = record
    const own = this.libp2p.peerId.toString()
    // The sources and whether the conversation still waits to be rejoined come from one look at
    // it: a Welcome applied between two looks would otherwise read as "removed".
    const state = await this.messenger.fileSourcesState(id)
    const sources = state.sources.filter((p) => p !== own).map((p) => peerIdFromString(p))
    const holding = await this.chunks.held(manifest.fileId)
    let held = holding?.count ?? 0
    samples.push([Date.now(), held * manifest.chunkSize])
    let lastEvent = 0
    // Every chunk is here (the file could not be written out before): nobody need be asked.
    if (holding?.complete === true) {
      await this.save(id, manifest, signal)
      return
    }
    if (sources.length === 0 && state.rejoining) {
      // Restored from a backup and not let back in yet: it goes on once a member has (see start).
      const s = this.saved.get(id)
      if (s !== undefined) this.saved.set(id, { ...s, error: 'waiting for a member to let this device back into the conversation (it was restored from a backup)' })
      this.persist()
      return
    }
    if (sources.length === 0) {
      // Removed, or alone in the conversation: nobody may serve it, now or later.
      const s = this.saved.get(id)
      if (s !== undefined) this.saved.set(id, { ...s, state: 'failed', error: 'no other member device of the conversation can serve it (were you removed?)' })
      this.persist()
      return
    }
    try {
      const part = swarmPart(own, record.senderDevice, sources.map(String))
      const handle = startDownload(this.libp2p, manifest, sources, {
        store: this.chunks,
        log,
        signal,
        seedInFlightBytes: SWARM_IN_FLIGHT_BYTES,
        ...(part !== undefined ? { part } : {}),
        onChunk: (p) => {
          held = p.held
          this.service.announce(manifest.fileId, p.index)
          const now = Date.now()
          samples.push([now, p.held * manifest.chunkSize])
          while (samples.length > 2 && now - samples[0]![0] > 3000) samples.shift()
          if (now - lastEvent > 200) {
            lastEvent = now
            void this.changed(id)
          }
        }
      })
      running.download = { handle, asked: new Map(sources.map((p) => [p.toString(), Date.now()])) }
      const report = await handle.done
      this.attempts.delete(id)
      log(`file ${id}: all ${chunkCountOf(manifest.size, manifest.chunkSize)} chunks held (${report.chunksFetched} fetched now)`)
    } catch (err) {
      if (signal.aborted) return
      const s = this.saved.get(id)
      if (s === undefined || s.state !== 'downloading') return
      if (isFull(err)) {
        this.saved.set(id, { ...s, state: 'paused', full: true, error: `the disk or the file quota is full (${describeError(err)}); it goes on by itself once there is room (cancel other downloads with kith file cancel, or free disk space)` })
        this.persist()
        return
      }
      // Sources may come back (a restart, a member coming online): try again, from the chunks held.
      this.saved.set(id, { ...s, error: `waiting for a member who holds the rest: ${describeError(err)}` })
      this.persist()
      const attempt = (this.attempts.get(id) ?? 0) + 1
      this.attempts.set(id, attempt)
      const wait = Math.min(30_000, (this.options.retryMs ?? 1000) * 2 ** Math.min(attempt - 1, 10))
      log(`file ${id}: waiting for a member who holds the rest, trying again in ${wait} ms: ${describeError(err)}`)
      if (!this.stopped) this.retries.set(id, setTimeout(() => { this.retries.delete(id); this.run(id) }, wait))
      return
    }
    await this.save(id, manifest, signal)
  }

  /**
   * Decrypts the held chunks into the output file: a temporary file renamed into place once whole.
   * Stops (deleting the temporary file) once `signal` aborts: a pause, a cancel or a withdrawal.
   */
  private async save (id: string, manifest: FileManifest, signal: AbortSignal): Promise<void> {
    const s = this.saved.get(id)
    if (s === undefined || signal.aborted) return
    const out = s.out ?? freePath(this.options.downloadsDir, manifest.name)
    try {
      await writeOut(manifest, this.chunks, out, signal)
    } catch (err) {
      if (signal.aborted) return
      if (isFull(err)) {
        this.saved.set(id, { ...s, out, state: 'paused', full: true, saving: true, error: `the disk is full while saving ${out}; it is saved by itself once that disk has room for it (${formatBytes(manifest.size)})` })
      } else if (typeof (err as NodeJS.ErrnoException).code === 'string') {
        this.saved.set(id, { ...s, out, state: 'failed', error: `cannot write ${out}: ${describeError(err)}` })
      } else {
        this.saved.set(id, { ...s, state: 'failed', error: `the file does not decrypt: ${describeError(err)}` })
      }
      this.persist()
      return
    }
    this.roomWait.forget(id)
    this.saved.set(id, { state: 'done', out })
    this.persist()
    this.options.log(`file ${id}: saved to ${out}`)
  }
}

/** Bytes per second between the oldest and newest sample. */
function speedOf (samples: ReadonlyArray<[number, number]>): number {
  if (samples.length < 2) return 0
  const [t0, b0] = samples[0]!
  const [t1, b1] = samples[samples.length - 1]!
  return t1 > t0 ? Math.round((b1 - b0) / ((t1 - t0) / 1000)) : 0
}
