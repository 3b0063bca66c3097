/**
 * Handing a finished file to the person without holding it in memory: decrypted chunk by chunk
 * into an OPFS file (a disk-backed `File`), or written chunk by chunk to the file they pick in the
 * browser's save picker (PROTOCOL.md §9.8).
 */
import type { ChunkStore } from '../../core/files/chunk-store.ts'
import { fileIdHex, type FileManifest } from '../../core/files/manifest.ts'
import { readFilePlaintext } from '../../core/files/sealed-file.ts'

/** Where decrypted copies of files opened or saved are kept, in OPFS. */
const PLAIN_DIR = 'kith-plain'

async function opfsRoot (): Promise<FileSystemDirectoryHandle | null> {
  try {
    return navigator.storage?.getDirectory === undefined ? null : await navigator.storage.getDirectory()
  } catch {
    return null
  }
}

/** Writes the file's plaintext to `writable` chunk by chunk, and closes it; aborts it on failure. */
async function writePlaintext (manifest: FileManifest, store: ChunkStore, writable: FileSystemWritableFileStream): Promise<void> {
  try {
    for await (const part of readFilePlaintext(manifest, store)) await writable.write(part as Uint8Array<ArrayBuffer>)
    await writable.close()
  } catch (err) {
    await writable.abort().catch(() => {})
    throw err
  }
}

/**
 * The whole plaintext of a finished file as a disk-backed `File` (decrypted into OPFS once, then
 * reused), or, without OPFS, a Blob of the decrypted chunks.
 */
export async function plaintextFile (manifest: FileManifest, store: ChunkStore): Promise<File> {
  const root = await opfsRoot()
  if (root !== null) {
    const dir = await root.getDirectoryHandle(PLAIN_DIR, { create: true })
    const handle = await dir.getFileHandle(fileIdHex(manifest.fileId), { create: true })
    if ((await handle.getFile()).size !== manifest.size) await writePlaintext(manifest, store, await handle.createWritable())
    return new File([await handle.getFile()], manifest.name, { type: manifest.mimeType })
  }
  const parts: BlobPart[] = []
  for await (const part of readFilePlaintext(manifest, store)) parts.push(part as Uint8Array<ArrayBuffer>)
  return new File(parts, manifest.name, { type: manifest.mimeType })
}

/**
 * Saves a finished file where the person chooses: through the File System Access API when the
 * browser has a save picker and a person to answer it (not under WebDriver), else as an ordinary
 * download of {@link plaintextFile}.
 */
export async function saveFile (manifest: FileManifest, store: ChunkStore): Promise<void> {
  const picker = (globalThis as { showSaveFilePicker?: (o: { suggestedName: string }) => Promise<FileSystemFileHandle> }).showSaveFilePicker
  if (picker !== undefined && !navigator.webdriver) {
    let handle: FileSystemFileHandle
    try {
      handle = await picker({ suggestedName: manifest.name })
    } catch (err) {
      if ((err as Error).name === 'AbortError') return
      throw err
    }
    await writePlaintext(manifest, store, await handle.createWritable())
    return
  }
  const url = URL.createObjectURL(await plaintextFile(manifest, store))
  const a = document.createElement('a')
  a.href = url
  a.download = manifest.name
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => { URL.revokeObjectURL(url) }, 60_000)
}
