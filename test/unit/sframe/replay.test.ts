import { describe, expect, it } from 'vitest'
import { ReplayWindow } from '../../../src/core/sframe/replay.ts'

describe('ReplayWindow', () => {
  it('takes each CTR once, in any order within the window', () => {
    const window = new ReplayWindow(64)
    for (const ctr of [5n, 3n, 9n, 4n, 8n]) expect(window.accept(ctr)).toBe(true)
    for (const ctr of [5n, 3n, 9n]) expect(window.accept(ctr)).toBe(false)
    expect(window.accept(6n)).toBe(true)
  })

  it('forgets CTRs that slid out of the window and refuses them', () => {
    const window = new ReplayWindow(32)
    expect(window.accept(0n)).toBe(true)
    expect(window.accept(31n)).toBe(true)
    expect(window.check(0n)).toBe(false) // still inside: seen
    expect(window.accept(32n)).toBe(true)
    expect(window.check(0n)).toBe(false) // now too old
    expect(window.check(1n)).toBe(true)
  })

  it('clears the slots it moves over, so a CTR sharing a slot with an old one is new', () => {
    const window = new ReplayWindow(32)
    expect(window.accept(3n)).toBe(true)
    expect(window.accept(40n)).toBe(true) // skips 4..39, reusing slot 3 for 35
    expect(window.accept(35n)).toBe(true)
    expect(window.accept(1000n)).toBe(true) // a jump past the whole window
    expect(window.accept(999n)).toBe(true)
    expect(window.accept(968n)).toBe(false)
  })

  it('works at the top of the 64-bit range', () => {
    const window = new ReplayWindow(32)
    const top = (1n << 64n) - 1n
    expect(window.accept(top)).toBe(true)
    expect(window.accept(top)).toBe(false)
    expect(window.accept(top - 1n)).toBe(true)
  })
})
