/**
 * node:crypto versions of the file primitives, AES-256-GCM and SHA-256: synchronous native calls
 * with no per-call key import and no copy to join the parts of a hash (DESIGN.md §2: node:crypto
 * for bulk work). Installed with {@link installNodeFileCrypto}.
 */
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto'
import { useFileCrypto, type FileCryptoProvider } from '../core/files/file-crypto.ts'

const TAG_LENGTH = 16

/** The node:crypto provider. */
export const nodeFileCrypto: FileCryptoProvider = {
  async cipher (key) {
    const k = Buffer.from(key)
    return {
      async seal (nonce, aad, plaintext) {
        const c = createCipheriv('aes-256-gcm', k, nonce).setAAD(aad)
        const head = c.update(plaintext)
        const tail = c.final()
        const out = new Uint8Array(head.length + tail.length + TAG_LENGTH)
        out.set(head, 0)
        out.set(tail, head.length)
        out.set(c.getAuthTag(), head.length + tail.length)
        return out
      },
      async open (nonce, aad, ciphertext) {
        if (ciphertext.length < TAG_LENGTH) throw new Error('ciphertext shorter than its tag')
        const d = createDecipheriv('aes-256-gcm', k, nonce).setAAD(aad)
        d.setAuthTag(ciphertext.subarray(ciphertext.length - TAG_LENGTH))
        const head = d.update(ciphertext.subarray(0, ciphertext.length - TAG_LENGTH))
        const tail = d.final()
        if (tail.length === 0) return new Uint8Array(head.buffer, head.byteOffset, head.length)
        return new Uint8Array(Buffer.concat([head, tail]))
      }
    }
  },
  async sha256 (...parts) {
    const h = createHash('sha256')
    for (const p of parts) h.update(p)
    return new Uint8Array(h.digest())
  }
}

/** Makes core's file operations use node:crypto in this process. */
export function installNodeFileCrypto (): void {
  useFileCrypto(nodeFileCrypto)
}
