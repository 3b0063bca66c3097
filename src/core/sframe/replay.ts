/**
 * A receiver's anti-replay window for one KID (RFC 9605 §9.3, after SRTP's RFC 3711 §3.3.2): the
 * highest CTR seen and a bitmap of the `size` CTRs at and below it. A CTR already seen, or more
 * than `size - 1` below the highest, is refused. The window moves only for frames that
 * authenticated, so a forged frame cannot push real ones out of it.
 */
import { ValidationError } from '../errors.ts'

/** Default window: a few seconds of audio and video frames sharing one sender's KID. */
export const DEFAULT_REPLAY_WINDOW = 1024

/** Sliding window of accepted CTRs for one KID. */
export class ReplayWindow {
  readonly size: number
  private readonly bits: Uint32Array
  private highest: bigint | undefined

  constructor (size = DEFAULT_REPLAY_WINDOW) {
    if (!Number.isInteger(size) || size < 32 || size % 32 !== 0) throw new ValidationError('replay window size must be a positive multiple of 32')
    this.size = size
    this.bits = new Uint32Array(size / 32)
  }

  private slot (ctr: bigint): [number, number] {
    const i = Number(ctr % BigInt(this.size))
    return [i >>> 5, 1 << (i & 31)]
  }

  /** True if `ctr` would be accepted now (not seen, not too old). Does not record it. */
  check (ctr: bigint): boolean {
    if (this.highest === undefined || ctr > this.highest) return true
    if (this.highest - ctr >= BigInt(this.size)) return false
    const [word, mask] = this.slot(ctr)
    return ((this.bits[word] as number) & mask) === 0
  }

  /** Records `ctr` if it is acceptable; returns false (and records nothing) if it is a replay or too old. */
  accept (ctr: bigint): boolean {
    if (!this.check(ctr)) return false
    if (this.highest === undefined || ctr > this.highest) {
      const advance = this.highest === undefined ? BigInt(this.size) : ctr - this.highest
      if (advance >= BigInt(this.size)) {
        this.bits.fill(0)
      } else {
        // Clear the slots of the CTRs skipped over: they are new positions in the window.
        for (let c = (this.highest as bigint) + 1n; c <= ctr; c++) {
          const [word, mask] = this.slot(c)
          this.bits[word] = (this.bits[word] as number) & ~mask
        }
      }
      this.highest = ctr
    }
    const [word, mask] = this.slot(ctr)
    this.bits[word] = (this.bits[word] as number) | mask
    return true
  }
}
