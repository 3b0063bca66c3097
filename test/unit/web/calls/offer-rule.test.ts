import { describe, expect, it } from 'vitest'
import { offersTo } from '../../../../src/web/calls/offer-rule.ts'

const devices = ['12D3KooWcaller', '12D3KooWaaaa', '12D3KooWbbbb', '12D3KooWzzzz']
const caller = devices[0]!

describe('offersTo', () => {
  it('has exactly one side of every pair offer, whoever asks first, so no pair offers twice at once', () => {
    for (const a of devices) {
      for (const b of devices) {
        if (a === b) continue
        expect(offersTo(a, b, caller), `${a} / ${b}`).toBe(!offersTo(b, a, caller))
      }
    }
  })

  it('has whoever answered the caller offer to it, right behind its ACCEPT', () => {
    for (const other of devices.slice(1)) {
      expect(offersTo(other, caller, caller)).toBe(true)
      expect(offersTo(caller, other, caller)).toBe(false)
    }
  })

  it('orders two devices that joined someone else\'s call by device id', () => {
    expect(offersTo('12D3KooWaaaa', '12D3KooWbbbb', caller)).toBe(true)
    expect(offersTo('12D3KooWzzzz', '12D3KooWbbbb', caller)).toBe(false)
  })
})
