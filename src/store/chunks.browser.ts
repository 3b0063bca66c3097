/**
 * The browser chunk store: encrypted file chunks in the Origin Private File System (OPFS), with
 * the list of verified chunks and their Merkle proofs in IndexedDB; or, where a browser has no
 * OPFS, the chunk bytes in IndexedDB too. It implements the same `ChunkStore` port as
 * chunks.node.ts, and it runs on the page (which serves and downloads over libp2p) and in the
 * messenger worker (which seals the files this device sends) against the same storage.
 *
 * Layout:
 * - OPFS `kith-chunks/<file id hex>/<index>`: one encrypted chunk;
 * - IndexedDB database `kith-chunks`: `files` (file id hex → chunk count) and `entries`
 *   ([file id hex, index] → leaf hash, length, proof, and the bytes when there is no OPFS).
 *
 * A chunk is listed in `entries` only once its bytes are written, so after a reload or a crash the
 * store holds exactly the chunks it lists, and a download resumes from them. Nothing here is kept
 * in memory between calls, so a page and a worker that share the storage never disagree. A full
 * disk (the browser's `QuotaExceededError`, or the optional `quotaBytes`) becomes the port's
 * {@link QuotaExceededError}: the transfer pauses with a message saying what to do.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb'
import { toHex } from '../core/bytes.ts'
import { Bitfield } from '../core/files/bitfield.ts'
import { QuotaExceededError, joinChunk, type ChunkStore, type StoredChunk, type VerifiedChunk } from '../core/files/chunk-store.ts'
import { HASH_LENGTH, MAX_CHUNK_COUNT, MAX_CHUNK_SIZE, TAG_LENGTH } from '../core/files/constants.ts'
import { fileIdHex, type FileId } from '../core/files/manifest.ts'
import { NotFoundError, ValidationError, describeError } from '../core/errors.ts'

const DATABASE = 'kith-chunks'
const OPFS_DIR = 'kith-chunks'
/** Longer than any proof of a tree of MAX_CHUNK_COUNT leaves. */
const MAX_PROOF_LENGTH = 64 * HASH_LENGTH

interface EntryRecord {
  readonly file: string
  readonly index: number
  readonly hash: string
  readonly length: number
  readonly proof: Uint8Array
  /** The chunk itself, when the store keeps bytes in IndexedDB. */
  readonly bytes?: Uint8Array
}

interface ChunkSchema extends DBSchema {
  files: { key: string, value: { readonly file: string, readonly count: number } }
  entries: { key: [string, number], value: EntryRecord, indexes: { file: string } }
}

/** Where chunk bytes live when not in IndexedDB: OPFS in practice, an in-memory map in tests. */
export interface ChunkBytes {
  write (file: string, index: number, bytes: Uint8Array): Promise<void>
  /** The chunk's bytes; throws if they are missing or short. */
  read (file: string, index: number, length: number): Promise<Uint8Array>
  /** Removes every chunk of a file. */
  remove (file: string): Promise<void>
}

/** Options of a {@link BrowserChunkStore}. */
export interface BrowserChunkStoreOptions {
  /** IndexedDB database name (default `kith-chunks`). */
  readonly database?: string
  /** Where chunk bytes go; default OPFS when the browser has it, else IndexedDB. `null` forces IndexedDB. */
  readonly bytes?: ChunkBytes | null
  /** Bytes of chunks this store may hold at most, on top of what the browser allows (default: no limit of its own). */
  readonly quotaBytes?: number
}

/** What a full browser storage makes a transfer say. */
export const STORAGE_FULL = 'the browser\'s storage for this site is full; free some space (delete files in Kith, or clear other sites\' data)'

/** Whether an error is the browser saying its storage for this origin is full. */
function isQuotaError (err: unknown): boolean {
  return err instanceof Error && (err.name === 'QuotaExceededError' || /quota/i.test(err.message))
}

function quotaError (cause: unknown): QuotaExceededError {
  return new QuotaExceededError(STORAGE_FULL, { cause })
}

/** Encrypted chunks in OPFS (or IndexedDB) with their list and proofs in IndexedDB. */
export class BrowserChunkStore implements ChunkStore {
  private constructor (private readonly db: IDBPDatabase<ChunkSchema>, private readonly bytes: ChunkBytes | null, readonly quotaBytes: number | undefined) {}

  /** Opens (or creates) the store. */
  static async open (options: BrowserChunkStoreOptions = {}): Promise<BrowserChunkStore> {
    if (options.quotaBytes !== undefined && (!Number.isSafeInteger(options.quotaBytes) || options.quotaBytes < 0)) throw new ValidationError(`chunk store quota ${options.quotaBytes} is not a byte count`)
    const db = await openDB<ChunkSchema>(options.database ?? DATABASE, 1, {
      upgrade (database) {
        database.createObjectStore('files', { keyPath: 'file' })
        database.createObjectStore('entries', { keyPath: ['file', 'index'] }).createIndex('file', 'file')
      }
    })
    const bytes = options.bytes === undefined ? await opfsChunkBytes() : options.bytes
    return new BrowserChunkStore(db, bytes, options.quotaBytes)
  }

  /** Where chunk bytes are kept: `opfs` or `indexeddb` (shown in the docs' terms by the UI and tests). */
  get backend (): 'opfs' | 'indexeddb' {
    return this.bytes === null ? 'indexeddb' : 'opfs'
  }

  /** Closes the database connection. */
  close (): void {
    this.db.close()
  }

  /** Bytes of chunks held, summed over the list. */
  async usedBytes (): Promise<number> {
    let used = 0
    let cursor = await this.db.transaction('entries').store.openCursor()
    while (cursor !== null) {
      used += cursor.value.length
      cursor = await cursor.continue()
    }
    return used
  }

  /** The files (hex ids) the store has opened and not deleted. */
  async fileIds (): Promise<string[]> {
    return (await this.db.getAllKeys('files')).map(String)
  }

  private async heldIndexes (file: string, count: number): Promise<Bitfield> {
    const field = new Bitfield(count)
    const keys = await this.db.getAllKeysFromIndex('entries', 'file', file)
    for (const [, index] of keys) if (index < count) field.set(index)
    return field
  }

  /** {@inheritDoc ChunkStore.open} */
  async open (fileId: FileId, chunkCount: number): Promise<Bitfield> {
    if (!Number.isInteger(chunkCount) || chunkCount < 1 || chunkCount > MAX_CHUNK_COUNT) throw new ValidationError(`chunk count ${chunkCount} is out of range 1..${MAX_CHUNK_COUNT}`)
    const file = fileIdHex(fileId)
    const existing = await this.db.get('files', file)
    if (existing !== undefined) {
      if (existing.count !== chunkCount) throw new ValidationError(`file ${file} is stored with ${existing.count} chunks, not ${chunkCount}`)
      return await this.heldIndexes(file, chunkCount)
    }
    try {
      await this.db.put('files', { file, count: chunkCount })
    } catch (err) {
      throw isQuotaError(err) ? quotaError(err) : err
    }
    return new Bitfield(chunkCount)
  }

  /** {@inheritDoc ChunkStore.held} */
  async held (fileId: FileId): Promise<Bitfield | undefined> {
    const file = fileIdHex(fileId)
    const record = await this.db.get('files', file)
    return record === undefined ? undefined : await this.heldIndexes(file, record.count)
  }

  /** {@inheritDoc ChunkStore.put} */
  async put (fileId: FileId, index: number, verified: VerifiedChunk): Promise<void> {
    const { proof, leaf } = verified
    const chunk = joinChunk(verified.chunk)
    const file = fileIdHex(fileId)
    const record = await this.db.get('files', file)
    if (record === undefined) throw new NotFoundError(`file ${file} is not open in the chunk store`)
    if (!Number.isInteger(index) || index < 0 || index >= record.count) throw new ValidationError(`chunk index ${index} is out of range 0..${record.count - 1}`)
    if (chunk.length < TAG_LENGTH || chunk.length > MAX_CHUNK_SIZE + TAG_LENGTH) throw new ValidationError(`chunk of ${chunk.length} bytes is not a chunk`)
    if (proof.length > MAX_PROOF_LENGTH || proof.length % HASH_LENGTH !== 0) throw new ValidationError(`proof of ${proof.length} bytes is not a proof`)
    if (leaf.length !== HASH_LENGTH) throw new ValidationError(`leaf hash of ${leaf.length} bytes is not a hash`)
    if (await this.db.getKey('entries', [file, index]) !== undefined) return
    if (this.quotaBytes !== undefined) {
      const used = await this.usedBytes()
      if (used + chunk.length > this.quotaBytes) {
        throw new QuotaExceededError(`the chunk store is full: ${used} of ${this.quotaBytes} bytes used, and a chunk of ${chunk.length} more does not fit; delete files or raise the quota`)
      }
    }
    const entry: EntryRecord = { file, index, hash: toHex(leaf), length: chunk.length, proof: proof.slice() }
    try {
      if (this.bytes === null) {
        await this.db.put('entries', { ...entry, bytes: chunk.slice() })
      } else {
        // Bytes first: until the entry lists them, a crash leaves a file nothing reads.
        await this.bytes.write(file, index, chunk)
        if (await this.db.get('files', file) === undefined) {
          await this.bytes.remove(file).catch(() => {})
          throw new NotFoundError(`file ${file} was deleted while a chunk was being stored`)
        }
        await this.db.put('entries', entry)
      }
    } catch (err) {
      throw isQuotaError(err) ? quotaError(err) : err
    }
  }

  /** {@inheritDoc ChunkStore.get} */
  async get (fileId: FileId, index: number): Promise<StoredChunk | undefined> {
    const file = fileIdHex(fileId)
    const entry = await this.db.get('entries', [file, index])
    if (entry === undefined) return undefined
    if (entry.bytes !== undefined) return { chunk: entry.bytes, proof: entry.proof }
    if (this.bytes === null) return undefined
    try {
      return { chunk: await this.bytes.read(file, index, entry.length), proof: entry.proof }
    } catch {
      // The bytes are gone (the user cleared site data in part): forget the entry so it is fetched again.
      await this.db.delete('entries', [file, index]).catch(() => {})
      return undefined
    }
  }

  /** {@inheritDoc ChunkStore.delete} */
  async delete (fileId: FileId): Promise<void> {
    const file = fileIdHex(fileId)
    const tx = this.db.transaction(['files', 'entries'], 'readwrite')
    const keys = await tx.objectStore('entries').index('file').getAllKeys(file)
    await Promise.all([tx.objectStore('files').delete(file), ...keys.map(async (k) => { await tx.objectStore('entries').delete(k) })])
    await tx.done
    await this.bytes?.remove(file).catch(() => {})
  }
}

/** OPFS chunk bytes, or null when this browser has no OPFS (the store then keeps bytes in IndexedDB). */
export async function opfsChunkBytes (): Promise<ChunkBytes | null> {
  const storage = (globalThis.navigator as Navigator | undefined)?.storage
  if (storage?.getDirectory === undefined) return null
  let root: FileSystemDirectoryHandle
  try {
    root = await (await storage.getDirectory()).getDirectoryHandle(OPFS_DIR, { create: true })
  } catch {
    return null
  }
  const dirs = new Map<string, Promise<FileSystemDirectoryHandle>>()
  const dirOf = (file: string): Promise<FileSystemDirectoryHandle> => {
    let dir = dirs.get(file)
    if (dir === undefined) {
      dir = root.getDirectoryHandle(file, { create: true })
      dir.catch(() => { dirs.delete(file) })
      dirs.set(file, dir)
    }
    return dir
  }
  return {
    async write (file, index, bytes) {
      const handle = await (await dirOf(file)).getFileHandle(String(index), { create: true })
      await writeWhole(handle, bytes)
    },
    async read (file, index, length) {
      const handle = await (await dirOf(file)).getFileHandle(String(index))
      const blob = await handle.getFile()
      if (blob.size < length) throw new Error(`chunk ${index} of file ${file} is ${blob.size} bytes on disk, expected ${length}`)
      return new Uint8Array(await blob.slice(0, length).arrayBuffer())
    },
    async remove (file) {
      dirs.delete(file)
      try {
        await root.removeEntry(file, { recursive: true })
      } catch (err) {
        if ((err as Error).name !== 'NotFoundError') throw new Error(`could not remove the chunks of file ${file}: ${describeError(err)}`)
      }
    }
  }
}

/** The subset of a sync access handle this uses (workers only). */
interface SyncHandle {
  write (bytes: Uint8Array, options: { at: number }): number
  truncate (size: number): void
  flush (): void
  close (): void
}

/**
 * Writes a file's whole contents: through a sync access handle in a worker (written in place and
 * flushed), else through a writable stream (written to a swap file and swapped in on close).
 */
async function writeWhole (handle: FileSystemFileHandle, bytes: Uint8Array): Promise<void> {
  const withSync = handle as FileSystemFileHandle & { createSyncAccessHandle?: () => Promise<SyncHandle> }
  if (typeof withSync.createSyncAccessHandle === 'function' && typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined') {
    const sync = await withSync.createSyncAccessHandle()
    try {
      sync.truncate(0)
      let at = 0
      while (at < bytes.length) at += sync.write(bytes.subarray(at), { at })
      sync.flush()
    } finally {
      sync.close()
    }
    return
  }
  const writable = await handle.createWritable()
  try {
    await writable.write(bytes as Uint8Array<ArrayBuffer>)
    await writable.close()
  } catch (err) {
    await writable.abort().catch(() => {})
    throw err
  }
}
