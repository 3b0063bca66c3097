import { describe, expect, it } from 'vitest'
import { OutboxMemory, type QueuedFrame } from '../../../../src/core/messenger/outbox-memory.ts'

function frame (rowId: number, messageId: string | null = `m${rowId}`): QueuedFrame {
  return { rowId, frame: new Uint8Array([rowId]), messageId, groupId: 'g' }
}

const ids = (frames: QueuedFrame[] | undefined): number[] | undefined => frames?.map((f) => f.rowId)

describe('OutboxMemory', () => {
  it('knows nothing of a peer until a store read reaches the end of its queue', () => {
    const memory = new OutboxMemory()
    memory.add('p', frame(1))
    expect(memory.next('p', 0, 10)).toBeUndefined()
    // A read that filled its limit may have left frames on disk: still the store's to say.
    memory.readFromStore('p', 0, 2, [frame(1), frame(2)], memory.beginRead())
    expect(memory.next('p', 2, 10)).toBeUndefined()
    memory.readFromStore('p', 0, 10, [frame(1), frame(2)], memory.beginRead())
    expect(ids(memory.next('p', 2, 10))).toEqual([])
  })

  it('then serves frames queued later, in order and up to the limit, without the store', () => {
    const memory = new OutboxMemory()
    memory.readFromStore('p', 0, 10, [frame(1)], memory.beginRead())
    memory.add('p', frame(2))
    memory.add('p', frame(3))
    memory.add('q', frame(4))
    expect(ids(memory.next('p', 1, 10))).toEqual([2, 3])
    expect(ids(memory.next('p', 2, 10))).toEqual([3])
    expect(ids(memory.next('p', 1, 1))).toEqual([2])
    expect(memory.next('q', 0, 10)).toBeUndefined()
  })

  it('sends a read that starts before what it covers to the store', () => {
    const memory = new OutboxMemory()
    memory.readFromStore('p', 5, 10, [frame(6)], memory.beginRead())
    memory.add('p', frame(7))
    expect(memory.next('p', 0, 10)).toBeUndefined()
    expect(ids(memory.next('p', 6, 10))).toEqual([7])
  })

  it('does not trust a store read that a frame was queued during', () => {
    const memory = new OutboxMemory()
    const token = memory.beginRead()
    memory.add('p', frame(2))
    memory.readFromStore('p', 0, 10, [frame(1)], token)
    expect(memory.next('p', 1, 10)).toBeUndefined()
  })

  it('forgets settled frames and every frame of a dropped message', () => {
    const memory = new OutboxMemory()
    memory.readFromStore('p', 0, 10, [], memory.beginRead())
    memory.readFromStore('q', 0, 10, [], memory.beginRead())
    for (const f of [frame(1, 'a'), frame(2, 'b'), frame(3, 'c')]) memory.add('p', f)
    memory.add('q', frame(4, 'b'))
    memory.settled('p', new Set([1]))
    expect(ids(memory.next('p', 0, 10))).toEqual([2, 3])
    memory.dropMessage('b')
    expect(ids(memory.next('p', 0, 10))).toEqual([3])
    expect(ids(memory.next('q', 0, 10))).toEqual([])
  })

  it('gives a peer back to the store once it holds too many frames', () => {
    const memory = new OutboxMemory()
    memory.readFromStore('p', 0, 10, [], memory.beginRead())
    for (let i = 1; i <= 5000; i++) memory.add('p', frame(i))
    expect(memory.next('p', 0, 10)).toBeUndefined()
  })
})
