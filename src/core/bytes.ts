/**
 * Byte helpers shared by every layer: entry-point guards (after noble's `abytes`), encodings and
 * comparisons. Runtime-neutral: only standard `Uint8Array` and `TextEncoder` APIs.
 */
import { ValidationError } from './errors.ts'

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/** Throws unless `value` is a Uint8Array, optionally of exactly `length` or at most `max` bytes. */
export function abytes (value: unknown, what: string, opts: { length?: number, max?: number } = {}): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new ValidationError(`${what} must be bytes`)
  if (opts.length !== undefined && value.length !== opts.length) {
    throw new ValidationError(`${what} must be ${opts.length} bytes, got ${value.length}`)
  }
  if (opts.max !== undefined && value.length > opts.max) {
    throw new ValidationError(`${what} must be at most ${opts.max} bytes, got ${value.length}`)
  }
  return value
}

/** Throws unless `value` is a string of at most `max` characters. */
export function astring (value: unknown, what: string, max: number): string {
  if (typeof value !== 'string') throw new ValidationError(`${what} must be a string`)
  if (value.length > max) throw new ValidationError(`${what} must be at most ${max} characters, got ${value.length}`)
  return value
}

/** UTF-8 encodes a string. */
export function utf8 (text: string): Uint8Array {
  return encoder.encode(text)
}

/** Decodes UTF-8, rejecting invalid sequences. */
export function fromUtf8 (bytes: Uint8Array): string {
  return decoder.decode(bytes)
}

/** Concatenates byte arrays. */
export function concatBytes (...parts: Uint8Array[]): Uint8Array {
  let length = 0
  for (const p of parts) length += p.length
  const out = new Uint8Array(length)
  let offset = 0
  for (const p of parts) { out.set(p, offset); offset += p.length }
  return out
}

/** Constant-time equality for secrets; also fine for public values. */
export function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number)
  return diff === 0
}

/** Lexicographic comparison: negative when a < b. */
export function compareBytes (a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number)
    if (d !== 0) return d
  }
  return a.length - b.length
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'))

/** Lowercase hex. */
export function toHex (bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i] as number]
  return s
}

/** Parses lowercase or uppercase hex. */
export function fromHex (hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new ValidationError('invalid hex string')
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return out
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const B64URL_INDEX = new Map([...B64URL].map((c, i) => [c, i]))

/** Base64url without padding (RFC 4648 §5). */
export function toBase64Url (bytes: Uint8Array): string {
  let out = ''
  for (let i = 0; i < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0)
    out += B64URL[(n >> 18) & 63]! + B64URL[(n >> 12) & 63]!
    if (i + 1 < bytes.length) out += B64URL[(n >> 6) & 63]!
    if (i + 2 < bytes.length) out += B64URL[n & 63]!
  }
  return out
}

/** Parses base64url without padding; throws ValidationError on any other character. */
export function fromBase64Url (text: string): Uint8Array {
  if (text.length % 4 === 1) throw new ValidationError('invalid base64url length')
  const out = new Uint8Array(Math.floor(text.length * 3 / 4))
  let bits = 0
  let acc = 0
  let o = 0
  for (const c of text) {
    const v = B64URL_INDEX.get(c)
    if (v === undefined) throw new ValidationError(`invalid base64url character '${c}'`)
    acc = (acc << 6) | v
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[o++] = (acc >> bits) & 0xff
    }
  }
  return out
}

/** Cryptographically random bytes. */
export function randomBytes (length: number): Uint8Array {
  if (length > POOLED_MAX) {
    const out = new Uint8Array(length)
    globalThis.crypto.getRandomValues(out)
    return out
  }
  if (poolOffset + length > pool.length) {
    globalThis.crypto.getRandomValues(pool)
    poolOffset = 0
  }
  // Copied out, and never handed out twice: the pool is refilled before any byte is reused.
  const out = pool.slice(poolOffset, poolOffset + length)
  poolOffset += length
  return out
}

/**
 * Small random values (ids, nonces' guards) come from a pool filled 4 KiB at a time: each
 * getRandomValues call costs more than the bytes it returns, and a message draws several.
 */
const pool = new Uint8Array(4096)
let poolOffset = pool.length
const POOLED_MAX = 64

/** SHA-256 through WebCrypto. */
export async function sha256 (data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>))
}

/** Zeroes a secret buffer in place (noble's `clean`). */
export function wipe (...secrets: Uint8Array[]): void {
  for (const s of secrets) s.fill(0)
}
