import { createHash, randomBytes } from 'node:crypto'
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { PeerId } from '@libp2p/interface'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { FileRequest, FileRequestKind, FileResponse, FileResponseKind } from '../../../../src/core/codec/files.ts'
import { PeerError } from '../../../../src/core/errors.ts'
import { Bitfield } from '../../../../src/core/files/bitfield.ts'
import { QuotaExceededError, type ChunkStore } from '../../../../src/core/files/chunk-store.ts'
import type { FileManifest } from '../../../../src/core/files/manifest.ts'
import { leafHash, verifyProof } from '../../../../src/core/files/merkle.ts'
import { readFilePlaintext, sealFile } from '../../../../src/core/files/sealed-file.ts'
import { FILE_PROTOCOL } from '../../../../src/net/constants.ts'
import { FrameStream, encodeFrames } from '../../../../src/net/frames.ts'
import type { KithLibp2p } from '../../../../src/net/node.ts'
import { FileService, chunkFrame, downloadFile, startDownload, swarmPart, type MayFetch } from '../../../../src/net/protocols/file.ts'
import { installNodeFileCrypto } from '../../../../src/node/file-crypto.ts'
import { NodeChunkStore } from '../../../../src/store/chunks.node.ts'
import { LoopbackPeers } from '../loopback.ts'

const peers = new LoopbackPeers()
const services: FileService[] = []
const dirs: string[] = []
const CHUNK = 256 * 1024

beforeAll(() => { installNodeFileCrypto() })
afterEach(async () => {
  for (const s of services.splice(0)) await s.stop()
  await peers.stop()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const newDir = (): string => { const d = mkdtempSync(join(tmpdir(), 'kith-file-net-')); dirs.push(d); return d }
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')
const allow: MayFetch = () => true

/** A log that keeps its lines, for asserting what was refused and why, and waiting for one. */
function lines (): { log: (m: string) => void, text: () => string, waitFor: (re: RegExp) => Promise<void> } {
  const kept: string[] = []
  const waiters: Array<{ re: RegExp, resolve: () => void }> = []
  return {
    log: (m) => {
      kept.push(m)
      for (const w of waiters.filter((w) => w.re.test(m))) { waiters.splice(waiters.indexOf(w), 1); w.resolve() }
    },
    text: () => kept.join('\n'),
    waitFor: async (re) => {
      if (kept.some((m) => re.test(m))) return
      await new Promise<void>((resolve) => { waiters.push({ re, resolve }) })
    }
  }
}

interface Peer { node: KithLibp2p, store: NodeChunkStore, dir: string, log: ReturnType<typeof lines> }

async function peer (dir = newDir(), quotaBytes = 1 << 30): Promise<Peer> {
  return { node: await peers.node(), store: await NodeChunkStore.open({ dir, quotaBytes }), dir, log: lines() }
}

/** Serves `store` on `p.node`. */
async function serve (p: Peer, options: { store?: ChunkStore, mayFetch?: MayFetch, idleTimeoutMs?: number } = {}): Promise<FileService> {
  const service = new FileService(p.node, { store: options.store ?? p.store, mayFetch: options.mayFetch ?? allow, log: p.log.log, ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}) })
  await service.start()
  services.push(service)
  return service
}

async function seal (store: ChunkStore, data: Uint8Array): Promise<FileManifest> {
  return await sealFile({ name: 'video.mp4', size: data.length, mimeType: 'video/mp4', chunkSize: CHUNK, read: async (s, e) => data.subarray(s, e) }, store)
}

async function plaintextSha (manifest: FileManifest, store: ChunkStore): Promise<string> {
  const h = createHash('sha256')
  for await (const part of readFilePlaintext(manifest, store)) h.update(part)
  return h.digest('hex')
}

/** Lets `b` dial `a` by peer id. */
async function know (b: Peer, a: Peer): Promise<PeerId> {
  await b.node.peerStore.merge(a.node.peerId, { multiaddrs: a.node.getMultiaddrs() })
  return a.node.peerId
}

/** A store that serves every chunk with one bit flipped. */
function corrupting (store: ChunkStore): ChunkStore {
  return {
    open: async (id, n) => await store.open(id, n),
    held: async (id) => await store.held(id),
    put: async (id, i, c) => { await store.put(id, i, c) },
    delete: async (id) => { await store.delete(id) },
    get: async (id, i) => {
      const got = await store.get(id, i)
      if (got === undefined) return undefined
      const chunk = got.chunk.slice()
      chunk[100]! ^= 0x01
      return { chunk, proof: got.proof }
    }
  }
}

/** A store that calls `onOpen` when a downloader opens a stream for one of its files. */
function noticingOpen (store: ChunkStore, onOpen: () => void): ChunkStore {
  return {
    open: async (id, n) => await store.open(id, n),
    held: async (id) => { onOpen(); return await store.held(id) },
    put: async (id, i, c) => { await store.put(id, i, c) },
    delete: async (id) => { await store.delete(id) },
    get: async (id, i) => await store.get(id, i)
  }
}

describe('/kith/file/1.0.0', () => {
  it('moves a multi-MiB file that arrives byte-identical', async () => {
    const [alice, bob] = [await peer(), await peer()]
    const data = randomBytes(6 * 1024 * 1024 + 12_345)
    const manifest = await seal(alice.store, data)
    await serve(alice)
    const progress: number[] = []
    const report = await downloadFile(bob.node, manifest, [await know(bob, alice)], { store: bob.store, log: bob.log.log, onChunk: (p) => { progress.push(p.held) } })
    expect(report.chunksFetched).toBe(25)
    expect(progress.at(-1)).toBe(25)
    expect(await plaintextSha(manifest, bob.store)).toBe(sha(data))
  })

  it('resumes from the chunks already verified after the downloader\'s state is thrown away', async () => {
    const [alice, bob] = [await peer(), await peer()]
    const data = randomBytes(4 * 1024 * 1024)
    const manifest = await seal(alice.store, data)
    await serve(alice)
    const source = await know(bob, alice)
    const stop = new AbortController()
    // Interrupted after five chunks are stored.
    const first = downloadFile(bob.node, manifest, [source], {
      store: bob.store, log: bob.log.log, maxInFlightBytes: CHUNK, onChunk: (p) => { if (p.held === 5) stop.abort(new Error('interrupted')) }, signal: stop.signal
    })
    await expect(first).rejects.toThrow('interrupted')
    // A new process: a new store object on the same directory.
    const restarted = await NodeChunkStore.open({ dir: bob.dir, quotaBytes: 1 << 30 })
    const heldBefore = (await restarted.held(manifest.fileId))!.count
    expect(heldBefore).toBeGreaterThanOrEqual(5)
    expect(heldBefore).toBeLessThan(16)
    const second = await downloadFile(bob.node, manifest, [source], { store: restarted, log: bob.log.log })
    expect(second.chunksFetched).toBe(16 - heldBefore)
    expect(await plaintextSha(manifest, restarted)).toBe(sha(data))
  })

  it('completes from three sources byte-identical when one serves corrupt chunks, and drops that one', async () => {
    const sender = await peer()
    const data = randomBytes(3 * 1024 * 1024)
    const manifest = await seal(sender.store, data)
    // Two more holders of the whole file (copies of the sender's store), one of them corrupt.
    const copyDir = (): string => { const d = newDir(); cpSync(sender.dir, d, { recursive: true }); return d }
    const honest = await peer(copyDir())
    const corrupt = await peer(copyDir())
    await serve(sender)
    await serve(honest)
    await serve(corrupt, { store: corrupting(corrupt.store) })
    const bob = await peer()
    const sources = [await know(bob, sender), await know(bob, honest), await know(bob, corrupt)]
    const report = await downloadFile(bob.node, manifest, sources, { store: bob.store, log: bob.log.log, maxInFlightBytes: 2 * CHUNK })
    expect(await plaintextSha(manifest, bob.store)).toBe(sha(data))
    const bad = corrupt.node.peerId.toString()
    expect(report.dropped.map((d) => d.peer)).toEqual([bad])
    expect(report.dropped[0]!.reason).toMatch(/fails verification against the file's Merkle root/)
    expect(report.bytesBySource.has(bad)).toBe(false)
    expect(bob.log.text()).toMatch(/dropped source .* fails verification/)
  })

  it('checks a chunk that arrives in many Noise messages unjoined, and stores nothing of one corrupt at its end', async () => {
    const sender = await peer()
    const data = randomBytes(2 * 1024 * 1024)
    const manifest = await seal(sender.store, data)
    const corrupt = await peer((() => { const d = newDir(); cpSync(sender.dir, d, { recursive: true }); return d })())
    // The flipped bit is in the chunk's last Noise message, not its first.
    const flipLast: ChunkStore = { ...corrupting(corrupt.store), get: async (id, i) => {
      const got = await corrupt.store.get(id, i)
      if (got === undefined) return undefined
      const chunk = got.chunk.slice()
      chunk[chunk.length - 20]! ^= 0x80
      return { chunk, proof: got.proof }
    } }
    await serve(corrupt, { store: flipLast })
    await serve(sender)
    const bob = await peer()
    const puts: Array<{ index: number, pieces: number, valid: boolean }> = []
    const spying: ChunkStore = { ...noticingOpen(bob.store, () => {}), put: async (id, i, c) => {
      const pieces = c.chunk instanceof Uint8Array ? [c.chunk] : c.chunk
      const whole = Buffer.concat(pieces)
      puts.push({ index: i, pieces: pieces.length, valid: await verifyProof(manifest.merkleRoot, 8, i, await leafHash(whole), c.proof) })
      await bob.store.put(id, i, c)
    } }
    const report = await downloadFile(bob.node, manifest, [await know(bob, corrupt), await know(bob, sender)], { store: spying, log: bob.log.log, maxInFlightBytes: 2 * CHUNK })
    expect(await plaintextSha(manifest, bob.store)).toBe(sha(data))
    expect(report.dropped.map((d) => d.peer)).toEqual([corrupt.node.peerId.toString()])
    expect(report.dropped[0]!.reason).toMatch(/fails verification against the file's Merkle root/)
    // Every chunk that reached the store verifies, and the 256 KiB chunks came as several views.
    expect(puts.map((p) => p.index).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    expect(puts.every((p) => p.valid)).toBe(true)
    expect(puts.some((p) => p.pieces > 1)).toBe(true)
  })

  it('gives a refused peer nothing, and answers it exactly as for an unknown file', async () => {
    const [alice, mallory] = [await peer(), await peer()]
    const manifest = await seal(alice.store, randomBytes(300_000))
    await serve(alice, { mayFetch: (p) => p.toString() !== mallory.node.peerId.toString() })
    const source = await know(mallory, alice)
    const refused = downloadFile(mallory.node, manifest, [source], { store: mallory.store, log: mallory.log.log })
    await expect(refused).rejects.toThrow(PeerError)
    await expect(refused).rejects.toThrow(/refused: unknown file or not allowed/)
    expect((await mallory.store.held(manifest.fileId))!.count).toBe(0)
    expect(alice.log.text()).toMatch(/refused .*: not allowed to fetch it/)
    const unknown = { ...manifest, fileId: new Uint8Array(16).fill(3) as FileManifest['fileId'] }
    await expect(downloadFile(mallory.node, unknown, [source], { store: mallory.store, log: mallory.log.log })).rejects.toThrow(/refused: unknown file or not allowed/)
    expect(alice.log.text()).toMatch(/refused .*: unknown file/)
  })

  it('pauses when the chunk store is full, and resumes once there is room', async () => {
    const [alice, bob] = [await peer(), await peer()]
    const data = randomBytes(2 * 1024 * 1024)
    const manifest = await seal(alice.store, data)
    await serve(alice)
    const source = await know(bob, alice)
    const small = await NodeChunkStore.open({ dir: bob.dir, quotaBytes: 3 * (CHUNK + 16) })
    await expect(downloadFile(bob.node, manifest, [source], { store: small, log: bob.log.log })).rejects.toThrow(QuotaExceededError)
    expect(bob.log.text()).toMatch(/paused: the chunk store is full/)
    const bigger = await NodeChunkStore.open({ dir: bob.dir, quotaBytes: 1 << 30 })
    expect((await bigger.held(manifest.fileId))!.count).toBe(3)
    const report = await downloadFile(bob.node, manifest, [source], { store: bigger, log: bob.log.log })
    expect(report.chunksFetched).toBe(5)
    expect(await plaintextSha(manifest, bigger)).toBe(sha(data))
  })

  it('drops a source that stalls, and completes from another', async () => {
    const [alice, staller, bob] = [await peer(), await peer(), await peer()]
    const data = randomBytes(1024 * 1024)
    const manifest = await seal(alice.store, data)
    await serve(alice)
    // Announces every chunk, then never answers.
    await staller.node.handle(FILE_PROTOCOL, async (stream) => {
      const lp = new FrameStream(stream, { maxFrame: 64 })
      await lp.read()
      await lp.write(FileResponse.encode({ kind: FileResponseKind.HAVE, bitfield: Bitfield.full(4).toBytes() as Uint8Array<ArrayBuffer>, index: 0, chunk: new Uint8Array(), proof: new Uint8Array(), reason: '' }))
    })
    const stalled = downloadFile(bob.node, manifest, [await know(bob, staller)], { store: bob.store, log: bob.log.log, stallTimeoutMs: 300 })
    await expect(stalled).rejects.toThrow(/stalled: nothing for 300 ms with requests outstanding/)
    expect(bob.log.text()).toMatch(/dropped source .*: stalled/)
    // With an honest source too, the stalled requests go to it (end-game or after the drop). A
    // longer stall bound here: on a loaded machine the honest source can pause 300 ms too.
    await downloadFile(bob.node, manifest, [await know(bob, staller), await know(bob, alice)], {
      store: bob.store, log: bob.log.log, stallTimeoutMs: 2_000, maxInFlightBytes: CHUNK
    })
    expect(await plaintextSha(manifest, bob.store)).toBe(sha(data))
  })

  it('stops serving a peer that may no longer fetch (a removed member) in the middle of a transfer, once told membership changed', async () => {
    const [alice, carol] = [await peer(), await peer()]
    const manifest = await seal(alice.store, randomBytes(2 * 1024 * 1024))
    let removed = false
    const service = await serve(alice, { mayFetch: () => !removed })
    const transfer = downloadFile(carol.node, manifest, [await know(carol, alice)], {
      store: carol.store, log: carol.log.log, maxInFlightBytes: CHUNK,
      onChunk: () => {
        removed = true
        service.membershipChanged()
      }
    })
    await expect(transfer).rejects.toThrow(/missing and no source is left/)
    expect(alice.log.text()).toMatch(/no longer allowed to fetch this file/)
    expect((await carol.store.held(manifest.fileId))!.count).toBeLessThan(8)
  })

  it('asks mayFetch when a stream opens, and not again for every chunk while membership stays as it was', async () => {
    const [alice, bob] = [await peer(), await peer()]
    const data = randomBytes(2 * 1024 * 1024)
    const manifest = await seal(alice.store, data)
    let asked = 0
    await serve(alice, { mayFetch: () => { asked++; return true } })
    await downloadFile(bob.node, manifest, [await know(bob, alice)], { store: bob.store, log: bob.log.log })
    expect(await plaintextSha(manifest, bob.store)).toBe(sha(data))
    // 8 chunks; a yes is reused for 2 s, so only a transfer slower than 14 s could ask 8 times.
    expect(manifest.size / CHUNK).toBe(8)
    expect(asked).toBeLessThan(8)
  })

  it('serves the chunks a partial holder has, and announces each one it stores later (HAVE_ONE)', async () => {
    const [alice, bob] = [await peer(), await peer()]
    const manifest = await seal(alice.store, randomBytes(2 * 1024 * 1024))
    await serve(alice)
    // Bob knows the file but holds nothing yet; Carol opens a stream to him first.
    await bob.store.open(manifest.fileId, 8)
    const bobService = await serve(bob)
    const other = await peers.node()
    const stream = await other.dialProtocol(bob.node.getMultiaddrs(), FILE_PROTOCOL)
    const carol = new FrameStream(stream, { maxFrame: 8 * 1024 * 1024, maxBuffered: 64 * 1024 * 1024 })
    await carol.write(FileRequest.encode({ kind: FileRequestKind.OPEN, fileId: manifest.fileId as Uint8Array<ArrayBuffer>, index: 0 }))
    const have = FileResponse.decode(await carol.read())
    expect(have.kind).toBe(FileResponseKind.HAVE)
    expect(Bitfield.fromBytes(have.bitfield, 8).count).toBe(0)
    // Bob downloads from Alice and announces what he stores.
    await downloadFile(bob.node, manifest, [await know(bob, alice)], { store: bob.store, log: bob.log.log, onChunk: (p) => { bobService.announce(manifest.fileId, p.index) } })
    const announced = new Set<number>()
    while (announced.size < 8) {
      const frame = FileResponse.decode(await carol.read())
      expect(frame.kind).toBe(FileResponseKind.HAVE_ONE)
      announced.add(frame.index)
    }
    await carol.write(FileRequest.encode({ kind: FileRequestKind.GET, fileId: new Uint8Array(), index: 5 }))
    const chunk = FileResponse.decode(await carol.read())
    expect(chunk).toMatchObject({ kind: FileResponseKind.CHUNK, index: 5 })
    expect(await verifyProof(manifest.merkleRoot, 8, 5, await leafHash(chunk.chunk), chunk.proof)).toBe(true)
  })

  it.each([
    ['garbage', (): Uint8Array => encodeFrames([Uint8Array.of(0xff, 0xff, 0xff)]), /sent an undecodable frame/],
    ['a chunk nobody asked for', (asked: number): Uint8Array => chunkFrame((asked + 1) % 4, new Uint8Array(100), new Uint8Array()).subarray(), /sent chunk \d, which it was not asked for/],
    ['a frame over the size limit', (): Uint8Array => Uint8Array.of(0xff, 0xff, 0xff, 0x7f), /exceeds the 4198400-byte limit/]
  ])('drops a source that answers with %s, and completes from another', async (_what, bytes, reason) => {
    const [alice, rogue, bob] = [await peer(), await peer(), await peer()]
    const data = randomBytes(1024 * 1024)
    const manifest = await seal(alice.store, data)
    // Alice answers only once the rogue is dropped, so the rogue is surely asked first.
    await serve(alice, { mayFetch: async () => { await bob.log.waitFor(/dropped source/); return true } })
    await rogue.node.handle(FILE_PROTOCOL, async (stream) => {
      const lp = new FrameStream(stream, { maxFrame: 64 })
      await lp.read()
      await lp.write(FileResponse.encode({ kind: FileResponseKind.HAVE, bitfield: Bitfield.full(4).toBytes() as Uint8Array<ArrayBuffer>, index: 0, chunk: new Uint8Array(), proof: new Uint8Array(), reason: '' }))
      // With a window of one chunk, the downloader asks this source for exactly one.
      stream.send(bytes(FileRequest.decode(await lp.read()).index))
    })
    const report = await downloadFile(bob.node, manifest, [await know(bob, rogue), await know(bob, alice)], { store: bob.store, log: bob.log.log, maxInFlightBytes: CHUNK })
    expect(await plaintextSha(manifest, bob.store)).toBe(sha(data))
    expect(report.dropped.map((d) => d.peer)).toEqual([rogue.node.peerId.toString()])
    expect(report.dropped[0]!.reason).toMatch(reason)
  })

  it('completes from another member once the sender is gone, after that member holds the whole file', async () => {
    const [alice, bob, carol] = [await peer(), await peer(), await peer()]
    const data = randomBytes(2 * 1024 * 1024 + 1)
    const manifest = await seal(alice.store, data)
    await serve(alice)
    await serve(bob)
    await downloadFile(bob.node, manifest, [await know(bob, alice)], { store: bob.store, log: bob.log.log })
    const sources = [await know(carol, alice), await know(carol, bob)]
    await alice.node.stop()
    const report = await downloadFile(carol.node, manifest, sources, { store: carol.store, log: carol.log.log })
    expect(await plaintextSha(manifest, carol.store)).toBe(sha(data))
    expect([...report.bytesBySource.keys()]).toEqual([bob.node.peerId.toString()])
    expect(report.dropped.map((d) => d.peer)).toEqual([alice.node.peerId.toString()])
  })

  it('keeps at most the in-flight window of requests outstanding at a source (backpressure)', async () => {
    const [alice, bob] = [await peer(), await peer()]
    const manifest = await seal(alice.store, randomBytes(4 * 1024 * 1024))
    let asked = 0
    // Holds every chunk, answers none: the downloader must stop asking once its window is full.
    await alice.node.handle(FILE_PROTOCOL, async (stream) => {
      const lp = new FrameStream(stream, { maxFrame: 64 })
      await lp.read()
      await lp.write(FileResponse.encode({ kind: FileResponseKind.HAVE, bitfield: Bitfield.full(16).toBytes() as Uint8Array<ArrayBuffer>, index: 0, chunk: new Uint8Array(), proof: new Uint8Array(), reason: '' }))
      try { for (;;) if (FileRequest.decode(await lp.read()).kind === FileRequestKind.GET) asked++ } catch {}
    })
    const window = 3 * (CHUNK + 16)
    await expect(downloadFile(bob.node, manifest, [await know(bob, alice)], { store: bob.store, log: bob.log.log, maxInFlightBytes: window, stallTimeoutMs: 300 })).rejects.toThrow(/stalled/)
    expect(asked).toBe(3)
  })

  it('asks a seed for a smaller window while a member that holds part of the file is open too', async () => {
    const [alice, carol, bob] = [await peer(), await peer(), await peer()]
    const manifest = await seal(alice.store, randomBytes(4 * 1024 * 1024))
    const have = async (lp: FrameStream, bits: Bitfield): Promise<void> => { await lp.write(FileResponse.encode({ kind: FileResponseKind.HAVE, bitfield: bits.toBytes() as Uint8Array<ArrayBuffer>, index: 0, chunk: new Uint8Array(), proof: new Uint8Array(), reason: '' })) }
    // Carol claims chunk 0 and, asked for it, says she lacks it after all: by then she is surely one
    // of Bob's sources. Only then does Alice, who holds everything and answers nothing, say HAVE.
    let carolAsked!: () => void
    const carolIsSource = new Promise<void>((resolve) => { carolAsked = resolve })
    await carol.node.handle(FILE_PROTOCOL, async (stream) => {
      const lp = new FrameStream(stream, { maxFrame: 64 })
      await lp.read()
      await have(lp, (() => { const b = new Bitfield(16); b.set(0); return b })())
      const get = FileRequest.decode(await lp.read())
      await lp.write(FileResponse.encode({ kind: FileResponseKind.DONT_HAVE, bitfield: new Uint8Array(), index: get.index, chunk: new Uint8Array(), proof: new Uint8Array(), reason: '' }))
      carolAsked()
      try { for (;;) await lp.read() } catch {}
    })
    let asked = 0
    await alice.node.handle(FILE_PROTOCOL, async (stream) => {
      const lp = new FrameStream(stream, { maxFrame: 64 })
      await lp.read()
      await carolIsSource
      await have(lp, Bitfield.full(16))
      try { for (;;) if (FileRequest.decode(await lp.read()).kind === FileRequestKind.GET) asked++ } catch {}
    })
    const download = downloadFile(bob.node, manifest, [await know(bob, carol), await know(bob, alice)], {
      store: bob.store, log: bob.log.log, maxInFlightBytes: 8 * (CHUNK + 16), seedInFlightBytes: 2 * (CHUNK + 16), stallTimeoutMs: 300
    })
    await expect(download).rejects.toThrow(/held by none/)
    expect(bob.log.text()).toMatch(/dropped source .*: stalled/)
    expect(asked).toBe(2)
  })

  it('lets two downloaders fetch from the sender and from each other at once (swarm)', async () => {
    const [alice, bob, carol] = [await peer(), await peer(), await peer()]
    const data = randomBytes(4 * 1024 * 1024)
    const manifest = await seal(alice.store, data)
    await serve(alice)
    // Each downloader knows the file before the other asks, and announces every chunk it stores.
    await bob.store.open(manifest.fileId, 16)
    await carol.store.open(manifest.fileId, 16)
    const [bobService, carolService] = [await serve(bob), await serve(carol)]
    const options = (p: Peer, service: FileService): Parameters<typeof downloadFile>[3] => ({
      store: p.store, log: p.log.log, maxInFlightBytes: CHUNK, onChunk: (progress) => { service.announce(manifest.fileId, progress.index) }
    })
    const [bobReport, carolReport] = await Promise.all([
      downloadFile(bob.node, manifest, [await know(bob, alice), await know(bob, carol)], options(bob, bobService)),
      downloadFile(carol.node, manifest, [await know(carol, alice), await know(carol, bob)], options(carol, carolService))
    ])
    expect(await plaintextSha(manifest, bob.store)).toBe(sha(data))
    expect(await plaintextSha(manifest, carol.store)).toBe(sha(data))
    // The sender served fewer than two copies: the downloaders passed chunks to each other.
    const fromPeers = (bobReport.bytesBySource.get(carol.node.peerId.toString()) ?? 0) + (carolReport.bytesBySource.get(bob.node.peerId.toString()) ?? 0)
    expect(fromPeers).toBeGreaterThan(0)
    expect(bobReport.dropped).toEqual([])
    expect(carolReport.dropped).toEqual([])
  })

  it('takes a source added while it runs (a member come online) and completes from it', async () => {
    const [alice, bob, carol] = [await peer(), await peer(), await peer()]
    const data = randomBytes(2 * 1024 * 1024)
    const manifest = await seal(alice.store, data)
    await serve(alice)
    // Carol knows the file but holds none of it: the download runs with nothing to ask for.
    await carol.store.open(manifest.fileId, 8)
    let opened!: () => void
    const carolOpened = new Promise<void>((resolve) => { opened = resolve })
    await serve(carol, { store: noticingOpen(carol.store, () => { opened() }) })
    const download = startDownload(bob.node, manifest, [await know(bob, carol)], { store: bob.store, log: bob.log.log, stallTimeoutMs: 60_000 })
    await carolOpened
    const source = await know(bob, alice)
    expect(download.addSource(source)).toBe(true)
    // Already a source, this device itself: nothing to add.
    expect(download.addSource(source)).toBe(false)
    expect(download.addSource(bob.node.peerId)).toBe(false)
    const report = await download.done
    expect(await plaintextSha(manifest, bob.store)).toBe(sha(data))
    expect([...report.bytesBySource.keys()]).toEqual([alice.node.peerId.toString()])
    expect(download.addSource(carol.node.peerId)).toBe(false)
  })

  it('does not take back a source dropped for serving corrupt chunks', async () => {
    const [alice, rogue, bob] = [await peer(), await peer(), await peer()]
    const data = randomBytes(1024 * 1024)
    const manifest = await seal(alice.store, data)
    await serve(rogue, { store: corrupting(alice.store) })
    const rogueId = await know(bob, rogue)
    const running: { download?: ReturnType<typeof startDownload> } = {}
    const readded: boolean[] = []
    // Alice answers once the rogue is dropped: then the rogue is offered again, and refused.
    await serve(alice, { mayFetch: async () => { await bob.log.waitFor(/dropped source/); readded.push(running.download!.addSource(rogueId)); return true } })
    const download = running.download = startDownload(bob.node, manifest, [rogueId, await know(bob, alice)], { store: bob.store, log: bob.log.log, maxInFlightBytes: CHUNK })
    const report = await download.done
    expect(await plaintextSha(manifest, bob.store)).toBe(sha(data))
    expect(readded[0]).toBe(false)
    expect(report.dropped.map((d) => d.peer)).toEqual([rogue.node.peerId.toString()])
  })

  it('fails with a clear error when every source is gone', async () => {
    const [alice, bob] = [await peer(), await peer()]
    const manifest = await seal(alice.store, randomBytes(300_000))
    const source = await know(bob, alice)
    await expect(downloadFile(bob.node, manifest, [source], { store: bob.store, log: bob.log.log })).rejects.toThrow(/2 of 2 chunks of file .* are missing and no source is left/)
  })
})

describe('/kith/file/1.0.0 serving bad input', () => {
  /** Opens a raw stream from a new peer to `p` and sends `bytes` as they are. */
  async function rawStream (p: Peer): Promise<FrameStream & { send: (b: Uint8Array) => void }> {
    const other = await peers.node()
    const stream = await other.dialProtocol(p.node.getMultiaddrs(), FILE_PROTOCOL)
    const lp = new FrameStream(stream, { maxFrame: 8 * 1024 * 1024, maxBuffered: 64 * 1024 * 1024 })
    return Object.assign(lp, { send: (b: Uint8Array) => { stream.send(b) } })
  }
  const frame = (kind: FileRequestKind, index = 0, fileId: Uint8Array = new Uint8Array()): Uint8Array =>
    FileRequest.encode({ kind, index, fileId: fileId as Uint8Array<ArrayBuffer> })

  /** Resolves once the log has a line matching `re`. */
  async function logged (p: Peer, re: RegExp): Promise<void> {
    await p.log.waitFor(re)
  }

  it.each([
    ['garbage', (): Uint8Array => encodeFrames([Uint8Array.of(0xff, 0xff, 0xff)]), /undecodable request frame/],
    ['a GET before OPEN', (): Uint8Array => encodeFrames([frame(FileRequestKind.GET, 1)]), /the first frame is not OPEN/],
    ['an oversized frame', (): Uint8Array => encodeFrames([new Uint8Array(1000)]), /exceeds the 64-byte limit/],
    ['a file id of the wrong length', (): Uint8Array => encodeFrames([frame(FileRequestKind.OPEN, 0, new Uint8Array(5))]), /file id must be 16 bytes/]
  ])('drops a stream that opens with %s, logs it, and keeps serving', async (_what, bytes, message) => {
    const alice = await peer()
    const data = randomBytes(300_000)
    const manifest = await seal(alice.store, data)
    await serve(alice)
    const raw = await rawStream(alice)
    raw.send(bytes())
    await expect(raw.read()).rejects.toThrow()
    await logged(alice, message)
    const bob = await peer()
    await downloadFile(bob.node, manifest, [await know(bob, alice)], { store: bob.store, log: bob.log.log })
    expect(await plaintextSha(manifest, bob.store)).toBe(sha(data))
  })

  it('drops a stream that asks for a chunk index out of range, after answering the ones in range', async () => {
    const alice = await peer()
    const manifest = await seal(alice.store, randomBytes(300_000))
    await serve(alice)
    const raw = await rawStream(alice)
    raw.send(encodeFrames([frame(FileRequestKind.OPEN, 0, manifest.fileId)]))
    const have = FileResponse.decode(await raw.read())
    expect(have.kind).toBe(FileResponseKind.HAVE)
    expect(Bitfield.fromBytes(have.bitfield, 2).complete).toBe(true)
    raw.send(encodeFrames([frame(FileRequestKind.GET, 1), frame(FileRequestKind.GET, 2)]))
    expect(FileResponse.decode(await raw.read())).toMatchObject({ kind: FileResponseKind.CHUNK, index: 1 })
    await expect(raw.read()).rejects.toThrow()
    await logged(alice, /chunk index 2 is out of range 0\.\.1/)
  })

  it('drops a stream with more than 256 requests waiting while it does not read the answers', async () => {
    const alice = await peer()
    const manifest = await seal(alice.store, randomBytes(1024 * 1024))
    await serve(alice)
    const raw = await rawStream(alice)
    raw.send(encodeFrames([frame(FileRequestKind.OPEN, 0, manifest.fileId), ...Array.from({ length: 400 }, (_, i) => frame(FileRequestKind.GET, i % 4))]))
    await logged(alice, /more than 256 requests outstanding/)
  })

  it('answers DONT_HAVE for a chunk it lacks, and closes a stream left idle', async () => {
    const alice = await peer()
    const fileId = new Uint8Array(16).fill(8) as FileManifest['fileId']
    await alice.store.open(fileId, 3)
    await serve(alice, { idleTimeoutMs: 200 })
    const raw = await rawStream(alice)
    raw.send(encodeFrames([frame(FileRequestKind.OPEN, 0, fileId), frame(FileRequestKind.GET, 2)]))
    expect(FileResponse.decode(await raw.read()).kind).toBe(FileResponseKind.HAVE)
    expect(FileResponse.decode(await raw.read())).toMatchObject({ kind: FileResponseKind.DONT_HAVE, index: 2 })
    await expect(raw.read()).rejects.toThrow()
    await logged(alice, /no request for 200 ms/)
  })
})

describe('swarmPart', () => {
  it('gives every member downloading at once the same split, by peer id, without the sender', () => {
    const devices = ['sender', 'carol', 'alice', 'bob']
    expect(['alice', 'bob', 'carol'].map((self) => swarmPart(self, 'sender', devices.filter((d) => d !== self)))).toEqual([
      { index: 0, of: 3 }, { index: 1, of: 3 }, { index: 2, of: 3 }
    ])
    // Alone with the sender: the whole file is one part.
    expect(swarmPart('bob', 'sender', ['sender'])).toBeUndefined()
  })
})

describe('chunkFrame', () => {
  it('is byte for byte the protobuf encoding of a CHUNK response, length-prefixed', () => {
    for (const [index, chunkLength, proofLength] of [[0, 17, 0], [1, 300, 32], [200_000, 1024 * 1024 + 16, 640]] as const) {
      const chunk = randomBytes(chunkLength)
      const proof = randomBytes(proofLength)
      const expected = encodeFrames([FileResponse.encode({ kind: FileResponseKind.CHUNK, index, chunk, proof, bitfield: new Uint8Array(), reason: '' })])
      expect(Buffer.from(chunkFrame(index, chunk, proof).subarray()).equals(Buffer.from(expected))).toBe(true)
    }
  })
})
