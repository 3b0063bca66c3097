#!/usr/bin/env node
// Bundles the Node peer and CLI (src/node/cli/main.ts and what it imports from src/) into
// build/node/kith.mjs with esbuild, when it is missing or older than any source it is built from.
// The `kith` command and `npm start` run that file on plain Node: without tsx compiling TypeScript
// in the process, a daemon starts faster and holds about 70 MiB less memory (docs/ARCHITECTURE.md
// "Running the Node peer"). Packages stay in node_modules (not bundled). `--force` rebuilds.
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
/** The bundle. Two levels below the root, as src/node/web-server.ts is: it finds dist/ from there. */
export const KITH_BUNDLE = join(root, 'build/node/kith.mjs')

/** The newest modification time of `path` or anything under it (0 when it does not exist). */
export function newest (path) {
  if (!existsSync(path)) return 0
  const s = statSync(path)
  if (!s.isDirectory()) return s.mtimeMs
  let max = s.mtimeMs
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)))
  return max
}

/** True when the bundle is missing or a source is newer than it. */
export function bundleIsStale () {
  const built = existsSync(KITH_BUNDLE) ? statSync(KITH_BUNDLE).mtimeMs : 0
  const sources = ['src/node', 'src/core', 'src/net', 'src/store', 'package-lock.json', 'scripts/build-node.mjs'].map((p) => join(root, p))
  return built === 0 || sources.some((p) => newest(p) > built)
}

/**
 * Bundles `entry` (a TypeScript file under the root) into `outfile`. Written to a temporary file
 * and renamed, so that a process starting meanwhile never runs half a bundle.
 */
export async function bundleNode (entry, outfile) {
  const { build } = await import('esbuild')
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    packages: 'external',
    write: false,
    outfile,
    logLevel: 'warning'
  })
  mkdirSync(dirname(outfile), { recursive: true })
  for (const file of result.outputFiles) {
    const tmp = `${file.path}.${process.pid}.tmp`
    writeFileSync(tmp, file.contents)
    renameSync(tmp, file.path)
  }
}

/** Builds the `kith` bundle when it is stale; returns its path. */
export async function ensureKithBundle (force = false) {
  if (force || bundleIsStale()) await bundleNode(join(root, 'src/node/cli/main.ts'), KITH_BUNDLE)
  return KITH_BUNDLE
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await ensureKithBundle(process.argv.includes('--force'))
