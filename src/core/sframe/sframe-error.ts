/**
 * SFrame's typed error (RFC 9605 §4.4.4): why a frame was refused, as a `reason` a transform can
 * count without parsing messages.
 */
import { KithError } from '../errors.ts'

/** Why a received frame was refused. */
export type SFrameDropReason = 'unknown-kid' | 'auth-failed' | 'replay' | 'malformed'

const DEFAULT_MESSAGES: Record<SFrameDropReason, string> = {
  'unknown-kid': 'SFrame frame refused: no key for its KID',
  'auth-failed': 'SFrame frame refused: its authentication tag did not verify',
  replay: 'SFrame frame refused: its counter was already seen or is too old',
  malformed: 'SFrame frame refused: malformed header or too short'
}

/** A frame SFrame refused to decrypt, with the reason. */
export class SFrameError extends KithError {
  static override name = 'SFrameError'
  override name = 'SFrameError'
  readonly reason: SFrameDropReason
  constructor (reason: SFrameDropReason, message?: string, options?: { cause?: unknown }) {
    super(message ?? DEFAULT_MESSAGES[reason], options)
    this.reason = reason
  }
}
