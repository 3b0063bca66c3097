/**
 * Kith's error hierarchy, grouped by cause (STYLE.md §6). Each class carries a default message a
 * user can act on; callers pass a specific one and, where one exists, the underlying `cause`.
 */

/** Base class of every error Kith raises on purpose. */
export class KithError extends Error {
  static override name = 'KithError'
  override name = 'KithError'
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}

/** Input from the wire, disk, CLI or UI failed a size or shape check. */
export class ValidationError extends KithError {
  static override name = 'ValidationError'
  override name = 'ValidationError'
}

/** Bytes could not be decoded as the format they claim to be. */
export class CodecError extends KithError {
  static override name = 'CodecError'
  override name = 'CodecError'
}

/** A signature, certificate or MLS credential did not verify. */
export class CryptoVerificationError extends KithError {
  static override name = 'CryptoVerificationError'
  override name = 'CryptoVerificationError'
}

/** The caller asked for something that cannot be done in the current state. */
export class UsageError extends KithError {
  static override name = 'UsageError'
  override name = 'UsageError'
}

/** A named contact, group or record does not exist. */
export class NotFoundError extends KithError {
  static override name = 'NotFoundError'
  override name = 'NotFoundError'
}

/** A peer could not be reached or answered badly. */
export class PeerError extends KithError {
  static override name = 'PeerError'
  override name = 'PeerError'
}

/** Narrows `value` to truthy, or throws an error that says why it had to be. */
export function strictAssert (value: unknown, message: string): asserts value {
  if (value === false || value === null || value === undefined) throw new KithError(`internal invariant broken: ${message}`)
}
