/**
 * A file's contents as sealed chunks: the sender turns plaintext into a manifest plus encrypted,
 * proven chunks in a chunk store, and a receiver who holds every chunk reads the plaintext back,
 * decrypting and checking each chunk's length on the way.
 */
import { equalBytes, randomBytes } from '../bytes.ts'
import { UsageError, ValidationError } from '../errors.ts'
import { DEFAULT_CHUNK_SIZE, FILE_ID_LENGTH, FILE_KEY_LENGTH, MAX_THUMBNAIL_SIZE } from './constants.ts'
import { ChunkCipher } from './chunk-crypto.ts'
import type { ChunkStore } from './chunk-store.ts'
import { asFileId, chunkCountOf, chunkPlaintextLength, validateManifest, type FileManifest } from './manifest.ts'
import { MerkleTree, leafHash } from './merkle.ts'

/** What to seal. */
export interface SealFileOptions {
  readonly name: string
  readonly size: number
  readonly mimeType: string
  /** Plaintext bytes per chunk (default 1 MiB). */
  readonly chunkSize?: number
  /** Bytes `start`..`end` of the file; read twice per chunk (once to hash, once to store). */
  readonly read: (start: number, end: number) => Promise<Uint8Array>
  /** A small preview image, encrypted into the manifest. */
  readonly thumbnail?: { readonly type: string, readonly bytes: Uint8Array }
}

/**
 * Encrypts a file under a fresh random key and id, builds the Merkle tree over the encrypted
 * chunks, and stores every chunk with its proof in `store`. Returns the manifest to offer.
 */
export async function sealFile (options: SealFileOptions, store: ChunkStore): Promise<FileManifest> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE
  const fileId = asFileId(randomBytes(FILE_ID_LENGTH))
  const key = randomBytes(FILE_KEY_LENGTH)
  const cipher = await ChunkCipher.create(fileId, key)
  // Checked before any work, with a placeholder root.
  validateManifest({ fileId, name: options.name, size: options.size, mimeType: options.mimeType, chunkSize, key, merkleRoot: new Uint8Array(32) })
  if (options.thumbnail !== undefined && options.thumbnail.bytes.length > MAX_THUMBNAIL_SIZE) {
    throw new ValidationError(`thumbnail is ${options.thumbnail.bytes.length} bytes; at most ${MAX_THUMBNAIL_SIZE} are allowed`)
  }
  const shape = { size: options.size, chunkSize }
  const count = chunkCountOf(options.size, chunkSize)
  const encrypt = async (index: number): Promise<Uint8Array> => {
    const start = index * chunkSize
    const length = chunkPlaintextLength(shape, index)
    const plaintext = await options.read(start, start + length)
    if (plaintext.length !== length) throw new ValidationError(`the file changed while it was being sent: chunk ${index} is ${plaintext.length} bytes, expected ${length}`)
    return await cipher.encryptChunk(index, plaintext)
  }
  const leaves: Uint8Array[] = []
  for (let i = 0; i < count; i++) leaves.push(await leafHash(await encrypt(i)))
  const tree = await MerkleTree.build(leaves)
  await store.open(fileId, count)
  for (let i = 0; i < count; i++) {
    const chunk = await encrypt(i)
    const leaf = await leafHash(chunk)
    if (!equalBytes(leaf, leaves[i]!)) throw new ValidationError(`the file changed while it was being sent (chunk ${i})`)
    await store.put(fileId, i, { chunk, proof: tree.proof(i), leaf })
  }
  const manifest: FileManifest = {
    fileId,
    name: options.name,
    size: options.size,
    mimeType: options.mimeType,
    chunkSize,
    key,
    merkleRoot: tree.root,
    ...(options.thumbnail !== undefined ? { thumbnail: { type: options.thumbnail.type, ciphertext: await cipher.encryptThumbnail(options.thumbnail.bytes) } } : {})
  }
  validateManifest(manifest)
  return manifest
}

/**
 * The plaintext of a file whose chunks are all in `store`, chunk by chunk in order. Throws a
 * `UsageError` if a chunk is missing, and a `CryptoVerificationError` if one does not decrypt.
 */
export async function * readFilePlaintext (manifest: FileManifest, store: ChunkStore): AsyncGenerator<Uint8Array> {
  const count = chunkCountOf(manifest.size, manifest.chunkSize)
  const cipher = await ChunkCipher.create(manifest.fileId, manifest.key)
  for (let i = 0; i < count; i++) {
    const stored = await store.get(manifest.fileId, i)
    if (stored === undefined) throw new UsageError(`chunk ${i} of ${manifest.name} is not here yet`)
    const plaintext = await cipher.decryptChunk(i, stored.chunk)
    const expected = chunkPlaintextLength(manifest, i)
    if (plaintext.length !== expected) throw new ValidationError(`chunk ${i} of ${manifest.name} is ${plaintext.length} bytes, expected ${expected}`)
    yield plaintext
  }
}
