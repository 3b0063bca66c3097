/**
 * The backup file format: the PROTOCOL.md test vector (checked against node:crypto's own Argon2id
 * and AES-GCM), round trips, a wrong passphrase, every kind of tampering, and parameters a crafted
 * file could use to make the importer allocate or spin.
 */
import { argon2Sync, createCipheriv } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  BACKUP_MAGIC, checkKdfParams, decodeHeader, deriveBackupKey, encodeHeader, HEADER_LENGTH, openBackup, sealBackup, WRONG_PASSPHRASE, type KdfParams
} from '../../../../src/core/backup/backup-file.ts'
import { fromHex, fromUtf8, toHex, utf8 } from '../../../../src/core/bytes.ts'
import { CodecError, CryptoVerificationError, ValidationError } from '../../../../src/core/errors.ts'

// docs/PROTOCOL.md §Backup file, test vector.
const VECTOR = {
  passphrase: 'correct horse battery staple',
  salt: fromHex('000102030405060708090a0b0c0d0e0f'),
  nonce: fromHex('101112131415161718191a1b'),
  kdf: { m: 256, t: 2, p: 1 },
  plaintext: 'kith backup v1 test vector',
  key: '7989cae79eab72e4e4f4124a6acde0796b3cb91920807721145cf29a5a1daaa6',
  header: '4b49544842414b01000001000000000200000001000102030405060708090a0b0c0d0e0f101112131415161718191a1b',
  ciphertext: 'c65d7b5a356ef04532b52c48038fcf0cc5458ad879d470329167be5975b5ef7280037f6e6f80b5e02067'
}
const FAST: KdfParams = { m: 64, t: 1, p: 1 }

describe('backup file test vector', () => {
  it('derives the documented key, which node:crypto\'s Argon2id agrees with', async () => {
    const key = await deriveBackupKey(VECTOR.passphrase, VECTOR.salt, VECTOR.kdf)
    expect(toHex(key)).toBe(VECTOR.key)
    const reference = argon2Sync('argon2id', { message: Buffer.from(VECTOR.passphrase), nonce: VECTOR.salt, parallelism: 1, tagLength: 32, memory: 256, passes: 2 })
    expect(reference.toString('hex')).toBe(VECTOR.key)
  })

  it('seals to the documented bytes, the same as node:crypto\'s AES-256-GCM with the header as additional data', async () => {
    const file = await sealBackup(utf8(VECTOR.plaintext), VECTOR.passphrase, { kdf: VECTOR.kdf, salt: VECTOR.salt, nonce: VECTOR.nonce })
    expect(toHex(file.subarray(0, HEADER_LENGTH))).toBe(VECTOR.header)
    expect(toHex(file.subarray(HEADER_LENGTH))).toBe(VECTOR.ciphertext)
    const cipher = createCipheriv('aes-256-gcm', fromHex(VECTOR.key), VECTOR.nonce)
    cipher.setAAD(fromHex(VECTOR.header))
    const reference = Buffer.concat([cipher.update(VECTOR.plaintext), cipher.final(), cipher.getAuthTag()])
    expect(reference.toString('hex')).toBe(VECTOR.ciphertext)
  })

  it('opens the vector with its passphrase', async () => {
    const plain = await openBackup(fromHex(VECTOR.header + VECTOR.ciphertext), VECTOR.passphrase)
    expect(fromUtf8(plain)).toBe(VECTOR.plaintext)
  })
})

describe('backup file', () => {
  it('round-trips contents with random salt and nonce, and two files of the same contents differ', async () => {
    const contents = utf8('identity, contacts, groups')
    const a = await sealBackup(contents, 'a long passphrase', { kdf: FAST })
    const b = await sealBackup(contents, 'a long passphrase', { kdf: FAST })
    expect(toHex(a)).not.toBe(toHex(b))
    expect(fromUtf8(await openBackup(a, 'a long passphrase'))).toBe('identity, contacts, groups')
    expect(decodeHeader(a).kdf).toEqual(FAST)
  })

  it('writes RFC 9106\'s second recommended parameters by default', async () => {
    const header = decodeHeader(encodeHeader({ version: 1, kdf: { m: 65536, t: 3, p: 4 }, salt: new Uint8Array(16), nonce: new Uint8Array(12) }))
    expect(header.kdf).toEqual({ m: 65536, t: 3, p: 4 })
  })

  it('gives one clear sentence for a wrong passphrase', async () => {
    const file = await sealBackup(utf8('secret'), 'the right one', { kdf: FAST })
    const err = await openBackup(file, 'the wrong one').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CryptoVerificationError)
    expect((err as Error).message).toBe(WRONG_PASSPHRASE)
  })

  it('refuses a file with any byte changed: header (additional data), ciphertext or tag', async () => {
    const file = await sealBackup(utf8('secret contents'), 'passphrase!', { kdf: FAST })
    // Salt, nonce, ciphertext and tag: all are covered by GCM (the header as additional data).
    for (const index of [20, 35, 36, 47, HEADER_LENGTH, file.length - 1]) {
      const tampered = file.slice()
      tampered[index]! ^= 0x01
      await expect(openBackup(tampered, 'passphrase!'), `byte ${index}`).rejects.toThrow(WRONG_PASSPHRASE)
    }
    await expect(openBackup(file.subarray(0, file.length - 1), 'passphrase!')).rejects.toThrow(WRONG_PASSPHRASE)
  })

  it('refuses what is not a backup, and versions it does not know, before deriving anything', async () => {
    await expect(openBackup(utf8('hello, this is not a backup file at all, really not'), 'x')).rejects.toThrow(CodecError)
    const file = await sealBackup(utf8('x'), 'passphrase!', { kdf: FAST })
    const v2 = file.slice()
    v2[7] = 2
    await expect(openBackup(v2, 'passphrase!')).rejects.toThrow(/version 2 is not supported/)
    expect(toHex(file.subarray(0, 7))).toBe(toHex(BACKUP_MAGIC))
  })

  it('refuses absurd KDF parameters from a crafted header without allocating', async () => {
    const header = (kdf: KdfParams): Uint8Array => {
      const h = encodeHeader({ version: 1, kdf: FAST, salt: new Uint8Array(16), nonce: new Uint8Array(12) })
      const view = new DataView(h.buffer)
      view.setUint32(8, kdf.m)
      view.setUint32(12, kdf.t)
      view.setUint32(16, kdf.p)
      return new Uint8Array([...h, ...new Uint8Array(32)])
    }
    // 4 GiB of memory, a billion passes, no lanes, fewer than 8p KiB.
    for (const kdf of [{ m: 4 * 1024 * 1024, t: 3, p: 1 }, { m: 65536, t: 1_000_000_000, p: 1 }, { m: 65536, t: 3, p: 0 }, { m: 15, t: 1, p: 2 }]) {
      await expect(openBackup(header(kdf), 'x'), JSON.stringify(kdf)).rejects.toThrow(ValidationError)
    }
    expect(() => { checkKdfParams({ m: 256 * 1024, t: 8, p: 16 }) }).not.toThrow()
  })
})
