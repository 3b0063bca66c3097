import { describe, expect, it } from 'vitest'
import { Bitfield } from '../../../../src/core/files/bitfield.ts'
import { PiecePicker } from '../../../../src/core/files/piece-picker.ts'

const field = (size: number, indexes: number[]): Bitfield => {
  const f = new Bitfield(size)
  for (const i of indexes) f.set(i)
  return f
}
const all = (size: number): Bitfield => Bitfield.full(size)

describe('PiecePicker', () => {
  it('picks the rarest chunk the source holds first', () => {
    const picker = new PiecePicker(new Bitfield(4))
    picker.addSource('a', all(4))
    picker.addSource('b', field(4, [0, 1, 2]))
    picker.addSource('c', field(4, [0, 1]))
    // Availability: 0 and 1 by three sources, 2 by two, 3 by one.
    expect(picker.pick('a')).toEqual({ index: 3, endGame: false })
    expect(picker.pick('a')).toEqual({ index: 2, endGame: false })
    const third = picker.pick('a')!.index
    expect([0, 1]).toContain(third)
  })

  it('asks first for its own part of the file among equally rare chunks, then for the parts after it', () => {
    // Three downloaders of 9 chunks, each holding a different place in the swarm, all asking the sender.
    const firsts = [0, 1, 2].map((index) => {
      const picker = new PiecePicker(new Bitfield(9), { part: { index, of: 3 } })
      picker.addSource('sender', all(9))
      return Array.from({ length: 6 }, () => picker.pick('sender')!.index)
    })
    expect(firsts.map((f) => f.slice(0, 3).sort())).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8]])
    expect(firsts.map((f) => f.slice(3).sort())).toEqual([[3, 4, 5], [6, 7, 8], [0, 1, 2]])
    // Rarity still comes first: a chunk only the sender holds before one of its own part that a peer holds.
    const picker = new PiecePicker(new Bitfield(4), { part: { index: 0, of: 2 } })
    picker.addSource('sender', all(4))
    picker.addSource('peer', field(4, [0, 1]))
    expect([picker.pick('sender')!.index, picker.pick('sender')!.index].sort()).toEqual([2, 3])
    expect(() => new PiecePicker(new Bitfield(4), { part: { index: 2, of: 2 } })).toThrow(/part 2 of 2/)
  })

  it('never asks a source for a chunk it lacks, nor for one already held', () => {
    const picker = new PiecePicker(field(6, [0, 1]))
    picker.addSource('a', field(6, [0, 1, 4]))
    expect(picker.pick('a')).toEqual({ index: 4, endGame: false })
    expect(picker.pick('a')).toBeUndefined()
  })

  it('asks different sources for different chunks while unrequested ones remain', () => {
    const picker = new PiecePicker(new Bitfield(6), { random: () => 0.5 })
    picker.addSource('a', all(6))
    picker.addSource('b', all(6))
    const asked = new Set<number>()
    for (let i = 0; i < 3; i++) {
      for (const s of ['a', 'b']) {
        const p = picker.pick(s)!
        expect(p.endGame).toBe(false)
        expect(asked.has(p.index)).toBe(false)
        asked.add(p.index)
      }
    }
    expect(asked.size).toBe(6)
  })

  it('enters end-game once everything is requested: duplicates a request, and the first copy cancels the rest', () => {
    const picker = new PiecePicker(new Bitfield(2))
    picker.addSource('a', all(2))
    picker.addSource('b', all(2))
    const first = picker.pick('a')!
    const second = picker.pick('a')!
    expect([first.endGame, second.endGame]).toEqual([false, false])
    const dup = picker.pick('b')!
    expect(dup.endGame).toBe(true)
    expect(picker.isRequested('b', dup.index)).toBe(true)
    // A chunk is asked again of a source only once.
    const dup2 = picker.pick('b')!
    expect(dup2.index).not.toBe(dup.index)
    expect(picker.pick('b')).toBeUndefined()
    expect(picker.received('b', dup.index)).toEqual(['a'])
    expect(picker.isRequested('a', dup.index)).toBe(false)
    expect(picker.missing).toBe(1)
    expect(picker.received('a', dup2.index)).toEqual(['b'])
    expect(picker.complete).toBe(true)
  })

  it('does not enter end-game while a chunk nobody was asked for is available elsewhere', () => {
    const picker = new PiecePicker(new Bitfield(2))
    picker.addSource('a', field(2, [0]))
    picker.addSource('b', field(2, [0, 1]))
    expect(picker.pick('a')).toEqual({ index: 0, endGame: false })
    // Chunk 1 is still unrequested and b holds it: a must not duplicate anything.
    expect(picker.pick('a')).toBeUndefined()
    expect(picker.pick('b')).toEqual({ index: 1, endGame: false })
  })

  it('gives a dropped source\'s requests back to the others', () => {
    const picker = new PiecePicker(new Bitfield(3))
    picker.addSource('bad', all(3))
    picker.addSource('good', field(3, [0]))
    const taken = [picker.pick('bad')!.index, picker.pick('bad')!.index, picker.pick('bad')!.index]
    expect(taken.sort()).toEqual([0, 1, 2])
    expect(picker.removeSource('bad').sort()).toEqual([0, 1, 2])
    expect(picker.pick('good')).toEqual({ index: 0, endGame: false })
    expect(picker.canHelp('good')).toBe(true)
    picker.received('good', 0)
    expect(picker.canHelp('good')).toBe(false)
  })

  it('forgets a chunk a source answered DONT_HAVE for, and learns chunks announced later', () => {
    const picker = new PiecePicker(new Bitfield(2))
    picker.addSource('a', field(2, [1]))
    expect(picker.pick('a')).toEqual({ index: 1, endGame: false })
    picker.release('a', 1, true)
    expect(picker.pick('a')).toBeUndefined()
    picker.addHave('a', 0)
    expect(picker.pick('a')).toEqual({ index: 0, endGame: false })
  })

  it('starts from the chunks already held (a resumed download)', () => {
    const picker = new PiecePicker(field(3, [0, 2]))
    expect(picker.missing).toBe(1)
    picker.addSource('a', all(3))
    expect(picker.pick('a')).toEqual({ index: 1, endGame: false })
    expect(picker.pick('a')).toBeUndefined()
  })

  it('breaks ties between equally rare chunks in a per-download random order', () => {
    const orders = new Set<string>()
    for (const seed of [0.1, 0.5, 0.9]) {
      const picker = new PiecePicker(new Bitfield(8), { random: () => seed })
      picker.addSource('a', all(8))
      orders.add(Array.from({ length: 8 }, () => picker.pick('a')!.index).join(','))
    }
    expect(orders.size).toBeGreaterThan(1)
  })
})
