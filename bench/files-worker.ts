/**
 * Benchmark helper process for bench/files.ts: the sending node. It seals a file of the size it is
 * given into a chunk store on tmpfs, serves it over `/kith/file/1.0.0`, and serves the baseline:
 * a raw libp2p stream that writes as many bytes as it is asked for.
 */
import { randomFillSync } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { toHex } from '../src/core/bytes.ts'
import { encodeManifest } from '../src/core/files/manifest.ts'
import { sealFile } from '../src/core/files/sealed-file.ts'
import { createKithNode } from '../src/net/node.ts'
import { FileService } from '../src/net/protocols/file.ts'
import { installNodeFileCrypto } from '../src/node/file-crypto.ts'
import { NodeChunkStore } from '../src/store/chunks.node.ts'
import { RAW_PROTOCOL, benchTmp } from './files-common.ts'

const size = Number(process.argv[2])
if (!Number.isSafeInteger(size) || process.send === undefined) throw new Error('usage: files-worker.ts SIZE (as a child process with IPC)')
installNodeFileCrypto()
const dir = mkdtempSync(benchTmp('kith-bench-files-send-'))
const store = await NodeChunkStore.open({ dir, quotaBytes: 2 * size + (1 << 30) })
// Contents: 4 random MiB, each chunk stamped with its offset (the bytes only need to be re-readable).
const base = new Uint8Array(4 << 20)
randomFillSync(base)
const manifest = await sealFile({
  name: 'bench.bin',
  size,
  mimeType: 'application/octet-stream',
  ...(process.env.KITH_BENCH_CHUNK !== undefined ? { chunkSize: Number(process.env.KITH_BENCH_CHUNK) } : {}),
  read: async (start, end) => {
    const out = base.slice(0, end - start)
    new DataView(out.buffer).setFloat64(0, start)
    return out
  }
}, store)
const node = await createKithNode({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], relayReservation: false })
const service = new FileService(node, { store, mayFetch: () => true, log: (m) => { process.stderr.write(`sender: ${m}\n`) } })
await service.start()
await node.handle(RAW_PROTOCOL, async (stream) => {
  // The request is 8 bytes: how many bytes to send back.
  const asked = await new Promise<number>((resolve) => {
    stream.addEventListener('message', (evt) => { resolve(Number(new DataView(evt.data.subarray().buffer, evt.data.subarray().byteOffset).getBigUint64(0))) }, { once: true })
  })
  const block = new Uint8Array(1 << 20)
  for (let sent = 0; sent < asked; sent += block.length) {
    if (!stream.send(block.subarray(0, Math.min(block.length, asked - sent)))) await stream.onDrain()
  }
  await stream.close()
})
process.on('message', (msg: { cmd: string }) => {
  if (msg.cmd === 'cpu') {
    const { user, system } = process.cpuUsage()
    process.send!({ type: 'cpu', micros: user + system })
  }
  if (msg.cmd === 'stop') {
    void service.stop().then(async () => { await node.stop() }).finally(() => {
      rmSync(dir, { recursive: true, force: true })
      process.exit(0)
    })
  }
})
process.send({ type: 'ready', addrs: node.getMultiaddrs().map(String), manifest: toHex(encodeManifest(manifest)) })
