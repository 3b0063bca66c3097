import { describe, expect, it } from 'vitest'
import { fromHex } from '../../../src/core/bytes.ts'
import { ValidationError } from '../../../src/core/errors.ts'
import { decodeHeader, encodeHeader } from '../../../src/core/sframe/header.ts'
import { SFrameError } from '../../../src/core/sframe/sframe-error.ts'

function reason (hex: string): string {
  try { decodeHeader(fromHex(hex)) } catch (err) { if (err instanceof SFrameError) return err.reason; throw err }
  return 'accepted'
}

describe('SFrame header', () => {
  it('refuses values that are not minimally encoded (RFC 9605 §4.3 MUST)', () => {
    expect(reason('8005')).toBe('malformed') // KID 5 in an extended field
    expect(reason('0805')).toBe('malformed') // CTR 5 in an extended field
    expect(reason('90000f')).toBe('malformed') // KID 15 with a leading zero byte
    expect(reason('8008')).toBe('accepted')
  })

  it('refuses a header cut short', () => {
    expect(reason('')).toBe('malformed')
    expect(reason('f8ffffffffffffff')).toBe('malformed') // 8-byte KID announced, 7 given
    expect(reason('8f0801')).toBe('malformed') // 8-byte CTR announced, 1 given
  })

  it('only leaves the frame after the header to the cipher', () => {
    expect(decodeHeader(fromHex('0aabcdefdeadbeef')).length).toBe(4)
  })

  it('refuses to encode values outside 64 bits', () => {
    expect(() => encodeHeader(1n << 64n, 0n)).toThrow(ValidationError)
    expect(() => encodeHeader(0n, -1n)).toThrow(ValidationError)
  })
})
