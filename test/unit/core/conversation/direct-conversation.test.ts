import { describe, expect, it } from 'vitest'
import { directConversationId, keepsDirectGroupOf } from '../../../../src/core/conversation/direct-conversation.ts'

const alice = new Uint8Array(32).fill(0xa1)
const bob = new Uint8Array(32).fill(0xb2)
const carol = new Uint8Array(32).fill(0xc3)

describe('directConversationId', () => {
  it('is the same from both sides, so simultaneous adds share one group id', async () => {
    const fromAlice = await directConversationId(alice, bob)
    const fromBob = await directConversationId(bob, alice)
    expect(fromAlice).toEqual(fromBob)
    expect(fromAlice).toHaveLength(32)
  })

  it('differs for a different pair', async () => {
    const aliceBob = await directConversationId(alice, bob)
    expect(await directConversationId(alice, carol)).not.toEqual(aliceBob)
    expect(await directConversationId(carol, bob)).not.toEqual(aliceBob)
  })
})

describe('keepsDirectGroupOf', () => {
  it('keeps the group created by the lower identity key, whichever order it is asked in', () => {
    expect(keepsDirectGroupOf(alice, bob)).toBe(alice)
    expect(keepsDirectGroupOf(bob, alice)).toBe(alice)
  })

  it('compares keys bytewise from the first byte', () => {
    const low = new Uint8Array(32).fill(0xff)
    low[0] = 0x00
    const high = new Uint8Array(32).fill(0x00)
    high[0] = 0x01
    expect(keepsDirectGroupOf(high, low)).toBe(low)
  })
})
