import { describe, expect, it } from 'vitest'
import { SummaryCache } from '../../../../src/core/messenger/conversation-summary.ts'
import { ReadState } from '../../../../src/core/messenger/read-state.ts'
import type { MessageView, Store } from '../../../../src/core/messenger/store.ts'

const ME = 'aa'.repeat(32)
const BOB = 'bb'.repeat(32)

let n = 0
function message (sender: string, lamport: number, text: string, extra: Partial<MessageView> = {}): MessageView {
  n++
  return {
    id: n.toString(16).padStart(32, '0'), groupId: 'g', senderIdentity: sender, senderDevice: 'd', own: sender === ME, kind: 'text', text,
    target: null, seq: n, lamport, sentAt: lamport, receivedAt: lamport, epoch: 0, recipients: 1, needsSend: false, gap: false, acknowledged: 0, ...extra
  }
}

/** A store with a message table and a read position of 1 in conversation g, counting history reads. */
function fakeStore (rows: MessageView[]): { store: Store, folds: () => number } {
  let folds = 0
  const store = {
    listMessages: async () => { folds++; return [...rows] },
    getMeta: async (key: string) => key === 'read.g' ? new TextEncoder().encode('1') : undefined
  } as unknown as Store
  return { store, folds: () => folds }
}

describe('SummaryCache', () => {
  it('folds once, then counts new messages without reading history again', async () => {
    const rows = [message(ME, 1, 'mine'), message(BOB, 2, 'unread')]
    const { store, folds } = fakeStore(rows)
    const cache = new SummaryCache({ store, reads: new ReadState(store), identity: ME })
    expect((await cache.get('g')).unread.size).toBe(1)
    const next = message(BOB, 3, 'newer')
    rows.push(next)
    await cache.noteNewText(next)
    await cache.noteNewText(next)
    const s = await cache.get('g')
    expect(s.unread.size).toBe(2)
    expect(s.last?.text).toBe('newer')
    expect(folds()).toBe(1)
  })

  it('does not count own messages or ones at or before the read position', async () => {
    const { store } = fakeStore([])
    const cache = new SummaryCache({ store, reads: new ReadState(store), identity: ME })
    await cache.get('g')
    await cache.noteNewText(message(ME, 5, 'mine'))
    await cache.noteNewText(message(BOB, 1, 'late but old'))
    const s = await cache.get('g')
    expect(s.unread.size).toBe(0)
    expect(s.last?.text).toBe('mine')
  })

  it('folds again after an invalidation, seeing a delete', async () => {
    const target = message(BOB, 2, 'oops')
    const rows = [target]
    const { store } = fakeStore(rows)
    const cache = new SummaryCache({ store, reads: new ReadState(store), identity: ME })
    expect((await cache.get('g')).last?.text).toBe('oops')
    rows.push(message(BOB, 3, '', { kind: 'delete', target: target.id }))
    cache.invalidate('g')
    expect(await cache.get('g')).toMatchObject({ last: null })
    expect((await cache.get('g')).unread.size).toBe(0)
  })

  it('shows a file message as the newest and counts it unread; a later call is the newest but never unread', async () => {
    const rows = [message(BOB, 2, 'hello'), message(BOB, 3, 'the plan', { kind: 'file' })]
    const { store } = fakeStore(rows)
    const cache = new SummaryCache({ store, reads: new ReadState(store), identity: ME })
    const s = await cache.get('g')
    expect(s.last).toMatchObject({ kind: 'file', text: 'the plan' })
    expect(s.unread.size).toBe(2)
    rows.push(message(BOB, 4, '{"direction":"incoming","video":false,"outcome":"missed","durationMs":0}', { kind: 'call' }))
    cache.invalidate('g')
    expect((await cache.get('g')).last).toMatchObject({ kind: 'call' })
    expect((await cache.get('g')).unread.size).toBe(2)
    // A file arriving later is counted like a text.
    const next = message(BOB, 5, '', { kind: 'file' })
    await cache.noteNewText(next)
    expect((await cache.get('g')).last?.id).toBe(next.id)
    expect((await cache.get('g')).unread.size).toBe(3)
  })
})
