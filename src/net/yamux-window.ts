/**
 * Yamux whose streams send a window update once half the receive window is used, the way
 * go-yamux and rust-yamux do (hashicorp/yamux spec, "Flow Control"). `@libp2p/yamux` 8 answers
 * every data frame with a window update, so each small Kith frame and each ack cost both peers a
 * second frame to encrypt, write, wake up for, read and decrypt: about a tenth of each process's
 * CPU per message on the bench machine (docs/ARCHITECTURE.md, departure j).
 *
 * The library has no option for this, so `installHalfWindowUpdates` wraps `YamuxStream`'s window
 * update method once per process, for every Yamux connection in it. Flow control is unchanged in
 * substance: a sender may still have a full window in flight and never sees less than half of it.
 * Streams still opening (SYN or ACK to send) and paused streams keep the library's behaviour.
 */
import { yamux } from '@libp2p/yamux'
import { StreamState, YamuxStream } from '@libp2p/yamux/stream'

/** The private fields of `YamuxStream` the policy reads (`@libp2p/yamux` 8.0.3, `stream.ts`). */
interface WindowState {
  state: StreamState
  /** Bytes the peer may send in a full window. */
  recvWindow: number
  /** Bytes the peer may still send before it must wait for a window update. */
  recvWindowCapacity: number
}

type SendWindowUpdate = (this: WindowState) => void

let installed = false

/** Makes every Yamux stream in this process update the peer's window at half use. Idempotent. */
export function installHalfWindowUpdates (): void {
  if (installed) return
  const proto = YamuxStream.prototype as unknown as { sendWindowUpdate?: SendWindowUpdate }
  const perFrame = proto.sendWindowUpdate
  if (typeof perFrame !== 'function') {
    throw new Error('@libp2p/yamux no longer has YamuxStream.sendWindowUpdate: review src/net/yamux-window.ts for this version')
  }
  proto.sendWindowUpdate = function sendWindowUpdateAtHalf (this: WindowState): void {
    if (this.state === StreamState.Established && this.recvWindowCapacity * 2 >= this.recvWindow) return
    perFrame.call(this)
  }
  installed = true
}

/** The Yamux muxer factory for Kith nodes, with the half-window update policy installed. */
export function kithYamux (): ReturnType<typeof yamux> {
  installHalfWindowUpdates()
  return yamux()
}

/** The private fields and method {@link widenReceiveWindow} uses (`@libp2p/yamux` 8.0.3, `stream.ts`). */
interface WidenableStream extends WindowState {
  /** The most the window may grow to by itself. */
  maxStreamWindowSize: number
  sendWindowUpdate: () => void
}

/**
 * Lets the peer send up to `bytes` on `stream` before it waits for a window update, and tells it
 * so at once. For bulk streams whose reader bounds what is in flight itself (file chunks
 * requested): Yamux starts every stream at 256 KiB and grows it only when an update goes out
 * within four ping round trips of the last, which on a quiet loopback (RTT rounded to 0 ms) is
 * almost never. A source then had at most 256 KiB on the way and stalled whenever the reader's
 * event loop was busy hashing or storing a chunk. (On a loaded machine the measured RTT is larger
 * and Yamux widens the window by itself; there this changes nothing.)
 * Not a Yamux stream (WebRTC), or already as wide: nothing changes.
 */
export function widenReceiveWindow (stream: unknown, bytes: number): void {
  if (!(stream instanceof YamuxStream)) return
  const s = stream as unknown as WidenableStream
  if (typeof s.recvWindow !== 'number' || typeof s.sendWindowUpdate !== 'function') {
    throw new Error('@libp2p/yamux streams no longer have recvWindow/sendWindowUpdate: review src/net/yamux-window.ts for this version')
  }
  // Yamux window sizes are uint32 (hashicorp/yamux spec, "Window Update").
  const wanted = Math.min(bytes, 2 ** 32 - 1)
  if (s.recvWindow >= wanted) return
  s.maxStreamWindowSize = Math.max(s.maxStreamWindowSize, wanted)
  s.recvWindow = wanted
  s.sendWindowUpdate()
}
