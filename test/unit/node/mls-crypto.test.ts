/**
 * The node:crypto primitives must agree bit for bit with ts-mls's WebCrypto ones, and with the
 * RFC 5869 HKDF test vector, or Node and browser peers could not talk.
 */
import { getCiphersuiteFromName, getCiphersuiteImpl } from 'ts-mls'
import { describe, expect, it } from 'vitest'
import { fromHex, randomBytes, toHex } from '../../../src/core/bytes.ts'
import { accelerateSuite } from '../../../src/node/mls-crypto.ts'

const base = await getCiphersuiteImpl(getCiphersuiteFromName('MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519'))
const fast = accelerateSuite(base)

describe('node:crypto MLS primitives', () => {
  it('HKDF matches RFC 5869 test case 1', async () => {
    const prk = await fast.kdf.extract(fromHex('000102030405060708090a0b0c'), fromHex('0b'.repeat(22)))
    expect(toHex(prk)).toBe('077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5')
    const okm = await fast.kdf.expand(prk, fromHex('f0f1f2f3f4f5f6f7f8f9'), 42)
    expect(toHex(okm)).toBe('3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865')
  })

  it('hash, HMAC and HKDF agree with WebCrypto', async () => {
    const data = randomBytes(100)
    const key = randomBytes(32)
    expect(toHex(await fast.hash.digest(data))).toBe(toHex(await base.hash.digest(data)))
    expect(toHex(await fast.hash.mac(key, data))).toBe(toHex(await base.hash.mac(key, data)))
    expect(await fast.hash.verifyMac(key, await base.hash.mac(key, data), data)).toBe(true)
    expect(await fast.hash.verifyMac(key, randomBytes(32), data)).toBe(false)
    expect(toHex(await fast.kdf.extract(new Uint8Array(), data))).toBe(toHex(await base.kdf.extract(new Uint8Array(), data)))
    expect(toHex(await fast.kdf.expand(key, data, 77))).toBe(toHex(await base.kdf.expand(key, data, 77)))
  })

  it('AES-128-GCM interoperates and rejects tampering', async () => {
    const key = randomBytes(16)
    const nonce = randomBytes(12)
    const aad = randomBytes(20)
    const plaintext = randomBytes(333)
    const sealed = await fast.hpke.encryptAead(key, nonce, aad, plaintext)
    expect(toHex(await base.hpke.decryptAead(key, nonce, aad, sealed))).toBe(toHex(plaintext))
    const other = await base.hpke.encryptAead(key, nonce, undefined, plaintext)
    expect(toHex(await fast.hpke.decryptAead(key, nonce, undefined, other))).toBe(toHex(plaintext))
    sealed[5] = sealed[5]! ^ 1
    await expect(fast.hpke.decryptAead(key, nonce, aad, sealed)).rejects.toThrow()
  })

  it('Ed25519 signatures verify across implementations', async () => {
    const { signKey, publicKey } = await base.signature.keygen()
    const message = randomBytes(64)
    const signature = await fast.signature.sign(signKey, message)
    expect(await base.signature.verify(publicKey, message, signature)).toBe(true)
    expect(await fast.signature.verify(publicKey, message, await base.signature.sign(signKey, message))).toBe(true)
    expect(await fast.signature.verify(publicKey, randomBytes(64), signature)).toBe(false)
  })
})
