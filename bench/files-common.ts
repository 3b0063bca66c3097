/**
 * What bench/files.ts shares with its helper processes (files-worker.ts, files-peer-worker.ts),
 * apart from it: the helpers are bundled on their own and must not pull in the driver.
 */
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The baseline's protocol: the dialer writes a uint64be byte count, the listener writes that many bytes. */
export const RAW_PROTOCOL = '/kith-bench/raw/1.0.0'

/** A temporary directory prefix on tmpfs when there is one (the issue measures on tmpfs). */
export function benchTmp (prefix: string): string {
  return join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), prefix)
}
