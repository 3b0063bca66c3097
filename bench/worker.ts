/**
 * Benchmark helper process: runs a Kith peer and reports, over IPC, the moment each message is
 * stored and displayable (a high-resolution wall-clock stamp comparable across processes).
 */
import { lpStream } from '@libp2p/utils'
import { KithNode } from '../src/node/kith-node.ts'

const dataDir = process.argv[2]
if (dataDir === undefined || process.send === undefined) throw new Error('usage: worker.ts DATA_DIR (as a child process with IPC)')
const node = await KithNode.start({ dataDir, name: 'Bob', api: false, retry: { initialMs: 20, maxMs: 200 } })
// Each report costs this process an IPC send, which is the benchmark's work, not Kith's: of a
// throughput burst only its last message (marked `-last`) is reported.
node.messenger.subscribe((event) => {
  if (event.type !== 'message' || event.message.own) return
  const text = event.message.text
  if (text.startsWith('throughput-') && !text.endsWith('-last')) return
  process.send!({ type: 'message', text, at: performance.timeOrigin + performance.now() })
})
// Baseline: echo frames on one long-lived stream, the same shape as a delivery and its ack.
await node.libp2p.handle('/kith-bench/echo/1.0.0', async (stream) => {
  const lp = lpStream(stream)
  try {
    for (;;) await lp.write(await lp.read())
  } catch {
    stream.abort(new Error('echo closed'))
  }
})
process.on('message', (msg: { cmd: string }) => {
  if (msg.cmd === 'stop') void node.stop().then(() => process.exit(0))
  // CPU time of every thread of this process so far, in microseconds.
  if (msg.cmd === 'cpu') {
    const { user, system } = process.cpuUsage()
    process.send!({ type: 'cpu', micros: user + system })
  }
})
process.send({ type: 'ready', link: node.messenger.inviteLink(), peerId: node.libp2p.peerId.toString() })
