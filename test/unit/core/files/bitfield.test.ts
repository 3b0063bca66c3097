import { describe, expect, it } from 'vitest'
import { toHex } from '../../../../src/core/bytes.ts'
import { ValidationError } from '../../../../src/core/errors.ts'
import { Bitfield } from '../../../../src/core/files/bitfield.ts'

describe('Bitfield', () => {
  it('numbers chunks from the high bit of the first byte, as BitTorrent does', () => {
    const field = new Bitfield(10)
    field.set(0)
    field.set(9)
    expect(toHex(field.toBytes())).toBe('8040')
    expect([...field.indexes()]).toEqual([0, 9])
    expect(field.count).toBe(2)
  })

  it('counts and reports completeness, and set/unset say whether they changed anything', () => {
    const field = new Bitfield(3)
    expect(field.set(1)).toBe(true)
    expect(field.set(1)).toBe(false)
    expect(field.complete).toBe(false)
    field.set(0)
    field.set(2)
    expect(field.complete).toBe(true)
    expect(field.unset(2)).toBe(true)
    expect(field.unset(2)).toBe(false)
    expect(field.count).toBe(2)
    expect(Bitfield.full(9).complete).toBe(true)
  })

  it('round-trips through its wire bytes', () => {
    const field = new Bitfield(17)
    for (const i of [1, 8, 16]) field.set(i)
    const back = Bitfield.fromBytes(field.toBytes(), 17)
    expect([...back.indexes()]).toEqual([1, 8, 16])
    expect(back.count).toBe(3)
  })

  it('refuses wire bytes of the wrong length, or with bits set past the last chunk', () => {
    expect(() => Bitfield.fromBytes(new Uint8Array(3), 10)).toThrow(/must be 2 bytes, got 3/)
    expect(() => Bitfield.fromBytes(Uint8Array.of(0, 0x20), 10)).toThrow(/bits set past its last chunk/)
  })

  it('refuses indexes out of range and absurd sizes', () => {
    const field = new Bitfield(4)
    expect(() => field.set(4)).toThrow(ValidationError)
    expect(() => field.has(-1)).toThrow(/out of range/)
    expect(() => new Bitfield(0)).toThrow(ValidationError)
    expect(() => new Bitfield(2 ** 21)).toThrow(ValidationError)
  })
})
