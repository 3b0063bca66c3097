/**
 * File transfer, Node to Node in two processes over loopback: one file (256 MiB, 64 MiB with
 * --quick) fetched over `/kith/file/1.0.0` into a chunk store on tmpfs, every chunk verified and
 * stored, against a raw libp2p stream that moves the same number of bytes between the same two
 * nodes in the same run. Rounds alternate baseline and Kith; medians are reported.
 */
import { fork } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { fromHex } from '../src/core/bytes.ts'
import { decodeManifest } from '../src/core/files/manifest.ts'
import { createKithNode } from '../src/net/node.ts'
import { downloadFile } from '../src/net/protocols/file.ts'
import { installNodeFileCrypto } from '../src/node/file-crypto.ts'
import { NodeChunkStore } from '../src/store/chunks.node.ts'
import { quantile, result, type BenchResult } from './stats.ts'

/** The baseline's protocol: the dialer writes a uint64be byte count, the listener writes that many bytes. */
export const RAW_PROTOCOL = '/kith-bench/raw/1.0.0'

/** A temporary directory prefix on tmpfs when there is one (the issue measures on tmpfs). */
export function benchTmp (prefix: string): string {
  return join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), prefix)
}

const MiB = 1024 * 1024

/** Runs the file benchmark; `log` gets progress lines. */
export async function benchFiles (quick: boolean, log: (line: string) => void): Promise<BenchResult[]> {
  const size = (quick ? 64 : 256) * MiB
  const rounds = 3
  installNodeFileCrypto()
  log(`files: sealing a ${size / MiB} MiB file in the sending process`)
  const worker = fork(join(import.meta.dirname, 'files-worker.ts'), [String(size)], { execArgv: process.execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  const exited = new Promise<void>((resolve) => worker.once('exit', () => { resolve() }))
  const ready = await new Promise<{ addrs: string[], manifest: string }>((resolve, reject) => {
    worker.once('message', (m: { type: string, addrs: string[], manifest: string }) => { resolve(m) })
    worker.once('exit', (code) => { reject(new Error(`the sending process exited (${code}) before it was ready`)) })
  })
  const manifest = decodeManifest(fromHex(ready.manifest))
  const node = await createKithNode({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], relayReservation: false })
  const dirs: string[] = []
  try {
    const addrs = ready.addrs.map((a) => multiaddr(a))
    const connection = await node.dial(addrs)
    const sender = connection.remotePeer
    const cpuReplies: Array<(micros: number) => void> = []
    worker.on('message', (m: { type: string, micros?: number }) => { if (m.type === 'cpu') cpuReplies.shift()?.(m.micros!) })
    const senderCpu = async (): Promise<number> => await new Promise((resolve) => { cpuReplies.push(resolve); worker.send({ cmd: 'cpu' }) })
    const ownCpu = (): number => { const { user, system } = process.cpuUsage(); return user + system }
    /** CPU milliseconds per MiB moved, in the sending and the receiving process. */
    const cpu = { raw: { send: [] as number[], recv: [] as number[] }, kith: { send: [] as number[], recv: [] as number[] } }
    const raw: number[] = []
    const kith: number[] = []
    const rssBefore = process.memoryUsage().rss
    let rssPeak = rssBefore
    const sample = setInterval(() => { rssPeak = Math.max(rssPeak, process.memoryUsage().rss) }, 50)
    try {
      for (let round = 0; round < rounds; round++) {
        log(`files: round ${round + 1}/${rounds}: raw libp2p stream, ${size / MiB} MiB`)
        const stream = await node.dialProtocol(sender, RAW_PROTOCOL)
        let received = 0
        const ended = new Promise<void>((resolve) => {
          stream.addEventListener('message', (evt) => { received += evt.data.byteLength })
          stream.addEventListener('remoteCloseWrite', () => { resolve() })
          stream.addEventListener('close', () => { resolve() })
        })
        const request = new Uint8Array(8)
        new DataView(request.buffer).setBigUint64(0, BigInt(size))
        let [sendBefore, recvBefore] = [await senderCpu(), ownCpu()]
        let t = performance.now()
        stream.send(request)
        await ended
        const rawMs = performance.now() - t
        cpu.raw.send.push((await senderCpu() - sendBefore) / 1000 / (size / MiB))
        cpu.raw.recv.push((ownCpu() - recvBefore) / 1000 / (size / MiB))
        if (received !== size) throw new Error(`the raw stream moved ${received} bytes, not ${size}`)
        raw.push(size / MiB / (rawMs / 1000))
        await stream.close().catch(() => {})

        log(`files: round ${round + 1}/${rounds}: /kith/file/1.0.0, ${size / MiB} MiB into a chunk store on tmpfs`)
        const dir = mkdtempSync(benchTmp('kith-bench-files-recv-'))
        dirs.push(dir)
        const store = await NodeChunkStore.open({ dir, quotaBytes: 2 * size })
        ;[sendBefore, recvBefore] = [await senderCpu(), ownCpu()]
        t = performance.now()
        const report = await downloadFile(node, manifest, [sender], { store, log })
        const ms = performance.now() - t
        cpu.kith.send.push((await senderCpu() - sendBefore) / 1000 / (size / MiB))
        cpu.kith.recv.push((ownCpu() - recvBefore) / 1000 / (size / MiB))
        if (!(await store.held(manifest.fileId))!.complete || report.dropped.length > 0) throw new Error('the file transfer did not complete cleanly')
        kith.push(size / MiB / (ms / 1000))
        rmSync(dir, { recursive: true, force: true })
      }
    } finally {
      clearInterval(sample)
    }
    const label = `${size / MiB} MiB`
    return [
      result(`file transfer Node to Node, ${label}, verified and stored (two processes)`, quantile(kith, 0.5), 'MiB/s', 'raw libp2p stream, same bytes, same nodes', quantile(raw, 0.5)),
      result('CPU per MiB, sending process, file transfer', quantile(cpu.kith.send, 0.5), 'ms', 'the same for the raw libp2p stream', quantile(cpu.raw.send, 0.5)),
      result('CPU per MiB, receiving process, file transfer', quantile(cpu.kith.recv, 0.5), 'ms', 'the same for the raw libp2p stream', quantile(cpu.raw.recv, 0.5)),
      result(`receiving process peak RSS during ${rounds} x ${label} transfers`, rssPeak / MiB, 'MiB', 'its RSS before them', rssBefore / MiB)
    ]
  } finally {
    await node.stop()
    worker.send({ cmd: 'stop' })
    await exited
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  }
}
