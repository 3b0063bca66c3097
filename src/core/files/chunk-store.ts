/**
 * The chunk store port: where a device keeps the encrypted, verified chunks of the files it sends,
 * fetches and serves. Node implements it on disk (src/store/chunks.node.ts); the browser will in
 * OPFS or IndexedDB. It holds ciphertext and proofs only, never keys.
 */
import { concatBytes } from '../bytes.ts'
import { KithError } from '../errors.ts'
import type { Bitfield } from './bitfield.ts'
import type { FileId } from './manifest.ts'

/** An encrypted chunk with its Merkle inclusion proof. */
export interface StoredChunk {
  readonly chunk: Uint8Array
  readonly proof: Uint8Array
}

/** A chunk checked against its file's Merkle root, with the leaf hash that check computed. */
export interface VerifiedChunk {
  /**
   * The encrypted chunk: one buffer, or the views it arrived in, in order (a downloader does not
   * join them; a store writes them as they are or joins them itself, see {@link joinChunk}).
   */
  readonly chunk: Uint8Array | readonly Uint8Array[]
  readonly proof: Uint8Array
  /** SHA-256(0x00 || chunk) (merkle.ts `leafHash`): also the chunk's address in a store. */
  readonly leaf: Uint8Array
}

/** The length of a chunk given whole or in views. */
export function chunkLength (chunk: Uint8Array | readonly Uint8Array[]): number {
  if (chunk instanceof Uint8Array) return chunk.length
  let n = 0
  for (const p of chunk) n += p.length
  return n
}

/** A chunk given whole or in views, in one buffer (the one given, or a copy joining the views). */
export function joinChunk (chunk: Uint8Array | readonly Uint8Array[]): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk
  return chunk.length === 1 ? chunk[0]! : concatBytes(...chunk)
}

/** Persistent storage of verified chunks, per file. */
export interface ChunkStore {
  /**
   * Starts holding chunks of a file of `chunkCount` chunks, or finds the record of one already
   * started (a resumed download). Returns which chunks are held. Throws a `ValidationError` if
   * the file is known with another chunk count.
   */
  open (fileId: FileId, chunkCount: number): Promise<Bitfield>
  /** Which chunks of a file are held, or undefined for a file this store does not know. */
  held (fileId: FileId): Promise<Bitfield | undefined>
  /**
   * Stores a chunk the caller has verified against its file's Merkle root. Durable once the
   * promise resolves. Throws {@link QuotaExceededError} when it does not fit.
   */
  put (fileId: FileId, index: number, chunk: VerifiedChunk): Promise<void>
  /** A held chunk, or undefined. */
  get (fileId: FileId, index: number): Promise<StoredChunk | undefined>
  /** Forgets a file and frees its chunks. */
  delete (fileId: FileId): Promise<void>
}

/** The chunk store is full: the transfer waits until there is room. */
export class QuotaExceededError extends KithError {
  static override name = 'QuotaExceededError'
  override name = 'QuotaExceededError'
}
