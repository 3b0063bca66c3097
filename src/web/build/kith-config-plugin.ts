/**
 * A Vite plugin that reads `kith.config.json` (or the file `KITH_CONFIG` names) at build time,
 * checks it, and embeds it as `__KITH_CONFIG__` (read by `client/build-config.ts`). A malformed
 * file stops the build with a message naming the fault.
 */
import { existsSync, readFileSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import type { Plugin } from 'vite'
import { EMPTY_CONFIG, KithConfigError, parseKithConfig, type KithConfig } from '../client/kith-config.ts'

/** Where the configuration comes from: `KITH_CONFIG` if set (then the file must exist), else `kith.config.json` in `root`, if any. */
export function kithConfigPath (root: string, env: Readonly<Record<string, string | undefined>>): { path: string, required: boolean } {
  const named = env.KITH_CONFIG
  return named !== undefined && named !== '' ? { path: resolve(root, named), required: true } : { path: resolve(root, 'kith.config.json'), required: false }
}

/** Reads and checks the file; no file (when none is required) is the empty configuration. */
export function readKithConfig (path: string, required: boolean, shownAs = path): { config: KithConfig, warnings: string[] } {
  if (!existsSync(path)) {
    if (required) throw new KithConfigError(`${shownAs} does not exist (KITH_CONFIG names it)`)
    return { config: EMPTY_CONFIG, warnings: [] }
  }
  return parseKithConfig(readFileSync(path, 'utf8'), shownAs)
}

/** The plugin: `root` is the project root, where `kith.config.json` lives. */
export function kithConfig (root: string): Plugin {
  return {
    name: 'kith-config',
    config () {
      const { path, required } = kithConfigPath(root, process.env)
      const { config, warnings } = readKithConfig(path, required, relative(root, path) || path)
      for (const warning of warnings) console.error(`warning: ${warning}`)
      return { define: { __KITH_CONFIG__: JSON.stringify(config) } }
    }
  }
}
