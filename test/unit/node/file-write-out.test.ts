/**
 * Writing a finished download out of the chunk store, and the transfer states file: the bytes
 * come out whole under the file's name; a write that is stopped leaves neither the file nor its
 * `.kith-part`; a taken name gets " (2)"; the states survive a reload and a damaged file reads as none.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sealFile } from '../../../src/core/files/sealed-file.ts'
import { installNodeFileCrypto } from '../../../src/node/file-crypto.ts'
import { freePath, writeOut } from '../../../src/node/file-write-out.ts'
import { loadTransferStates, saveTransferStates } from '../../../src/node/transfer-states.ts'
import { NodeChunkStore } from '../../../src/store/chunks.node.ts'

let dir: string
beforeEach(() => {
  installNodeFileCrypto()
  dir = mkdtempSync(join(tmpdir(), 'kith-write-out-'))
})
afterEach(() => { rmSync(dir, { recursive: true, force: true }) })

async function sealed (data: Uint8Array): Promise<{ store: NodeChunkStore, manifest: Awaited<ReturnType<typeof sealFile>> }> {
  const store = await NodeChunkStore.open({ dir: join(dir, 'chunks'), quotaBytes: 64 * 1024 * 1024 })
  const manifest = await sealFile({ name: 'notes.pdf', size: data.length, mimeType: 'application/pdf', chunkSize: 64 * 1024, read: async (s, e) => data.subarray(s, e) }, store)
  return { store, manifest }
}

describe('writing a download out', () => {
  it('decrypts every chunk into the named file, and nothing else is left', async () => {
    const data = randomBytes(300_000)
    const { store, manifest } = await sealed(data)
    const out = join(dir, 'out', 'notes.pdf')
    await writeOut(manifest, store, out, new AbortController().signal)
    expect(readFileSync(out).equals(data)).toBe(true)
    expect(existsSync(`${out}.kith-part`)).toBe(false)
  })

  it('stopped while it writes, it throws the reason and leaves no file and no .kith-part', async () => {
    const { store, manifest } = await sealed(randomBytes(300_000))
    const out = join(dir, 'notes.pdf')
    const abort = new AbortController()
    abort.abort(new Error('paused'))
    await expect(writeOut(manifest, store, out, abort.signal)).rejects.toThrow('paused')
    expect(existsSync(out)).toBe(false)
    expect(existsSync(`${out}.kith-part`)).toBe(false)
  })

  it('finds a free name: the name itself, then " (2)" before the extension', () => {
    expect(freePath(dir, 'plan.pdf')).toBe(join(dir, 'plan.pdf'))
    writeFileSync(join(dir, 'plan.pdf'), 'taken')
    expect(freePath(dir, 'plan.pdf')).toBe(join(dir, 'plan (2).pdf'))
    writeFileSync(join(dir, 'plan (2).pdf.kith-part'), 'being written')
    expect(freePath(dir, 'plan.pdf')).toBe(join(dir, 'plan (3).pdf'))
  })
})

describe('transfer states', () => {
  it('come back as they were saved; a missing or damaged file reads as none', () => {
    const path = join(dir, 'files', 'transfers.json')
    expect(loadTransferStates(path).size).toBe(0)
    saveTransferStates(path, new Map([['aa', { state: 'paused', out: '/tmp/x', full: true }], ['bb', { state: 'done', out: '/tmp/y' }]]))
    expect([...loadTransferStates(path)]).toEqual([['aa', { state: 'paused', out: '/tmp/x', full: true }], ['bb', { state: 'done', out: '/tmp/y' }]])
    writeFileSync(path, '{"aa": {"state": "pa')
    expect(loadTransferStates(path).size).toBe(0)
  })
})
