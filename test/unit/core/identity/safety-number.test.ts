import { beforeAll, describe, expect, it } from 'vitest'
import { computeSafetyNumber, formatSafetyNumber } from '../../../../src/core/identity/safety-number.ts'
import { ValidationError } from '../../../../src/core/errors.ts'

const alice = new Uint8Array(32).fill(0x11)
const bob = new Uint8Array(32).fill(0x22)
const carol = new Uint8Array(32).fill(0x33)

let aliceBob: string

beforeAll(async () => {
  aliceBob = await computeSafetyNumber(alice, bob)
})

describe('computeSafetyNumber', () => {
  it('is 60 decimal digits', () => {
    expect(aliceBob).toMatch(/^[0-9]{60}$/)
  })

  it('is the same whichever side computes it', async () => {
    expect(await computeSafetyNumber(bob, alice)).toBe(aliceBob)
  })


  it('changes when either key changes', async () => {
    const aliceCarol = await computeSafetyNumber(alice, carol)
    const carolBob = await computeSafetyNumber(carol, bob)
    expect(aliceCarol).not.toBe(aliceBob)
    expect(carolBob).not.toBe(aliceBob)
    expect(aliceCarol).not.toBe(carolBob)
  })

  it('changes when a single bit of one key changes', async () => {
    const mallory = alice.slice()
    mallory[31] = (mallory[31] as number) ^ 0x01
    expect(await computeSafetyNumber(mallory, bob)).not.toBe(aliceBob)
  })

  it('is made of one 30-digit half per key, so each person can check their own half', async () => {
    const aliceCarol = await computeSafetyNumber(alice, carol)
    // alice < bob < carol bytewise, so alice's half comes first in both.
    expect(aliceCarol.slice(0, 30)).toBe(aliceBob.slice(0, 30))
    expect(aliceCarol.slice(30)).not.toBe(aliceBob.slice(30))
  })

  it('rejects a key that is not 32 bytes', async () => {
    await expect(computeSafetyNumber(new Uint8Array(31), bob)).rejects.toThrow(ValidationError)
    await expect(computeSafetyNumber(alice, new Uint8Array(33))).rejects.toThrow(ValidationError)
  })
})

describe('formatSafetyNumber', () => {
  it('shows 60 digits as 12 space-separated groups of 5', () => {
    const formatted = formatSafetyNumber(aliceBob)
    const groups = formatted.split(' ')
    expect(groups).toHaveLength(12)
    for (const group of groups) expect(group).toMatch(/^[0-9]{5}$/)
    expect(groups.join('')).toBe(aliceBob)
  })

  it('keeps leading zeros of a group', () => {
    expect(formatSafetyNumber('00012' + '3'.repeat(55))).toBe('00012 ' + Array(11).fill('33333').join(' '))
  })
})
