import { describe, expect, it } from 'vitest'
import {
  abytes, compareBytes, equalBytes, fromBase64Url, fromHex, randomBytes, toBase64Url, toHex
} from '../../../src/core/bytes.ts'
import { ValidationError } from '../../../src/core/errors.ts'

/** Bytes 0xff, 0xfe, … so every sextet of the encoding is exercised, not only zeros. */
function descending (length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => 0xff - i * 37 % 256)
}

describe('base64url', () => {
  for (let length = 0; length <= 10; length++) {
    it(`round-trips ${length} bytes and matches RFC 4648 §5 without padding`, () => {
      const bytes = descending(length)
      const text = toBase64Url(bytes)
      expect(text).toBe(Buffer.from(bytes).toString('base64url'))
      expect(text).not.toContain('=')
      expect(fromBase64Url(text)).toEqual(bytes)
    })
  }

  it('uses - and _ where standard base64 uses + and /', () => {
    expect(toBase64Url(new Uint8Array([0xfb, 0xff]))).toBe('-_8')
    expect(fromBase64Url('-_8')).toEqual(new Uint8Array([0xfb, 0xff]))
  })

  it.each(['ab+c', 'ab/c', 'abc=', 'ab c', 'ab.c', 'abcé'])('rejects %j with a ValidationError naming the character', (text) => {
    expect(() => fromBase64Url(text)).toThrow(ValidationError)
    expect(() => fromBase64Url(text)).toThrow(/invalid base64url character/)
  })

  it('rejects a length no encoding can produce', () => {
    expect(() => fromBase64Url('abcde')).toThrow(ValidationError)
    expect(() => fromBase64Url('A')).toThrow(/invalid base64url length/)
  })
})

describe('hex', () => {
  it('round-trips every byte value as lowercase hex', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i)
    const hex = toHex(bytes)
    expect(hex).toHaveLength(512)
    expect(hex.slice(0, 6)).toBe('000102')
    expect(hex.slice(-4)).toBe('feff')
    expect(fromHex(hex)).toEqual(bytes)
  })

  it('accepts uppercase hex', () => {
    expect(fromHex('DEADbeef')).toEqual(new Uint8Array([0xde, 0xad, 0xbe, 0xef]))
  })

  it('round-trips empty input', () => {
    expect(toHex(new Uint8Array())).toBe('')
    expect(fromHex('')).toEqual(new Uint8Array())
  })

  it.each(['abc', 'zz', '0x00', 'ab cd', '-1'])('rejects %j', (text) => {
    expect(() => fromHex(text)).toThrow(ValidationError)
  })
})

describe('compareBytes', () => {
  it('orders lexicographically by the first differing byte', () => {
    expect(compareBytes(new Uint8Array([1, 2, 3]), new Uint8Array([1, 3, 0]))).toBeLessThan(0)
    expect(compareBytes(new Uint8Array([2]), new Uint8Array([1, 255]))).toBeGreaterThan(0)
  })

  it('orders a prefix before the longer array', () => {
    expect(compareBytes(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0]))).toBeLessThan(0)
    expect(compareBytes(new Uint8Array([1, 2, 0]), new Uint8Array([1, 2]))).toBeGreaterThan(0)
  })

  it('returns 0 for equal contents', () => {
    expect(compareBytes(new Uint8Array([9, 8]), new Uint8Array([9, 8]))).toBe(0)
    expect(compareBytes(new Uint8Array(), new Uint8Array())).toBe(0)
  })

  it('treats bytes as unsigned', () => {
    expect(compareBytes(new Uint8Array([0x7f]), new Uint8Array([0x80]))).toBeLessThan(0)
  })
})

describe('equalBytes', () => {
  it('is true only for the same contents', () => {
    expect(equalBytes(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true)
    expect(equalBytes(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]))).toBe(false)
    expect(equalBytes(new Uint8Array([0, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(false)
  })

  it('is false for different lengths even when one is a prefix', () => {
    expect(equalBytes(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0]))).toBe(false)
  })
})

describe('abytes', () => {
  it('returns the value when it satisfies the limits', () => {
    const value = new Uint8Array(4)
    expect(abytes(value, 'key', { length: 4 })).toBe(value)
    expect(abytes(value, 'key', { max: 4 })).toBe(value)
    expect(abytes(value, 'key')).toBe(value)
  })

  it('rejects non-bytes', () => {
    expect(() => abytes([1, 2], 'key')).toThrow(new ValidationError('key must be bytes'))
    expect(() => abytes('ab', 'key')).toThrow(ValidationError)
    expect(() => abytes(undefined, 'key')).toThrow(ValidationError)
  })

  it('rejects a wrong exact length, naming both lengths', () => {
    expect(() => abytes(new Uint8Array(3), 'key', { length: 4 })).toThrow('key must be 4 bytes, got 3')
    expect(() => abytes(new Uint8Array(5), 'key', { length: 4 })).toThrow(ValidationError)
  })

  it('rejects one byte over the maximum', () => {
    expect(() => abytes(new Uint8Array(5), 'blob', { max: 4 })).toThrow('blob must be at most 4 bytes, got 5')
  })
})

describe('randomBytes', () => {
  it('never hands out the same bytes twice, across pool refills, and copies them out', () => {
    const seen = new Set<string>()
    // 16-byte values through several 4 KiB refills; 2^-128 odds of a repeat by chance.
    for (let i = 0; i < 2000; i++) {
      const value = randomBytes(16)
      expect(value).toHaveLength(16)
      expect(value.buffer.byteLength).toBe(16)
      seen.add(toHex(value))
    }
    expect(seen.size).toBe(2000)
  })

  it('fills requests of every size, including ones larger than the pool takes', () => {
    for (const n of [0, 1, 4, 63, 64, 65, 4096, 10_000]) expect(randomBytes(n)).toHaveLength(n)
    const big = randomBytes(10_000)
    expect(big.some((b) => b !== 0)).toBe(true)
    // Uniform bytes: every value appears in 10,000 draws (a missing one has odds below 2^-47).
    expect(new Set(big).size).toBe(256)
  })
})
