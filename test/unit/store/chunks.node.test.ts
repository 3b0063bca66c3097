import { createHash } from 'node:crypto'
import { appendFileSync, existsSync, readFileSync, readlinkSync, mkdtempSync, readdirSync, rmSync, truncateSync, statSync, unlinkSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { toHex } from '../../../src/core/bytes.ts'
import { CryptoVerificationError, ValidationError } from '../../../src/core/errors.ts'
import { QuotaExceededError, type VerifiedChunk } from '../../../src/core/files/chunk-store.ts'
import { leafHash } from '../../../src/core/files/merkle.ts'
import type { FileId } from '../../../src/core/files/manifest.ts'
import { readFilePlaintext, sealFile } from '../../../src/core/files/sealed-file.ts'
import { NodeChunkStore } from '../../../src/store/chunks.node.ts'

const dirs: string[] = []
const newDir = (): string => { const d = mkdtempSync(join(tmpdir(), 'kith-chunks-')); dirs.push(d); return d }
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })

const id = (n: number): FileId => new Uint8Array(16).fill(n) as FileId
const bytes = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill)
const proof = new Uint8Array(64).fill(9)
const sha = (b: Uint8Array): string => createHash('sha256').update(Uint8Array.of(0)).update(b).digest('hex')
const verified = async (chunk: Uint8Array, p: Uint8Array): Promise<VerifiedChunk> => ({ chunk, proof: p, leaf: await leafHash(chunk) })
const quiet = (): void => {}

describe('NodeChunkStore', () => {
  it('keeps chunks content-addressed, with their proofs, and lists which are held', async () => {
    const dir = newDir()
    const store = await NodeChunkStore.open({ dir, quotaBytes: 1 << 20 })
    expect(await store.held(id(1))).toBeUndefined()
    expect((await store.open(id(1), 3)).count).toBe(0)
    const chunk = bytes(1000, 7)
    await store.put(id(1), 2, await verified(chunk, proof))
    expect([...(await store.held(id(1)))!.indexes()]).toEqual([2])
    expect(await store.get(id(1), 2)).toEqual({ chunk, proof })
    expect(await store.get(id(1), 0)).toBeUndefined()
    expect(existsSync(join(dir, 'chunks', sha(chunk).slice(0, 2), sha(chunk)))).toBe(true)
    expect(store.usedBytes).toBe(1000)
  })

  it('stores a chunk given as the views it arrived in exactly as the same chunk whole', async () => {
    const dir = newDir()
    const store = await NodeChunkStore.open({ dir, quotaBytes: 1 << 22 })
    await store.open(id(1), 2)
    const chunk = Uint8Array.from({ length: 1 << 20 }, (_, i) => i * 29 % 256)
    const views = [chunk.subarray(0, 5), chunk.subarray(5, 65_524), chunk.subarray(65_524, 65_524), chunk.subarray(65_524)]
    await store.put(id(1), 1, { chunk: views, proof, leaf: await leafHash(views) })
    expect(await leafHash(views)).toEqual(await leafHash(chunk))
    expect(await store.get(id(1), 1)).toEqual({ chunk, proof })
    expect(readFileSync(join(dir, 'chunks', sha(chunk).slice(0, 2), sha(chunk)))).toEqual(Buffer.from(chunk))
    expect(store.usedBytes).toBe(1 << 20)
    const reopened = await NodeChunkStore.open({ dir, quotaBytes: 1 << 22 })
    expect([...(await reopened.held(id(1)))!.indexes()]).toEqual([1])
  })

  it('keeps a record open for appending only while its file is incomplete, and lists every entry it appended', async () => {
    const dir = newDir()
    const store = await NodeChunkStore.open({ dir, quotaBytes: 1 << 20 })
    /** Descriptors of this process open on the record of file 1. */
    const openOnRecord = (): number => readdirSync('/proc/self/fd').filter((fd) => {
      try { return readlinkSync(`/proc/self/fd/${fd}`) === join(dir, 'files', toHex(id(1))) } catch { return false }
    }).length
    await store.open(id(1), 3)
    await Promise.all([0, 1].map(async (i) => { await store.put(id(1), i, await verified(bytes(100 + i, i), proof)) }))
    expect(openOnRecord()).toBe(1)
    await store.put(id(1), 2, await verified(bytes(300, 3), proof))
    expect(openOnRecord()).toBe(0)
    const reopened = await NodeChunkStore.open({ dir, quotaBytes: 1 << 20 })
    expect([...(await reopened.held(id(1)))!.indexes()]).toEqual([0, 1, 2])
    // Deleting a file closes its record too.
    await store.open(id(2), 2)
    await store.put(id(2), 0, await verified(bytes(40, 4), proof))
    await store.delete(id(2))
    expect(readdirSync('/proc/self/fd').some((fd) => { try { return readlinkSync(`/proc/self/fd/${fd}`).includes(toHex(id(2))) } catch { return false } })).toBe(false)
  })

  it('remembers verified chunks across a restart (a new store object on the same directory)', async () => {
    const dir = newDir()
    const first = await NodeChunkStore.open({ dir, quotaBytes: 1 << 20 })
    await first.open(id(1), 4)
    await first.put(id(1), 0, await verified(bytes(100, 1), proof))
    await first.put(id(1), 3, await verified(bytes(50, 2), proof.subarray(0, 32)))
    const second = await NodeChunkStore.open({ dir, quotaBytes: 1 << 20 })
    expect([...(await second.held(id(1)))!.indexes()]).toEqual([0, 3])
    expect([...(await second.open(id(1), 4)).indexes()]).toEqual([0, 3])
    expect(await second.get(id(1), 3)).toEqual({ chunk: bytes(50, 2), proof: proof.subarray(0, 32) })
    expect(second.usedBytes).toBe(150)
  })

  it('refuses a chunk past the quota with a message that says what to do, and stores nothing of it', async () => {
    const dir = newDir()
    const store = await NodeChunkStore.open({ dir, quotaBytes: 250 })
    await store.open(id(1), 3)
    await store.put(id(1), 0, await verified(bytes(200, 1), proof))
    const full = store.put(id(1), 1, await verified(bytes(100, 2), proof))
    await expect(full).rejects.toThrow(QuotaExceededError)
    await expect(store.put(id(1), 1, await verified(bytes(100, 2), proof))).rejects.toThrow(/the chunk store is full: 200 of 250 bytes used.*delete files or raise the quota/)
    expect([...(await store.held(id(1)))!.indexes()]).toEqual([0])
    // Deleting another file makes room.
    await store.delete(id(1))
    await store.open(id(2), 1)
    await store.put(id(2), 0, await verified(bytes(100, 2), proof))
    expect(store.usedBytes).toBe(100)
  })

  it('deletes a file\'s record and chunk files', async () => {
    const dir = newDir()
    const store = await NodeChunkStore.open({ dir, quotaBytes: 1 << 20 })
    await store.open(id(1), 2)
    await store.put(id(1), 0, await verified(bytes(20, 1), proof))
    await store.put(id(1), 1, await verified(bytes(20, 2), proof))
    await store.delete(id(1))
    expect(await store.held(id(1))).toBeUndefined()
    expect(store.usedBytes).toBe(0)
    expect(readdirSync(join(dir, 'files'))).toEqual([])
    for (const prefix of readdirSync(join(dir, 'chunks'))) expect(readdirSync(join(dir, 'chunks', prefix))).toEqual([])
    expect((await NodeChunkStore.open({ dir, quotaBytes: 1 << 20 })).usedBytes).toBe(0)
  })

  it('on opening, drops what a crash left: a torn last entry, a listed chunk whose file is gone, an unlisted chunk file', async () => {
    const dir = newDir()
    const store = await NodeChunkStore.open({ dir, quotaBytes: 1 << 20 })
    await store.open(id(1), 3)
    await store.put(id(1), 0, await verified(bytes(20, 1), proof))
    await store.put(id(1), 1, await verified(bytes(20, 2), proof))
    const record = join(dir, 'files', '01'.repeat(16))
    appendFileSync(record, Buffer.from([0, 0, 0, 2, 0, 0])) // a torn entry
    const gone = sha(bytes(20, 2))
    unlinkSync(join(dir, 'chunks', gone.slice(0, 2), gone))
    mkdirSync(join(dir, 'chunks', 'ab'), { recursive: true })
    writeFileSync(join(dir, 'chunks', 'ab', 'ab'.repeat(32)), 'orphan')
    const logs: string[] = []
    const reopened = await NodeChunkStore.open({ dir, quotaBytes: 1 << 20, log: (m) => logs.push(m) })
    expect([...(await reopened.held(id(1)))!.indexes()]).toEqual([0])
    expect(logs.join('\n')).toMatch(/dropped 1 chunk\(s\) missing on disk and a torn last entry/)
    expect(existsSync(join(dir, 'chunks', 'ab', 'ab'.repeat(32)))).toBe(false)
    // The rewritten record takes new entries cleanly.
    await reopened.put(id(1), 2, await verified(bytes(20, 3), proof))
    const again = await NodeChunkStore.open({ dir, quotaBytes: 1 << 20, log: quiet })
    expect([...(await again.held(id(1)))!.indexes()]).toEqual([0, 2])
    expect(statSync(record).size).toBeGreaterThan(12)
  })

  it('drops an unreadable record instead of failing to open', async () => {
    const dir = newDir()
    const store = await NodeChunkStore.open({ dir, quotaBytes: 1 << 20 })
    await store.open(id(1), 3)
    truncateSync(join(dir, 'files', '01'.repeat(16)), 3)
    const logs: string[] = []
    const reopened = await NodeChunkStore.open({ dir, quotaBytes: 1 << 20, log: (m) => logs.push(m) })
    expect(await reopened.held(id(1))).toBeUndefined()
    expect(logs.join('\n')).toMatch(/dropped the unreadable record/)
  })

  it('refuses bad input: another chunk count for a known file, an index out of range, a file not opened', async () => {
    const store = await NodeChunkStore.open({ dir: newDir(), quotaBytes: 1 << 20 })
    await store.open(id(1), 3)
    await expect(store.open(id(1), 4)).rejects.toThrow(/stored with 3 chunks, not 4/)
    await expect(store.put(id(1), 3, await verified(bytes(20, 1), proof))).rejects.toThrow(ValidationError)
    await expect(store.put(id(2), 0, await verified(bytes(20, 1), proof))).rejects.toThrow(/not open in the chunk store/)
    await expect(store.open(id(3), 0)).rejects.toThrow(/out of range/)
  })

  it('holds a sealed file that reads back byte-identical', async () => {
    const store = await NodeChunkStore.open({ dir: newDir(), quotaBytes: 1 << 24 })
    const data = new Uint8Array(300_000).map((_, i) => (i * 31) & 0xff)
    const manifest = await sealFile({ name: 'a.bin', size: data.length, mimeType: 'application/octet-stream', chunkSize: 65_536, read: async (s, e) => data.slice(s, e) }, store)
    expect((await store.held(manifest.fileId))!.complete).toBe(true)
    const parts: Uint8Array[] = []
    for await (const p of readFilePlaintext(manifest, store)) parts.push(p)
    expect(Buffer.concat(parts).equals(Buffer.from(data))).toBe(true)
  })

  it('never hands out the plaintext of a chunk altered on disk', async () => {
    const dir = newDir()
    const store = await NodeChunkStore.open({ dir, quotaBytes: 1 << 24 })
    const data = new Uint8Array(200_000).fill(5)
    const manifest = await sealFile({ name: 'a.bin', size: data.length, mimeType: 'application/octet-stream', chunkSize: 65_536, read: async (s, e) => data.slice(s, e) }, store)
    const stored = (await store.get(manifest.fileId, 1))!
    const path = join(dir, 'chunks', toHex(await leafHash(stored.chunk)).slice(0, 2), toHex(await leafHash(stored.chunk)))
    const altered = readFileSync(path)
    altered[10]! ^= 1
    writeFileSync(path, altered)
    const read = async (): Promise<void> => { for await (const _ of readFilePlaintext(manifest, store)) { /* drain */ } }
    await expect(read()).rejects.toThrow(CryptoVerificationError)
  })

  it('refuses to seal a file that changes while it is read', async () => {
    const store = await NodeChunkStore.open({ dir: newDir(), quotaBytes: 1 << 24 })
    let reads = 0
    const changing = async (s: number, e: number): Promise<Uint8Array> => new Uint8Array(e - s).fill(reads++ < 2 ? 1 : 2)
    await expect(sealFile({ name: 'a.bin', size: 100_000, mimeType: 'application/octet-stream', chunkSize: 65_536, read: changing }, store)).rejects.toThrow(/the file changed while it was being sent/)
  })
})
