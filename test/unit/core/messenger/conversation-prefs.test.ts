import { describe, expect, it } from 'vitest'
import { fromUtf8, utf8 } from '../../../../src/core/bytes.ts'
import { CONVERSATION_PREFS_KEY, ConversationPrefsStore, parsePrefs, prefsWrite, withPrefs } from '../../../../src/core/messenger/conversation-prefs.ts'
import type { Store, Write } from '../../../../src/core/messenger/store.ts'

const A = 'aa'.repeat(16)
const B = 'bb'.repeat(16)

/** A store holding only `meta`. */
function metaStore (initial?: string): { store: Store, meta: Map<string, Uint8Array> } {
  const meta = new Map<string, Uint8Array>()
  if (initial !== undefined) meta.set(CONVERSATION_PREFS_KEY, utf8(initial))
  const store = {
    getMeta: async (key: string) => meta.get(key),
    apply: async (writes: readonly Write[]) => {
      for (const w of writes) if (w.kind === 'meta') meta.set(w.key, w.value)
      return []
    }
  } as unknown as Store
  return { store, meta }
}

describe('conversation-prefs', () => {
  it('round-trips the map, leaving conversations at the default out', () => {
    let prefs = withPrefs(new Map(), A, { muted: true })
    prefs = withPrefs(prefs, B, { archived: true })
    prefs = withPrefs(prefs, B, { archived: false })
    const w = prefsWrite(prefs)
    expect(w.kind === 'meta' && fromUtf8(w.value)).toBe(JSON.stringify({ [A]: { muted: true } }))
    const parsed = parsePrefs(w.kind === 'meta' ? w.value : undefined)
    expect(parsed).toEqual({ kind: 'ok', prefs: new Map([[A, { muted: true, archived: false }]]) })
  })

  it('says why a stored value is damaged', () => {
    for (const [value, reason] of [
      ['{not json', /not JSON/], ['[1]', /not a JSON object/], ['{"xyz":{}}', /not a conversation id/],
      [`{"${A}":true}`, /not an object/], [`{"${A}":{"muted":"yes"}}`, /other than muted/], [`{"${A}":{"pinned":true}}`, /other than muted/]
    ] as const) {
      const parsed = parsePrefs(utf8(value))
      expect(parsed.kind).toBe('damaged')
      if (parsed.kind === 'damaged') expect(parsed.reason).toMatch(reason)
    }
  })

  it('ignores a damaged value with a log line, and the next change writes a fresh map', async () => {
    const { store, meta } = metaStore('{not json')
    const lines: string[] = []
    const prefs = new ConversationPrefsStore({ store, log: (l) => lines.push(l) })
    expect(await prefs.get(A)).toEqual({ muted: false, archived: false })
    expect(lines).toEqual([expect.stringMatching(/ignored damaged conversation preferences \(it is not JSON\)/)])
    await prefs.set(A, { archived: true })
    expect(JSON.parse(fromUtf8(meta.get(CONVERSATION_PREFS_KEY)!))).toEqual({ [A]: { archived: true } })
  })

  it('an incoming message unarchives an unmuted conversation but not a muted one', async () => {
    const { store } = metaStore()
    const prefs = new ConversationPrefsStore({ store, log: () => {} })
    await prefs.set(A, { archived: true })
    await prefs.set(B, { archived: true, muted: true })
    expect(await prefs.noteIncoming(A)).toBe(true)
    expect(await prefs.noteIncoming(B)).toBe(false)
    const reopened = new ConversationPrefsStore({ store, log: () => {} })
    expect(await reopened.get(A)).toEqual({ muted: false, archived: false })
    expect(await reopened.get(B)).toEqual({ muted: true, archived: true })
  })
})
