/** Vitest's global setup: builds the `kith` CLI bundle the tests run (test/kith-cli.ts) when it is stale. */
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'

export default function setup (): void {
  execFileSync(process.execPath, [join(import.meta.dirname, '../scripts/build-node.mjs')], { stdio: 'inherit' })
}
