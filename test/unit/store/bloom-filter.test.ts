import { describe, expect, it } from 'vitest'
import { BloomFilter } from '../../../src/store/bloom-filter.ts'

describe('BloomFilter', () => {
  it('never says no to a key it was given, and says no to most others', () => {
    const filter = new BloomFilter(10_000)
    const hex = (i: number): string => i.toString(16).padStart(32, '0')
    for (let i = 0; i < 10_000; i++) filter.add(hex(i))
    for (let i = 0; i < 10_000; i++) expect(filter.mightHave(hex(i))).toBe(true)
    let maybes = 0
    for (let i = 10_000; i < 30_000; i++) if (filter.mightHave(hex(i))) maybes++
    // About 1% at capacity; well under 3%.
    expect(maybes).toBeLessThan(600)
    expect(filter.full).toBe(false)
    filter.add(hex(10_000))
    expect(filter.full).toBe(true)
  })

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new BloomFilter(0)).toThrow(/capacity must be a positive integer, got 0/)
    expect(() => new BloomFilter(1.5)).toThrow(RangeError)
  })
})
