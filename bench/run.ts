/**
 * `npm run bench [-- --json] [-- --quick] [-- --browser-only | --node-only | --hosts-only | --mailbox-only | --files-only | --swarm-only | --browser-files-only | --directory-only | --sframe-only | --calls-only | --call-cpu-only]`: Kith's
 * benchmarks, each against a baseline measured in the same run on this machine (`--node-only`
 * runs the in-process ones below, without the browser and the simulated hosts).
 *
 * - delivery latency p50/p99, send → stored and displayable at a peer in another process, against
 *   MLS encrypt p50 + decrypt p50 + libp2p round trip p50 (ping over the same connection), MLS
 *   meaning ts-mls, the reference implementation Kith builds on;
 * - Kith's own application-message encrypt and decrypt against ts-mls's;
 * - messages per second in one conversation, sends awaited one by one and 64 in flight, against
 *   the same baseline's implied rate, with the CPU time each process spent per message;
 * - MLS add-member commit and processing for groups of 10, 100 and 1,000;
 * - catching up on messages queued while offline, from a mailbox against direct delivery (bench/mailbox.ts);
 * - a file (1 GiB, 64 MiB with --quick) fetched over `/kith/file/1.0.0` between two processes,
 *   against a raw libp2p stream moving the same bytes between the same nodes and `cat | nc` (when
 *   installed), with the receiver's peak RSS; and a swarm of 1 sender and 4 receiving processes
 *   (256 MiB, 16 MiB with --quick) against the sender serving them alone (bench/files.ts);
 * - directory lookups on a DHT of 100 Kith nodes, against kad-dht getClosestPeers for the same
 *   key (bench/directory.ts);
 * - SFrame encrypt + decrypt per video frame, in Node and Chromium, against the 30 fps frame
 *   interval and bare AES-GCM (bench/sframe.ts);
 * - a 3-person group video call: the renderers' CPU per page with SFrame on against off (bench/call-cpu.ts);
 * - the browser app: initial JS, load to online, browser-to-browser latency (bench/browser.ts);
 * - a file (100 MiB, 16 MiB with --quick) between two browsers against a raw RTCDataChannel between
 *   the same pages, and the receiving page's heap (bench/browser-files.ts);
 * - on simulated hosts: hole punching through two NATs, and message latency between two hosts
 *   against loopback (bench/hosts.ts; skipped, with the reason, where hosts cannot be simulated).
 */
import { fork, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import { createApplicationMessage, decodeMlsMessage, encodeMlsMessage, processPrivateMessage, emptyPskIndex, type MlsPrivateMessage } from 'ts-mls'
import { parseInviteLink } from '../src/core/identity/invite.ts'
import { encodePayload, newMessageId } from '../src/core/conversation/payload.ts'
import { KithNode } from '../src/node/kith-node.ts'
import { getSuite } from '../src/core/mls/suite.ts'
import { encryptApplication, processMessage, readMlsMessage } from '../src/core/mls/group.ts'
import { ensureKithBundle } from '../scripts/build-node.mjs'
import { benchBrowser } from './browser.ts'
import { benchBrowserFiles } from './browser-files.ts'
import { benchHosts } from './hosts.ts'
import { benchMailbox } from './mailbox.ts'
import { benchFiles, benchSwarm } from './files.ts'
import { benchCommits, pairGroup } from './mls.ts'
import { benchDirectory } from './directory.ts'
import { benchSFrame } from './sframe.ts'
import { benchCalls } from './calls.ts'
import { benchCallCpu } from './call-cpu.ts'
import { quantile, report, result, type BenchResult } from './stats.ts'

const json = process.argv.includes('--json')
const quick = process.argv.includes('--quick')
const ROUNDS = 3
const LATENCY_SAMPLES = quick ? 50 : 200
const THROUGHPUT_MESSAGES = quick ? 300 : 2000
/** Sends a producer keeps in flight in the second throughput run. */
const IN_FLIGHT = 64
const log = (s: string): void => { if (!json) process.stderr.write(s + '\n') }

interface Arrival { text: string, at: number }

/** A throughput run: messages per second, and the CPU time each process spent per message. */
interface Throughput { perSecond: number, senderCpuMs: number, receiverCpuMs: number }

const ownCpuMicros = (): number => { const { user, system } = process.cpuUsage(); return user + system }

/**
 * Messages per second from send to stored at the peer: THROUGHPUT_MESSAGES sends, `inFlight` at a
 * time (as concurrent API callers would make them), then one last send whose arrival ends the clock.
 * `receiverCpu` asks the peer's process for its CPU time so far.
 */
async function throughput (alice: KithNode, arrival: (text: string) => Promise<number>, receiverCpu: () => Promise<number>, tag: string, inFlight: number): Promise<Throughput> {
  const last = `throughput-${tag}-${THROUGHPUT_MESSAGES - 1}-last`
  const done = arrival(last)
  const receiverBefore = await receiverCpu()
  const senderBefore = ownCpuMicros()
  const start = performance.timeOrigin + performance.now()
  let next = 0
  const sender = async (): Promise<void> => {
    while (next < THROUGHPUT_MESSAGES - 1) await alice.messenger.send('bob', `throughput-${tag}-${next++}`)
  }
  await Promise.all(Array.from({ length: inFlight }, sender))
  await alice.messenger.send('bob', last)
  const end = await done
  const senderCpu = ownCpuMicros() - senderBefore
  const receiverCpuUsed = await receiverCpu() - receiverBefore
  return {
    perSecond: THROUGHPUT_MESSAGES / ((end - start) / 1000),
    senderCpuMs: senderCpu / 1000 / THROUGHPUT_MESSAGES,
    receiverCpuMs: receiverCpuUsed / 1000 / THROUGHPUT_MESSAGES
  }
}

async function main (): Promise<void> {
  // The daemons the benchmarks start run the `kith` bundle, as `kith` does (scripts/build-node.mjs).
  await ensureKithBundle()
  if (process.argv.includes('--browser-only')) {
    report(await benchBrowser(quick, log), json)
    return
  }
  if (process.argv.includes('--browser-files-only')) {
    report(await benchBrowserFiles(quick, log), json)
    return
  }
  if (process.argv.includes('--directory-only')) {
    report(await benchDirectory(quick, log), json)
    return
  }
  if (process.argv.includes('--hosts-only')) {
    report(await benchHosts(quick, log), json)
    return
  }
  if (process.argv.includes('--mailbox-only')) {
    report(await benchMailbox(quick, log), json)
    return
  }
  if (process.argv.includes('--files-only')) {
    report(await benchFiles(quick, log), json)
    return
  }
  if (process.argv.includes('--swarm-only')) {
    report(await benchSwarm(quick, log), json)
    return
  }
  if (process.argv.includes('--sframe-only')) {
    report(await benchSFrame(quick, log), json)
    return
  }
  if (process.argv.includes('--calls-only')) {
    report(await benchCalls(quick, log), json)
    return
  }
  if (process.argv.includes('--call-cpu-only')) {
    report(await benchCallCpu(quick, log), json)
    return
  }
  const dirs = [mkdtempSync(join(tmpdir(), 'kith-bench-a-')), mkdtempSync(join(tmpdir(), 'kith-bench-b-'))]
  const worker: ChildProcess = fork(join(import.meta.dirname, 'worker.ts'), [dirs[1]!], {
    execArgv: process.execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc']
  })
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
  const arrivals = new Map<string, (at: number) => void>()
  const cpuReplies: Array<(micros: number) => void> = []
  const ready = new Promise<{ link: string, peerId: string }>((resolve) => {
    worker.on('message', (m: { type: string, link?: string, peerId?: string, micros?: number } & Partial<Arrival>) => {
      if (m.type === 'ready') resolve({ link: m.link!, peerId: m.peerId! })
      if (m.type === 'message') arrivals.get(m.text!)?.(m.at!)
      if (m.type === 'cpu') cpuReplies.shift()?.(m.micros!)
    })
  })
  const receiverCpu = async (): Promise<number> => await new Promise((resolve) => { cpuReplies.push(resolve); worker.send({ cmd: 'cpu' }) })
  const arrival = (text: string): Promise<number> => new Promise((resolve) => arrivals.set(text, (at) => { arrivals.delete(text); resolve(at) }))
  const alice = await KithNode.start({ dataDir: dirs[0], name: 'Alice', api: false, retry: { initialMs: 20, maxMs: 200 } })
  const bob = await ready
  try {
    await alice.messenger.addContact(await parseInviteLink(bob.link), 'bob')
    // Warm up: the 1:1 is set up and the delivery stream is open.
    const warm = arrival('warm-up')
    await alice.messenger.send('bob', 'warm-up')
    await warm
    for (let i = 0; i < 30; i++) { const a = arrival(`w${i}`); await alice.messenger.send('bob', `w${i}`); await a }

    const suite = await getSuite()
    const kith: number[] = []
    const enc: number[] = []
    const dec: number[] = []
    const kithEnc: number[] = []
    const kithDec: number[] = []
    const rtt: number[] = []
    const bobPeer = peerIdFromString(bob.peerId)
    const echo = lpStream(await alice.libp2p.dialProtocol(bobPeer, '/kith-bench/echo/1.0.0'))
    const frame = new Uint8Array(420)
    for (let round = 0; round < ROUNDS; round++) {
      log(`round ${round + 1}/${ROUNDS}: libp2p round trip`)
      for (let i = 0; i < LATENCY_SAMPLES; i++) {
        const t = performance.now()
        await echo.write(frame)
        await echo.read()
        rtt.push(performance.now() - t)
      }
      log(`round ${round + 1}/${ROUNDS}: MLS encrypt/decrypt`)
      // A 1:1 group like Kith's, with the same payload size, driven through ts-mls directly.
      let { sender, receiver } = await pairGroup()
      for (let i = 0; i < LATENCY_SAMPLES; i++) {
        const payload = encodePayload({ id: newMessageId(), kind: 'text', text: `message number ${i}`, sentAt: Date.now(), seq: i + 1, lamport: i + 1 })
        let t = performance.now()
        const r = await createApplicationMessage(sender, payload, suite)
        const bytes = encodeMlsMessage({ version: 'mls10', wireformat: 'mls_private_message', privateMessage: r.privateMessage })
        enc.push(performance.now() - t)
        sender = r.newState
        t = performance.now()
        const m = decodeMlsMessage(bytes, 0)![0] as MlsPrivateMessage
        const p = await processPrivateMessage(receiver, m.privateMessage, emptyPskIndex, suite)
        dec.push(performance.now() - t)
        receiver = p.newState
      }
      // The same through Kith's own protection of application messages.
      ;({ sender, receiver } = await pairGroup())
      for (let i = 0; i < LATENCY_SAMPLES; i++) {
        const payload = encodePayload({ id: newMessageId(), kind: 'text', text: `message number ${i}`, sentAt: Date.now(), seq: i + 1, lamport: i + 1 })
        let t = performance.now()
        const r = await encryptApplication(sender, payload)
        kithEnc.push(performance.now() - t)
        sender = r.state
        t = performance.now()
        const m = readMlsMessage(r.message)
        if (m.kind !== 'private') throw new Error('expected a private message')
        const p = await processMessage(receiver, m.message)
        kithDec.push(performance.now() - t)
        receiver = p.state
      }
      log(`round ${round + 1}/${ROUNDS}: Kith delivery latency`)
      for (let i = 0; i < LATENCY_SAMPLES; i++) {
        const text = `r${round}-latency-${i}`
        const arrived = arrival(text)
        const t = performance.timeOrigin + performance.now()
        await alice.messenger.send('bob', text)
        kith.push((await arrived) - t)
      }
    }
    const baselineP50 = quantile(enc, 0.5) + quantile(dec, 0.5) + quantile(rtt, 0.5)
    const baselineP99 = quantile(enc, 0.99) + quantile(dec, 0.99) + quantile(rtt, 0.99)
    const results: BenchResult[] = [
      result('delivery latency p50 (send to stored at peer)', quantile(kith, 0.5), 'ms', 'MLS encrypt p50 + decrypt p50 + libp2p RTT p50', baselineP50),
      result('delivery latency p99 (send to stored at peer)', quantile(kith, 0.99), 'ms', 'MLS encrypt p99 + decrypt p99 + libp2p RTT p99', baselineP99),
      result('libp2p stream round trip p50 (420 B frame)', quantile(rtt, 0.5), 'ms', 'MLS encrypt p50 + decrypt p50 + libp2p RTT p50', baselineP50),
      result('MLS encrypt p50', quantile(enc, 0.5), 'ms', 'MLS encrypt p50 + decrypt p50 + libp2p RTT p50', baselineP50),
      result('MLS decrypt p50', quantile(dec, 0.5), 'ms', 'MLS encrypt p50 + decrypt p50 + libp2p RTT p50', baselineP50),
      result('MLS encrypt p50, Kith (application-message.ts)', quantile(kithEnc, 0.5), 'ms', 'ts-mls createApplicationMessage p50', quantile(enc, 0.5)),
      result('MLS decrypt p50, Kith (application-message.ts)', quantile(kithDec, 0.5), 'ms', 'ts-mls processPrivateMessage p50', quantile(dec, 0.5))
    ]

    // The pipeline's bound: a sender can do no better than 1 / (encrypt p50), a receiver 1 / (decrypt p50).
    const bound = 1000 / Math.max(quantile(enc, 0.5), quantile(dec, 0.5))
    const runs: Array<[string, string, number]> = [
      ['', 'one', 1],
      [`, ${IN_FLIGHT} sends in flight`, 'many', IN_FLIGHT]
    ]
    for (const [label, tag, inFlight] of runs) {
      log(`throughput: one conversation${inFlight === 1 ? ', each send awaited before the next' : label}`)
      const t = await throughput(alice, arrival, receiverCpu, tag, inFlight)
      results.push(
        result(`messages per second, one conversation${label}`, t.perSecond, 'msg/s', '1 / max(MLS encrypt p50, decrypt p50)', bound),
        // All of each process's threads: where a message's time goes when the two processes share this machine's cores.
        result(`CPU per message, sending process${label}`, t.senderCpuMs, 'ms', 'MLS encrypt p50', quantile(enc, 0.5)),
        result(`CPU per message, receiving process${label}`, t.receiverCpuMs, 'ms', 'MLS decrypt p50', quantile(dec, 0.5))
      )
    }

    log('MLS commits for groups of 10, 100, 1000')
    results.push(...await benchCommits(quick ? [10, 100] : [10, 100, 1000]))
    log('catching up from a mailbox')
    results.push(...await benchMailbox(quick, log))
    results.push(...await benchFiles(quick, log))
    results.push(...await benchDirectory(quick, log))
    if (!process.argv.includes('--node-only')) {
      results.push(...await benchSFrame(quick, log))
      results.push(...await benchCalls(quick, log))
      results.push(...await benchCallCpu(quick, log))
      results.push(...await benchBrowser(quick, log))
      results.push(...await benchBrowserFiles(quick, log))
      results.push(...await benchHosts(quick, log))
    }
    report(results, json)
  } finally {
    worker.send({ cmd: 'stop' })
    await alice.stop()
    await exited
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  }
}

await main()
