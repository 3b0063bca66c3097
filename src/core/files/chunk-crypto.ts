/**
 * Chunk encryption (docs/PROTOCOL.md §9.2): each chunk is sealed on its own with AES-256-GCM
 * under the file's key. The nonce is derived from the chunk index, which is unique per key since
 * every file has a fresh key; the associated data binds the file id and the index, so a chunk
 * cannot be moved to another position or another file.
 */
import { concatBytes, utf8 } from '../bytes.ts'
import { CryptoVerificationError, ValidationError } from '../errors.ts'
import { CHUNK_AAD_LABEL, FILE_KEY_LENGTH, MAX_CHUNK_COUNT, THUMBNAIL_AAD_LABEL } from './constants.ts'
import { fileCrypto, type FileCipher } from './file-crypto.ts'
import { asFileId, type FileId } from './manifest.ts'

const NONCE_LENGTH = 12
const CHUNK_NONCE_KIND = 0x00
const THUMBNAIL_NONCE_KIND = 0x01

function checkIndex (index: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_CHUNK_COUNT) throw new ValidationError(`chunk index ${index} is out of range`)
}

/** The nonce of chunk `index`: 0x00, seven zero bytes, then the index as a big-endian uint32. */
export function chunkNonce (index: number): Uint8Array {
  checkIndex(index)
  const nonce = new Uint8Array(NONCE_LENGTH)
  nonce[0] = CHUNK_NONCE_KIND
  new DataView(nonce.buffer).setUint32(8, index)
  return nonce
}

/** The associated data of chunk `index`: "kith-file-chunk" || file id || uint32be(index). */
export function chunkAad (fileId: FileId, index: number): Uint8Array {
  checkIndex(index)
  const tail = new Uint8Array(4)
  new DataView(tail.buffer).setUint32(0, index)
  return concatBytes(utf8(CHUNK_AAD_LABEL), fileId, tail)
}

/** The thumbnail's nonce: 0x01 then eleven zero bytes (never equal to a chunk's). */
export function thumbnailNonce (): Uint8Array {
  const nonce = new Uint8Array(NONCE_LENGTH)
  nonce[0] = THUMBNAIL_NONCE_KIND
  return nonce
}

/** The thumbnail's associated data: "kith-file-thumb" || file id. */
export function thumbnailAad (fileId: FileId): Uint8Array {
  return concatBytes(utf8(THUMBNAIL_AAD_LABEL), fileId)
}

/** Encrypts and decrypts the chunks and thumbnail of one file. */
export class ChunkCipher {
  private constructor (private readonly fileId: FileId, private readonly cipher: FileCipher) {}

  /** A cipher for the file `fileId` under its 32-byte `key`. */
  static async create (fileId: Uint8Array, key: Uint8Array): Promise<ChunkCipher> {
    if (key.length !== FILE_KEY_LENGTH) throw new ValidationError(`file key must be ${FILE_KEY_LENGTH} bytes, got ${key.length}`)
    return new ChunkCipher(asFileId(fileId), await fileCrypto().cipher(key))
  }

  /** The encrypted chunk: ciphertext || 16-byte tag. */
  async encryptChunk (index: number, plaintext: Uint8Array): Promise<Uint8Array> {
    return await this.cipher.seal(chunkNonce(index), chunkAad(this.fileId, index), plaintext)
  }

  /** The plaintext of an encrypted chunk. Throws {@link CryptoVerificationError} if it was altered. */
  async decryptChunk (index: number, ciphertext: Uint8Array): Promise<Uint8Array> {
    try {
      return await this.cipher.open(chunkNonce(index), chunkAad(this.fileId, index), ciphertext)
    } catch (err) {
      throw new CryptoVerificationError(`chunk ${index} does not decrypt: it was altered or belongs elsewhere`, { cause: err })
    }
  }

  /** The encrypted thumbnail. */
  async encryptThumbnail (plaintext: Uint8Array): Promise<Uint8Array> {
    return await this.cipher.seal(thumbnailNonce(), thumbnailAad(this.fileId), plaintext)
  }

  /** The thumbnail's plaintext. Throws {@link CryptoVerificationError} if it was altered. */
  async decryptThumbnail (ciphertext: Uint8Array): Promise<Uint8Array> {
    try {
      return await this.cipher.open(thumbnailNonce(), thumbnailAad(this.fileId), ciphertext)
    } catch (err) {
      throw new CryptoVerificationError('thumbnail does not decrypt: it was altered', { cause: err })
    }
  }
}
