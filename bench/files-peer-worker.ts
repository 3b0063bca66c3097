/**
 * Benchmark helper process for bench/files.ts: one receiving node. It holds a chunk store on
 * tmpfs and serves what it holds over `/kith/file/1.0.0` (as a group member does). Commands:
 * `prepare` opens the file's record; `connect` connects to the other members; `download` fetches
 * it from the sources it is given, announcing each chunk it stores, with the seed window and the
 * part of the swarm a node uses (as `FileTransfers` does), and reports how long that took, the CPU
 * time it spent meanwhile (fetching and serving), and how many bytes each source gave it; `raw`
 * reads the baseline, a raw libp2p stream of as many bytes; `reset` forgets the file; `cpu` and
 * `rss` report this process's CPU time and resident memory (sampled every 20 ms; the peak since
 * the last `rss`). Being its own process, its RSS is the receiving node's and nothing else's. For
 * experiments, KITH_BENCH_SEED_WINDOW sets the seed window in bytes and KITH_BENCH_NO_PART turns
 * the parts of the swarm off.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { fromHex } from '../src/core/bytes.ts'
import { chunkCountOf, decodeManifest } from '../src/core/files/manifest.ts'
import { createKithNode } from '../src/net/node.ts'
import { FileService, startDownload, swarmPart, SWARM_IN_FLIGHT_BYTES } from '../src/net/protocols/file.ts'
import { installNodeFileCrypto } from '../src/node/file-crypto.ts'
import { NodeChunkStore } from '../src/store/chunks.node.ts'
import { RAW_PROTOCOL, benchTmp } from './files-common.ts'

if (process.send === undefined) throw new Error('files-peer-worker.ts runs as a child process with IPC')
installNodeFileCrypto()
const dir = mkdtempSync(benchTmp('kith-bench-files-peer-'))
const store = await NodeChunkStore.open({ dir, quotaBytes: 8 * 1024 * 1024 * 1024 })
const node = await createKithNode({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], relayReservation: false })
const log = (m: string): void => { process.stderr.write(`peer ${node.peerId.toString().slice(-6)}: ${m}\n`) }
const service = new FileService(node, { store, mayFetch: () => true, log })
await service.start()
let rssPeak = process.memoryUsage.rss()
const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, process.memoryUsage.rss()) }, 20)


interface Source { id: string, addrs: string[] }
interface DownloadCommand { cmd: 'download', manifest: string, sources: Source[] }
interface RawCommand { cmd: 'raw', source: Source, size: number }

async function known (s: Source): Promise<ReturnType<typeof peerIdFromString>> {
  const peer = peerIdFromString(s.id)
  await node.peerStore.patch(peer, { multiaddrs: s.addrs.map((a) => multiaddr(a)) })
  return peer
}

/** Reads `size` bytes from the source's raw protocol; resolves with the milliseconds it took. */
async function readRaw (source: Source, size: number): Promise<number> {
  const stream = await node.dialProtocol(await known(source), RAW_PROTOCOL)
  let received = 0
  const ended = new Promise<void>((resolve) => {
    stream.addEventListener('message', (evt) => { received += evt.data.byteLength })
    stream.addEventListener('remoteCloseWrite', () => { resolve() })
    stream.addEventListener('close', () => { resolve() })
  })
  const request = new Uint8Array(8)
  new DataView(request.buffer).setBigUint64(0, BigInt(size))
  const t = performance.now()
  stream.send(request)
  await ended
  const ms = performance.now() - t
  await stream.close().catch(() => {})
  if (received !== size) throw new Error(`the raw stream moved ${received} bytes, not ${size}`)
  return ms
}

process.on('message', (msg: { cmd: string }) => {
  if (msg.cmd === 'prepare') {
    // Every member holds the file's record before any asks it: one that does not know the file refuses.
    const manifest = decodeManifest(fromHex((msg as unknown as { manifest: string }).manifest))
    void store.open(manifest.fileId, chunkCountOf(manifest.size, manifest.chunkSize)).then(() => process.send!({ type: 'prepared' }))
  }
  if (msg.cmd === 'connect') {
    // Members of a group are connected already, through its chat; so are these, before a download.
    void (async () => {
      for (const s of (msg as unknown as { peers: Array<{ id: string, addrs: string[] }> }).peers) {
        await node.dial(s.addrs.map((a) => multiaddr(`${a}/p2p/${s.id}`))).catch((err: unknown) => { log(`could not connect to ${s.id}: ${String(err)}`) })
      }
      process.send!({ type: 'connected' })
    })()
  }
  if (msg.cmd === 'download') {
    const { manifest: hex, sources } = msg as DownloadCommand
    const manifest = decodeManifest(fromHex(hex))
    void (async () => {
      const peers: PeerId[] = []
      for (const s of sources) {
        const peer = peerIdFromString(s.id)
        await node.peerStore.patch(peer, { multiaddrs: s.addrs.map((a) => multiaddr(a)) })
        peers.push(peer)
      }
      const t = performance.now()
      const cpu = process.cpuUsage()
      // As FileTransfers does: the window for several members online, this device's part of the
      // swarm, and a source that connects (again) mid-download is asked.
      const part = swarmPart(node.peerId.toString(), sources[0]!.id, sources.map((s) => s.id))
      const download = startDownload(node, manifest, peers, {
        store,
        log,
        seedInFlightBytes: process.env.KITH_BENCH_SEED_WINDOW !== undefined ? Number(process.env.KITH_BENCH_SEED_WINDOW) : SWARM_IN_FLIGHT_BYTES,
        ...(part !== undefined && process.env.KITH_BENCH_NO_PART === undefined ? { part } : {}),
        onChunk: (p) => { service.announce(manifest.fileId, p.index) }
      })
      const onConnect = (evt: CustomEvent<PeerId>): void => { if (peers.some((p) => p.equals(evt.detail))) download.addSource(evt.detail) }
      node.addEventListener('peer:connect', onConnect)
      const report = await download.done.finally(() => { node.removeEventListener('peer:connect', onConnect) })
      const complete = (await store.held(manifest.fileId))?.complete === true
      const { user, system } = process.cpuUsage(cpu)
      process.send!({ type: 'done', ms: performance.now() - t, cpuMs: (user + system) / 1000, complete, dropped: report.dropped.length, bytesBySource: Object.fromEntries(report.bytesBySource) })
    })().catch((err: unknown) => { process.send!({ type: 'done', ms: 0, complete: false, error: String(err) }) })
  }
  if (msg.cmd === 'raw') {
    const { source, size } = msg as RawCommand
    readRaw(source, size).then((ms) => process.send!({ type: 'raw', ms }), (err: unknown) => process.send!({ type: 'raw', ms: 0, error: String(err) }))
  }
  if (msg.cmd === 'reset') {
    const { manifest: hex } = msg as unknown as { manifest: string }
    void store.delete(decodeManifest(fromHex(hex)).fileId).then(() => process.send!({ type: 'reset' }))
  }
  if (msg.cmd === 'cpu') {
    const { user, system } = process.cpuUsage()
    process.send!({ type: 'cpu', micros: user + system })
  }
  if (msg.cmd === 'rss') {
    const rss = process.memoryUsage.rss()
    process.send!({ type: 'rss', rss, peak: Math.max(rssPeak, rss) })
    rssPeak = rss
  }
  if (msg.cmd === 'stop') {
    clearInterval(sampler)
    void service.stop().then(async () => { await node.stop() }).finally(() => {
      rmSync(dir, { recursive: true, force: true })
      process.exit(0)
    })
  }
})
process.send({ type: 'ready', peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map(String) })
