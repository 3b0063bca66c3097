/**
 * SFrame key derivation (RFC 9605 §4.4.2):
 *
 *   sframe_secret = HKDF-Extract("", base_key)
 *   sframe_key    = HKDF-Expand(sframe_secret, "SFrame 1.0 Secret key "  + KID + cipher_suite, Nk)
 *   sframe_salt   = HKDF-Expand(sframe_secret, "SFrame 1.0 Secret salt " + KID + cipher_suite, Nn)
 *
 * with KID an 8-byte and cipher_suite a 2-byte big-endian integer, on WebCrypto's HKDF.
 */
import { concatBytes, utf8 } from '../bytes.ts'
import { ValidationError } from '../errors.ts'
import type { CipherSuite } from './cipher-suite.ts'
import { MAX_UINT64 } from './header.ts'

const KEY_LABEL = 'SFrame 1.0 Secret key '
const SALT_LABEL = 'SFrame 1.0 Secret salt '

/** The AEAD key (already imported, non-extractable) and the salt for one KID. */
export interface FrameKeys {
  readonly key: CryptoKey
  readonly salt: Uint8Array
}

function labelFor (prefix: string, kid: bigint, suite: CipherSuite): Uint8Array {
  if (kid < 0n || kid > MAX_UINT64) throw new ValidationError('SFrame KID must be a 64-bit unsigned bigint')
  const tail = new Uint8Array(10)
  const view = new DataView(tail.buffer)
  view.setBigUint64(0, kid)
  view.setUint16(8, suite.id)
  return concatBytes(utf8(prefix), tail)
}

/** `"SFrame 1.0 Secret key " + KID + cipher_suite` (§4.4.2). */
export function keyLabel (kid: bigint, suite: CipherSuite): Uint8Array {
  return labelFor(KEY_LABEL, kid, suite)
}

/** `"SFrame 1.0 Secret salt " + KID + cipher_suite` (§4.4.2). */
export function saltLabel (kid: bigint, suite: CipherSuite): Uint8Array {
  return labelFor(SALT_LABEL, kid, suite)
}

function checkBaseKey (baseKey: Uint8Array, suite: CipherSuite): void {
  if (!(baseKey instanceof Uint8Array)) throw new ValidationError('SFrame base key must be bytes')
  // §5.2: the MLS exporter yields AEAD.Nk bytes; anything else is a caller mistake.
  if (baseKey.length !== suite.nk) throw new ValidationError(`SFrame base key must be ${suite.nk} bytes, got ${baseKey.length}`)
}

/** HKDF-Extract("", base_key): HMAC with an all-zero key of Nh bytes (RFC 5869 §2.2). Exposed for the test vectors. */
export async function extractSecret (baseKey: Uint8Array, suite: CipherSuite): Promise<Uint8Array> {
  checkBaseKey(baseKey, suite)
  const hmac = await crypto.subtle.importKey('raw', new Uint8Array(suite.nh), { name: 'HMAC', hash: suite.hash }, false, ['sign'])
  return new Uint8Array(await crypto.subtle.sign('HMAC', hmac, baseKey as Uint8Array<ArrayBuffer>))
}

/** derive_key_salt(KID, base_key) as raw bytes (§4.4.2). The caller owns and should zero them. */
export async function deriveKeySaltBytes (kid: bigint, baseKey: Uint8Array, suite: CipherSuite): Promise<{ key: Uint8Array, salt: Uint8Array }> {
  checkBaseKey(baseKey, suite)
  const ikm = await crypto.subtle.importKey('raw', baseKey as Uint8Array<ArrayBuffer>, 'HKDF', false, ['deriveBits'])
  // WebCrypto's HKDF runs Extract then Expand; an empty salt is HKDF-Extract("", ·).
  const expand = async (info: Uint8Array, length: number): Promise<Uint8Array> => new Uint8Array(await crypto.subtle.deriveBits(
    { name: 'HKDF', hash: suite.hash, salt: new Uint8Array(0), info: info as Uint8Array<ArrayBuffer> }, ikm, length * 8))
  const [key, salt] = await Promise.all([expand(keyLabel(kid, suite), suite.nk), expand(saltLabel(kid, suite), suite.nn)])
  return { key, salt }
}

/** derive_key_salt with the key imported once for AES-GCM; the raw key bytes are zeroed. */
export async function deriveFrameKeys (kid: bigint, baseKey: Uint8Array, suite: CipherSuite): Promise<FrameKeys> {
  const raw = await deriveKeySaltBytes(kid, baseKey, suite)
  try {
    const key = await crypto.subtle.importKey('raw', raw.key as Uint8Array<ArrayBuffer>, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt'])
    return { key, salt: raw.salt }
  } finally {
    raw.key.fill(0)
  }
}
