/**
 * SFrame cipher suites (RFC 9605 §4.5 Table 1, IANA registry §8.1). Kith implements only
 * AES_128_GCM_SHA256_128 (0x0004), the suite matching MLS suite 1
 * (MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519); the others are listed so that a KID-independent
 * caller gets a clear refusal rather than a wrong derivation.
 */
import { ValidationError } from '../errors.ts'

/** RFC 9605 §8.1 cipher suite identifiers. */
export const CipherSuiteId = {
  AES_128_CTR_HMAC_SHA256_80: 0x0001,
  AES_128_CTR_HMAC_SHA256_64: 0x0002,
  AES_128_CTR_HMAC_SHA256_32: 0x0003,
  AES_128_GCM_SHA256_128: 0x0004,
  AES_256_GCM_SHA512_128: 0x0005
} as const

/** One of the registered cipher suite identifiers. */
export type CipherSuiteId = typeof CipherSuiteId[keyof typeof CipherSuiteId]

/** The constants of a suite Kith implements (RFC 9605 §4.4). */
export interface CipherSuite {
  readonly id: CipherSuiteId
  readonly name: string
  /** WebCrypto name of the HKDF hash. */
  readonly hash: 'SHA-256'
  /** Hash output size in bytes. */
  readonly nh: number
  /** AEAD key size in bytes. */
  readonly nk: number
  /** AEAD nonce size in bytes. */
  readonly nn: number
  /** AEAD tag size in bytes. */
  readonly nt: number
}

/** AES_128_GCM_SHA256_128: the suite Kith uses for every call. */
export const AES_128_GCM_SHA256_128: CipherSuite = {
  id: CipherSuiteId.AES_128_GCM_SHA256_128,
  name: 'AES_128_GCM_SHA256_128',
  hash: 'SHA-256',
  nh: 32,
  nk: 16,
  nn: 12,
  nt: 16
}

/** The suite for `id`, or a ValidationError naming it if Kith does not implement it. */
export function getCipherSuite (id: number): CipherSuite {
  if (id === AES_128_GCM_SHA256_128.id) return AES_128_GCM_SHA256_128
  const known = Object.entries(CipherSuiteId).find(([, v]) => v === id)
  throw new ValidationError(known !== undefined
    ? `SFrame cipher suite ${known[0]} (0x${id.toString(16).padStart(4, '0')}) is not implemented; Kith uses AES_128_GCM_SHA256_128`
    : `unknown SFrame cipher suite 0x${id.toString(16).padStart(4, '0')}`)
}
