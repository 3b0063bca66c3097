/**
 * Messages between the page and the SFrame transform worker (sframe-transform.worker.ts). KIDs
 * and epochs are bigints and base keys Uint8Arrays: both survive structured cloning.
 */

/** Which way a transform works: encrypt what a sender sends, or decrypt what a receiver gets. */
export type SFrameSide = 'send' | 'receive'

/** The options given to `new RTCRtpScriptTransform(worker, options)`. */
export interface SFrameTransformOptions {
  readonly side: SFrameSide
  /** Who is at the other end of the connection: for the per-peer counts in the stats. */
  readonly peer: string
}

/** Page to worker. */
export type SFrameWorkerRequest =
  /** `ctrStart`: the first CTR, for workers that share one send KID in disjoint CTR ranges (0 when omitted). */
  | { type: 'send-key', kid: bigint, baseKey: Uint8Array, epoch?: bigint, ctrStart?: bigint }
  | { type: 'receive-key', kid: bigint, baseKey: Uint8Array, epoch?: bigint }
  | { type: 'remove-key', kid: bigint }
  | { type: 'drop-before', epoch: bigint }
  /** Asks for a stats message now, besides the one every second. */
  | { type: 'report' }

/** Frames refused, by reason. */
export interface SFrameDropCounts { unknownKid: number, authFailed: number, replay: number, malformed: number }

/** Counts of one transform (one sender or receiver). */
export interface SFrameTransformCounts {
  readonly side: SFrameSide
  readonly peer: string
  /** Frames passed on, encrypted (send) or decrypted (receive). */
  readonly frames: number
  /** Frames dropped: refused on receive, or on send while no send key was set. */
  readonly dropped: number
}

/** Worker to page, every second and on request. */
export interface SFrameStatsMessage {
  readonly type: 'stats'
  readonly encrypted: number
  readonly decrypted: number
  readonly dropped: SFrameDropCounts
  /** Outgoing frames dropped because no send key was set yet: never sent in the clear. */
  readonly unkeyed: number
  /** Every transform this worker runs. */
  readonly transforms: SFrameTransformCounts[]
}

/** Worker to page. */
export type SFrameWorkerEvent =
  | SFrameStatsMessage
  /** A key is derived and in use. */
  | { type: 'key-ready', side: SFrameSide, kid: bigint }
  /** A request was refused; `message` says why. */
  | { type: 'error', message: string }
