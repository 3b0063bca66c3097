/**
 * The SFrame header (RFC 9605 §4.3): a config byte `X|KKK|Y|CCC`, then the KID and the CTR as
 * minimal big-endian integers when they do not fit in three bits. Both values are 64-bit, so they
 * are `bigint`s.
 */
import { ValidationError } from '../errors.ts'
import { SFrameError } from './sframe-error.ts'

/** Largest KID or CTR: both are 64-bit unsigned integers. */
export const MAX_UINT64 = (1n << 64n) - 1n

/** A decoded header and how many bytes of the frame it took. */
export interface SFrameHeader {
  readonly kid: bigint
  readonly ctr: bigint
  readonly length: number
}

function checkUint64 (value: bigint, what: string): void {
  if (typeof value !== 'bigint' || value < 0n || value > MAX_UINT64) throw new ValidationError(`SFrame ${what} must be a 64-bit unsigned bigint`)
}

/** Bytes needed for `value` in minimal big-endian form (at least 1). */
function byteLength (value: bigint): number {
  let n = 1
  while (value > 0xffn) { value >>= 8n; n++ }
  return n
}

function writeBigEndian (out: Uint8Array, offset: number, value: bigint, length: number): void {
  for (let i = length - 1; i >= 0; i--) { out[offset + i] = Number(value & 0xffn); value >>= 8n }
}

/** Encodes the header for `kid` and `ctr` (§4.3, Figure 4). */
export function encodeHeader (kid: bigint, ctr: bigint): Uint8Array {
  checkUint64(kid, 'KID')
  checkUint64(ctr, 'CTR')
  const kidLength = kid < 8n ? 0 : byteLength(kid)
  const ctrLength = ctr < 8n ? 0 : byteLength(ctr)
  const out = new Uint8Array(1 + kidLength + ctrLength)
  const k = kidLength === 0 ? Number(kid) : 0x08 | (kidLength - 1)
  const c = ctrLength === 0 ? Number(ctr) : 0x08 | (ctrLength - 1)
  out[0] = (k << 4) | c
  if (kidLength > 0) writeBigEndian(out, 1, kid, kidLength)
  if (ctrLength > 0) writeBigEndian(out, 1 + kidLength, ctr, ctrLength)
  return out
}

/**
 * Reads one extended field. A value that fits in the config byte, or one with a leading zero
 * byte, is not minimal and is refused: §4.3 says it MUST be encoded in the fewest bytes.
 */
function readField (frame: Uint8Array, offset: number, length: number, what: string): bigint {
  if (offset + length > frame.length) throw new SFrameError('malformed', `SFrame header truncated: ${what} needs ${length} bytes`)
  let value = 0n
  for (let i = 0; i < length; i++) value = (value << 8n) | BigInt(frame[offset + i] as number)
  if (value < 8n || (length > 1 && frame[offset] === 0)) throw new SFrameError('malformed', `SFrame header ${what} is not minimally encoded`)
  return value
}

/** Decodes the header at the start of `frame`; throws SFrameError('malformed') if it is not one. */
export function decodeHeader (frame: Uint8Array): SFrameHeader {
  if (frame.length < 1) throw new SFrameError('malformed', 'SFrame frame is empty')
  const config = frame[0] as number
  const x = (config & 0x80) !== 0
  const k = (config >> 4) & 0x07
  const y = (config & 0x08) !== 0
  const c = config & 0x07
  let offset = 1
  let kid = BigInt(k)
  if (x) { kid = readField(frame, offset, k + 1, 'KID'); offset += k + 1 }
  let ctr = BigInt(c)
  if (y) { ctr = readField(frame, offset, c + 1, 'CTR'); offset += c + 1 }
  return { kid, ctr, length: offset }
}
