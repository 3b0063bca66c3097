import { createCipheriv } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { fromHex, toHex, utf8 } from '../../../../src/core/bytes.ts'
import { CryptoVerificationError } from '../../../../src/core/errors.ts'
import { ChunkCipher, chunkAad, chunkNonce } from '../../../../src/core/files/chunk-crypto.ts'
import { useFileCrypto, webFileCrypto } from '../../../../src/core/files/file-crypto.ts'
import type { FileId } from '../../../../src/core/files/manifest.ts'
import { nodeFileCrypto } from '../../../../src/node/file-crypto.ts'

const key = Uint8Array.from({ length: 32 }, (_, i) => i)
const fileId = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i) as FileId
/** docs/PROTOCOL.md §8.2 test vector: chunk 1 of the file above. */
const VECTOR_PLAINTEXT = 'kith chunk test vector'
const VECTOR_CIPHERTEXT = '7ebfcb946497586b6045714d89d54ed763fa7f200bc005734b9bc60efea15369163dcba55566'

afterEach(() => { useFileCrypto(webFileCrypto) })

describe.each([['WebCrypto', webFileCrypto], ['node:crypto', nodeFileCrypto]])('chunk encryption (%s)', (_name, provider) => {
  it('matches the test vector in docs/PROTOCOL.md §8.2', async () => {
    useFileCrypto(provider)
    const cipher = await ChunkCipher.create(fileId, key)
    expect(toHex(await cipher.encryptChunk(1, utf8(VECTOR_PLAINTEXT)))).toBe(VECTOR_CIPHERTEXT)
    expect(new TextDecoder().decode(await cipher.decryptChunk(1, fromHex(VECTOR_CIPHERTEXT)))).toBe(VECTOR_PLAINTEXT)
  })

  it('is AES-256-GCM with the nonce and associated data the spec names', async () => {
    useFileCrypto(provider)
    // An independent computation: node:crypto driven by hand from the §8.2 definitions.
    const nonce = Buffer.concat([Buffer.alloc(8), Buffer.from([0, 0, 0, 7])])
    expect(toHex(chunkNonce(7))).toBe(nonce.toString('hex'))
    const aad = Buffer.concat([Buffer.from('kith-file-chunk'), fileId, Buffer.from([0, 0, 0, 7])])
    expect(toHex(chunkAad(fileId, 7))).toBe(aad.toString('hex'))
    const gcm = createCipheriv('aes-256-gcm', key, nonce).setAAD(aad)
    const expected = Buffer.concat([gcm.update('seven'), gcm.final(), gcm.getAuthTag()])
    expect(toHex(await (await ChunkCipher.create(fileId, key)).encryptChunk(7, utf8('seven')))).toBe(expected.toString('hex'))
  })

  it('refuses a chunk with a flipped bit, moved to another index, or under another file id', async () => {
    useFileCrypto(provider)
    const cipher = await ChunkCipher.create(fileId, key)
    const sealed = await cipher.encryptChunk(3, utf8('some chunk bytes'))
    const flipped = sealed.slice()
    flipped[2]! ^= 0x01
    await expect(cipher.decryptChunk(3, flipped)).rejects.toThrow(CryptoVerificationError)
    await expect(cipher.decryptChunk(4, sealed)).rejects.toThrow(/chunk 4 does not decrypt/)
    const otherFile = await ChunkCipher.create(Uint8Array.from({ length: 16 }, () => 1), key)
    await expect(otherFile.decryptChunk(3, sealed)).rejects.toThrow(CryptoVerificationError)
    const tagless = sealed.subarray(0, sealed.length - 1)
    await expect(cipher.decryptChunk(3, tagless)).rejects.toThrow(CryptoVerificationError)
  })

  it('keeps the thumbnail apart from the chunks', async () => {
    useFileCrypto(provider)
    const cipher = await ChunkCipher.create(fileId, key)
    const thumb = await cipher.encryptThumbnail(utf8('tiny image'))
    expect(new TextDecoder().decode(await cipher.decryptThumbnail(thumb))).toBe('tiny image')
    await expect(cipher.decryptChunk(0, thumb)).rejects.toThrow(CryptoVerificationError)
  })
})

it('refuses a key that is not 32 bytes', async () => {
  await expect(ChunkCipher.create(fileId, new Uint8Array(16))).rejects.toThrow(/file key must be 32 bytes/)
})
