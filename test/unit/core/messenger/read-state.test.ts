import { describe, expect, it } from 'vitest'
import { fromUtf8 } from '../../../../src/core/bytes.ts'
import { ReadState } from '../../../../src/core/messenger/read-state.ts'
import type { Store, Write } from '../../../../src/core/messenger/store.ts'

/** A store holding only `meta`, counting reads so the cache can be seen working. */
function metaStore (): { store: Store, meta: Map<string, Uint8Array>, reads: () => number, apply: (w: Write[]) => void } {
  const meta = new Map<string, Uint8Array>()
  let reads = 0
  const store = {
    getMeta: async (key: string) => { reads++; return meta.get(key) }
  } as unknown as Store
  const apply = (writes: Write[]): void => {
    for (const w of writes) if (w.kind === 'meta') meta.set(w.key, w.value)
  }
  return { store, meta, reads: () => reads, apply }
}

describe('ReadState', () => {
  it('has read receipts on by default and remembers turning them off', async () => {
    const { store, apply } = metaStore()
    const state = new ReadState(store)
    expect(await state.readReceipts()).toBe(true)
    const w = [state.readReceiptsWrite(false)]
    apply(w)
    state.applied(w)
    expect(await state.readReceipts()).toBe(false)
    expect(await new ReadState(store).readReceipts()).toBe(false)
  })

  it('stores positions under the documented keys as decimal text', async () => {
    const { store, meta, apply } = metaStore()
    const state = new ReadState(store)
    const writes = [state.ownPositionWrite('g1', 42), state.peerPositionWrite('g1', 'bob', 7)]
    apply(writes)
    state.applied(writes)
    expect(fromUtf8(meta.get('read.g1')!)).toBe('42')
    expect(fromUtf8(meta.get('receipt.g1.bob')!)).toBe('7')
    expect(await state.ownPosition('g1')).toBe(42)
    expect(await state.peerPosition('g1', 'bob')).toBe(7)
    expect(await state.peerPosition('g1', 'carol')).toBe(0)
  })

  it('reads each key from the store once, then from memory', async () => {
    const { store, reads } = metaStore()
    const state = new ReadState(store)
    await state.ownPosition('g')
    await state.ownPosition('g')
    expect(reads()).toBe(1)
  })

  it('treats a damaged value as nothing read', async () => {
    const { store, meta } = metaStore()
    meta.set('read.g', new TextEncoder().encode('-3'))
    expect(await new ReadState(store).ownPosition('g')).toBe(0)
  })
})
