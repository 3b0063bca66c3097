/**
 * Bounds and labels of Kith files (docs/PROTOCOL.md §9): what an offer may claim, and the
 * domain-separation labels of chunk encryption.
 */

/** Bytes of a file id. */
export const FILE_ID_LENGTH = 16
/** Bytes of a file key (AES-256-GCM). */
export const FILE_KEY_LENGTH = 32
/** Bytes of a SHA-256 hash: Merkle nodes and the root. */
export const HASH_LENGTH = 32
/** Bytes of an AES-GCM tag: every encrypted chunk is this much longer than its plaintext. */
export const TAG_LENGTH = 16

/** Smallest chunk size an offer may claim: 64 KiB. */
export const MIN_CHUNK_SIZE = 64 * 1024
/** Largest chunk size an offer may claim: 4 MiB. */
export const MAX_CHUNK_SIZE = 4 * 1024 * 1024
/** Largest file an offer may claim: 64 GiB. */
export const MAX_FILE_SIZE = 64 * 1024 * 1024 * 1024
/** Most chunks a file may have: 2^20 (64 GiB in 64 KiB chunks). */
export const MAX_CHUNK_COUNT = 1024 * 1024
/** Longest file name, in UTF-8 bytes. */
export const MAX_NAME_BYTES = 255
/** Longest MIME type, in characters. */
export const MAX_MIME_TYPE_LENGTH = 255
/** Largest thumbnail plaintext: 64 KiB. */
export const MAX_THUMBNAIL_SIZE = 64 * 1024
/** The chunk size a sender picks when it is not told one: 1 MiB. */
export const DEFAULT_CHUNK_SIZE = 1024 * 1024

/** Prefix of a chunk's associated data. */
export const CHUNK_AAD_LABEL = 'kith-file-chunk'
/** Prefix of a thumbnail's associated data. */
export const THUMBNAIL_AAD_LABEL = 'kith-file-thumb'
