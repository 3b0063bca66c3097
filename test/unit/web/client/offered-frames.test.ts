/**
 * The page's copy of offered frames answers the delivery service only when the answer is exactly
 * what the worker's outbox would give; otherwise it says so and the page asks the worker.
 */
import { describe, expect, it } from 'vitest'
import { OfferedFrames, type OfferedFrame } from '../../../../src/web/client/offered-frames.ts'

const frame = (rowId: number, after: number | null, messageId: string | null = `m${rowId}`): OfferedFrame =>
  ({ rowId, frame: Uint8Array.of(rowId), messageId, after })
const rows = (frames: ReadonlyArray<{ rowId: number }> | undefined): number[] | undefined => frames?.map((f) => f.rowId)

describe('OfferedFrames', () => {
  it('leaves the first frames of a session, and any peer it knows nothing of, to the worker', () => {
    const offered = new OfferedFrames()
    expect(offered.take('bob', 0, 10)).toBeUndefined()
    offered.add('bob', [frame(7, null)])
    // Older frames may be queued from before this session: only the worker's store knows.
    expect(offered.take('bob', 0, 10)).toBeUndefined()
  })

  it('gives the chain of frames that follows the last one sent, up to the limit', () => {
    const offered = new OfferedFrames()
    offered.add('bob', [frame(7, null)])
    offered.add('bob', [frame(9, 7), frame(10, 9)])
    offered.add('bob', [frame(12, 10)])
    expect(rows(offered.take('bob', 7, 2))).toEqual([9, 10])
    expect(rows(offered.take('bob', 10, 10))).toEqual([12])
    expect(offered.take('bob', 10, 10)?.[0]?.frame).toEqual(Uint8Array.of(12))
    // Everything offered was handed over: nothing more, without asking the worker.
    expect(offered.take('bob', 12, 10)).toEqual([])
    expect(offered.take('carol', 12, 10)).toBeUndefined()
  })

  it('asks the worker when the delivery service starts over from an earlier row', () => {
    const offered = new OfferedFrames()
    offered.add('bob', [frame(7, null), frame(8, 7)])
    expect(rows(offered.take('bob', 7, 10))).toEqual([8])
    // After a failed stream the sender resends everything unsettled, from the store.
    expect(offered.take('bob', 0, 10)).toBeUndefined()
  })

  it('does not send a withdrawn message, and leaves what follows it to the worker', () => {
    const offered = new OfferedFrames()
    offered.add('bob', [frame(7, null)])
    offered.add('bob', [frame(8, 7, 'typing-1')])
    offered.add('bob', [frame(9, 8, 'typing-2')])
    offered.withdraw('typing-1')
    expect(offered.take('bob', 7, 10)).toBeUndefined()
    offered.withdraw('typing-2')
    expect(offered.take('bob', 7, 10)).toBeUndefined()
  })

  it('stops a chain at a gap, where a frame was forgotten', () => {
    const offered = new OfferedFrames()
    offered.add('bob', [frame(7, null), frame(8, 7), frame(9, 8), frame(10, 9)])
    offered.withdraw('m9')
    expect(rows(offered.take('bob', 7, 10))).toEqual([8])
    expect(offered.take('bob', 8, 10)).toBeUndefined()
  })

  it('keeps a bounded number of frames per peer, forgetting the oldest', () => {
    const offered = new OfferedFrames()
    offered.add('bob', [frame(1, null)])
    const many = Array.from({ length: 5000 }, (_, i) => frame(i + 2, i + 1))
    offered.add('bob', many)
    expect(offered.take('bob', 1, 10)).toBeUndefined()
    expect(rows(offered.take('bob', 4999, 3))).toEqual([5000, 5001])
  })

  it('forgets the peers offered to least recently once it holds too many frames in all', () => {
    const offered = new OfferedFrames()
    const peers = Array.from({ length: 10 }, (_, i) => `peer-${i}`)
    // Each offline member of a large group gets every message: 10 x 1000 frames.
    for (const [p, peer] of peers.entries()) {
      offered.add(peer, [frame(p * 10_000, null)])
      offered.add(peer, Array.from({ length: 999 }, (_, i) => frame(p * 10_000 + i + 1, p * 10_000 + i)))
    }
    expect(offered.take('peer-0', 0, 10)).toBeUndefined()
    expect(offered.take('peer-0', 1, 10)).toBeUndefined()
    // The latest peers keep theirs.
    expect(rows(offered.take('peer-9', 90_000, 2))).toEqual([90_001, 90_002])
    expect(rows(offered.take('peer-6', 60_500, 1))).toEqual([60_501])
  })
})
