import { describe, expect, it } from 'vitest'
import {
  actsOn, compareDisplayOrder, foldMessages, readByAll, summarizeConversation, type FoldableRow
} from '../../../../src/core/conversation/message-fold.ts'

const ALICE = 'aa'.repeat(32)
const BOB = 'bb'.repeat(32)
const CAROL = 'cc'.repeat(32)

let next = 0
function row (fields: Partial<FoldableRow> & Pick<FoldableRow, 'kind' | 'senderIdentity' | 'lamport'>): FoldableRow {
  next++
  return { id: next.toString(16).padStart(32, '0'), text: '', target: null, ...fields }
}
const text = (sender: string, lamport: number, body: string): FoldableRow => row({ kind: 'text', senderIdentity: sender, lamport, text: body })
const on = (target: FoldableRow, kind: string, sender: string, lamport: number, body = ''): FoldableRow =>
  row({ kind, senderIdentity: sender, lamport, text: body, target: target.id })

describe('foldMessages', () => {
  it('returns only text and file messages, in display order, whatever order the rows come in', () => {
    const a = text(ALICE, 1, 'first')
    const b = text(BOB, 1, 'same clock, higher key')
    const c = text(ALICE, 2, 'third')
    const meta = row({ kind: 'group-meta', senderIdentity: ALICE, lamport: 3 })
    const folded = foldMessages([c, meta, b, a])
    expect(folded.map((f) => f.text)).toEqual(['first', 'same clock, higher key', 'third'])
    expect(folded.every((f) => !f.edited && !f.deleted && f.reactions.length === 0)).toBe(true)
  })

  it('shows the latest edit by the author, by Lamport clock and not by arrival', () => {
    const m = text(ALICE, 1, 'helo')
    const late = on(m, 'edit', ALICE, 5, 'hello!')
    const early = on(m, 'edit', ALICE, 3, 'hello')
    const [f] = foldMessages([m, late, early])
    expect(f).toMatchObject({ text: 'hello!', edited: true, deleted: false })
  })

  it('ignores an edit or delete from anyone but the author', () => {
    const m = text(ALICE, 1, 'mine')
    const [f] = foldMessages([m, on(m, 'edit', BOB, 2, 'forged'), on(m, 'delete', BOB, 3)])
    expect(f).toMatchObject({ text: 'mine', edited: false, deleted: false })
  })

  it('ignores an action that does not come after its target', () => {
    const m = text(ALICE, 4, 'original')
    const [f] = foldMessages([m, on(m, 'edit', ALICE, 4, 'backdated'), on(m, 'reaction', BOB, 2, '👍')])
    expect(f).toMatchObject({ text: 'original', edited: false, reactions: [] })
  })

  it('empties a deleted message, drops its reactions, and lets nothing undo the delete', () => {
    const m = text(ALICE, 1, 'oops')
    const [f] = foldMessages([m, on(m, 'reaction', BOB, 2, '😂'), on(m, 'delete', ALICE, 3), on(m, 'edit', ALICE, 4, 'back again')])
    expect(f).toMatchObject({ text: '', deleted: true, edited: false, reactions: [] })
  })

  it('keeps one reaction per account, the latest, and an empty one removes it', () => {
    const m = text(ALICE, 1, 'news')
    const rows = [
      m,
      on(m, 'reaction', BOB, 2, '👍'),
      on(m, 'reaction', CAROL, 3, '👍'),
      on(m, 'reaction', ALICE, 4, '🎉'),
      on(m, 'reaction', BOB, 5, '❤️'),
      on(m, 'reaction', ALICE, 6, '')
    ]
    const [f] = foldMessages(rows)
    expect(f!.reactions).toEqual([
      { emoji: '👍', identities: [CAROL] },
      { emoji: '❤️', identities: [BOB] }
    ])
  })

  it('groups several accounts on one emoji in the order they reacted', () => {
    const m = text(ALICE, 1, 'party')
    const [f] = foldMessages([m, on(m, 'reaction', CAROL, 2, '🎉'), on(m, 'reaction', BOB, 3, '🎉')])
    expect(f!.reactions).toEqual([{ emoji: '🎉', identities: [CAROL, BOB] }])
  })

  it('ignores actions on a message it was not given, and actions on rows that are neither text nor file', () => {
    const m = text(ALICE, 1, 'here')
    const meta = row({ kind: 'group-meta', senderIdentity: ALICE, lamport: 2 })
    const stray = row({ kind: 'reaction', senderIdentity: BOB, lamport: 3, text: '👍', target: 'ff'.repeat(16) })
    const folded = foldMessages([m, meta, on(meta, 'reaction', BOB, 4, '👍'), stray])
    expect(folded).toHaveLength(1)
    expect(folded[0]!.reactions).toEqual([])
  })

  it('folds actions into a file message as into a text: its caption edited, reactions, a delete', () => {
    const file = row({ kind: 'file', senderIdentity: ALICE, lamport: 1, text: 'the caption' })
    const [shown] = foldMessages([file, on(file, 'edit', ALICE, 2, 'a better caption'), on(file, 'reaction', BOB, 3, '🎉')])
    expect(shown).toMatchObject({ row: file, text: 'a better caption', edited: true, deleted: false, reactions: [{ emoji: '🎉', identities: [BOB] }] })
    const [deleted] = foldMessages([file, on(file, 'reaction', BOB, 3, '🎉'), on(file, 'delete', ALICE, 4), on(file, 'delete', BOB, 5)])
    expect(deleted).toMatchObject({ text: '', deleted: true, reactions: [] })
    // Only the author deletes a file, as a text.
    const [kept] = foldMessages([file, on(file, 'delete', BOB, 2)])
    expect(kept!.deleted).toBe(false)
  })

  it('ignores unknown kinds such as stored placeholders', () => {
    const m = text(ALICE, 1, 'keep')
    const [f] = foldMessages([m, on(m, 'ignored', ALICE, 2)])
    expect(f).toMatchObject({ text: 'keep', edited: false })
  })
})

describe('actsOn', () => {
  it('accepts a reaction from anyone and an edit from the author, after the target', () => {
    const m = text(ALICE, 1, 'x')
    expect(actsOn(on(m, 'reaction', BOB, 2, '👍'), m)).toBe(true)
    expect(actsOn(on(m, 'edit', ALICE, 2, 'y'), m)).toBe(true)
    expect(actsOn(on(m, 'edit', BOB, 2, 'y'), m)).toBe(false)
    expect(actsOn(on(m, 'delete', ALICE, 1), m)).toBe(false)
  })
})

describe('summarizeConversation', () => {
  it('counts others’ undeleted messages after the read position and picks the newest undeleted one', () => {
    const own = text(ALICE, 1, 'mine')
    const b1 = text(BOB, 2, 'read already')
    const b2 = text(BOB, 3, 'unread')
    const b3 = text(BOB, 4, 'unread, then deleted')
    const b4 = text(CAROL, 5, 'unread too')
    const gone = text(BOB, 6, 'deleted last')
    const folded = foldMessages([own, b1, b2, b3, b4, gone, on(b3, 'delete', BOB, 7), on(gone, 'delete', BOB, 8)])
    const s = summarizeConversation(folded, ALICE, 2)
    expect(s.unread.map((m) => m.text)).toEqual(['unread', 'unread too'])
    expect(s.last?.text).toBe('unread too')
  })

  it('has nothing unread and no last message in an empty conversation', () => {
    expect(summarizeConversation([], ALICE, 0)).toEqual({ unread: [], last: null })
  })

  it('shows the edited text as the last message', () => {
    const m = text(BOB, 1, 'typo')
    expect(summarizeConversation(foldMessages([m, on(m, 'edit', BOB, 2, 'fixed')]), ALICE, 1).last?.text).toBe('fixed')
  })
})

describe('readByAll', () => {
  it('needs every other account at or after the message', () => {
    expect(readByAll(5, [5, 9])).toBe(true)
    expect(readByAll(5, [4, 9])).toBe(false)
  })

  it('is false with nobody to read it', () => {
    expect(readByAll(1, [])).toBe(false)
  })
})

describe('compareDisplayOrder', () => {
  it('orders by Lamport clock, then sender, then id', () => {
    const a = { id: '02', kind: 'text', senderIdentity: BOB, text: '', target: null, lamport: 1 }
    const b = { ...a, id: '01', senderIdentity: CAROL }
    const c = { ...a, id: '01' }
    expect([b, a, c].sort(compareDisplayOrder)).toEqual([c, a, b])
  })
})
