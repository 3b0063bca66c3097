/**
 * SFrame encryption (RFC 9605 §4.4.3): header(KID, CTR) || AEAD.Encrypt(sframe_key, nonce,
 * header || metadata, plaintext).
 */
import type { CipherSuite } from './cipher-suite.ts'
import { encodeHeader } from './header.ts'
import type { FrameKeys } from './key-schedule.ts'
import { frameNonce } from './nonce.ts'

/** Encrypts one frame under `keys` with the given KID and CTR; the caller guarantees (KID, CTR) is fresh. */
export async function encryptFrame (keys: FrameKeys, suite: CipherSuite, kid: bigint, ctr: bigint, plaintext: Uint8Array, metadata: Uint8Array = new Uint8Array(0)): Promise<Uint8Array> {
  const header = encodeHeader(kid, ctr)
  const aad = new Uint8Array(header.length + metadata.length)
  aad.set(header)
  aad.set(metadata, header.length)
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: frameNonce(keys.salt, ctr) as Uint8Array<ArrayBuffer>, additionalData: aad, tagLength: suite.nt * 8 },
    keys.key, plaintext as Uint8Array<ArrayBuffer>))
  const out = new Uint8Array(header.length + ciphertext.length)
  out.set(header)
  out.set(ciphertext, header.length)
  return out
}
