/**
 * How tests run the `kith` command: Node's arguments for the CLI bundle that `kith` and `npm start`
 * run (build/node/kith.mjs, scripts/build-node.mjs), so the tests cover what ships. The bundle is
 * built, when a source changed, by test/global-setup.ts before any test file runs.
 */
import { join } from 'node:path'

export const KITH_CLI: readonly string[] = ['--disable-warning=ExperimentalWarning', join(import.meta.dirname, '../build/node/kith.mjs')]
