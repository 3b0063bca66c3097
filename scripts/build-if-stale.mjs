#!/usr/bin/env node
// Builds the browser app into dist/ when it is missing or older than any source it is built from
// (src/web, src/core, src/net, src/store, vite.config.ts, package-lock.json, and kith.config.json or
// the file KITH_CONFIG names). Used by `npm start`.
import { spawnSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { newest } from './build-node.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const stamp = join(root, 'dist/index.html')

const config = process.env.KITH_CONFIG ? resolve(root, process.env.KITH_CONFIG) : join(root, 'kith.config.json')
const sources = ['src/web', 'src/core', 'src/net', 'src/store', 'vite.config.ts', 'package-lock.json'].map((p) => join(root, p)).concat(config)
const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0
if (built > 0 && sources.every((p) => newest(p) <= built)) process.exit(0)
console.error(built === 0 ? 'Building the web app (first start)…' : 'Sources changed since the last build; rebuilding the web app…')
const result = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' })
process.exit(result.status ?? 1)
