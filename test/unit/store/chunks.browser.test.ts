/**
 * BrowserChunkStore against fake-indexeddb, with chunk bytes in IndexedDB and in a stand-in for
 * OPFS (the real OPFS runs in the Playwright test test/e2e/browser-files.test.ts).
 */
import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { NotFoundError, ValidationError } from '../../../src/core/errors.ts'
import { QuotaExceededError, type VerifiedChunk } from '../../../src/core/files/chunk-store.ts'
import type { FileId } from '../../../src/core/files/manifest.ts'
import { leafHash } from '../../../src/core/files/merkle.ts'
import { readFilePlaintext, sealFile } from '../../../src/core/files/sealed-file.ts'
import { BrowserChunkStore, type ChunkBytes } from '../../../src/store/chunks.browser.ts'

let dbCount = 0
const id = (n: number): FileId => new Uint8Array(16).fill(n) as FileId
const bytes = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill)
const proof = new Uint8Array(64).fill(9)
const verified = async (chunk: Uint8Array, p = proof): Promise<VerifiedChunk> => ({ chunk, proof: p, leaf: await leafHash(chunk) })

/** A stand-in for OPFS: files in a map, which a test can damage. */
function memoryBytes (): ChunkBytes & { files: Map<string, Uint8Array>, failWith?: Error } {
  const files = new Map<string, Uint8Array>()
  const self: ChunkBytes & { files: Map<string, Uint8Array>, failWith?: Error } = {
    files,
    async write (file, index, b) {
      if (self.failWith !== undefined) throw self.failWith
      files.set(`${file}/${index}`, b.slice())
    },
    async read (file, index, length) {
      const b = files.get(`${file}/${index}`)
      if (b === undefined || b.length < length) throw new Error('missing')
      return b.subarray(0, length)
    },
    async remove (file) {
      for (const k of [...files.keys()]) if (k.startsWith(`${file}/`)) files.delete(k)
    }
  }
  return self
}

for (const backend of ['indexeddb', 'opfs'] as const) {
  const open = async (database: string, shared?: ChunkBytes, quotaBytes?: number): Promise<BrowserChunkStore> =>
    await BrowserChunkStore.open({ database, bytes: backend === 'indexeddb' ? null : (shared ?? memoryBytes()), ...(quotaBytes !== undefined ? { quotaBytes } : {}) })

  describe(`BrowserChunkStore (bytes in ${backend})`, () => {
    it('lists held chunks, returns them with their proofs, and remembers them when opened again (a reload)', async () => {
      const database = `chunks-${dbCount++}`
      const shared = memoryBytes()
      const first = await open(database, shared)
      expect(first.backend).toBe(backend)
      expect(await first.held(id(1))).toBeUndefined()
      expect((await first.open(id(1), 4)).count).toBe(0)
      await first.put(id(1), 0, await verified(bytes(100, 1)))
      await first.put(id(1), 3, await verified(bytes(50, 2), proof.subarray(0, 32)))
      first.close()
      const second = await open(database, shared)
      expect([...(await second.open(id(1), 4)).indexes()]).toEqual([0, 3])
      expect(await second.get(id(1), 3)).toEqual({ chunk: bytes(50, 2), proof: proof.subarray(0, 32) })
      expect(await second.get(id(1), 1)).toBeUndefined()
      expect(await second.usedBytes()).toBe(150)
    })

    it('refuses bad input with errors that name it', async () => {
      const store = await open(`chunks-${dbCount++}`)
      await expect(store.open(id(1), 0)).rejects.toThrow(ValidationError)
      await expect(store.put(id(2), 0, await verified(bytes(100, 1)))).rejects.toThrow(NotFoundError)
      await store.open(id(1), 2)
      await expect(store.open(id(1), 3)).rejects.toThrow(/stored with 2 chunks, not 3/)
      await expect(store.put(id(1), 2, await verified(bytes(100, 1)))).rejects.toThrow(/chunk index 2 is out of range 0..1/)
      await expect(store.put(id(1), 0, await verified(bytes(3, 1)))).rejects.toThrow(/chunk of 3 bytes is not a chunk/)
      await expect(store.put(id(1), 0, await verified(bytes(100, 1), new Uint8Array(5)))).rejects.toThrow(/proof of 5 bytes/)
      expect([...(await store.held(id(1)))!.indexes()]).toEqual([])
    })

    it('pauses at its quota with a message that says what to do, storing nothing of the chunk', async () => {
      const store = await open(`chunks-${dbCount++}`, undefined, 250)
      await store.open(id(1), 3)
      await store.put(id(1), 0, await verified(bytes(200, 1)))
      await expect(store.put(id(1), 1, await verified(bytes(100, 2)))).rejects.toThrow(/the chunk store is full: 200 of 250 bytes used.*raise the quota/)
      expect([...(await store.held(id(1)))!.indexes()]).toEqual([0])
      await store.delete(id(1))
      expect(await store.held(id(1))).toBeUndefined()
      expect(await store.usedBytes()).toBe(0)
    })

    it('seals a file into the store and reads the same plaintext back', async () => {
      const store = await open(`chunks-${dbCount++}`)
      const plaintext = new Uint8Array(200_000).map((_, i) => (i * 7) & 0xff)
      const manifest = await sealFile({ name: 'a.bin', size: plaintext.length, mimeType: 'application/octet-stream', chunkSize: 65536, read: async (s, e) => plaintext.slice(s, e) }, store)
      const parts: Uint8Array[] = []
      for await (const part of readFilePlaintext(manifest, store)) parts.push(part)
      expect(Buffer.concat(parts)).toEqual(Buffer.from(plaintext))
    })
  })
}

describe('BrowserChunkStore with OPFS bytes', () => {
  it('turns the browser\'s QuotaExceededError into a pause with a clear message, and lists nothing', async () => {
    const shared = memoryBytes()
    const store = await BrowserChunkStore.open({ database: `chunks-${dbCount++}`, bytes: shared })
    await store.open(id(1), 2)
    shared.failWith = new DOMException('The quota has been exceeded.', 'QuotaExceededError')
    const err = await store.put(id(1), 0, await verified(bytes(100, 1))).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(QuotaExceededError)
    expect((err as Error).message).toMatch(/storage for this site is full; free some space/)
    expect([...(await store.held(id(1)))!.indexes()]).toEqual([])
  })

  it('forgets a listed chunk whose bytes are gone, so it is fetched again', async () => {
    const shared = memoryBytes()
    const store = await BrowserChunkStore.open({ database: `chunks-${dbCount++}`, bytes: shared })
    await store.open(id(1), 2)
    await store.put(id(1), 1, await verified(bytes(100, 1)))
    shared.files.clear()
    expect(await store.get(id(1), 1)).toBeUndefined()
    expect([...(await store.held(id(1)))!.indexes()]).toEqual([])
  })
})
