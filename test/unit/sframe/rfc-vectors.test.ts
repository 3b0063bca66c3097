import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from '../../../src/core/bytes.ts'
import { AES_128_GCM_SHA256_128, getCipherSuite } from '../../../src/core/sframe/cipher-suite.ts'
import { SFrameContext } from '../../../src/core/sframe/context.ts'
import { encryptFrame } from '../../../src/core/sframe/encrypt.ts'
import { decodeHeader, encodeHeader } from '../../../src/core/sframe/header.ts'
import { deriveFrameKeys, deriveKeySaltBytes, extractSecret, keyLabel, saltLabel } from '../../../src/core/sframe/key-schedule.ts'
import { frameNonce } from '../../../src/core/sframe/nonce.ts'
import { headerVectors, sframeVectors } from './vectors.ts'

describe('RFC 9605 C.1 header encoding', () => {
  it('has all 289 vectors, with KIDs and CTRs up to 2^64 - 1 read exactly', () => {
    expect(headerVectors).toHaveLength(289)
    expect(headerVectors.at(-1)).toEqual({ kid: (1n << 64n) - 1n, ctr: (1n << 64n) - 1n, encoded: 'ff'.repeat(17) })
  })

  it.each(headerVectors.map((v) => [v.kid, v.ctr, v.encoded] as const))('kid %s ctr %s encodes to %s and back', (kid, ctr, encoded) => {
    expect(toHex(encodeHeader(kid, ctr))).toBe(encoded)
    expect(decodeHeader(fromHex(encoded))).toEqual({ kid, ctr, length: encoded.length / 2 })
  })
})

describe('RFC 9605 C.3 SFrame encryption, AES_128_GCM_SHA256_128', () => {
  it('has the 0x0004 vector', () => {
    expect(sframeVectors.map((v) => v.cipher_suite)).toEqual([4n])
  })

  describe.each(sframeVectors.map((v) => [v.kid, v] as const))('kid %s', (_kid, v) => {
    const suite = getCipherSuite(Number(v.cipher_suite))
    const baseKey = fromHex(v.base_key)

    it('derives the key and salt labels, sframe_secret, sframe_key and sframe_salt', async () => {
      expect(suite).toBe(AES_128_GCM_SHA256_128)
      expect(toHex(keyLabel(v.kid, suite))).toBe(v.sframe_key_label)
      expect(toHex(saltLabel(v.kid, suite))).toBe(v.sframe_salt_label)
      expect(toHex(await extractSecret(baseKey, suite))).toBe(v.sframe_secret)
      const { key, salt } = await deriveKeySaltBytes(v.kid, baseKey, suite)
      expect(toHex(key)).toBe(v.sframe_key)
      expect(toHex(salt)).toBe(v.sframe_salt)
    })

    it('forms the nonce and the AAD', () => {
      expect(toHex(frameNonce(fromHex(v.sframe_salt), v.ctr))).toBe(v.nonce)
      expect(toHex(encodeHeader(v.kid, v.ctr)) + v.metadata).toBe(v.aad)
    })

    it('encrypts to the exact ciphertext', async () => {
      const keys = await deriveFrameKeys(v.kid, baseKey, suite)
      expect(toHex(await encryptFrame(keys, suite, v.kid, v.ctr, fromHex(v.pt), fromHex(v.metadata)))).toBe(v.ct)
    })

    it('decrypts the ciphertext to the plaintext through an SFrameContext', async () => {
      const context = new SFrameContext({ suite })
      await context.addReceiveKey(v.kid, baseKey)
      expect(toHex(await context.decrypt(fromHex(v.ct), fromHex(v.metadata)))).toBe(v.pt)
      expect(context.stats().decrypted).toBe(1)
    })
  })
})
