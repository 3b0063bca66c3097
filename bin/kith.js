#!/usr/bin/env node
// Entry point of the `kith` command: runs the CLI bundle (build/node/kith.mjs, rebuilt first when a
// source changed: scripts/build-node.mjs) on the project's pinned Node (node_modules/node) when it
// is installed, so `npx kith` works without a separate build step.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ensureKithBundle } from '../scripts/build-node.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const pinned = join(root, 'node_modules/node/bin/node')
const node = existsSync(pinned) ? pinned : process.execPath
const bundle = await ensureKithBundle()
const result = spawnSync(node, ['--disable-warning=ExperimentalWarning', bundle, ...process.argv.slice(2)], { stdio: 'inherit' })
process.exit(result.status ?? 1)
