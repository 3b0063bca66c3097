/**
 * File transfer, Node to Node in two processes over loopback: one file (1 GiB, 64 MiB with
 * --quick) fetched over `/kith/file/1.0.0` into a chunk store on tmpfs, every chunk verified and
 * stored, against a raw libp2p stream that moves the same number of bytes between the same two
 * nodes in the same run, and `cat FILE | nc` over loopback as the physical ceiling (skipped when
 * `nc` is not installed; .ci/run installs netcat-openbsd). Rounds alternate baseline and Kith;
 * medians are reported. The sending and the receiving node are each a process of their own
 * (files-worker.ts, files-peer-worker.ts, bundled and run on plain Node as the `kith` daemon is),
 * which this one drives: the receiver's peak RSS is then a node's, not this process's with every
 * benchmark loaded.
 *
 * The swarm: 1 sender and 4 receiving members, each its own process; every member serves what it
 * holds to the others. Reported: the bytes the sender uploads over the file size, and the time
 * until all 4 hold the file, against the sender serving all 4 alone (rounds alternate).
 *
 * To look inside, KITH_BENCH_NODE_ARGS passes Node options to the helper processes and shows their
 * standard output: `KITH_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"` profiles each one,
 * `--trace-gc` prints their collections.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { randomFillSync } from 'node:crypto'
import { join } from 'node:path'
import { bundleNode } from '../scripts/build-node.mjs'
import { benchTmp } from './files-common.ts'
import { quantile, result, type BenchResult } from './stats.ts'

const MiB = 1024 * 1024

/** Runs the file benchmark; `log` gets progress lines. */
export async function benchFiles (quick: boolean, log: (line: string) => void): Promise<BenchResult[]> {
  const size = (quick ? 64 : 1024) * MiB
  const rounds = quick ? 3 : 2
  log(`files: sealing a ${size / MiB} MiB file in the sending process`)
  // The sender and the receiver are processes of their own, so the receiver's RSS is a node's.
  const sender = await startWorker<{ addrs: string[], manifest: string }>('files-worker.ts', [String(size)])
  const receiver = await startWorker<Ready>('files-peer-worker.ts', [])
  try {
    const source = { id: sender.first.addrs[0]!.split('/p2p/')[1]!, addrs: sender.first.addrs.map((a) => a.split('/p2p/')[0]!) }
    const manifest = sender.first.manifest
    /** CPU microseconds of both processes so far. */
    const cpuNow = async (): Promise<[number, number]> => await Promise.all([sender, receiver].map(async (w) => (await ask<{ micros: number }>(w.child, { cmd: 'cpu' }, 'cpu')).micros)) as [number, number]
    /** CPU milliseconds per MiB moved, in the sending and the receiving process. */
    const cpu = { raw: { send: [] as number[], recv: [] as number[] }, kith: { send: [] as number[], recv: [] as number[] } }
    const perMiB = (after: number, before: number): number => (after - before) / 1000 / (size / MiB)
    const raw: number[] = []
    const kith: number[] = []
    const peakRss = async (): Promise<number> => (await ask<{ peak: number }>(receiver.child, { cmd: 'rss' }, 'rss')).peak
    const rssBefore = (await ask<{ rss: number }>(receiver.child, { cmd: 'rss' }, 'rss')).rss
    /** The receiver's peak while it read the first raw stream, before any file transfer. */
    let rssRaw = 0
    let rssPeak = rssBefore
    for (let round = 0; round < rounds; round++) {
      log(`files: round ${round + 1}/${rounds}: raw libp2p stream, ${size / MiB} MiB`)
      let before = await cpuNow()
      const r = await ask<{ ms: number, error?: string }>(receiver.child, { cmd: 'raw', source, size }, 'raw')
      if (r.error !== undefined) throw new Error(`the raw stream failed: ${r.error}`)
      let after = await cpuNow()
      cpu.raw.send.push(perMiB(after[0], before[0]))
      cpu.raw.recv.push(perMiB(after[1], before[1]))
      raw.push(size / MiB / (r.ms / 1000))
      log(`files: round ${round + 1}/${rounds}: raw libp2p stream ${raw.at(-1)!.toFixed(1)} MiB/s`)
      if (round === 0) rssRaw = await peakRss()

      log(`files: round ${round + 1}/${rounds}: /kith/file/1.0.0, ${size / MiB} MiB into a chunk store on tmpfs`)
      before = await cpuNow()
      const done = await ask<Done>(receiver.child, { cmd: 'download', manifest, sources: [source] }, 'done')
      after = await cpuNow()
      if (!done.complete) throw new Error(`the file transfer did not complete${done.error !== undefined ? `: ${done.error}` : ''}`)
      if ((done.dropped ?? 0) > 0) log(`files: round ${round + 1}/${rounds}: ${done.dropped} source drop(s) during the download (counted in the time)`)
      cpu.kith.send.push(perMiB(after[0], before[0]))
      cpu.kith.recv.push(perMiB(after[1], before[1]))
      kith.push(size / MiB / (done.ms / 1000))
      log(`files: round ${round + 1}/${rounds}: /kith/file/1.0.0 ${kith.at(-1)!.toFixed(1)} MiB/s`)
      rssPeak = Math.max(rssPeak, await peakRss())
      await ask(receiver.child, { cmd: 'reset', manifest }, 'reset')
    }
    const label = `${size / MiB} MiB`
    const ceiling = await benchNetcat(size, log)
    return [
      ...(ceiling === undefined ? [] : [result(`cat | nc over loopback, ${label} (the physical ceiling)`, ceiling, 'MiB/s', 'the raw libp2p stream below', quantile(raw, 0.5))]),
      result(`file transfer Node to Node, ${label}, verified and stored (two processes)`, quantile(kith, 0.5), 'MiB/s', 'raw libp2p stream, same bytes, same nodes', quantile(raw, 0.5)),
      result('CPU per MiB, sending process, file transfer', quantile(cpu.kith.send, 0.5), 'ms', 'the same for the raw libp2p stream', quantile(cpu.raw.send, 0.5)),
      result('CPU per MiB, receiving process, file transfer', quantile(cpu.kith.recv, 0.5), 'ms', 'the same for the raw libp2p stream', quantile(cpu.raw.recv, 0.5)),
      result(`receiving node's peak RSS during ${rounds} x ${label} file transfers (its own process)`, rssPeak / MiB, 'MiB', 'its RSS before them', rssBefore / MiB),
      result(`receiving node's peak RSS during ${rounds} x ${label} file transfers (its own process)`, rssPeak / MiB, 'MiB', 'its peak reading the first raw stream', rssRaw / MiB),
      ...await benchSwarm(quick, log)
    ]
  } finally {
    for (const w of [sender, receiver]) w.child.send({ cmd: 'stop' })
    await Promise.all([sender.exited, receiver.exited])
  }
}

/** `cat FILE | nc` into `nc -l` over loopback, in MiB/s (median of 3); undefined without `nc`. */
async function benchNetcat (size: number, log: (line: string) => void): Promise<number | undefined> {
  try {
    execFileSync('sh', ['-c', 'command -v nc'], { stdio: 'ignore' })
  } catch {
    log('files: nc is not installed; the `cat | nc` ceiling is skipped')
    return undefined
  }
  const dir = mkdtempSync(benchTmp('kith-bench-nc-'))
  try {
    const file = join(dir, 'payload')
    const block = new Uint8Array(MiB)
    randomFillSync(block)
    const parts: Uint8Array[] = []
    for (let i = 0; i < size / MiB; i++) parts.push(block)
    writeFileSync(file, Buffer.concat(parts))
    const rates: number[] = []
    for (let round = 0; round < 3; round++) {
      const port = 20_000 + Math.floor(Math.random() * 20_000)
      const listener = spawn('sh', ['-c', `nc -l 127.0.0.1 ${port} > /dev/null || nc -l -p ${port} > /dev/null`], { stdio: 'ignore' })
      const closed = new Promise<void>((resolve) => listener.once('exit', () => { resolve() }))
      // nc -l has no "listening" signal: the sender retries until it connects.
      const t = performance.now()
      execFileSync('sh', ['-c', `until cat ${file} | nc -N 127.0.0.1 ${port} 2>/dev/null || cat ${file} | nc -q 0 127.0.0.1 ${port} 2>/dev/null; do sleep 0.01; done`])
      await closed
      rates.push(size / MiB / ((performance.now() - t) / 1000))
    }
    return quantile(rates, 0.5)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

interface Ready { type: 'ready', peerId: string, addrs: string[] }
interface Done { type: 'done', ms: number, cpuMs?: number, complete: boolean, dropped?: number, bytesBySource?: Record<string, number>, error?: string }

const bundles = new Map<string, Promise<string>>()

/**
 * A helper process's code, bundled as the `kith` daemon is (scripts/build-node.mjs) and run on
 * plain Node: its memory is then that of a node as it ships, without tsx compiling TypeScript in it.
 */
async function bundled (file: string): Promise<string> {
  let out = bundles.get(file)
  if (out === undefined) {
    const target = join(import.meta.dirname, '../build/bench', file.replace(/\.ts$/, '.mjs'))
    out = bundleNode(join(import.meta.dirname, file), target).then(() => target)
    bundles.set(file, out)
  }
  return await out
}

/** Starts a helper process and resolves with its first message. */
async function startWorker<T> (file: string, args: string[]): Promise<{ child: ChildProcess, first: T, exited: Promise<void> }> {
  const child = fork(await bundled(file), args, { execArgv: ['--disable-warning=ExperimentalWarning', ...(process.env.KITH_BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '')], stdio: ['ignore', process.env.KITH_BENCH_NODE_ARGS !== undefined ? 'inherit' : 'ignore', 'inherit', 'ipc'] })
  const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve() }))
  const first = await new Promise<T>((resolve, reject) => {
    child.once('message', (m: T) => { resolve(m) })
    child.once('exit', (code) => { reject(new Error(`${file} exited (${code}) before it was ready`)) })
  })
  return { child, first, exited }
}

/** Sends a command and resolves with the next message of `type`. */
async function ask<T> (child: ChildProcess, command: object, type: string): Promise<T> {
  return await new Promise<T>((resolve) => {
    const on = (m: { type: string }): void => {
      if (m.type !== type) return
      child.off('message', on)
      resolve(m as T)
    }
    child.on('message', on)
    child.send(command)
  })
}

/**
 * 1 sender and 4 receivers, each a process: the swarm (every receiver also asks the other three)
 * against the sender serving all 4 alone. Alternating rounds; medians.
 */
export async function benchSwarm (quick: boolean, log: (line: string) => void): Promise<BenchResult[]> {
  const size = (quick ? 16 : 256) * MiB
  const rounds = quick ? 1 : 2
  const receivers = 4
  log(`files: swarm of 1 sender and ${receivers} receivers, ${size / MiB} MiB, each in its own process`)
  const sender = await startWorker<{ addrs: string[], manifest: string }>('files-worker.ts', [String(size)])
  const peers = await Promise.all(Array.from({ length: receivers }, async () => await startWorker<Ready>('files-peer-worker.ts', [])))
  try {
    const senderId = sender.first.addrs[0]!.split('/p2p/')[1]!
    const senderSource = { id: senderId, addrs: sender.first.addrs.map((a) => a.split('/p2p/')[0]!) }
    const manifest = sender.first.manifest
    const swarm = { ms: [] as number[], upload: [] as number[], cpu: [] as number[] }
    const alone = { ms: [] as number[], upload: [] as number[], cpu: [] as number[] }
    const senderCpu = async (): Promise<number> => (await ask<{ micros: number }>(sender.child, { cmd: 'cpu' }, 'cpu')).micros / 1000
    for (let round = 0; round < rounds; round++) {
      for (const mode of ['swarm', 'alone'] as const) {
        log(`files: swarm round ${round + 1}/${rounds}: ${mode === 'swarm' ? 'members serve each other' : 'the sender serves all alone'}`)
        await Promise.all(peers.map(async (p) => await ask(p.child, { cmd: 'reset', manifest }, 'reset')))
        await Promise.all(peers.map(async (p) => await ask(p.child, { cmd: 'prepare', manifest }, 'prepared')))
        if (mode === 'swarm' && round === 0) {
          // Group members are connected through the conversation's chat before anyone downloads.
          await Promise.all(peers.map(async (p) => await ask(p.child, { cmd: 'connect', peers: peers.filter((q) => q !== p).map((q) => ({ id: q.first.peerId, addrs: q.first.addrs.map((a) => a.split('/p2p/')[0]!) })) }, 'connected')))
        }
        const cpuBefore = await senderCpu()
        const t = performance.now()
        const dones = await Promise.all(peers.map(async (p) => {
          const others = mode === 'swarm' ? peers.filter((q) => q !== p).map((q) => ({ id: q.first.peerId, addrs: q.first.addrs.map((a) => a.split('/p2p/')[0]!) })) : []
          return await ask<Done>(p.child, { cmd: 'download', manifest, sources: [senderSource, ...others] }, 'done')
        }))
        const ms = performance.now() - t
        const cpu = await senderCpu() - cpuBefore + dones.reduce((n, d) => n + (d.cpuMs ?? 0), 0)
        const failed = dones.find((d) => !d.complete)
        if (failed !== undefined) throw new Error(`a receiver did not complete the ${mode} round: ${failed.error ?? 'incomplete'}`)
        const drops = dones.reduce((n, d) => n + (d.dropped ?? 0), 0)
        if (drops > 0) log(`files: swarm round ${round + 1}/${rounds}, ${mode}: ${drops} source(s) dropped along the way (counted in the time)`)
        const uploaded = dones.reduce((n, d) => n + (d.bytesBySource?.[senderId] ?? 0), 0)
        const target = mode === 'swarm' ? swarm : alone
        target.ms.push(ms)
        target.upload.push(uploaded / size)
        target.cpu.push(cpu)
        log(`files: ${mode}: ${Math.round(ms)} ms, the sender uploaded ${(uploaded / size).toFixed(2)} x the file, ${Math.round(cpu)} ms of CPU in the 5 processes; receivers done after ${dones.map((d) => Math.round(d.ms)).join(', ')} ms`)
      }
    }
    return [
      result(`swarm of ${receivers} receivers, ${size / MiB} MiB: bytes the sender uploads / file size`, quantile(swarm.upload, 0.5), 'x', 'the sender serving all 4 alone', quantile(alone.upload, 0.5)),
      result(`swarm of ${receivers} receivers, ${size / MiB} MiB: time until all hold the file`, quantile(swarm.ms, 0.5), 'ms', 'the sender serving all 4 alone', quantile(alone.ms, 0.5)),
      result(`swarm of ${receivers} receivers, ${size / MiB} MiB: CPU time of the 5 processes`, quantile(swarm.cpu, 0.5), 'ms', 'the sender serving all 4 alone', quantile(alone.cpu, 0.5))
    ]
  } finally {
    for (const p of [sender, ...peers]) p.child.send({ cmd: 'stop' })
    await Promise.all([sender, ...peers].map(async (p) => await p.exited))
  }
}
