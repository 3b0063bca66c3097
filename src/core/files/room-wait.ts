/**
 * Downloads paused because the disk, a file quota or the browser's storage was full, and which of
 * them may go on (docs/ARCHITECTURE.md, "Files"): one goes on once there is the room it needs (two
 * more of its chunks while it fetches, {@link roomForChunks}; the whole file when a Node device
 * could not write the finished file out), each one set off takes that room from the next, and one
 * that paused again at once
 * (the room was less than it looked: inodes ran out, a storage estimate was off) waits twice as
 * long before its next try, up to {@link MAX_ROOM_WAIT_MS}. Node and the page each measure the room
 * their own way and ask this which downloads to set off.
 */
import { TAG_LENGTH } from './constants.ts'

/** How often downloads paused for want of room look whether there is room again (by default). */
export const ROOM_CHECK_MS = 3_000
/** The longest wait between two tries of a download that paused for want of room again right away. */
export const MAX_ROOM_WAIT_MS = 5 * 60_000

/** A download waiting for room, with the bytes it needs (undefined when its offer cannot be read). */
export interface WaitingForRoom {
  readonly id: string
  readonly needed: number | undefined
}

/** The room a download that fetches chunks of `chunkSize` bytes waits for: two more of them, tags included. */
export function roomForChunks (chunkSize: number): number {
  return 2 * (chunkSize + TAG_LENGTH)
}

/** The tries of the downloads waiting for room. */
export class RoomWait {
  /** Per download: when it may next be tried, and the wait after that. */
  private readonly tries = new Map<string, { at: number, delay: number }>()

  constructor (private readonly firstDelayMs = ROOM_CHECK_MS) {}

  /** Of `waiting`, those to set off now that there are `room` bytes free; each counts as tried. */
  due (waiting: readonly WaitingForRoom[], room: number, now: number): string[] {
    const out: string[] = []
    for (const { id, needed = Infinity } of waiting) {
      const tries = this.tries.get(id) ?? { at: 0, delay: this.firstDelayMs }
      if (room < needed || now < tries.at) continue
      this.tries.set(id, { at: now + tries.delay, delay: Math.min(MAX_ROOM_WAIT_MS, tries.delay * 2) })
      room -= needed
      out.push(id)
    }
    return out
  }

  /** The download completed, or the person took it in hand: its next wait for room starts afresh. */
  forget (id: string): void {
    this.tries.delete(id)
  }
}
