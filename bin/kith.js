#!/usr/bin/env node
// Entry point of the `kith` command: runs the TypeScript CLI through tsx, on the project's pinned
// Node (node_modules/node) when it is installed, so `npx kith` works without a build step.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const main = join(root, 'src/node/cli/main.ts')
const pinned = join(root, 'node_modules/node/bin/node')
const node = existsSync(pinned) ? pinned : process.execPath
const tsx = import.meta.resolve('tsx')
const result = spawnSync(node, ['--disable-warning=ExperimentalWarning', '--import', tsx, main, ...process.argv.slice(2)], { stdio: 'inherit' })
process.exit(result.status ?? 1)
