import { logger } from '@libp2p/logger'
import { lpStream } from '@libp2p/utils'
import { StreamState, YamuxStream } from '@libp2p/yamux/stream'
import { Uint8ArrayList } from 'uint8arraylist'
import { afterEach, describe, expect, it } from 'vitest'
import { installHalfWindowUpdates } from '../../../src/net/yamux-window.ts'
import { LoopbackPeers } from './loopback.ts'

const DATA = 0
const WINDOW_UPDATE = 1
const ACK = 2
const WINDOW = 256 * 1024

interface SentFrame { type: number, flag: number, length: number }

/** A real Yamux stream whose outgoing frames are recorded instead of written to a connection. */
function recordingStream (state: StreamState): { stream: YamuxStream, sent: SentFrame[] } {
  const sent: SentFrame[] = []
  const stream = new YamuxStream({
    id: '1',
    streamId: 1,
    state,
    direction: 'inbound',
    log: logger('kith:test:yamux-window'),
    getRTT: () => -1,
    sendFrame: (header) => {
      sent.push({ type: header.type, flag: header.flag, length: header.length })
      return true
    }
  })
  return { stream, sent }
}

/** Delivers `count` data frames of `size` bytes from the peer. */
function receive (stream: YamuxStream, count: number, size: number): void {
  for (let i = 0; i < count; i++) {
    stream.handleData({ header: { type: DATA, flag: 0, streamID: 1, length: size }, data: new Uint8ArrayList(new Uint8Array(size)) })
  }
}

/** A frame read from an lpStream, as plain bytes. */
const bytesOf = (list: Uint8ArrayList): Uint8Array => new Uint8Array(list.subarray())

const peers = new LoopbackPeers()

afterEach(async () => { await peers.stop() })

describe('half-window updates', () => {
  it('replaces one window update per data frame with one per half window consumed', () => {
    const before = recordingStream(StreamState.Established)
    receive(before.stream, 300, 1000)
    // The library's own policy, which is why this module exists: if this ever fails, the
    // upstream behaviour changed and the wrapper may no longer be needed.
    expect(before.sent.filter((f) => f.type === WINDOW_UPDATE)).toHaveLength(300)

    installHalfWindowUpdates()
    installHalfWindowUpdates()
    const after = recordingStream(StreamState.Established)
    receive(after.stream, 300, 1000)
    // 132 frames of 1000 bytes are the first to use more than half of the 256 KiB window; each
    // update gives the peer back exactly what it used, so it never has less than half a window.
    expect(after.sent).toEqual([
      { type: WINDOW_UPDATE, flag: 0, length: 132_000 },
      { type: WINDOW_UPDATE, flag: 0, length: 132_000 }
    ])
    expect(132_000).toBeGreaterThan(WINDOW / 2)
  })

  it('still acknowledges a stream the peer opened, on its first data frame', () => {
    installHalfWindowUpdates()
    const { stream, sent } = recordingStream(StreamState.SYNReceived)
    receive(stream, 1, 100)
    expect(sent).toEqual([{ type: WINDOW_UPDATE, flag: ACK, length: 100 }])
    expect(stream.state).toBe(StreamState.Established)
    receive(stream, 10, 100)
    expect(sent).toHaveLength(1)
  })

  it('keeps real peers moving many windows of data and thousands of small round trips', async () => {
    const pair = await peers.streamPair('/kith-test/window/1.0.0')
    const dialer = lpStream(pair.dialer)
    const listener = lpStream(pair.listener)

    // 64 frames of 64 KiB: 16 full windows, which stalls unless updates keep coming.
    const chunks = Array.from({ length: 64 }, (_, i) => new Uint8Array(64 * 1024).fill(i))
    const written = (async () => { for (const c of chunks) await dialer.write(c) })()
    for (const c of chunks) expect(bytesOf(await listener.read())).toEqual(c)
    await written

    // Small frames both ways, as messages and acks travel: 3,000 round trips span several
    // windows in each direction.
    for (let i = 0; i < 3000; i++) {
      const frame = new Uint8Array(200).fill(i % 256)
      await dialer.write(frame)
      const got = bytesOf(await listener.read())
      await listener.write(got.subarray(0, 100))
      expect(bytesOf(await dialer.read())).toEqual(frame.subarray(0, 100))
    }
  })
})
