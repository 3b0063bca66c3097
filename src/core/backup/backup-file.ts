/**
 * The encrypted backup file (docs/PROTOCOL.md §Backup file): a fixed 48-byte header naming the
 * Argon2id parameters (RFC 9106), salt and nonce, then the AES-256-GCM ciphertext of the contents
 * under a key derived from the passphrase, with the whole header as additional data. Pure: the KDF
 * is `@noble/hashes`' Argon2id, the cipher WebCrypto's AES-GCM, in Node and in browsers.
 */
import { argon2idAsync } from '@noble/hashes/argon2.js'
import { abytes, concatBytes, equalBytes, randomBytes, utf8, wipe } from '../bytes.ts'
import { CodecError, CryptoVerificationError, ValidationError } from '../errors.ts'

/** The first 7 bytes of every backup file. */
export const BACKUP_MAGIC = utf8('KITHBAK')
/** The format version this code writes and reads. */
export const BACKUP_VERSION = 1
/** Length of the header: magic, version, m, t, p, salt, nonce. */
export const HEADER_LENGTH = 7 + 1 + 4 + 4 + 4 + 16 + 12
const SALT_LENGTH = 16
const NONCE_LENGTH = 12

/** Argon2id cost: memory in KiB (`m`), passes (`t`) and lanes (`p`), RFC 9106 §3.1. */
export interface KdfParams {
  readonly m: number
  readonly t: number
  readonly p: number
}

/**
 * What Kith writes: RFC 9106 §4's second recommended option (64 MiB, 3 passes, 4 lanes); the first
 * (2 GiB) does not fit a browser. Measured on the 2-core test machine: about 0.8 s in Node and
 * 1.3-1.9 s for a whole export in Chromium's worker, within the 2-3 s a person waits.
 */
export const DEFAULT_KDF: KdfParams = { m: 64 * 1024, t: 3, p: 4 }

/**
 * What a file may ask for. Above these a crafted file could make the importer allocate gigabytes
 * or spin for minutes; 256 MiB and 8 passes is still under half a minute here.
 */
export const KDF_LIMITS = { maxM: 256 * 1024, maxT: 8, maxP: 16 } as const

/** Largest plaintext accepted (history included). */
export const MAX_CONTENTS_BYTES = 256 * 1024 * 1024

/** The one sentence a wrong passphrase or a damaged file gives. */
export const WRONG_PASSPHRASE = 'wrong passphrase, or the file is damaged'

/** A parsed header. */
export interface BackupHeader {
  readonly version: number
  readonly kdf: KdfParams
  readonly salt: Uint8Array
  readonly nonce: Uint8Array
}

/** How to write a file; salt and nonce are random unless given (test vectors only). */
export interface SealOptions {
  readonly kdf?: KdfParams
  readonly salt?: Uint8Array
  readonly nonce?: Uint8Array
  /** KDF progress from 0 to 1. */
  readonly onProgress?: (fraction: number) => void
}

/** Throws a {@link ValidationError} unless the parameters are within {@link KDF_LIMITS} and RFC 9106's minimums. */
export function checkKdfParams (kdf: KdfParams): void {
  const { m, t, p } = kdf
  if (!Number.isInteger(p) || p < 1 || p > KDF_LIMITS.maxP) throw new ValidationError(`backup KDF lanes p=${p} is outside 1-${KDF_LIMITS.maxP}`)
  if (!Number.isInteger(t) || t < 1 || t > KDF_LIMITS.maxT) throw new ValidationError(`backup KDF passes t=${t} is outside 1-${KDF_LIMITS.maxT}`)
  // RFC 9106 §3.1: m is at least 8p KiB.
  if (!Number.isInteger(m) || m < 8 * p || m > KDF_LIMITS.maxM) throw new ValidationError(`backup KDF memory m=${m} KiB is outside ${8 * p}-${KDF_LIMITS.maxM} KiB`)
}

/** Encodes a header. */
export function encodeHeader (h: BackupHeader): Uint8Array {
  const out = new Uint8Array(HEADER_LENGTH)
  const view = new DataView(out.buffer)
  out.set(BACKUP_MAGIC, 0)
  out[7] = h.version
  view.setUint32(8, h.kdf.m)
  view.setUint32(12, h.kdf.t)
  view.setUint32(16, h.kdf.p)
  out.set(abytes(h.salt, 'backup salt', { length: SALT_LENGTH }), 20)
  out.set(abytes(h.nonce, 'backup nonce', { length: NONCE_LENGTH }), 36)
  return out
}

/** Decodes and checks the header of a file: magic, version and sane KDF parameters. */
export function decodeHeader (file: Uint8Array): BackupHeader {
  abytes(file, 'backup file')
  if (file.length < HEADER_LENGTH || !equalBytes(file.subarray(0, 7), BACKUP_MAGIC)) throw new CodecError('this is not a Kith backup file')
  const version = file[7]!
  if (version !== BACKUP_VERSION) throw new ValidationError(`backup format version ${version} is not supported (this Kith reads version ${BACKUP_VERSION})`)
  const view = new DataView(file.buffer, file.byteOffset, HEADER_LENGTH)
  const kdf = { m: view.getUint32(8), t: view.getUint32(12), p: view.getUint32(16) }
  checkKdfParams(kdf)
  return { version, kdf, salt: file.slice(20, 36), nonce: file.slice(36, 48) }
}

/** Argon2id (RFC 9106) of the passphrase: the 32-byte AES-256-GCM key. */
export async function deriveBackupKey (passphrase: string, salt: Uint8Array, kdf: KdfParams, onProgress?: (fraction: number) => void): Promise<Uint8Array> {
  checkKdfParams(kdf)
  const secret = utf8(passphrase.normalize('NFC'))
  try {
    return await argon2idAsync(secret, salt, {
      m: kdf.m, t: kdf.t, p: kdf.p, dkLen: 32, maxmem: (KDF_LIMITS.maxM + 1) * 1024, ...(onProgress !== undefined ? { onProgress } : {})
    })
  } finally {
    wipe(secret)
  }
}

async function aesKey (raw: Uint8Array, usage: KeyUsage): Promise<CryptoKey> {
  return await globalThis.crypto.subtle.importKey('raw', raw as Uint8Array<ArrayBuffer>, 'AES-GCM', false, [usage])
}

/** Checks a passphrase a person chose for a new backup. */
export function checkNewPassphrase (passphrase: string): void {
  if (typeof passphrase !== 'string' || [...passphrase].length < 8) throw new ValidationError('the backup passphrase must be at least 8 characters')
  if (passphrase.length > 1024) throw new ValidationError('the backup passphrase must be at most 1024 characters')
}

/** Encrypts backup contents under a passphrase into a complete file. */
export async function sealBackup (contents: Uint8Array, passphrase: string, options: SealOptions = {}): Promise<Uint8Array> {
  if (contents.length > MAX_CONTENTS_BYTES) throw new ValidationError(`the backup is ${contents.length} bytes; at most ${MAX_CONTENTS_BYTES} fit in one file`)
  const header = encodeHeader({
    version: BACKUP_VERSION,
    kdf: options.kdf ?? DEFAULT_KDF,
    salt: options.salt ?? randomBytes(SALT_LENGTH),
    nonce: options.nonce ?? randomBytes(NONCE_LENGTH)
  })
  const { kdf, salt, nonce } = decodeHeader(header)
  const raw = await deriveBackupKey(passphrase, salt, kdf, options.onProgress)
  const key = await aesKey(raw, 'encrypt')
  wipe(raw)
  const sealed = await globalThis.crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce as Uint8Array<ArrayBuffer>, additionalData: header as Uint8Array<ArrayBuffer> }, key, contents as Uint8Array<ArrayBuffer>)
  return concatBytes(header, new Uint8Array(sealed))
}

/**
 * Decrypts a backup file. A file that is not a backup, or asks for absurd KDF parameters, is refused
 * before any key is derived; a wrong passphrase or any changed byte gives {@link WRONG_PASSPHRASE}.
 */
export async function openBackup (file: Uint8Array, passphrase: string, onProgress?: (fraction: number) => void): Promise<Uint8Array> {
  const { kdf, salt, nonce } = decodeHeader(file)
  if (file.length < HEADER_LENGTH + 16 || file.length > HEADER_LENGTH + 16 + MAX_CONTENTS_BYTES) throw new CryptoVerificationError(WRONG_PASSPHRASE)
  const raw = await deriveBackupKey(passphrase, salt, kdf, onProgress)
  const key = await aesKey(raw, 'decrypt')
  wipe(raw)
  try {
    const plain = await globalThis.crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: nonce as Uint8Array<ArrayBuffer>, additionalData: file.subarray(0, HEADER_LENGTH) as Uint8Array<ArrayBuffer> },
      key, file.subarray(HEADER_LENGTH) as Uint8Array<ArrayBuffer>)
    return new Uint8Array(plain)
  } catch {
    throw new CryptoVerificationError(WRONG_PASSPHRASE)
  }
}
