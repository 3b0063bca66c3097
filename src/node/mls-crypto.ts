/**
 * node:crypto versions of the primitives ts-mls calls on every message: SHA-256, HMAC, HKDF
 * (RFC 5869), AES-128-GCM and Ed25519 with cached key objects. WebCrypto's per-call key imports
 * cost more than the work itself on small messages (DESIGN.md §2: node:crypto for bulk work).
 * HPKE key agreement stays on ts-mls's default implementation.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, createPrivateKey, createPublicKey, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto'
import type { CiphersuiteImpl } from 'ts-mls'
import { useCryptoAccelerator } from '../core/mls/suite.ts'

const HASH_LENGTH = 32
const TAG_LENGTH = 16
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const KEY_CACHE_LIMIT = 1024

const privateKeys = new Map<string, KeyObject>()
const publicKeys = new Map<string, KeyObject>()

function cached (cache: Map<string, KeyObject>, bytes: Uint8Array, make: () => KeyObject): KeyObject {
  const id = Buffer.from(bytes).toString('base64')
  let key = cache.get(id)
  if (key === undefined) {
    key = make()
    if (cache.size >= KEY_CACHE_LIMIT) cache.clear()
    cache.set(id, key)
  }
  return key
}

function hmac (key: Uint8Array, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', key).update(data).digest())
}

/** HKDF-Expand (RFC 5869 §2.3) with SHA-256. */
function expand (prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length)
  let previous = new Uint8Array(0)
  for (let i = 1, offset = 0; offset < length; i++) {
    previous = new Uint8Array(createHmac('sha256', prk).update(previous).update(info).update(new Uint8Array([i])).digest())
    out.set(previous.subarray(0, Math.min(HASH_LENGTH, length - offset)), offset)
    offset += HASH_LENGTH
  }
  return out
}

function seal (key: Uint8Array, nonce: Uint8Array, aad: Uint8Array | undefined, plaintext: Uint8Array): Uint8Array {
  const cipher = createCipheriv('aes-128-gcm', key, nonce, { authTagLength: TAG_LENGTH })
  if (aad !== undefined && aad.length > 0) cipher.setAAD(aad)
  return new Uint8Array(Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]))
}

function open (key: Uint8Array, nonce: Uint8Array, aad: Uint8Array | undefined, ciphertext: Uint8Array): Uint8Array {
  if (ciphertext.length < TAG_LENGTH) throw new Error('ciphertext shorter than its tag')
  const decipher = createDecipheriv('aes-128-gcm', key, nonce, { authTagLength: TAG_LENGTH })
  if (aad !== undefined && aad.length > 0) decipher.setAAD(aad)
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - TAG_LENGTH))
  return new Uint8Array(Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - TAG_LENGTH)), decipher.final()]))
}

/** Wraps suite 1's default implementation with node:crypto primitives. */
export function accelerateSuite (impl: CiphersuiteImpl): CiphersuiteImpl {
  if (impl.name !== 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519') return impl
  const hpke = new Proxy(impl.hpke, {
    get (target, prop, receiver) {
      if (prop === 'encryptAead') return async (k: Uint8Array, n: Uint8Array, a: Uint8Array | undefined, p: Uint8Array) => seal(k, n, a, p)
      if (prop === 'decryptAead') return async (k: Uint8Array, n: Uint8Array, a: Uint8Array | undefined, c: Uint8Array) => open(k, n, a, c)
      const value: unknown = Reflect.get(target, prop, receiver)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    }
  })
  return {
    ...impl,
    hpke,
    hash: {
      digest: async (data) => new Uint8Array(createHash('sha256').update(data).digest()),
      mac: async (key, data) => hmac(key, data),
      verifyMac: async (key, mac, data) => {
        const expected = hmac(key, data)
        return expected.length === mac.length && timingSafeEqual(expected, mac)
      }
    },
    kdf: {
      size: impl.kdf.size,
      extract: async (salt, ikm) => hmac(salt, ikm),
      expand: async (prk, info, length) => expand(prk, info, length)
    },
    signature: {
      keygen: async () => await impl.signature.keygen(),
      sign: async (signKey, message) => {
        const der = signKey.length === 32 ? Buffer.concat([ED25519_PKCS8_PREFIX, signKey]) : signKey
        const key = cached(privateKeys, signKey, () => createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' }))
        return new Uint8Array(sign(null, message, key))
      },
      verify: async (publicKey, message, signature) => {
        if (publicKey.length !== 32 || signature.length !== 64) return false
        const key = cached(publicKeys, publicKey, () => createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' }))
        return verify(null, message, key, signature)
      }
    }
  }
}

/** Makes every MLS group in this process use the node:crypto primitives. */
export function installNodeCrypto (): void {
  useCryptoAccelerator(accelerateSuite)
}
