/**
 * An SFrame context (RFC 9605 §4.4.1): one send key with its next CTR, and receive keys by KID,
 * each with its replay window. Keys are derived and imported into WebCrypto once, when they are
 * added, never per frame. A key is for sending or for receiving, never both (§4.4.1).
 */
import { UsageError, ValidationError } from '../errors.ts'
import { AES_128_GCM_SHA256_128, type CipherSuite } from './cipher-suite.ts'
import { decryptFrame } from './decrypt.ts'
import { encryptFrame } from './encrypt.ts'
import { decodeHeader, MAX_UINT64 } from './header.ts'
import { deriveFrameKeys, type FrameKeys } from './key-schedule.ts'
import { DEFAULT_REPLAY_WINDOW, ReplayWindow } from './replay.ts'
import { SFrameError, type SFrameDropReason } from './sframe-error.ts'

/** Options of an SFrameContext. */
export interface SFrameContextOptions {
  /** Cipher suite; AES_128_GCM_SHA256_128 (the only one implemented) by default. */
  suite?: CipherSuite
  /** CTRs remembered per receive KID; a multiple of 32. */
  replayWindow?: number
  /**
   * Start the first send key's CTR from the clock instead of 0: CTR_PER_MS times the milliseconds
   * since CTR_CLOCK_ORIGIN. For a sender that may have sent under the same key before and lost its
   * CTR (a page reloaded and rejoined the same call in the same epoch): RFC 9605 §9.1 forbids
   * reusing a (base_key, KID, CTR), and receivers' replay windows refuse a CTR far below the last
   * one. A later session starts above everything an earlier one sent as long as it sent fewer
   * than CTR_PER_MS frames a millisecond and the clock did not go back. Later send keys are of
   * newer epochs, never used before, so they start at 0. A 5-byte CTR until 2032.
   */
  firstCtrFromClock?: boolean
  /** The clock, in ms since the Unix epoch; `Date.now` by default. */
  now?: () => number
}

/** Origin of clock-based first CTRs: 2024-01-01T00:00:00Z. */
export const CTR_CLOCK_ORIGIN = 1_704_067_200_000
/** CTR values per millisecond of clock: far more frames than a sender makes (about 0.1 per ms). */
export const CTR_PER_MS = 4n

/** Frames counted by a context, as the transform worker reports them. */
export interface SFrameStats {
  encrypted: number
  decrypted: number
  dropped: { unknownKid: number, authFailed: number, replay: number, malformed: number }
}

interface ReceiveKey {
  readonly keys: Promise<FrameKeys>
  readonly window: ReplayWindow
  readonly epoch: bigint
}

interface SendKey {
  readonly kid: bigint
  readonly keys: Promise<FrameKeys>
  readonly epoch: bigint
  nextCtr: bigint
}

const DROP_FIELD: Record<SFrameDropReason, keyof SFrameStats['dropped']> = {
  'unknown-kid': 'unknownKid',
  'auth-failed': 'authFailed',
  replay: 'replay',
  malformed: 'malformed'
}

function checkKid (kid: bigint): void {
  if (typeof kid !== 'bigint' || kid < 0n || kid > MAX_UINT64) throw new ValidationError('SFrame KID must be a 64-bit unsigned bigint')
}

function checkEpoch (epoch: bigint): void {
  if (typeof epoch !== 'bigint' || epoch < 0n) throw new ValidationError('SFrame epoch must be a non-negative bigint')
}

/** Encrypts outgoing and decrypts incoming frames for one participant. */
export class SFrameContext {
  readonly suite: CipherSuite
  private readonly replayWindow: number
  private readonly firstCtrFromClock: boolean
  private readonly now: () => number
  private send: SendKey | undefined
  private readonly receive = new Map<bigint, ReceiveKey>()
  private readonly counts: SFrameStats = { encrypted: 0, decrypted: 0, dropped: { unknownKid: 0, authFailed: 0, replay: 0, malformed: 0 } }

  constructor (options: SFrameContextOptions = {}) {
    this.suite = options.suite ?? AES_128_GCM_SHA256_128
    this.replayWindow = options.replayWindow ?? DEFAULT_REPLAY_WINDOW
    this.firstCtrFromClock = options.firstCtrFromClock ?? false
    this.now = options.now ?? Date.now
  }

  private derive (kid: bigint, baseKey: Uint8Array): Promise<FrameKeys> {
    checkKid(kid)
    if (!(baseKey instanceof Uint8Array) || baseKey.length !== this.suite.nk) {
      throw new ValidationError(`SFrame base key must be ${this.suite.nk} bytes`)
    }
    const copy = baseKey.slice() // the caller may reuse or zero its array while we derive
    const keys = deriveFrameKeys(kid, copy, this.suite)
    keys.then(() => { copy.fill(0) }, () => { copy.fill(0) }) // also: never an unhandled rejection
    return keys
  }

  /**
   * Makes `kid` the key frames are sent under, from now on. `epoch` is the MLS epoch it belongs to
   * (0 when omitted); a key of an older epoch than the current send key is refused, and the
   * current key set again keeps its CTR running, so installing the same keys twice never repeats a
   * nonce. The first key's CTR starts at `firstCtr` (0 by default; contexts that share one KID use
   * CTR ranges that never overlap, §12.4) plus, if so configured, an offset from the clock (see
   * `firstCtrFromClock`); a later new key starts at `firstCtr`. Resolves once derived.
   */
  setSendKey (kid: bigint, baseKey: Uint8Array, epoch = 0n, firstCtr = 0n): Promise<void> {
    checkEpoch(epoch)
    if (firstCtr < 0n || firstCtr > MAX_UINT64) throw new ValidationError('the first SFrame CTR must fit in 64 bits')
    if (this.receive.has(kid)) throw new UsageError(`SFrame KID ${kid} is already a receive key; a key is for sending or receiving, never both`)
    // Going back to an older epoch would send media a removed member can still decrypt.
    if (this.send !== undefined && epoch < this.send.epoch) throw new UsageError(`SFrame send key of epoch ${epoch} is older than the current one (epoch ${this.send.epoch})`)
    const current = this.send
    const nextCtr = current === undefined ? firstCtr + this.initialCtr() : current.kid === kid ? current.nextCtr : firstCtr
    const send: SendKey = { kid, keys: this.derive(kid, baseKey), epoch, nextCtr }
    this.send = send
    return send.keys.then(() => {})
  }

  /**
   * Accepts frames under `kid` (replacing any earlier key for it, and its replay window). `epoch`
   * is the MLS epoch it belongs to (0 when omitted). Resolves once the key is derived.
   */
  addReceiveKey (kid: bigint, baseKey: Uint8Array, epoch = 0n): Promise<void> {
    checkEpoch(epoch)
    if (this.send?.kid === kid) throw new UsageError(`SFrame KID ${kid} is the send key; a key is for sending or receiving, never both`)
    const entry: ReceiveKey = { keys: this.derive(kid, baseKey), window: new ReplayWindow(this.replayWindow), epoch }
    this.receive.set(kid, entry)
    return entry.keys.then(() => {})
  }

  private initialCtr (): bigint {
    if (!this.firstCtrFromClock) return 0n
    const ms = Math.floor(this.now()) - CTR_CLOCK_ORIGIN
    if (!Number.isSafeInteger(ms) || ms < 0) throw new UsageError('the clock is before 2024: cannot choose a fresh SFrame counter')
    return BigInt(ms) * CTR_PER_MS
  }

  /** Forgets the receive key `kid`; frames under it are refused as 'unknown-kid' from now on. */
  removeKey (kid: bigint): boolean {
    return this.receive.delete(kid)
  }

  /** Forgets every receive key of an epoch before `epoch` (key rotation, RFC 9605 §5.2). Returns how many. */
  removeKeysBefore (epoch: bigint): number {
    checkEpoch(epoch)
    let removed = 0
    for (const [kid, entry] of this.receive) {
      if (entry.epoch < epoch) { this.receive.delete(kid); removed++ }
    }
    return removed
  }

  /** True if frames under `kid` can be decrypted. */
  hasReceiveKey (kid: bigint): boolean {
    return this.receive.has(kid)
  }

  /** The KID frames are sent under, if a send key is set. */
  get sendKid (): bigint | undefined {
    return this.send?.kid
  }

  /** Encrypts one frame under the send key with the next CTR (§4.4.3). */
  async encrypt (plaintext: Uint8Array, metadata?: Uint8Array): Promise<Uint8Array> {
    const send = this.send
    if (send === undefined) throw new UsageError('SFrame has no send key yet')
    // §7.4: a (key, nonce) pair must never repeat, so the CTR is taken before any await.
    if (send.nextCtr > MAX_UINT64) throw new UsageError('SFrame send counter exhausted; set a new send key')
    const ctr = send.nextCtr++
    const out = await encryptFrame(await send.keys, this.suite, send.kid, ctr, plaintext, metadata)
    this.counts.encrypted++
    return out
  }

  /**
   * Decrypts one frame (§4.4.4). Throws SFrameError with the reason ('malformed', 'unknown-kid',
   * 'replay', 'auth-failed'), which is also counted in `stats()`.
   */
  async decrypt (frame: Uint8Array, metadata?: Uint8Array): Promise<Uint8Array> {
    try {
      if (!(frame instanceof Uint8Array)) throw new SFrameError('malformed', 'SFrame frame must be bytes')
      const header = decodeHeader(frame)
      const entry = this.receive.get(header.kid)
      if (entry === undefined) throw new SFrameError('unknown-kid', `SFrame frame refused: no key for KID ${header.kid}`)
      if (!entry.window.check(header.ctr)) throw new SFrameError('replay')
      let keys: FrameKeys
      try { keys = await entry.keys } catch (err) { throw new SFrameError('unknown-kid', `SFrame key for KID ${header.kid} could not be derived`, { cause: err }) }
      const plaintext = await decryptFrame(keys, this.suite, header, frame, metadata)
      // Recorded only once authenticated, and re-checked: two copies may have been in flight at once.
      if (!entry.window.accept(header.ctr)) throw new SFrameError('replay')
      this.counts.decrypted++
      return plaintext
    } catch (err) {
      if (err instanceof SFrameError) this.counts.dropped[DROP_FIELD[err.reason]]++
      throw err
    }
  }

  /** A snapshot of the frame counters. */
  stats (): SFrameStats {
    return { encrypted: this.counts.encrypted, decrypted: this.counts.decrypted, dropped: { ...this.counts.dropped } }
  }
}
