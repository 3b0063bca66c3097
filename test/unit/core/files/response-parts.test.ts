import { describe, expect, it } from 'vitest'
import { FileResponse, FileResponseKind } from '../../../../src/core/codec/files.ts'
import { CodecError } from '../../../../src/core/errors.ts'
import { decodeFileResponseParts } from '../../../../src/core/files/response-parts.ts'

/** `bytes` cut into pieces of `size` (the last shorter), each in a buffer of its own. */
const cut = (bytes: Uint8Array, size: number): Uint8Array[] => {
  const out: Uint8Array[] = []
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.slice(i, i + size))
  return out
}
const join = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) { out.set(p, at); at += p.length }
  return out
}

const empty = { bitfield: new Uint8Array(), index: 0, chunk: new Uint8Array(), proof: new Uint8Array(), reason: '' }
const chunk = Uint8Array.from({ length: 300_000 }, (_, i) => i * 13 % 256)
const proof = Uint8Array.from({ length: 5 * 32 }, (_, i) => 255 - i % 256)
const responses: FileResponse[] = [
  { ...empty, kind: FileResponseKind.CHUNK, index: 70_000, chunk, proof },
  { ...empty, kind: FileResponseKind.CHUNK, index: 0, chunk: chunk.subarray(0, 20), proof: new Uint8Array() },
  { ...empty, kind: FileResponseKind.HAVE, bitfield: Uint8Array.from({ length: 5000 }, (_, i) => i % 256) },
  { ...empty, kind: FileResponseKind.HAVE_ONE, index: 4 },
  { ...empty, kind: FileResponseKind.DONT_HAVE, index: 9 },
  { ...empty, kind: FileResponseKind.REFUSED, reason: 'unknown file or not allowed · ✓' }
]

describe('decodeFileResponseParts', () => {
  it('reads every kind as FileResponse.decode does, however the frame is cut, and keeps the chunk as views', () => {
    for (const r of responses) {
      const wire = FileResponse.encode(r)
      for (const size of [7, 1000, 65_519, wire.length]) {
        const parts = cut(wire, size)
        const got = decodeFileResponseParts(parts)
        const want = FileResponse.decode(wire)
        expect({ kind: got.kind, index: got.index, bitfield: got.bitfield, proof: got.proof, reason: got.reason }, `${r.kind} cut at ${size}`)
          .toEqual({ kind: want.kind, index: want.index, bitfield: want.bitfield, proof: want.proof, reason: want.reason })
        expect(join(got.chunk)).toEqual(want.chunk)
        expect(got.chunkLength).toBe(want.chunk.length)
        // The chunk's pieces are views of the parts given, not copies.
        const given = new Set(parts.map((p) => p.buffer))
        expect(got.chunk.every((piece) => given.has(piece.buffer))).toBe(true)
      }
    }
  })

  it('takes fields in any order, the last of a repeated one, and skips fields it does not know', () => {
    const index = FileResponse.encode({ ...empty, kind: FileResponseKind.HAVE_ONE, index: 3 })
    const body = FileResponse.encode({ ...empty, kind: FileResponseKind.CHUNK, index: 8, chunk: chunk.subarray(0, 1000), proof })
    // Unknown fields 9 (varint), 10 (fixed64), 11 (bytes), 12 (fixed32) before the rest.
    const unknown = Uint8Array.of(9 << 3, 0x96, 0x01, (10 << 3) | 1, 1, 2, 3, 4, 5, 6, 7, 8, (11 << 3) | 2, 2, 0xaa, 0xbb, (12 << 3) | 5, 1, 2, 3, 4)
    const wire = join([unknown, body, index.subarray(2)]) // kind CHUNK, then index 8, then index 3 again
    const got = decodeFileResponseParts(cut(wire, 100))
    expect(got.kind).toBe(FileResponseKind.CHUNK)
    expect(got.index).toBe(3)
    expect(join(got.chunk)).toEqual(chunk.subarray(0, 1000))
    expect(got.proof).toEqual(proof)
  })

  it('throws a CodecError for a truncated frame, a field running past its end, an unknown kind, and a wrong wire type', () => {
    const wire = FileResponse.encode({ ...empty, kind: FileResponseKind.CHUNK, index: 1, chunk, proof })
    expect(() => decodeFileResponseParts(cut(wire.subarray(0, wire.length - 10), 1000))).toThrow(CodecError)
    expect(() => decodeFileResponseParts(cut(wire.subarray(0, 5), 2))).toThrow(/runs past the frame|ends inside a field/)
    expect(() => decodeFileResponseParts([Uint8Array.of(0x08), Uint8Array.of(0x09)])).toThrow(/kind 9 is unknown/)
    expect(() => decodeFileResponseParts([Uint8Array.of(0x22), Uint8Array.of(0x05)])).toThrow(/runs past the frame/)
    expect(() => decodeFileResponseParts([Uint8Array.of(0x20), Uint8Array.of(0x05)])).toThrow(/field 4 has wire type 0, not 2/)
    expect(() => decodeFileResponseParts([Uint8Array.of(0x08), Uint8Array.of(0xff)])).toThrow(/ends inside a field/)
  })
})
