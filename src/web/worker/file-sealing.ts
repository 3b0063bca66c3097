/**
 * Sealing a file the person attached, in the messenger worker: the `File` the page handed over is
 * read in slices (never whole), each chunk encrypted with WebCrypto and stored in the browser chunk
 * store, which the page's file service then serves. Images also get a small JPEG thumbnail, made
 * here with an OffscreenCanvas and encrypted into the offer. Loaded by dynamic import on the first
 * file sent, so none of it weighs on start-up.
 */
import type { FileManifest } from '../../core/files/manifest.ts'
import { MAX_THUMBNAIL_SIZE } from '../../core/files/constants.ts'
import { sealFile } from '../../core/files/sealed-file.ts'
import { BrowserChunkStore } from '../../store/chunks.browser.ts'

/** Longest side of a thumbnail, in pixels. */
const THUMBNAIL_SIDE = 320
/** A file the person gave no type gets the generic binary type. */
const DEFAULT_MIME = 'application/octet-stream'

let store: Promise<BrowserChunkStore> | undefined

/** The worker's handle on the chunk store the page serves from. */
async function chunkStore (): Promise<BrowserChunkStore> {
  store ??= BrowserChunkStore.open()
  return await store
}

/**
 * A small JPEG of an image, at most {@link THUMBNAIL_SIDE} pixels on its longer side and
 * {@link MAX_THUMBNAIL_SIZE} bytes, or undefined for what the browser cannot decode as an image.
 * `preview` is a frame the page drew (a video's first frame), used instead of the file.
 */
export async function makeThumbnail (file: Blob, preview?: Blob): Promise<{ type: string, bytes: Uint8Array } | undefined> {
  const source = preview ?? file
  if (!source.type.startsWith('image/') || typeof OffscreenCanvas === 'undefined') return undefined
  let bitmap: ImageBitmap
  try {
    bitmap = await createImageBitmap(source)
  } catch {
    return undefined
  }
  try {
    const scale = Math.min(1, THUMBNAIL_SIDE / Math.max(bitmap.width, bitmap.height))
    const canvas = new OffscreenCanvas(Math.max(1, Math.round(bitmap.width * scale)), Math.max(1, Math.round(bitmap.height * scale)))
    const context = canvas.getContext('2d')
    if (context === null) return undefined
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height)
    for (const quality of [0.8, 0.6, 0.4, 0.25]) {
      const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality })
      if (blob.size <= MAX_THUMBNAIL_SIZE) return { type: 'image/jpeg', bytes: new Uint8Array(await blob.arrayBuffer()) }
    }
    return undefined
  } finally {
    bitmap.close()
  }
}

/** Seals `file` into the chunk store (fresh key and id, PROTOCOL.md §9) and returns its manifest. */
export async function sealBrowserFile (file: File, preview?: Blob): Promise<FileManifest> {
  const thumbnail = await makeThumbnail(file, preview)
  return await sealFile({
    name: file.name,
    size: file.size,
    mimeType: file.type === '' ? DEFAULT_MIME : file.type,
    read: async (start, end) => new Uint8Array(await file.slice(start, end).arrayBuffer()),
    ...(thumbnail !== undefined ? { thumbnail } : {})
  }, await chunkStore())
}
