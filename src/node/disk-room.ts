/**
 * How much room the downloads paused for want of it have (docs/ARCHITECTURE.md, "Files"): one
 * that fetches needs room in the chunk store's quota and on the store's disk, one whose finished
 * file could not be written out needs room for all of it on the disk of its path. Each disk
 * (`stat().dev`) is measured once, and what one download is given there the next does not see: the
 * downloads directory is usually on the store's disk. `RoomWait` (core) says which may go.
 */
import { existsSync } from 'node:fs'
import { stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { RoomWait, WaitingForRoom } from '../core/files/room-wait.ts'
import { describeError } from '../core/errors.ts'
import { freeBytesAt } from '../store/chunks.node.ts'

/** The chunk store, as far as its room goes. */
export interface StoreRoom {
  readonly dir: string
  readonly quotaBytes: number
  readonly usedBytes: number
}

/** Downloads waiting for room: those that fetch, and those that write a finished file out, by its path. */
export interface WaitingDownloads {
  readonly fetching: readonly WaitingForRoom[]
  readonly saving: ReadonlyArray<WaitingForRoom & { readonly out: string }>
}

/**
 * The downloads to set off now, each counted as tried in `wait`. A disk whose room cannot be
 * measured is skipped, with a line in `log`.
 */
export async function dueForRoom (waiting: WaitingDownloads, store: StoreRoom, wait: RoomWait, now: number, log: (line: string) => void): Promise<string[]> {
  const free = new Map<number, number>()
  /** Gives the downloads `items` due on the disk holding `dir` (at most `limit` bytes of it). */
  const give = async (dir: string, items: readonly WaitingForRoom[], limit = Infinity): Promise<string[]> => {
    let dev: number
    try {
      dev = (await stat(dir)).dev
      if (!free.has(dev)) free.set(dev, await freeBytesAt(dir))
    } catch (err) {
      log(`cannot tell whether the disk of ${dir} has room: ${describeError(err)}`)
      return []
    }
    const due = wait.due(items, Math.min(limit, free.get(dev)!), now)
    free.set(dev, free.get(dev)! - items.filter((w) => due.includes(w.id)).reduce((n, w) => n + (w.needed ?? 0), 0))
    return due
  }
  const due: string[] = []
  if (waiting.fetching.length > 0) due.push(...await give(store.dir, waiting.fetching, store.quotaBytes - store.usedBytes))
  const byDir = new Map<string, WaitingForRoom[]>()
  for (const w of waiting.saving) {
    const dir = existingAncestor(dirname(w.out))
    byDir.set(dir, [...byDir.get(dir) ?? [], w])
  }
  for (const [dir, items] of byDir) due.push(...await give(dir, items))
  return due
}

/** `dir` if it exists, else its nearest ancestor that does (the disk it would be made on). */
function existingAncestor (dir: string): string {
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir)
  return dir
}
