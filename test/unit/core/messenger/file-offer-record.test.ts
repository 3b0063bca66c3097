import { describe, expect, it } from 'vitest'
import { FileOffer } from '../../../../src/core/codec/files.ts'
import { CodecError, ValidationError } from '../../../../src/core/errors.ts'
import type { FileId, FileManifest } from '../../../../src/core/files/manifest.ts'
import { decodeFileOffer, describeFile, encodeFileOffer } from '../../../../src/core/messenger/file-offer-record.ts'

const manifest: FileManifest = {
  fileId: Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i) as FileId,
  name: 'photo.jpg',
  size: 200_000,
  mimeType: 'image/jpeg',
  chunkSize: 65_536,
  key: Uint8Array.from({ length: 32 }, (_, i) => i),
  merkleRoot: new Uint8Array(32).fill(9)
}

/** An offer as a hostile peer could encode it, bypassing the checks. */
function rawOffer (fields: Partial<FileOffer>): Uint8Array {
  return FileOffer.encode({
    fileId: manifest.fileId as Uint8Array<ArrayBuffer>, name: manifest.name, size: BigInt(manifest.size), mimeType: manifest.mimeType, chunkSize: manifest.chunkSize,
    key: manifest.key as Uint8Array<ArrayBuffer>, merkleRoot: manifest.merkleRoot as Uint8Array<ArrayBuffer>, thumbnail: new Uint8Array(), thumbnailType: '', ...fields
  })
}

describe('the offer of a FILE payload', () => {
  it('round-trips, and history shows all of it but the key and the root', () => {
    expect(decodeFileOffer(encodeFileOffer(manifest, 'a caption'))).toEqual(manifest)
    expect(describeFile(manifest)).toEqual({ fileId: 'a0a1a2a3a4a5a6a7a8a9aaabacadaeaf', name: 'photo.jpg', size: 200_000, mimeType: 'image/jpeg', chunkSize: 65_536 })
  })

  it.each<[string, Partial<FileOffer>, RegExp]>([
    ['an absurd size', { size: 1n << 40n }, /file size 1099511627776 exceeds the 68719476736-byte \(64 GiB\) limit/],
    ['a chunk size below 64 KiB', { chunkSize: 1000 }, /chunk size 1000 is outside 65536\.\.4194304/],
    ['a chunk size above 4 MiB', { chunkSize: 8 * 1024 * 1024 }, /chunk size 8388608 is outside/],
    // 2^20 + 1 chunks of 64 KiB: with the 64 GiB limit, the size bound is what catches an absurd count.
    ['more than 2^20 chunks', { size: BigInt(65_536 * (1024 * 1024 + 1)), chunkSize: 65_536 }, /exceeds the 68719476736-byte/],
    ['a name with a path separator', { name: '../etc/passwd' }, /file name contains a path separator/],
    ['an empty name', { name: '' }, /file name is empty/],
    ['a name of ".."', { name: '..' }, /names a directory/],
    ['a name with a right-to-left override', { name: 'invoice\u202efdp.exe' }, /bidirectional override/],
    ['a name over 255 bytes', { name: 'é'.repeat(200) }, /file name is 400 UTF-8 bytes/],
    ['a short key', { key: new Uint8Array(16) as Uint8Array<ArrayBuffer> }, /file key must be 32 bytes, got 16/],
    ['a MIME type that is not type/subtype', { mimeType: 'jpeg' }, /MIME type must be type\/subtype/]
  ])('refuses an offer with %s', (_, fields, message) => {
    expect(() => decodeFileOffer(rawOffer(fields))).toThrow(ValidationError)
    expect(() => decodeFileOffer(rawOffer(fields))).toThrow(message)
  })

  it('refuses bytes that do not decode, and a caption or manifest that breaks the rules when sending', () => {
    expect(() => decodeFileOffer(new Uint8Array([0xff, 0xff, 0xff]))).toThrow(CodecError)
    expect(() => encodeFileOffer(manifest, ' ')).toThrow('message text must not be empty')
    expect(() => encodeFileOffer({ ...manifest, chunkSize: 10 }, '')).toThrow(/chunk size 10 is outside/)
  })
})
