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

/**
 * One line naming what went wrong, for logs and messages: never empty and never "undefined". An
 * error without a message is named by its class (or `code`); an AggregateError lists its errors; a
 * cause is appended; anything else thrown is described by its type and value.
 */
export function describeError (err: unknown, depth = 0): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code
    const name = err.name !== '' && err.name !== 'Error' ? err.name : typeof code === 'string' ? code : 'Error'
    let text = err.message !== '' ? err.message : `${name} (no message)`
    if (err instanceof AggregateError && err.errors.length > 0 && depth < 2) {
      text += `: ${err.errors.slice(0, 3).map((e) => describeError(e, depth + 1)).join('; ')}${err.errors.length > 3 ? `; and ${err.errors.length - 3} more` : ''}`
    }
    if (err.cause !== undefined && depth < 2) {
      const cause = describeError(err.cause, depth + 1)
      if (!text.includes(cause)) text += ` (cause: ${cause})`
    }
    return text
  }
  if (err === undefined || err === null) return `unknown error (${String(err)} was thrown)`
  if (typeof err === 'string') return err.length > 0 ? err : 'unknown error (an empty string was thrown)'
  if (typeof err === 'object') {
    const type = (err as { type?: unknown }).type
    if (typeof type === 'string') return `${(err as object).constructor.name} "${type}"`
    try { return `${(err as object).constructor.name} ${JSON.stringify(err).slice(0, 200)}` } catch { return Object.prototype.toString.call(err) }
  }
  return String(err)
}
