/**
 * A Vite plugin that finishes the service worker (`sw.js`): it prepends the precache list (every
 * file of the build, and the public files the page itself loads) and a version hash of their
 * contents, so each build gets a new `sw.js` and browsers update it. The service worker's own
 * code is a normal entry of the build (`vite.config.ts`).
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { Plugin } from 'vite'
import type { PrecacheManifest } from '../sw/shell-routes.ts'

/** Public files the page loads at start (icons, manifest); large PNGs for installs are left to the network. */
const PUBLIC_PRECACHED = /\.(?:svg|webmanifest)$/

/** Options of {@link precacheServiceWorker}. */
export interface PrecacheOptions {
  /** The service worker's output file name (an entry of the build). */
  readonly fileName: string
}

/** The plugin; runs after Vite has written index.html into the bundle. */
export function precacheServiceWorker (options: PrecacheOptions): Plugin {
  let publicDir = ''
  return {
    name: 'kith-precache-service-worker',
    apply: 'build',
    enforce: 'post',
    configResolved (config) { publicDir = config.publicDir },
    generateBundle (_options, bundle) {
      const worker = bundle[options.fileName]
      if (worker === undefined || worker.type !== 'chunk') {
        this.error(`the build has no ${options.fileName} entry; add src/web/sw/service-worker.ts to build.rolldownOptions.input`)
      }
      const contents = new Map<string, string | Uint8Array>()
      for (const [fileName, output] of Object.entries(bundle)) {
        if (fileName === options.fileName || fileName.endsWith('.map')) continue
        contents.set(fileName, output.type === 'chunk' ? output.code : output.source)
      }
      if (publicDir !== '') {
        for (const name of readdirSync(publicDir)) {
          const path = join(publicDir, name)
          if (PUBLIC_PRECACHED.test(name) && statSync(path).isFile()) contents.set(name, readFileSync(path))
        }
      }
      const files = [...contents.keys()].sort()
      const hash = createHash('sha256')
      for (const file of files) hash.update(file).update('\0').update(contents.get(file)!).update('\0')
      const manifest: PrecacheManifest = { version: hash.digest('hex').slice(0, 16), files }
      worker.code = `self.KITH_PRECACHE=${JSON.stringify(manifest)};\n${worker.code}`
    }
  }
}
