/**
 * The file manifest: what a file offer carries inside MLS (docs/PROTOCOL.md §9.1), its protobuf
 * codec, and the bounds every offer is checked against before anything acts on it.
 */
import { FileOffer } from '../codec/files.ts'
import { CodecError, ValidationError } from '../errors.ts'
import { toHex, utf8 } from '../bytes.ts'
import {
  FILE_ID_LENGTH, FILE_KEY_LENGTH, HASH_LENGTH, MAX_CHUNK_COUNT, MAX_CHUNK_SIZE, MAX_FILE_SIZE, MAX_MIME_TYPE_LENGTH,
  MAX_NAME_BYTES, MAX_THUMBNAIL_SIZE, MIN_CHUNK_SIZE, TAG_LENGTH
} from './constants.ts'

/** 16 random bytes naming one file offer. */
export type FileId = Uint8Array & { readonly __brand: 'FileId' }

/** A small encrypted preview image (docs/PROTOCOL.md §9.2). */
export interface EncryptedThumbnail {
  /** MIME type of the image, `image/…`. */
  readonly type: string
  /** AES-256-GCM ciphertext under the file key. */
  readonly ciphertext: Uint8Array
}

/** A checked file offer. */
export interface FileManifest {
  readonly fileId: FileId
  readonly name: string
  /** Plaintext bytes. */
  readonly size: number
  readonly mimeType: string
  /** Plaintext bytes per chunk; the last chunk may be shorter. */
  readonly chunkSize: number
  /** The file's AES-256-GCM key. Secret: never logged, never outside MLS. */
  readonly key: Uint8Array
  /** Merkle root over the encrypted chunks (merkle.ts). */
  readonly merkleRoot: Uint8Array
  readonly thumbnail?: EncryptedThumbnail
}

/** Throws unless `value` is 16 bytes; brands it as a {@link FileId}. */
export function asFileId (value: Uint8Array): FileId {
  if (value.length !== FILE_ID_LENGTH) throw new ValidationError(`file id must be ${FILE_ID_LENGTH} bytes, got ${value.length}`)
  return value as FileId
}

/** The file id as lowercase hex, for logs, paths and maps. */
export function fileIdHex (fileId: FileId): string {
  return toHex(fileId)
}

/** Chunks of a file of `size` bytes: at least one, so an empty file still has a root. */
export function chunkCountOf (size: number, chunkSize: number): number {
  return Math.max(1, Math.ceil(size / chunkSize))
}

/** Plaintext bytes of chunk `index` of a manifest's file. */
export function chunkPlaintextLength (manifest: Pick<FileManifest, 'size' | 'chunkSize'>, index: number): number {
  const count = chunkCountOf(manifest.size, manifest.chunkSize)
  if (!Number.isInteger(index) || index < 0 || index >= count) throw new ValidationError(`chunk index ${index} is out of range 0..${count - 1}`)
  return index < count - 1 ? manifest.chunkSize : manifest.size - manifest.chunkSize * (count - 1)
}

/** Encrypted bytes of chunk `index`: its plaintext plus the GCM tag. */
export function chunkCiphertextLength (manifest: Pick<FileManifest, 'size' | 'chunkSize'>, index: number): number {
  return chunkPlaintextLength(manifest, index) + TAG_LENGTH
}

// C0 and C1 controls, and the bidirectional overrides and isolates that can disguise an extension.
const FORBIDDEN_NAME_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069/\\]/u
// RFC 6838 §4.2 restricted-name, for type and subtype.
const MIME_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/

/** Throws a {@link ValidationError} naming what is wrong with a file name. */
export function validateFileName (name: string): void {
  if (typeof name !== 'string' || name.length === 0) throw new ValidationError('file name is empty')
  const bytes = utf8(name).length
  if (bytes > MAX_NAME_BYTES) throw new ValidationError(`file name is ${bytes} UTF-8 bytes; at most ${MAX_NAME_BYTES} are allowed`)
  if (FORBIDDEN_NAME_CHARACTERS.test(name)) throw new ValidationError('file name contains a path separator, a control character or a bidirectional override')
  if (name === '.' || name === '..') throw new ValidationError(`file name "${name}" names a directory`)
}

/** Throws a {@link ValidationError} naming the first field of `manifest` that breaks a bound. */
export function validateManifest (manifest: FileManifest): void {
  asFileId(manifest.fileId)
  validateFileName(manifest.name)
  const { size, chunkSize } = manifest
  if (!Number.isSafeInteger(size) || size < 0) throw new ValidationError(`file size ${size} is not a byte count`)
  if (size > MAX_FILE_SIZE) throw new ValidationError(`file size ${size} exceeds the ${MAX_FILE_SIZE}-byte (64 GiB) limit`)
  if (!Number.isInteger(chunkSize) || chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
    throw new ValidationError(`chunk size ${chunkSize} is outside ${MIN_CHUNK_SIZE}..${MAX_CHUNK_SIZE} bytes (64 KiB..4 MiB)`)
  }
  const count = chunkCountOf(size, chunkSize)
  if (count > MAX_CHUNK_COUNT) throw new ValidationError(`file has ${count} chunks; at most ${MAX_CHUNK_COUNT} are allowed`)
  if (manifest.mimeType.length > MAX_MIME_TYPE_LENGTH || !MIME_TYPE.test(manifest.mimeType)) {
    throw new ValidationError('MIME type must be type/subtype (RFC 6838), at most 255 characters')
  }
  if (manifest.key.length !== FILE_KEY_LENGTH) throw new ValidationError(`file key must be ${FILE_KEY_LENGTH} bytes, got ${manifest.key.length}`)
  if (manifest.merkleRoot.length !== HASH_LENGTH) throw new ValidationError(`Merkle root must be ${HASH_LENGTH} bytes, got ${manifest.merkleRoot.length}`)
  const thumbnail = manifest.thumbnail
  if (thumbnail !== undefined) {
    if (!/^image\//.test(thumbnail.type) || !MIME_TYPE.test(thumbnail.type)) throw new ValidationError('thumbnail type must be image/…')
    const max = MAX_THUMBNAIL_SIZE + TAG_LENGTH
    if (thumbnail.ciphertext.length <= TAG_LENGTH || thumbnail.ciphertext.length > max) {
      throw new ValidationError(`thumbnail must be ${TAG_LENGTH + 1}..${max} encrypted bytes, got ${thumbnail.ciphertext.length}`)
    }
  }
}

/** Encodes a manifest as a `FileOffer` (checking it first). */
export function encodeManifest (manifest: FileManifest): Uint8Array {
  validateManifest(manifest)
  return FileOffer.encode({
    fileId: manifest.fileId as Uint8Array<ArrayBuffer>,
    name: manifest.name,
    size: BigInt(manifest.size),
    mimeType: manifest.mimeType,
    chunkSize: manifest.chunkSize,
    key: manifest.key as Uint8Array<ArrayBuffer>,
    merkleRoot: manifest.merkleRoot as Uint8Array<ArrayBuffer>,
    thumbnail: (manifest.thumbnail?.ciphertext ?? new Uint8Array()) as Uint8Array<ArrayBuffer>,
    thumbnailType: manifest.thumbnail?.type ?? ''
  })
}

/** Decodes and checks a `FileOffer`. Throws {@link CodecError} or {@link ValidationError}. */
export function decodeManifest (bytes: Uint8Array): FileManifest {
  let offer: FileOffer
  try {
    offer = FileOffer.decode(bytes)
  } catch (err) {
    throw new CodecError('file offer does not decode', { cause: err })
  }
  if (offer.size > BigInt(MAX_FILE_SIZE)) throw new ValidationError(`file size ${offer.size} exceeds the ${MAX_FILE_SIZE}-byte (64 GiB) limit`)
  if (offer.thumbnail.length === 0 && offer.thumbnailType !== '') throw new ValidationError('thumbnail type given without a thumbnail')
  const manifest: FileManifest = {
    fileId: offer.fileId as FileId,
    name: offer.name,
    size: Number(offer.size),
    mimeType: offer.mimeType,
    chunkSize: offer.chunkSize,
    key: offer.key,
    merkleRoot: offer.merkleRoot,
    ...(offer.thumbnail.length > 0 ? { thumbnail: { type: offer.thumbnailType, ciphertext: offer.thumbnail } } : {})
  }
  validateManifest(manifest)
  return manifest
}
