/**
 * Which chunks of a file a device holds: one bit per chunk, most significant bit first (chunk 0 is
 * the high bit of byte 0), as BitTorrent's bitfield (BEP 3). On the wire a bitfield is exactly
 * ceil(n / 8) bytes with its spare trailing bits zero.
 */
import { ValidationError } from '../errors.ts'
import { MAX_CHUNK_COUNT } from './constants.ts'

/** A mutable set of chunk indexes 0..size-1. */
export class Bitfield {
  private readonly bits: Uint8Array
  private held = 0

  /** An empty bitfield of `size` chunks. */
  constructor (readonly size: number) {
    if (!Number.isInteger(size) || size < 1 || size > MAX_CHUNK_COUNT) throw new ValidationError(`a bitfield covers 1..${MAX_CHUNK_COUNT} chunks, got ${size}`)
    this.bits = new Uint8Array(Math.ceil(size / 8))
  }

  /** Parses wire bytes for a file of `size` chunks. Throws {@link ValidationError} on a wrong length or set spare bits. */
  static fromBytes (bytes: Uint8Array, size: number): Bitfield {
    const field = new Bitfield(size)
    if (bytes.length !== field.bits.length) throw new ValidationError(`bitfield of ${size} chunks must be ${field.bits.length} bytes, got ${bytes.length}`)
    const spare = field.bits.length * 8 - size
    if (spare > 0 && (bytes[bytes.length - 1]! & ((1 << spare) - 1)) !== 0) throw new ValidationError('bitfield has bits set past its last chunk')
    field.bits.set(bytes)
    for (const byte of bytes) field.held += popcount(byte)
    return field
  }

  /** A bitfield of `size` chunks with every one set. */
  static full (size: number): Bitfield {
    const field = new Bitfield(size)
    for (let i = 0; i < size; i++) field.set(i)
    return field
  }

  private check (index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) throw new ValidationError(`chunk index ${index} is out of range 0..${this.size - 1}`)
  }

  /** Whether chunk `index` is held. */
  has (index: number): boolean {
    this.check(index)
    return (this.bits[index >> 3]! & (0x80 >> (index & 7))) !== 0
  }

  /** Marks chunk `index` held; returns whether it was new. */
  set (index: number): boolean {
    if (this.has(index)) return false
    this.bits[index >> 3]! |= 0x80 >> (index & 7)
    this.held++
    return true
  }

  /** Marks chunk `index` not held; returns whether it was held. */
  unset (index: number): boolean {
    if (!this.has(index)) return false
    this.bits[index >> 3]! &= ~(0x80 >> (index & 7))
    this.held--
    return true
  }

  /** Chunks held. */
  get count (): number {
    return this.held
  }

  /** Whether every chunk is held. */
  get complete (): boolean {
    return this.held === this.size
  }

  /** The indexes held, ascending. */
  * indexes (): Generator<number> {
    for (let byte = 0; byte < this.bits.length; byte++) {
      const b = this.bits[byte]!
      if (b === 0) continue
      for (let bit = 0; bit < 8; bit++) if ((b & (0x80 >> bit)) !== 0) yield byte * 8 + bit
    }
  }

  /** The wire bytes (a copy). */
  toBytes (): Uint8Array {
    return this.bits.slice()
  }
}

function popcount (byte: number): number {
  let n = 0
  for (let b = byte; b !== 0; b &= b - 1) n++
  return n
}
