/**
 * Files on the page: `/kith/file/1.0.0` served and fetched over the page's libp2p node (WebRTC
 * between browsers), chunks kept in the browser chunk store (OPFS, else IndexedDB), progress as
 * signals the UI reads, and a finished file handed to the person without holding it in memory.
 * Loaded by dynamic import once the messenger runs, so none of it weighs on start-up.
 *
 * The offers themselves (manifests with their keys), who may fetch a file and which devices may
 * serve it live with the messenger in the worker; this module asks through {@link FileOffersPort}.
 */
import { signal, type ReadonlySignal, type Signal } from '@preact/signals'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { ChunkCipher } from '../../core/files/chunk-crypto.ts'
import { QuotaExceededError, type ChunkStore } from '../../core/files/chunk-store.ts'
import { asFileId, chunkCountOf, type FileManifest } from '../../core/files/manifest.ts'
import { fromHex } from '../../core/bytes.ts'
import { RoomWait, ROOM_CHECK_MS, roomForChunks } from '../../core/files/room-wait.ts'
import type { BrowserLibp2p } from '../../net/node.browser.ts'
import { FileService, onFileServiceAppears, startDownload, swarmPart, SWARM_IN_FLIGHT_BYTES, type FileDownload } from '../../net/protocols/file.ts'
import { BrowserChunkStore, STORAGE_FULL } from '../../store/chunks.browser.ts'
import { PeerError, describeError } from '../../core/errors.ts'
import { plaintextFile, saveFile } from './file-export.ts'

/** Where a file stands on this device, as its card shows it. */
export type TransferState = 'offered' | 'downloading' | 'paused' | 'done' | 'failed'

/** One file's transfer, as the UI shows it. */
export interface TransferView {
  readonly state: TransferState
  /** Plaintext bytes held (chunks held × chunk size, the last chunk counted at its size). */
  readonly bytes: number
  readonly total: number
  /** Bytes per second over the last few seconds while moving; 0 otherwise. */
  readonly speed: number
  /** Seconds left at that speed, or null when not known. */
  readonly secondsLeft: number | null
  /** Why it failed or paused on its own (a full disk), for the card. */
  readonly error: string | null
  /** False until the store has been read: `state` is only a guess before. */
  readonly known: boolean
  /** The person removed the file from this browser: it is not downloaded by itself again. */
  readonly removed: boolean
  /** While this device serves the file: encrypted bytes sent this session, and the rate now. */
  readonly upload: { readonly bytes: number, readonly speed: number } | null
}

/** What the worker answers about file offers. */
export interface FileOffersPort {
  /** The manifest (with its key) of an offer this device holds; throws if unknown. */
  manifest (fileId: string): Promise<FileManifest>
  /** Whether a peer device may fetch a file's chunks (a device of a current member of its conversation). */
  mayFetch (peerId: string, fileId: string): Promise<boolean>
  /** Devices that may hold chunks of the file: its conversation's other member devices, the sender's first. */
  sources (fileId: string): Promise<string[]>
  /** Whether the file's offer was withdrawn (its message deleted for everyone). */
  withdrawn (fileId: string): Promise<boolean>
  /** The peer id of the device that offered the file. */
  senderDevice (fileId: string): Promise<string>
}

/** Options of {@link FileTransfers}. */
export interface FileTransfersOptions {
  readonly node: BrowserLibp2p
  readonly offers: FileOffersPort
  readonly log: (line: string) => void
  /** The chunk store; opened on the default database when not given. */
  readonly store?: BrowserChunkStore
}

/** Progress updates per file, at most this often. */
const PROGRESS_EVERY_MS = 250
/** Speed is measured over this window. */
const SPEED_WINDOW_MS = 3_000
/** The first wait before a download with no reachable source tries again; it doubles up to the most. */
const FIRST_RETRY_MS = 2_000
const MAX_RETRY_MS = 60_000
/**
 * Downloads wanted across reloads, by file id: 'downloading' resumes on start, 'paused' waits for
 * the person, 'full' (paused because the storage was full) goes on by itself once there is room,
 * 'removed' (the person removed a downloaded file from this browser) is not fetched by itself again.
 */
const WANTED_KEY = 'kith.downloads'
type Wanted = 'downloading' | 'paused' | 'full' | 'removed'
/** What the person reads after why a download paused for want of room. */
const GOES_ON = 'It goes on by itself once there is room.'

class PausedError extends Error {
  override readonly name = 'PausedError'
}

/** What this device has sent of one file this session. */
interface Upload {
  bytes: number
  readonly samples: Array<{ at: number, bytes: number }>
  shown: number
  idle?: ReturnType<typeof setTimeout>
  trailing?: ReturnType<typeof setTimeout> | undefined
}

interface Running {
  readonly abort: AbortController
  readonly done: Promise<void>
  /** The download once it runs, to add sources to; with when each device was last asked. */
  download?: { readonly handle: FileDownload, readonly asked: Map<string, number> }
}

/** How often a running download looks again for member devices that may serve it. */
const SOURCE_REFRESH_MS = 5_000
/** A connected member device that is not a source of a running download is asked again after this long. */
const REASK_MS = 30_000

/** Every file transfer of this page. */
export class FileTransfers {
  private readonly views = new Map<string, Signal<TransferView>>()
  private readonly running = new Map<string, Running>()
  private readonly manifests = new Map<string, FileManifest>()
  private service: FileService | undefined
  private refreshTimer: ReturnType<typeof setInterval> | undefined
  private roomTimer: ReturnType<typeof setInterval> | undefined
  private readonly roomWait = new RoomWait()
  private stopped = false

  private constructor (private readonly options: FileTransfersOptions, readonly store: BrowserChunkStore) {}

  /** Opens the chunk store, starts serving, and resumes the downloads a reload interrupted. */
  static async start (options: FileTransfersOptions): Promise<FileTransfers> {
    const store = options.store ?? await BrowserChunkStore.open()
    const transfers = new FileTransfers(options, store)
    transfers.service = new FileService(options.node, {
      store: transfers.servingStore(),
      mayFetch: async (peer: PeerId, fileId) => await options.offers.mayFetch(peer.toString(), hex(fileId)),
      log: options.log,
      onServed: (_peer, fileId, _index, bytes) => { transfers.served(hex(fileId), bytes) }
    })
    await transfers.service.start()
    options.node.addEventListener('peer:connect', (evt) => {
      for (const fileId of [...transfers.retries.keys()]) transfers.retryNow(fileId)
      transfers.refreshSources(evt.detail.toString())
    })
    // One that connected while it was starting is asked once its file service is up.
    onFileServiceAppears(options.node, (peer) => { transfers.refreshSources(peer.toString()) })
    transfers.refreshTimer = setInterval(() => { transfers.refreshSources() }, SOURCE_REFRESH_MS)
    // Files withdrawn while this page was not listening (closed, or still starting): their chunks
    // and wanted states go now.
    await transfers.sweepWithdrawn()
    for (const [fileId, state] of Object.entries(loadWanted())) {
      if (state === 'downloading') transfers.download(fileId).catch(() => {})
      if (state === 'full') transfers.waitForRoom()
    }
    return transfers
  }

  /**
   * The chunk store as the serving side sees it: a file whose offer this device holds but has not
   * started is opened empty on first ask, so this device answers HAVE (then HAVE_ONE as chunks
   * arrive) instead of refusing, and stays a source of the asker's swarm (as Node does).
   */
  private servingStore (): ChunkStore {
    const store = this.store
    return {
      open: async (fileId, count) => await store.open(fileId, count),
      held: async (fileId) => {
        const held = await store.held(fileId)
        if (held !== undefined) return held
        const manifest = await this.manifest(hex(fileId)).catch(() => undefined)
        return manifest === undefined ? undefined : await store.open(fileId, chunkCountOf(manifest.size, manifest.chunkSize))
      },
      put: async (fileId, index, chunk) => { await store.put(fileId, index, chunk) },
      get: async (fileId, index) => await store.get(fileId, index),
      delete: async (fileId) => { await store.delete(fileId) }
    }
  }

  /**
   * Adds to each running download the member devices it does not fetch from yet: one that joined
   * the conversation since, one that just connected (`connected`), and one connected now that was
   * last asked over {@link REASK_MS} ago. So a member coming online mid-download is used without
   * restarting the download (as in Node).
   */
  private refreshSources (connected?: string): void {
    for (const [fileId, running] of this.running) {
      const download = running.download
      if (download === undefined) continue
      void this.options.offers.sources(fileId).then((sources) => {
        const now = Date.now()
        for (const p of sources) {
          const peer = peerIdFromString(p)
          const asked = download.asked.get(p)
          if (asked !== undefined && p !== connected && (now - asked < REASK_MS || this.options.node.getConnections(peer).length === 0)) continue
          download.asked.set(p, now)
          if (download.handle.addSource(peer)) this.options.log(`file ${fileId}: asking ${p} too`)
        }
      }, () => {})
    }
  }

  /** Membership may have changed: streams being served ask who may fetch again before their next chunk. */
  membershipChanged (): void {
    this.service?.membershipChanged()
  }

  /**
   * A conversation is at a new epoch, so its members changed: downloads waiting for a source look
   * again now (a member who holds the file joined, or this device, restored from a backup, was let
   * back in), not at the next step of their backoff.
   */
  sourcesChanged (): void {
    for (const fileId of [...this.retries.keys()]) this.retryNow(fileId)
  }

  /** Stops serving and every download (they resume on the next start), and every timer that would start one. */
  async stop (): Promise<void> {
    this.stopped = true
    clearInterval(this.refreshTimer)
    clearInterval(this.roomTimer)
    for (const r of this.retries.values()) clearTimeout(r.timer)
    this.retries.clear()
    for (const r of this.running.values()) r.abort.abort(new PausedError('the page is closing'))
    await this.service?.stop()
  }

  /** The transfer of a file, kept current; starts from what the store holds. */
  view (fileId: string, size: number): ReadonlySignal<TransferView> {
    let view = this.views.get(fileId)
    if (view === undefined) {
      const created = signal<TransferView>({ state: 'offered', bytes: 0, total: size, speed: 0, secondsLeft: null, error: null, known: false, removed: false, upload: null })
      view = created
      this.views.set(fileId, created)
      void this.refresh(fileId).catch((err: unknown) => { this.options.log(`file ${fileId}: ${describeError(err)}`) })
    }
    return view
  }

  private readonly uploads = new Map<string, Upload>()

  /** Counts a chunk sent to a downloader, and shows the upload on the file's card (throttled, with a trailing update). */
  private served (fileId: string, bytes: number): void {
    let upload = this.uploads.get(fileId)
    if (upload === undefined) this.uploads.set(fileId, upload = { bytes: 0, samples: [], shown: 0 })
    const u = upload
    const now = Date.now()
    u.bytes += bytes
    u.samples.push({ at: now, bytes: u.bytes })
    while (u.samples.length > 2 && now - u.samples[0]!.at > SPEED_WINDOW_MS) u.samples.shift()
    const show = (): void => {
      u.shown = Date.now()
      const first = u.samples[0]!
      const speed = u.shown > first.at ? (u.bytes - first.bytes) * 1000 / (u.shown - first.at) : 0
      this.set(fileId, { upload: { bytes: u.bytes, speed } })
    }
    // Once nothing has gone for a while, the upload line goes away.
    clearTimeout(u.idle)
    u.idle = setTimeout(() => {
      this.uploads.delete(fileId)
      this.set(fileId, { upload: null })
    }, SPEED_WINDOW_MS)
    if (now - u.shown >= PROGRESS_EVERY_MS) show()
    else u.trailing ??= setTimeout(() => { u.trailing = undefined; show() }, PROGRESS_EVERY_MS)
  }

  private async manifest (fileId: string): Promise<FileManifest> {
    let manifest = this.manifests.get(fileId)
    if (manifest === undefined) {
      manifest = await this.options.offers.manifest(fileId)
      this.manifests.set(fileId, manifest)
    }
    return manifest
  }

  private set (fileId: string, patch: Partial<TransferView>): void {
    const view = this.views.get(fileId)
    if (view !== undefined) view.value = { ...view.value, ...patch }
  }

  /** Reads the file's state from the store and the wanted list. */
  private async refresh (fileId: string): Promise<void> {
    const manifest = await this.manifest(fileId)
    const held = await this.store.held(manifest.fileId)
    const bytes = held === undefined ? 0 : heldBytes(manifest, held.count)
    const wanted = loadWanted()[fileId]
    const state: TransferState = held?.complete === true
      ? 'done'
      : this.running.has(fileId) ? 'downloading' : wanted === 'paused' || wanted === 'full' ? 'paused' : wanted === 'downloading' ? 'downloading' : 'offered'
    // After a reload, a download paused for want of room still says why.
    this.set(fileId, { state, bytes, total: manifest.size, known: true, removed: wanted === 'removed', ...(state === 'paused' && wanted === 'full' ? { error: `${STORAGE_FULL}. ${GOES_ON}` } : {}) })
  }

  /** Fetches a file's missing chunks from its conversation's member devices; resolves when it ends. */
  async download (fileId: string): Promise<void> {
    if (this.stopped) throw new Error('file transfers have stopped in this tab (another tab took over)')
    const existing = this.running.get(fileId)
    if (existing !== undefined) return await existing.done
    const abort = new AbortController()
    const running: Omit<Running, 'done'> = { abort }
    const done = this.run(fileId, abort.signal, running)
    this.running.set(fileId, Object.assign(running, { done }))
    try {
      await done
    } finally {
      this.running.delete(fileId)
    }
  }

  private async run (fileId: string, signal: AbortSignal, running: Omit<Running, 'done'>): Promise<void> {
    const manifest = await this.manifest(fileId)
    // Paused, cancelled or withdrawn while the manifest came: nothing to note or fetch.
    if (signal.aborted) throw signal.reason as Error
    this.view(fileId, manifest.size)
    saveWanted(fileId, 'downloading')
    const count = chunkCountOf(manifest.size, manifest.chunkSize)
    const start = await this.store.open(manifest.fileId, count)
    this.set(fileId, { state: 'downloading', bytes: heldBytes(manifest, start.count), error: null, known: true, removed: false })
    const samples: Array<{ at: number, bytes: number }> = [{ at: Date.now(), bytes: heldBytes(manifest, start.count) }]
    let lastShown = 0
    const show = (held: number, final = false): void => {
      const now = Date.now()
      const bytes = heldBytes(manifest, held)
      samples.push({ at: now, bytes })
      while (samples.length > 2 && now - samples[0]!.at > SPEED_WINDOW_MS) samples.shift()
      if (!final && now - lastShown < PROGRESS_EVERY_MS) return
      lastShown = now
      const first = samples[0]!
      const speed = now > first.at ? (bytes - first.bytes) * 1000 / (now - first.at) : 0
      this.set(fileId, { bytes, speed, secondsLeft: speed > 0 ? (manifest.size - bytes) / speed : null })
    }
    try {
      const sources = (await this.options.offers.sources(fileId)).map((p) => peerIdFromString(p))
      const part = swarmPart(this.options.node.peerId.toString(), await this.options.offers.senderDevice(fileId), sources.map(String))
      const handle = startDownload(this.options.node, manifest, sources, {
        store: this.store,
        log: this.options.log,
        signal,
        seedInFlightBytes: SWARM_IN_FLIGHT_BYTES,
        ...(part !== undefined ? { part } : {}),
        onChunk: (p) => {
          this.service?.announce(manifest.fileId, p.index)
          show(p.held)
        }
      })
      running.download = { handle, asked: new Map(sources.map((p) => [p.toString(), Date.now()])) }
      const report = await handle.done
      show(count, true)
      this.options.log(`file ${fileId}: complete; fetched ${report.chunksFetched} of ${count} chunks this time, ${count - report.chunksFetched} were held already`)
      saveWanted(fileId, undefined)
      this.set(fileId, { state: 'done', bytes: manifest.size, speed: 0, secondsLeft: 0, error: null })
    } catch (err) {
      const reason = signal.aborted ? signal.reason as unknown : err
      if (reason instanceof PausedError) {
        this.set(fileId, { state: reason.message === 'cancelled' ? 'offered' : 'paused', speed: 0, secondsLeft: null })
        return
      }
      const message = describeError(reason)
      this.options.log(`file ${fileId}: download stopped: ${message}`)
      if (reason instanceof QuotaExceededError) {
        // A full disk pauses; once there is room it continues from the chunks stored.
        saveWanted(fileId, 'full')
        this.set(fileId, { state: 'paused', speed: 0, secondsLeft: null, error: `${reason.message}. ${GOES_ON}` })
        this.waitForRoom()
      } else if (reason instanceof PeerError && loadWanted()[fileId] === 'downloading') {
        // No source could be reached (after a reload the connections come back a moment later):
        // still wanted, so it tries again when a peer connects, and after a backoff.
        this.set(fileId, { state: 'downloading', speed: 0, secondsLeft: null, error: 'Waiting for a device that has the file to come online…' })
        this.retryLater(fileId)
      } else {
        this.set(fileId, { state: 'failed', speed: 0, secondsLeft: null, error: message })
      }
      throw reason
    }
  }

  /** Downloads waiting for a source, with their next try. */
  private readonly retries = new Map<string, { timer: ReturnType<typeof setTimeout>, delay: number }>()

  private retryLater (fileId: string): void {
    const previous = this.retries.get(fileId)
    clearTimeout(previous?.timer)
    const delay = Math.min(MAX_RETRY_MS, (previous?.delay ?? FIRST_RETRY_MS / 2) * 2)
    this.retries.set(fileId, { delay, timer: setTimeout(() => { this.retryNow(fileId) }, delay) })
  }

  /** Tries a waiting download again now (a peer connected, or its backoff ran out). */
  private retryNow (fileId: string): void {
    if (this.stopped || this.running.has(fileId) || loadWanted()[fileId] !== 'downloading') {
      if (!this.running.has(fileId)) this.retries.delete(fileId)
      return
    }
    this.download(fileId).then(() => { this.retries.delete(fileId) }, () => {})
  }

  /** Looks every few seconds whether the downloads paused for want of room can go on. */
  private waitForRoom (): void {
    this.roomTimer ??= setInterval(() => { void this.checkRoom() }, ROOM_CHECK_MS)
  }

  /**
   * Sets off again each download paused because the storage was full, once the site's storage
   * (and the store's own quota, if it has one) has room for a couple more of its chunks.
   */
  private async checkRoom (): Promise<void> {
    const waiting = Object.entries(loadWanted()).filter(([, state]) => state === 'full').map(([fileId]) => fileId)
    if (waiting.length === 0 || this.stopped) {
      clearInterval(this.roomTimer)
      this.roomTimer = undefined
      return
    }
    let room = Infinity
    try {
      const estimate = await navigator.storage.estimate()
      if (estimate.quota !== undefined) room = estimate.quota - (estimate.usage ?? 0)
      if (this.store.quotaBytes !== undefined) room = Math.min(room, this.store.quotaBytes - await this.store.usedBytes())
    } catch (err) {
      this.options.log(`cannot tell whether the storage has room: ${describeError(err)}`)
      return
    }
    const needs = await Promise.all(waiting.map(async (id) => ({ id, needed: await this.manifest(id).then((m) => roomForChunks(m.chunkSize), () => undefined) })))
    for (const fileId of this.roomWait.due(needs, room, Date.now())) {
      // Paused, resumed or cancelled by the person meanwhile: theirs to say.
      if (loadWanted()[fileId] !== 'full' || this.running.has(fileId) || this.stopped) continue
      this.options.log(`file ${fileId}: there is room again: going on`)
      void this.download(fileId).then(() => { this.roomWait.forget(fileId) }, () => {})
    }
  }

  /** Stops a download, keeping the verified chunks; {@link resume} continues from them. */
  async pause (fileId: string): Promise<void> {
    saveWanted(fileId, 'paused')
    clearTimeout(this.retries.get(fileId)?.timer)
    this.retries.delete(fileId)
    const running = this.running.get(fileId)
    running?.abort.abort(new PausedError('paused'))
    await running?.done.catch(() => {})
    this.set(fileId, { state: 'paused', speed: 0, secondsLeft: null })
  }

  /** Continues a paused or failed download. */
  async resume (fileId: string): Promise<void> {
    await this.download(fileId)
  }

  /** Stops a download and deletes its chunks. */
  async cancel (fileId: string): Promise<void> {
    await this.discard(fileId, undefined)
    this.set(fileId, { state: 'offered', bytes: 0, speed: 0, secondsLeft: null, error: null, removed: false })
  }

  /**
   * Removes a downloaded file from this browser to free its room: its chunks are deleted, and it is
   * not downloaded by itself again (an image under the auto-download size would be); Download
   * fetches it again while a member device has it.
   */
  async remove (fileId: string): Promise<void> {
    await this.discard(fileId, 'removed')
    this.set(fileId, { state: 'offered', bytes: 0, speed: 0, secondsLeft: null, error: null, removed: true })
  }

  /**
   * Stops a download, deletes the chunks, and notes what the person wants now; the room freed may
   * be what a download paused for want of it needs.
   */
  private async discard (fileId: string, wanted: 'removed' | undefined): Promise<void> {
    saveWanted(fileId, wanted)
    clearTimeout(this.retries.get(fileId)?.timer)
    this.retries.delete(fileId)
    this.roomWait.forget(fileId)
    const running = this.running.get(fileId)
    running?.abort.abort(new PausedError('cancelled'))
    await running?.done.catch(() => {})
    await this.store.delete(asFileId(fromHex(fileId)))
    void this.checkRoom()
  }

  /** Withdraws every file this browser holds chunks or a wanted state of whose offer was withdrawn. */
  private async sweepWithdrawn (): Promise<void> {
    const ids = new Set([...await this.store.fileIds(), ...Object.keys(loadWanted())])
    for (const fileId of ids) {
      if (await this.options.offers.withdrawn(fileId).catch(() => false)) await this.withdraw(fileId)
    }
  }

  /**
   * Forgets a file its sender withdrew (PROTOCOL.md §9.6): stops its download, deletes its chunks,
   * and stops serving it (its offer is gone, so the next request is refused).
   */
  async withdraw (fileId: string): Promise<void> {
    await this.discard(fileId, undefined)
    this.manifests.delete(fileId)
    this.service?.membershipChanged()
    this.views.delete(fileId)
    this.options.log(`file ${fileId}: withdrawn by its sender: its chunks are deleted`)
  }

  /** The whole plaintext of a finished file as a `File` (file-export.ts). */
  async plaintext (fileId: string): Promise<File> {
    return await plaintextFile(await this.manifest(fileId), this.store)
  }

  /** Saves a finished file where the person chooses, or as an ordinary download (file-export.ts). */
  async save (fileId: string): Promise<void> {
    await saveFile(await this.manifest(fileId), this.store)
  }

  /** The file's decrypted thumbnail, if its offer carries one. */
  async thumbnail (fileId: string): Promise<Blob | null> {
    const manifest = await this.manifest(fileId)
    if (manifest.thumbnail === undefined) return null
    const cipher = await ChunkCipher.create(manifest.fileId, manifest.key)
    return new Blob([await cipher.decryptThumbnail(manifest.thumbnail.ciphertext) as Uint8Array<ArrayBuffer>], { type: manifest.thumbnail.type })
  }
}

function hex (bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** Plaintext bytes in `held` chunks, counting the last chunk at its real size. */
function heldBytes (manifest: FileManifest, held: number): number {
  return Math.min(manifest.size, held * manifest.chunkSize)
}

function loadWanted (): Record<string, Wanted> {
  try {
    const value = JSON.parse(localStorage.getItem(WANTED_KEY) ?? '{}') as unknown
    return typeof value === 'object' && value !== null ? value as Record<string, Wanted> : {}
  } catch {
    return {}
  }
}

function saveWanted (fileId: string, state: Wanted | undefined): void {
  const wanted = loadWanted()
  if (state === undefined) delete wanted[fileId]
  else wanted[fileId] = state
  localStorage.setItem(WANTED_KEY, JSON.stringify(wanted))
}
