import { describe, expect, it } from 'vitest'
import { highlightParts, snippetAround } from '../../../../src/web/ui/search-text.ts'

describe('highlightParts', () => {
  it('marks every occurrence, whatever its case', () => {
    expect(highlightParts('Picnic? The picnic!', 'PICNIC')).toEqual([
      { text: 'Picnic', match: true },
      { text: '? The ', match: false },
      { text: 'picnic', match: true },
      { text: '!', match: false }
    ])
  })

  it('leaves text without the query whole', () => {
    expect(highlightParts('nothing here', 'zebra')).toEqual([{ text: 'nothing here', match: false }])
    expect(highlightParts('anything', '  ')).toEqual([{ text: 'anything', match: false }])
  })
})

describe('snippetAround', () => {
  it('keeps a short message as it is, on one line', () => {
    expect(snippetAround('see you\nat noon', 'noon')).toBe('see you at noon')
  })

  it('cuts a long message to the part around the match', () => {
    const text = `${'a'.repeat(300)} the picnic ${'b'.repeat(300)}`
    const snippet = snippetAround(text, 'picnic')
    expect(snippet.startsWith('…')).toBe(true)
    expect(snippet.endsWith('…')).toBe(true)
    expect(snippet).toContain('the picnic')
    expect(snippet.length).toBeLessThan(170)
  })
})
