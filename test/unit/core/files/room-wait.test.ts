import { describe, expect, it } from 'vitest'
import { MAX_ROOM_WAIT_MS, RoomWait, roomForChunks } from '../../../../src/core/files/room-wait.ts'

const MiB = 1024 * 1024
/** Room for two chunks of 1 MiB (each with its 16-byte tag). */
const TWO = 2 * (MiB + 16)

describe('RoomWait', () => {
  it('sets a download off once there is room for two of its chunks, and not before', () => {
    const w = new RoomWait(1000)
    expect(w.due([{ id: 'a', needed: roomForChunks(MiB) }], TWO - 1, 0)).toEqual([])
    expect(w.due([{ id: 'a', needed: roomForChunks(MiB) }], TWO, 0)).toEqual(['a'])
  })

  it('takes the room of each one set off from the next, and skips one whose offer is unreadable', () => {
    const w = new RoomWait(1000)
    const waiting = [{ id: 'x', needed: undefined }, { id: 'a', needed: roomForChunks(MiB) }, { id: 'b', needed: roomForChunks(MiB) }, { id: 'c', needed: roomForChunks(MiB) }]
    expect(w.due(waiting, 2 * TWO + 5, 0)).toEqual(['a', 'b'])
  })

  it('counts the room of two chunks with their tags', () => {
    expect(roomForChunks(MiB)).toBe(TWO)
  })

  it('waits twice as long before each next try, up to the most, and starts afresh once forgotten', () => {
    const w = new RoomWait(1000)
    const a = [{ id: 'a', needed: roomForChunks(MiB) }]
    expect(w.due(a, TWO, 0)).toEqual(['a'])
    expect(w.due(a, TWO, 999)).toEqual([])
    expect(w.due(a, TWO, 1000)).toEqual(['a'])
    expect(w.due(a, TWO, 2999)).toEqual([])
    expect(w.due(a, TWO, 3000)).toEqual(['a'])
    let now = 3000
    let wait = 4000
    for (let i = 0; i < 20; i++) {
      now += wait
      expect(w.due(a, TWO, now)).toEqual(['a'])
      wait = Math.min(MAX_ROOM_WAIT_MS, wait * 2)
    }
    expect(w.due(a, TWO, now + MAX_ROOM_WAIT_MS - 1)).toEqual([])
    expect(w.due(a, TWO, now + MAX_ROOM_WAIT_MS)).toEqual(['a'])
    w.forget('a')
    expect(w.due(a, TWO, now + MAX_ROOM_WAIT_MS + 1)).toEqual(['a'])
    expect(w.due(a, TWO, now + MAX_ROOM_WAIT_MS + 1001)).toEqual(['a'])
  })
})
