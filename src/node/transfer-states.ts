/**
 * This device's transfer of each file it took up (Node): downloading, paused, done or failed, with
 * where it is saved and why it waits. Kept in one JSON file (`files/transfers.json`), written
 * afresh and renamed over the old one, so a crash leaves one or the other.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

/** A transfer's state: `offered` is every file no transfer was started for. */
export type TransferState = 'offered' | 'downloading' | 'paused' | 'done' | 'failed'

/** What is kept of one transfer. */
export interface Saved {
  state: Exclude<TransferState, 'offered'>
  out?: string
  error?: string
  /** Paused because the disk or the file quota was full: it goes on by itself once there is room. */
  full?: boolean
  /** With `full`: every chunk is held, and the disk of `out` had no room for the file. */
  saving?: boolean
}

/** The transfer states in `path`, by file id; none if it is missing or unreadable. */
export function loadTransferStates (path: string): Map<string, Saved> {
  try {
    return new Map(Object.entries(JSON.parse(readFileSync(path, 'utf8')) as Record<string, Saved>))
  } catch {
    return new Map()
  }
}

/** Writes the states: a new file renamed over the old, so a crash leaves one or the other. */
export function saveTransferStates (path: string, states: ReadonlyMap<string, Saved>): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  const tmp = `${path}.${randomBytes(4).toString('hex')}`
  writeFileSync(tmp, JSON.stringify(Object.fromEntries(states), null, 1), { mode: 0o600 })
  renameSync(tmp, path)
}
