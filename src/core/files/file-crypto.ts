/**
 * The primitives files use, AES-256-GCM and SHA-256, behind a small provider. Core uses WebCrypto;
 * Node installs a node:crypto provider (src/node/file-crypto.ts) with {@link useFileCrypto}, as
 * it does for MLS through `useCryptoAccelerator` (src/core/mls/suite.ts).
 */

/** AES-256-GCM under one key (NIST SP 800-38D; 12-byte nonce, 16-byte tag appended). */
export interface FileCipher {
  /** Ciphertext followed by the tag. */
  seal (nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array>
  /** The plaintext; rejects when the tag does not verify. */
  open (nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Promise<Uint8Array>
}

/** The file primitives of one runtime. */
export interface FileCryptoProvider {
  /** A cipher for a 32-byte key; the caller keeps it for the file's lifetime. */
  cipher (key: Uint8Array): Promise<FileCipher>
  /** SHA-256 of the concatenation of `parts`. */
  sha256 (...parts: Uint8Array[]): Promise<Uint8Array>
}

const subtle = (): SubtleCrypto => globalThis.crypto.subtle
type Bytes = Uint8Array<ArrayBuffer>

/** WebCrypto: present in browsers, workers and Node. */
export const webFileCrypto: FileCryptoProvider = {
  async cipher (key) {
    const k = await subtle().importKey('raw', key as Bytes, 'AES-GCM', false, ['encrypt', 'decrypt'])
    return {
      async seal (nonce, aad, plaintext) {
        return new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv: nonce as Bytes, additionalData: aad as Bytes }, k, plaintext as Bytes))
      },
      async open (nonce, aad, ciphertext) {
        return new Uint8Array(await subtle().decrypt({ name: 'AES-GCM', iv: nonce as Bytes, additionalData: aad as Bytes }, k, ciphertext as Bytes))
      }
    }
  },
  async sha256 (...parts) {
    let data: Uint8Array = parts[0] ?? new Uint8Array()
    if (parts.length > 1) {
      let length = 0
      for (const p of parts) length += p.length
      data = new Uint8Array(length)
      let offset = 0
      for (const p of parts) { data.set(p, offset); offset += p.length }
    }
    return new Uint8Array(await subtle().digest('SHA-256', data as Bytes))
  }
}

let provider: FileCryptoProvider = webFileCrypto

/** Installs a runtime's provider for file crypto (call before the first file operation). */
export function useFileCrypto (next: FileCryptoProvider): void {
  provider = next
}

/** The provider in use. */
export function fileCrypto (): FileCryptoProvider {
  return provider
}
