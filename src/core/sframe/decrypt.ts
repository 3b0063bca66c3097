/**
 * SFrame decryption (RFC 9605 §4.4.4): AEAD.Decrypt(sframe_key, nonce, header || metadata,
 * ciphertext) for a frame whose header is already parsed and whose KID selected `keys`.
 */
import type { CipherSuite } from './cipher-suite.ts'
import type { SFrameHeader } from './header.ts'
import type { FrameKeys } from './key-schedule.ts'
import { frameNonce } from './nonce.ts'
import { SFrameError } from './sframe-error.ts'

/** Decrypts `frame` (header included); throws SFrameError 'malformed' or 'auth-failed'. */
export async function decryptFrame (keys: FrameKeys, suite: CipherSuite, header: SFrameHeader, frame: Uint8Array, metadata: Uint8Array = new Uint8Array(0)): Promise<Uint8Array> {
  if (frame.length < header.length + suite.nt) {
    throw new SFrameError('malformed', `SFrame frame of ${frame.length} bytes is shorter than its header and a ${suite.nt}-byte tag`)
  }
  const aad = new Uint8Array(header.length + metadata.length)
  aad.set(frame.subarray(0, header.length))
  aad.set(metadata, header.length)
  try {
    return new Uint8Array(await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: frameNonce(keys.salt, header.ctr) as Uint8Array<ArrayBuffer>, additionalData: aad, tagLength: suite.nt * 8 },
      keys.key, frame.subarray(header.length) as Uint8Array<ArrayBuffer>))
  } catch (err) {
    throw new SFrameError('auth-failed', undefined, { cause: err })
  }
}
