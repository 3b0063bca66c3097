/**
 * Writing a downloaded file out of the chunk store (Node): its chunks decrypted in order into
 * `NAME.kith-part` beside the output, synced, then renamed into place, so a crash, a full disk or a
 * pause never leaves a half-written file under the file's name.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { open, rename, rm, type FileHandle } from 'node:fs/promises'
import { dirname, extname, join } from 'node:path'
import type { ChunkStore } from '../core/files/chunk-store.ts'
import type { FileManifest } from '../core/files/manifest.ts'
import { readFilePlaintext } from '../core/files/sealed-file.ts'

/**
 * Decrypts the file's chunks from `chunks` into `out`. Throws what went wrong (an fs error such as
 * ENOSPC, a chunk that does not decrypt, or the signal's reason once it aborts), leaving no
 * temporary file behind.
 */
export async function writeOut (manifest: FileManifest, chunks: ChunkStore, out: string, signal: AbortSignal): Promise<void> {
  const tmp = `${out}.kith-part`
  let handle: FileHandle | undefined
  try {
    mkdirSync(dirname(out), { recursive: true })
    handle = await open(tmp, 'w', 0o600)
    for await (const plaintext of readFilePlaintext(manifest, chunks)) {
      signal.throwIfAborted()
      await handle.write(plaintext)
    }
    await handle.sync()
    await handle.close()
    handle = undefined
    await rename(tmp, out)
  } catch (err) {
    await handle?.close().catch(() => {})
    await rm(tmp, { force: true })
    throw err
  }
}

/** `dir/name`, or `dir/name (2).ext` and so on when that exists. */
export function freePath (dir: string, name: string): string {
  const ext = extname(name)
  const stem = name.slice(0, name.length - ext.length)
  for (let i = 1; ; i++) {
    const candidate = join(dir, i === 1 ? name : `${stem} (${i})${ext}`)
    if (!existsSync(candidate) && !existsSync(`${candidate}.kith-part`)) return candidate
  }
}
