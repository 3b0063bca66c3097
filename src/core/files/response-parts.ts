/**
 * A `FileResponse` (docs/PROTOCOL.md §9.4) decoded from the pieces a frame arrived in, without
 * joining them first: a 1 MiB CHUNK comes in about 16 Noise messages, and joining them would copy
 * every byte once more on the receiver's busiest thread. The `chunk` field stays the list of views
 * it spans; every other field is small and is copied out. It reads what `FileResponse.decode`
 * reads (protobuf wire format: fields in any order, the last of a repeated field winning, unknown
 * fields skipped) and throws {@link CodecError} where that throws.
 */
import { concatBytes } from '../bytes.ts'
import { FileResponse, FileResponseKind } from '../codec/files.ts'
import { CodecError } from '../errors.ts'

/** A decoded `FileResponse` whose chunk is the views it arrived in. */
export interface FileResponseParts {
  readonly kind: FileResponseKind
  readonly bitfield: Uint8Array
  readonly index: number
  /** The encrypted chunk as views of the received bytes, in order (empty for other kinds). */
  readonly chunk: readonly Uint8Array[]
  /** Its length in bytes. */
  readonly chunkLength: number
  readonly proof: Uint8Array
  readonly reason: string
}

const EMPTY: Uint8Array = new Uint8Array(0)

/** The kinds by their number on the wire (files.proto). */
const KINDS: readonly FileResponseKind[] = [FileResponseKind.HAVE, FileResponseKind.CHUNK, FileResponseKind.HAVE_ONE, FileResponseKind.DONT_HAVE, FileResponseKind.REFUSED]

/** Reads bytes from a list of views as if they were one buffer. */
class PartsReader {
  private part = 0
  private at = 0
  remaining: number

  constructor (private readonly parts: readonly Uint8Array[]) {
    let n = 0
    for (const p of parts) n += p.length
    this.remaining = n
  }

  private byte (): number {
    for (;;) {
      const p = this.parts[this.part]
      if (p === undefined) throw new CodecError('file response ends inside a field')
      if (this.at < p.length) {
        this.remaining--
        return p[this.at++]!
      }
      this.part++
      this.at = 0
    }
  }

  /** An unsigned varint of up to 64 bits, as a number (exact up to 2^53; protons' uint32 keeps the low 32 bits). */
  varint (): number {
    let value = 0
    let scale = 1
    for (let i = 0; i < 10; i++) {
      const b = this.byte()
      value += (b & 0x7f) * scale
      if (b < 0x80) return value
      scale *= 0x80
    }
    throw new CodecError('file response has an invalid varint encoding')
  }

  /** The next `n` bytes as views. */
  views (n: number): Uint8Array[] {
    if (n > this.remaining) throw new CodecError(`file response field of ${n} bytes runs past the frame`)
    const out: Uint8Array[] = []
    this.remaining -= n
    while (n > 0) {
      const p = this.parts[this.part]!
      const take = Math.min(n, p.length - this.at)
      if (take > 0) out.push(p.subarray(this.at, this.at + take))
      this.at += take
      n -= take
      if (this.at >= p.length) {
        this.part++
        this.at = 0
      }
    }
    return out
  }

  /** The next `n` bytes in a buffer of their own. */
  copy (n: number): Uint8Array {
    return concatBytes(...this.views(n))
  }

  skip (wireType: number): void {
    switch (wireType) {
      case 0: this.varint(); return
      case 1: this.views(8); return
      case 2: this.views(this.varint()); return
      case 5: this.views(4); return
      default: throw new CodecError(`file response has a field of wire type ${wireType}, which it cannot skip`)
    }
  }
}

/** Decodes a `FileResponse` given as the views of the chunks it arrived in. Throws {@link CodecError}. */
export function decodeFileResponseParts (parts: readonly Uint8Array[]): FileResponseParts {
  if (parts.length === 1) {
    // One piece: the generated codec, which also gives views.
    const r = FileResponse.decode(parts[0]!)
    return { ...r, chunk: r.chunk.length > 0 ? [r.chunk] : [], chunkLength: r.chunk.length }
  }
  const reader = new PartsReader(parts)
  let kind = FileResponseKind.HAVE
  let bitfield: Uint8Array = EMPTY
  let index = 0
  let chunk: Uint8Array[] = []
  let chunkLength = 0
  let proof: Uint8Array = EMPTY
  let reason = ''
  while (reader.remaining > 0) {
    const tag = reader.varint()
    const field = Math.floor(tag / 8)
    const wireType = tag % 8
    const expect = (want: number): void => {
      if (wireType !== want) throw new CodecError(`file response field ${field} has wire type ${wireType}, not ${want}`)
    }
    switch (field) {
      case 1: {
        expect(0)
        const n = reader.varint()
        const k = KINDS[n]
        if (k === undefined) throw new CodecError(`file response kind ${n} is unknown`)
        kind = k
        break
      }
      case 2: expect(2); bitfield = reader.copy(reader.varint()); break
      case 3: expect(0); index = reader.varint() % 2 ** 32 >>> 0; break
      case 4: expect(2); chunkLength = reader.varint(); chunk = reader.views(chunkLength); break
      case 5: expect(2); proof = reader.copy(reader.varint()); break
      case 6: expect(2); reason = new TextDecoder().decode(reader.copy(reader.varint())); break
      default: reader.skip(wireType)
    }
  }
  return { kind, bitfield, index, chunk, chunkLength, proof, reason }
}
