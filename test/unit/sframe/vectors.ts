/**
 * Loads the RFC 9605 Appendix C vectors in ./vectors, reading KID and CTR (JSON numbers up to
 * 2^64 - 1) from their source text as bigints.
 */
import { readFileSync } from 'node:fs'

/** One C.1 header vector. */
export interface HeaderVector { kid: bigint, ctr: bigint, encoded: string }

/** One C.3 SFrame encryption vector. */
export interface SFrameVector {
  cipher_suite: bigint
  kid: bigint
  ctr: bigint
  base_key: string
  sframe_key_label: string
  sframe_salt_label: string
  sframe_secret: string
  sframe_key: string
  sframe_salt: string
  metadata: string
  nonce: string
  aad: string
  pt: string
  ct: string
}

type Reviver = (key: string, value: unknown, context: { source?: string }) => unknown

function load<T> (name: string): T {
  const text = readFileSync(new URL(`./vectors/${name}`, import.meta.url), 'utf8')
  const reviver: Reviver = (_key, value, context) => {
    if (typeof value !== 'number') return value
    if (context?.source === undefined) throw new Error('this JSON.parse has no source text access; run on Node 22 or later')
    return BigInt(context.source)
  }
  return JSON.parse(text, reviver as Parameters<typeof JSON.parse>[1]) as T
}

/** Every header vector of Appendix C.1. */
export const headerVectors = load<HeaderVector[]>('header.json')

/** The Appendix C.3 vectors for AES_128_GCM_SHA256_128 (0x0004). */
export const sframeVectors = load<SFrameVector[]>('sframe-aes-128-gcm-sha256-128.json')
