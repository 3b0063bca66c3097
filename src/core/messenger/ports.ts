/**
 * The narrow interfaces the messenger is given (STYLE.md §4): a transport to peers, a clock and a
 * log. The store interface lives beside it in store.ts.
 */

/** What the messenger needs from the network layer. */
export interface Transport {
  /** This device's dialable addresses, for invites and cards. */
  listenAddrs (): string[]
  /** Frames were queued in the outbox for `peerId`. */
  notify (peerId: string): void
  /**
   * Optional, and called instead of `notify` when present: the frames just queued for `peerId`,
   * durable, in row order; every frame queued goes through here once, in row order per peer. For
   * a transport that can send them without reading them back through `nextFrames` (the browser's
   * page, for which each read is a round trip to the worker).
   */
  offer? (peerId: string, frames: readonly OfferedFrame[]): void
  /** Optional, with `offer`: the frames of a message offered earlier left the outbox; do not send them. */
  withdraw? (messageId: string): void
  /** Remembers addresses learned for a peer (from an invite or a hint). */
  addAddresses (peerId: string, addrs: readonly string[]): Promise<void>
  /** Asks a device for a one-time KeyPackage and its card. */
  fetchKeyPackage (peerId: string): Promise<{ keyPackage: Uint8Array, card: Uint8Array }>
}

/** A queued frame as {@link Transport.offer} gives it. */
export interface OfferedFrame {
  readonly rowId: number
  readonly frame: Uint8Array
  /** The message it carries, or null for a frame no later write drops by message. */
  readonly messageId: string | null
}

/** Wall-clock milliseconds; injected so tests can control time. */
export interface Clock {
  now (): number
}

/** Diagnostics sink. Never given secrets or plaintext. */
export interface Log {
  (message: string): void
}

/**
 * Lets pending I/O callbacks run before the caller goes on (Node: `setImmediate`). Over a
 * synchronous store, a burst of sends is all microtasks, and without a yield the network would not
 * see an acknowledgement until the burst ended.
 */
export interface YieldToIo {
  (): Promise<void>
}

/**
 * Runs `task` once the work at hand and the I/O it started are done (Node: `setImmediate`; by
 * default `setTimeout(0)`): for work done ahead of need, kept off the path of the message at hand.
 */
export interface RunSoon {
  (task: () => void): void
}

/** The system clock. */
export const systemClock: Clock = { now: () => Date.now() }
