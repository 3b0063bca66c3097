/**
 * EpochWatch: a conversation counts as changed the first time it is seen and at each new epoch,
 * never for an event at the epoch already seen (a new message, a rename).
 */
import { describe, expect, it } from 'vitest'
import { EpochWatch } from '../../../../src/core/conversation/epoch-watch.ts'

describe('EpochWatch', () => {
  it('tells a new epoch from another event at the same one, per conversation', () => {
    const watch = new EpochWatch()
    expect(watch.changed({ id: 'a', epoch: 0 })).toBe(true)
    expect(watch.changed({ id: 'a', epoch: 0 })).toBe(false)
    expect(watch.changed({ id: 'b', epoch: 0 })).toBe(true)
    expect(watch.changed({ id: 'a', epoch: 3 })).toBe(true)
    expect(watch.changed({ id: 'a', epoch: 3 })).toBe(false)
    expect(watch.changed({ id: 'b', epoch: 0 })).toBe(false)
  })

  it('takes the list seen at start as no change, and never lets a seed hide a later epoch', () => {
    const watch = new EpochWatch()
    watch.seed({ id: 'a', epoch: 2 })
    expect(watch.changed({ id: 'a', epoch: 2 })).toBe(false)
    watch.seed({ id: 'a', epoch: 1 })
    expect(watch.changed({ id: 'a', epoch: 3 })).toBe(true)
    watch.seed({ id: 'a', epoch: 9 })
    expect(watch.changed({ id: 'a', epoch: 3 })).toBe(false)
  })
})
