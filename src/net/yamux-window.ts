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
