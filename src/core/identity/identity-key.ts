/**
 * Account identity keys: Ed25519 (RFC 8032) through WebCrypto, so the same code runs in Node and
 * browsers. An account *is* its identity key; there is no server-side account.
 */
import { abytes, concatBytes, utf8 } from '../bytes.ts'
import { CryptoVerificationError } from '../errors.ts'

/** An Ed25519 signing key pair plus its raw 32-byte public key. */
export interface SigningKeyPair {
  readonly publicKey: Uint8Array
  readonly privateKey: CryptoKey
}

const ED25519 = 'Ed25519'
/** Length of a raw Ed25519 public key. */
export const PUBLIC_KEY_LENGTH = 32
/** Length of an Ed25519 signature. */
export const SIGNATURE_LENGTH = 64

const subtle = (): SubtleCrypto => globalThis.crypto.subtle

/** Creates a new identity key. `extractable` is false where the key can stay in the platform keystore. */
export async function generateSigningKey (extractable = true): Promise<SigningKeyPair> {
  const pair = await subtle().generateKey(ED25519, extractable, ['sign', 'verify']) as CryptoKeyPair
  const publicKey = new Uint8Array(await subtle().exportKey('raw', pair.publicKey))
  return { publicKey, privateKey: pair.privateKey }
}

/** Serialises an extractable private key as PKCS#8 for storage. */
export async function exportSigningKey (pair: SigningKeyPair): Promise<Uint8Array> {
  return new Uint8Array(await subtle().exportKey('pkcs8', pair.privateKey))
}

/** Restores a key pair stored by {@link exportSigningKey}. */
export async function importSigningKey (pkcs8: Uint8Array, publicKey: Uint8Array): Promise<SigningKeyPair> {
  abytes(publicKey, 'identity public key', { length: PUBLIC_KEY_LENGTH })
  const privateKey = await subtle().importKey('pkcs8', pkcs8 as Uint8Array<ArrayBuffer>, ED25519, false, ['sign'])
  return { publicKey, privateKey }
}

/** Signs `message` under a domain-separation label so a signature can never be replayed in another context. */
export async function signWithLabel (key: SigningKeyPair, label: string, message: Uint8Array): Promise<Uint8Array> {
  const data = concatBytes(utf8(label), new Uint8Array([0]), message)
  return new Uint8Array(await subtle().sign(ED25519, key.privateKey, data as Uint8Array<ArrayBuffer>))
}

/** Verifies a {@link signWithLabel} signature; false on any mismatch, never throws for bad keys. */
export async function verifyWithLabel (publicKey: Uint8Array, label: string, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  if (publicKey.length !== PUBLIC_KEY_LENGTH || signature.length !== SIGNATURE_LENGTH) return false
  try {
    const key = await subtle().importKey('raw', publicKey as Uint8Array<ArrayBuffer>, ED25519, false, ['verify'])
    const data = concatBytes(utf8(label), new Uint8Array([0]), message)
    return await subtle().verify(ED25519, key, signature as Uint8Array<ArrayBuffer>, data as Uint8Array<ArrayBuffer>)
  } catch {
    return false
  }
}

/** Like {@link verifyWithLabel} but throws a {@link CryptoVerificationError} naming `what`. */
export async function assertSignature (publicKey: Uint8Array, label: string, message: Uint8Array, signature: Uint8Array, what: string): Promise<void> {
  if (!await verifyWithLabel(publicKey, label, message, signature)) {
    throw new CryptoVerificationError(`${what}: signature does not verify`)
  }
}
