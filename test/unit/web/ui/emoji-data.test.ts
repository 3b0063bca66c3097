import { describe, expect, it } from 'vitest'
import { validateReaction } from '../../../../src/core/conversation/payload.ts'
import { EMOJI_CATEGORIES, searchEmoji } from '../../../../src/web/ui/emoji-data.ts'

describe('emoji-data', () => {
  const all = EMOJI_CATEGORIES.flatMap((c) => c.entries)

  it('offers about two hundred distinct emoji in nine categories, each named', () => {
    expect(EMOJI_CATEGORIES.map((c) => c.id)).toEqual(['smileys', 'people', 'nature', 'food', 'activities', 'travel', 'objects', 'symbols', 'flags'])
    expect(all.length).toBeGreaterThanOrEqual(200)
    expect(new Set(all.map((e) => e.emoji)).size).toBe(all.length)
    for (const e of all) expect(e.name).toMatch(/^[a-z][a-z -]*$/)
  })

  it('every emoji is accepted as a reaction', () => {
    for (const e of all) expect(() => validateReaction(e.emoji), e.name).not.toThrow()
  })

  it('search matches every word of the query in the name', () => {
    expect(searchEmoji('PIZZA').map((e) => e.emoji)).toEqual(['🍕'])
    expect(searchEmoji('heart cat').map((e) => e.emoji)).toEqual(['😻'])
    expect(searchEmoji('   ')).toEqual([])
    expect(searchEmoji('zzzqqq')).toEqual([])
  })
})
