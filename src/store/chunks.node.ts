/**
 * The Node chunk store: encrypted file chunks on disk, content-addressed, with a byte quota.
 *
 * Layout under the store's directory (docs/ARCHITECTURE.md, "Files"):
 * - `chunks/<hh>/<leaf>`: one encrypted chunk, named by its Merkle leaf hash SHA-256(0x00 ||
 *   chunk), which the caller computed when it verified the chunk (hh = its first two hex digits);
 * - `files/<file id hex>`: the file's record: a header (`KITHCHK1`, uint32be chunk count), then
 *   one entry per held chunk, appended after its chunk file is in place: uint32be index,
 *   uint32be length, 32-byte chunk hash, uint16be proof length, proof.
 *
 * A chunk is listed only once its bytes are written, so after `kill -9` a restarted store holds
 * exactly the chunks it listed; entries that arrive while an append runs share the next one, and
 * an incomplete file's record stays open for appending (closed when the file is whole or deleted). On opening, the store drops a torn last entry and entries whose
 * chunk file is missing or has the wrong length (an OS crash), and deletes chunk files no record
 * lists. Records and proofs are kept in memory (about 40 bytes plus the proof per held chunk).
 */
import { close as closeCb, mkdirSync, open as openCb, read as readCb, write as writeCb, writeFile as writeFileCb, writev as writevCb } from 'node:fs'
import { mkdir, readFile, readdir, rename, rm, stat, statfs, unlink, writeFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { join } from 'node:path'
import { Bitfield } from '../core/files/bitfield.ts'
import type { ChunkStore, StoredChunk, VerifiedChunk } from '../core/files/chunk-store.ts'
import { QuotaExceededError, chunkLength } from '../core/files/chunk-store.ts'
import { HASH_LENGTH, MAX_CHUNK_COUNT, MAX_CHUNK_SIZE, TAG_LENGTH } from '../core/files/constants.ts'
import { fileIdHex, type FileId } from '../core/files/manifest.ts'
import { toHex } from '../core/bytes.ts'
import { NotFoundError, ValidationError, describeError } from '../core/errors.ts'

const MAGIC = Buffer.from('KITHCHK1')
const HEADER_LENGTH = MAGIC.length + 4
const ENTRY_FIXED_LENGTH = 4 + 4 + HASH_LENGTH + 2
/** Longer than any proof of a tree of MAX_CHUNK_COUNT leaves (20 hashes). */
const MAX_PROOF_LENGTH = 64 * HASH_LENGTH
const FILE_ID_HEX = /^[0-9a-f]{32}$/

/** Options of a {@link NodeChunkStore}. */
export interface NodeChunkStoreOptions {
  /** The directory to keep chunks in; created if missing. */
  readonly dir: string
  /** Bytes of chunks the store may hold at most. */
  readonly quotaBytes: number
  /** Where problems found on opening are reported. */
  readonly log?: (message: string) => void
}

interface Entry {
  readonly hash: string
  readonly length: number
  readonly proof: Uint8Array
}

interface FileRecord {
  readonly count: number
  readonly held: Bitfield
  readonly entries: Map<number, Entry>
  /** Puts under way, by index. */
  readonly writing: Map<number, Promise<void>>
  /** Entries waiting for the next append, and that append once it is set off. */
  readonly batch: Buffer[]
  batchDone: Promise<void> | undefined
  /** The append in progress: appends to one record run one at a time. */
  appending: Promise<void>
  /**
   * The record, open for appending while the file is incomplete: one write per batch of entries
   * rather than an open, a write and a close (a thread-pool round trip each).
   */
  fd: Promise<number> | undefined
}

function newRecord (count: number): FileRecord {
  return { count, held: new Bitfield(count), entries: new Map(), writing: new Map(), batch: [], batchDone: undefined, appending: Promise.resolve(), fd: undefined }
}

function encodeEntry (index: number, entry: Entry): Buffer {
  const out = Buffer.alloc(ENTRY_FIXED_LENGTH + entry.proof.length)
  out.writeUInt32BE(index, 0)
  out.writeUInt32BE(entry.length, 4)
  out.write(entry.hash, 8, 'hex')
  out.writeUInt16BE(entry.proof.length, 8 + HASH_LENGTH)
  out.set(entry.proof, ENTRY_FIXED_LENGTH)
  return out
}

/** Encrypted chunks under a directory, content-addressed, with a quota. */
export class NodeChunkStore implements ChunkStore {
  private readonly files = new Map<string, FileRecord>()
  /** Records listing each chunk file. */
  private readonly refs = new Map<string, number>()
  private used = 0

  /** `dir`: where its chunks are (chunks/, files/). */
  private constructor (readonly dir: string, readonly quotaBytes: number) {}

  /** Opens (or creates) the store in `options.dir`, checking what a crash may have left. */
  static async open (options: NodeChunkStoreOptions): Promise<NodeChunkStore> {
    if (!Number.isSafeInteger(options.quotaBytes) || options.quotaBytes < 0) throw new ValidationError(`chunk store quota ${options.quotaBytes} is not a byte count`)
    const store = new NodeChunkStore(options.dir, options.quotaBytes)
    await mkdir(join(options.dir, 'files'), { recursive: true, mode: 0o700 })
    await mkdir(join(options.dir, 'chunks'), { recursive: true, mode: 0o700 })
    await store.load(options.log ?? (() => {}))
    return store
  }

  /** Bytes of chunks held. */
  get usedBytes (): number {
    return this.used
  }

  /** The files (hex ids) the store has opened and not deleted. */
  fileIds (): string[] {
    return [...this.files.keys()]
  }

  private chunkPath (hash: string): string {
    return join(this.dir, 'chunks', hash.slice(0, 2), hash)
  }

  private recordPath (id: string): string {
    return join(this.dir, 'files', id)
  }

  private async load (log: (message: string) => void): Promise<void> {
    for (const name of await readdir(join(this.dir, 'files'))) {
      if (!FILE_ID_HEX.test(name)) continue
      try {
        await this.loadRecord(name, log)
      } catch (err) {
        log(`chunk store: dropped the unreadable record of file ${name}: ${describeError(err)}`)
        await rm(this.recordPath(name), { force: true })
      }
    }
    // Chunk files no record lists: written before a crash, or left by a deleted file.
    for (const prefix of await readdir(join(this.dir, 'chunks'))) {
      for (const name of await readdir(join(this.dir, 'chunks', prefix))) {
        if (!this.refs.has(name)) await rm(join(this.dir, 'chunks', prefix, name), { force: true })
      }
    }
  }

  private async loadRecord (id: string, log: (message: string) => void): Promise<void> {
    const bytes = await readFile(this.recordPath(id))
    if (bytes.length < HEADER_LENGTH || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new ValidationError('bad header')
    const count = bytes.readUInt32BE(MAGIC.length)
    const record = newRecord(count)
    let at = HEADER_LENGTH
    let good = at
    let dropped = 0
    while (at + ENTRY_FIXED_LENGTH <= bytes.length) {
      const index = bytes.readUInt32BE(at)
      const length = bytes.readUInt32BE(at + 4)
      const hash = bytes.subarray(at + 8, at + 8 + HASH_LENGTH).toString('hex')
      const proofLength = bytes.readUInt16BE(at + 8 + HASH_LENGTH)
      const end = at + ENTRY_FIXED_LENGTH + proofLength
      if (end > bytes.length) break
      if (index >= count || proofLength > MAX_PROOF_LENGTH) throw new ValidationError(`bad entry at byte ${at}`)
      const proof = new Uint8Array(bytes.subarray(at + ENTRY_FIXED_LENGTH, end))
      at = end
      good = end
      const size = await stat(this.chunkPath(hash)).then((s) => s.size, () => -1)
      if (size !== length) {
        dropped++
        continue
      }
      if (record.held.has(index)) continue
      record.held.set(index)
      record.entries.set(index, { hash, length, proof })
      this.reference(hash, length)
    }
    if (dropped > 0 || good < bytes.length) {
      log(`chunk store: file ${id}: dropped ${dropped} chunk(s) missing on disk${good < bytes.length ? ' and a torn last entry' : ''}`)
      await this.rewrite(id, record)
    }
    this.files.set(id, record)
  }

  /** Writes a record afresh from memory (after a crash left it torn or stale). */
  private async rewrite (id: string, record: FileRecord): Promise<void> {
    const header = Buffer.alloc(HEADER_LENGTH)
    MAGIC.copy(header)
    header.writeUInt32BE(record.count, MAGIC.length)
    const parts = [header, ...[...record.entries].map(([index, entry]) => encodeEntry(index, entry))]
    const tmp = `${this.recordPath(id)}.tmp`
    await writeFile(tmp, Buffer.concat(parts), { mode: 0o600 })
    await rename(tmp, this.recordPath(id))
  }

  private reference (hash: string, length: number): void {
    const n = this.refs.get(hash) ?? 0
    if (n === 0) this.used += length
    this.refs.set(hash, n + 1)
  }

  /** {@inheritDoc ChunkStore.open} */
  async open (fileId: FileId, chunkCount: number): Promise<Bitfield> {
    if (!Number.isInteger(chunkCount) || chunkCount < 1 || chunkCount > MAX_CHUNK_COUNT) throw new ValidationError(`chunk count ${chunkCount} is out of range 1..${MAX_CHUNK_COUNT}`)
    const id = fileIdHex(fileId)
    const existing = this.files.get(id)
    if (existing !== undefined) {
      if (existing.count !== chunkCount) throw new ValidationError(`file ${id} is stored with ${existing.count} chunks, not ${chunkCount}`)
      return copy(existing.held)
    }
    const record = newRecord(chunkCount)
    this.files.set(id, record)
    await this.rewrite(id, record)
    return copy(record.held)
  }

  /** {@inheritDoc ChunkStore.held} */
  async held (fileId: FileId): Promise<Bitfield | undefined> {
    const record = this.files.get(fileIdHex(fileId))
    return record === undefined ? undefined : copy(record.held)
  }

  /** {@inheritDoc ChunkStore.put} */
  async put (fileId: FileId, index: number, verified: VerifiedChunk): Promise<void> {
    const { chunk, proof, leaf } = verified
    const length = chunkLength(chunk)
    const id = fileIdHex(fileId)
    const record = this.files.get(id)
    if (record === undefined) throw new NotFoundError(`file ${id} is not open in the chunk store`)
    if (!Number.isInteger(index) || index < 0 || index >= record.count) throw new ValidationError(`chunk index ${index} is out of range 0..${record.count - 1}`)
    if (length < TAG_LENGTH || length > MAX_CHUNK_SIZE + TAG_LENGTH) throw new ValidationError(`chunk of ${length} bytes is not a chunk`)
    if (proof.length > MAX_PROOF_LENGTH || proof.length % HASH_LENGTH !== 0) throw new ValidationError(`proof of ${proof.length} bytes is not a proof`)
    const running = record.writing.get(index)
    if (running !== undefined) return await running
    if (record.held.has(index)) return
    if (leaf.length !== HASH_LENGTH) throw new ValidationError(`leaf hash of ${leaf.length} bytes is not a hash`)
    const entry: Entry = { hash: toHex(leaf), length, proof: proof.slice() }
    // A chunk file no record lists yet: its bytes count against the quota from now on.
    const fresh = (this.refs.get(entry.hash) ?? 0) === 0
    if (fresh) {
      if (this.used + length > this.quotaBytes) {
        throw new QuotaExceededError(`the chunk store is full: ${this.used} of ${this.quotaBytes} bytes used, and a chunk of ${length} more does not fit; delete files or raise the quota`)
      }
      this.used += length
    }
    const done = (async () => {
      try {
        // Straight to its final name: until the record lists it, a crash leaves a file that opening deletes.
        if (fresh) await this.writeChunk(entry.hash, chunk)
        if (this.files.get(id) !== record) throw new NotFoundError(`file ${id} was deleted while a chunk was being stored`)
        await this.appendEntry(id, record, encodeEntry(index, entry))
      } catch (err) {
        if (fresh && (this.refs.get(entry.hash) ?? 0) === 0) {
          this.used -= length
          await unlink(this.chunkPath(entry.hash)).catch(() => {})
        }
        throw err
      }
      this.refs.set(entry.hash, (this.refs.get(entry.hash) ?? 0) + 1)
      record.held.set(index)
      record.entries.set(index, entry)
      // A whole file gets no more entries: its record need not stay open.
      if (record.held.complete) await closeRecord(record)
    })()
    record.writing.set(index, done)
    try {
      await done
    } finally {
      record.writing.delete(index)
    }
  }

  private readonly prefixes = new Set<string>()

  private async writeChunk (hash: string, chunk: Uint8Array | readonly Uint8Array[]): Promise<void> {
    const prefix = hash.slice(0, 2)
    if (!this.prefixes.has(prefix)) {
      // Once per prefix, and a single cheap syscall: the promise API costs more than it saves here.
      mkdirSync(join(this.dir, 'chunks', prefix), { recursive: true, mode: 0o700 })
      this.prefixes.add(prefix)
    }
    // The callback API: fs/promises' FileHandle costs a finalizer and more round trips per file.
    if (chunk instanceof Uint8Array) await writeFileCallback(this.chunkPath(hash), chunk, { mode: 0o600 })
    else await writeParts(this.chunkPath(hash), chunk)
  }

  /**
   * Appends an entry to a file's record. Entries that come while an append runs share the next
   * one (one write for many chunks); each caller resumes once its entry is written.
   */
  private async appendEntry (id: string, record: FileRecord, entry: Buffer): Promise<void> {
    record.batch.push(entry)
    record.batchDone ??= (async () => {
      await record.appending.catch(() => {})
      const parts = record.batch.splice(0)
      record.batchDone = undefined
      record.appending = (async () => {
        record.fd ??= openCallback(this.recordPath(id), 'a', 0o600)
        // Closed again (below) if it cannot be opened, so the next append tries afresh.
        const fd = await record.fd.catch((err: unknown) => { record.fd = undefined; throw err })
        await writeAll(fd, parts.length === 1 ? parts[0]! : Buffer.concat(parts))
      })()
      await record.appending
    })()
    await record.batchDone
  }

  /** {@inheritDoc ChunkStore.get} */
  async get (fileId: FileId, index: number): Promise<StoredChunk | undefined> {
    const record = this.files.get(fileIdHex(fileId))
    const entry = record?.entries.get(index)
    if (entry === undefined) return undefined
    let chunk: Buffer
    try {
      chunk = await readExactly(this.chunkPath(entry.hash), entry.length)
    } catch {
      return undefined
    }
    return { chunk: new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length), proof: entry.proof }
  }

  /** {@inheritDoc ChunkStore.delete} */
  async delete (fileId: FileId): Promise<void> {
    const id = fileIdHex(fileId)
    const record = this.files.get(id)
    if (record === undefined) return
    this.files.delete(id)
    await Promise.allSettled([...record.writing.values()])
    await record.appending.catch(() => {})
    await closeRecord(record)
    await rm(this.recordPath(id), { force: true })
    for (const entry of record.entries.values()) {
      const n = (this.refs.get(entry.hash) ?? 1) - 1
      if (n > 0) {
        this.refs.set(entry.hash, n)
        continue
      }
      this.refs.delete(entry.hash)
      this.used -= entry.length
      await unlink(this.chunkPath(entry.hash)).catch(() => {})
    }
  }
}

function copy (field: Bitfield): Bitfield {
  return Bitfield.fromBytes(field.toBytes(), field.size)
}

/** Bytes free for an unprivileged writer on the disk that holds `dir`. */
export async function freeBytesAt (dir: string): Promise<number> {
  const s = await statfs(dir)
  return s.bavail * s.bsize
}

const writeFileCallback = promisify(writeFileCb)
const openCallback = promisify(openCb)
const readCallback = promisify(readCb)
const closeCallback = promisify(closeCb)
const writevCallback = promisify(writevCb)

/** Writes the views of a chunk to a new file, in one `writev` when it takes them all (no join). */
async function writeParts (path: string, parts: readonly Uint8Array[]): Promise<void> {
  const fd = await openCallback(path, 'w', 0o600)
  try {
    let rest = parts.filter((p) => p.length > 0)
    while (rest.length > 0) {
      let written = (await writevCallback(fd, rest)).bytesWritten
      // A short write (more views than IOV_MAX, or a full disk on the way): go on after it.
      let skip = 0
      while (skip < rest.length && written >= rest[skip]!.length) written -= rest[skip++]!.length
      rest = rest.slice(skip)
      if (written > 0) rest[0] = rest[0]!.subarray(written)
    }
  } finally {
    await closeCallback(fd)
  }
}

const writeCallback = promisify(writeCb)

/** Writes all of `data` at the end of the file open for appending as `fd`. */
async function writeAll (fd: number, data: Uint8Array): Promise<void> {
  for (let at = 0; at < data.length;) at += (await writeCallback(fd, data, at, data.length - at)).bytesWritten
}

/** Closes a record's append descriptor, if it has one (after the appends under way). */
async function closeRecord (record: FileRecord): Promise<void> {
  const fd = record.fd
  if (fd === undefined) return
  record.fd = undefined
  await record.appending.catch(() => {})
  await fd.then(async (n) => { await closeCallback(n) }, () => {})
}

/** The first `length` bytes of a file; throws if it is shorter. */
async function readExactly (path: string, length: number): Promise<Buffer> {
  const fd = await openCallback(path, 'r')
  try {
    const buf = Buffer.allocUnsafe(length)
    let at = 0
    while (at < length) {
      const { bytesRead } = await readCallback(fd, buf, at, length - at, at)
      if (bytesRead === 0) throw new Error(`chunk file ${path} is short`)
      at += bytesRead
    }
    return buf
  } finally {
    await closeCallback(fd)
  }
}
