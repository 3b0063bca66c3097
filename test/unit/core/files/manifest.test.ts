import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from '../../../../src/core/bytes.ts'
import { FileOffer } from '../../../../src/core/codec/files.ts'
import { CodecError, ValidationError } from '../../../../src/core/errors.ts'
import {
  chunkCiphertextLength, chunkCountOf, chunkPlaintextLength, decodeManifest, encodeManifest, validateFileName, type FileId, type FileManifest
} from '../../../../src/core/files/manifest.ts'

const manifest: FileManifest = {
  fileId: Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i) as FileId,
  name: 'photo.jpg',
  size: 200_000,
  mimeType: 'image/jpeg',
  chunkSize: 65_536,
  key: Uint8Array.from({ length: 32 }, (_, i) => i),
  merkleRoot: fromHex('36642e73c2540ab121e3a6bf9545b0a24982cd830eb13d3cd19de3ce6c021ec1')
}
/** docs/PROTOCOL.md §8.1 test vector. */
const VECTOR = '0a10a0a1a2a3a4a5a6a7a8a9aaabacadaeaf120970686f746f2e6a706718c09a0c220a696d6167652f6a706567288080043220000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f3a2036642e73c2540ab121e3a6bf9545b0a24982cd830eb13d3cd19de3ce6c021ec1'

/** An offer as a peer could send it, bypassing the encoder's checks. */
function raw (fields: Partial<FileOffer>): Uint8Array {
  return FileOffer.encode({
    fileId: manifest.fileId as Uint8Array<ArrayBuffer>, name: manifest.name, size: BigInt(manifest.size), mimeType: manifest.mimeType, chunkSize: manifest.chunkSize,
    key: manifest.key as Uint8Array<ArrayBuffer>, merkleRoot: manifest.merkleRoot as Uint8Array<ArrayBuffer>, thumbnail: new Uint8Array(), thumbnailType: '', ...fields
  })
}

describe('file manifest', () => {
  it('encodes to the test vector in docs/PROTOCOL.md §8.1 and decodes back', () => {
    expect(toHex(encodeManifest(manifest))).toBe(VECTOR)
    expect(decodeManifest(fromHex(VECTOR))).toEqual(manifest)
  })

  it('round-trips a thumbnail', () => {
    const withThumb = { ...manifest, thumbnail: { type: 'image/webp', ciphertext: new Uint8Array(100).fill(7) } }
    expect(decodeManifest(encodeManifest(withThumb))).toEqual(withThumb)
  })

  it('derives chunk counts and lengths, an empty file having one empty chunk', () => {
    expect(chunkCountOf(200_000, 65_536)).toBe(4)
    expect(chunkPlaintextLength(manifest, 0)).toBe(65_536)
    expect(chunkPlaintextLength(manifest, 3)).toBe(200_000 - 3 * 65_536)
    expect(chunkCiphertextLength(manifest, 3)).toBe(200_000 - 3 * 65_536 + 16)
    expect(() => chunkPlaintextLength(manifest, 4)).toThrow(/out of range 0\.\.3/)
    expect(chunkCountOf(0, 65_536)).toBe(1)
    expect(chunkPlaintextLength({ size: 0, chunkSize: 65_536 }, 0)).toBe(0)
  })

  it.each([
    ['an absurd size', { size: 2n ** 40n }, /exceeds the 68719476736-byte \(64 GiB\) limit/],
    ['a chunk size below 64 KiB', { chunkSize: 1024 }, /chunk size 1024 is outside 65536\.\.4194304/],
    ['a chunk size above 4 MiB', { chunkSize: 8 * 1024 * 1024 }, /chunk size 8388608 is outside/],
    ['a short file id', { fileId: new Uint8Array(8) }, /file id must be 16 bytes, got 8/],
    ['a short key', { key: new Uint8Array(16) }, /file key must be 32 bytes, got 16/],
    ['a short root', { merkleRoot: new Uint8Array(31) }, /Merkle root must be 32 bytes/],
    ['a path in the name', { name: '../../etc/passwd' }, /path separator/],
    ['a backslash in the name', { name: 'a\\b.txt' }, /path separator/],
    ['a control character in the name', { name: 'a\nb.txt' }, /control character/],
    ['a right-to-left override in the name', { name: 'photo\u202egpj.exe' }, /bidirectional override/],
    ['an empty name', { name: '' }, /file name is empty/],
    ['a name of 256 UTF-8 bytes', { name: 'é'.repeat(128) }, /256 UTF-8 bytes; at most 255/],
    ['a directory name', { name: '..' }, /names a directory/],
    ['a MIME type that is not type/subtype', { mimeType: 'text' }, /MIME type must be type\/subtype/],
    ['a thumbnail that is not an image', { thumbnail: new Uint8Array(40), thumbnailType: 'text/html' }, /thumbnail type must be image/],
    ['an oversized thumbnail', { thumbnail: new Uint8Array(70_000), thumbnailType: 'image/png' }, /thumbnail must be 17\.\.65552 encrypted bytes/]
  ])('refuses an offer with %s', (_what, fields, message) => {
    const bytes = raw(fields as Partial<FileOffer>)
    expect(() => decodeManifest(bytes)).toThrow(ValidationError)
    expect(() => decodeManifest(bytes)).toThrow(message)
  })

  it('refuses bytes that are not an offer', () => {
    expect(() => decodeManifest(Uint8Array.of(0x0a, 0xff))).toThrow(CodecError)
  })

  it('accepts a 255-byte name with non-ASCII letters and spaces', () => {
    expect(() => { validateFileName('Ünïcødé name ' + 'x'.repeat(237)) }).not.toThrow()
  })

  it('refuses to encode an invalid manifest', () => {
    expect(() => encodeManifest({ ...manifest, chunkSize: 10 })).toThrow(ValidationError)
  })
})
