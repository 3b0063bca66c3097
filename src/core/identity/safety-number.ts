/**
 * Safety numbers, after Signal's NumericFingerprintGenerator (version 0): each side's identity key
 * is hashed 5,200 times with SHA-512 into 30 digits; the two halves are sorted and joined, so both
 * people see the same 60 digits, shown as 12 groups of 5.
 */
import { abytes, compareBytes, concatBytes, utf8 } from '../bytes.ts'
import { PUBLIC_KEY_LENGTH } from './identity-key.ts'

const ITERATIONS = 5200
const VERSION = new Uint8Array([0, 0])

async function sha512 (data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-512', data as Uint8Array<ArrayBuffer>))
}

async function displayableHalf (identityKey: Uint8Array): Promise<string> {
  // Signal hashes version || key || stable id; Kith has no phone number, so the key is the stable id.
  let hash = await sha512(concatBytes(VERSION, identityKey, utf8('kith'), identityKey))
  for (let i = 0; i < ITERATIONS; i++) hash = await sha512(concatBytes(hash, identityKey))
  let digits = ''
  for (let chunk = 0; chunk < 6; chunk++) {
    let value = 0
    for (let b = 0; b < 5; b++) value = value * 256 + (hash[chunk * 5 + b] as number)
    digits += String(value % 100000).padStart(5, '0')
  }
  return digits
}

/** The 60-digit safety number of two identity keys; the same whichever order they are given in. */
export async function computeSafetyNumber (ours: Uint8Array, theirs: Uint8Array): Promise<string> {
  abytes(ours, 'our identity key', { length: PUBLIC_KEY_LENGTH })
  abytes(theirs, 'their identity key', { length: PUBLIC_KEY_LENGTH })
  const [first, second] = compareBytes(ours, theirs) <= 0 ? [ours, theirs] : [theirs, ours]
  return (await displayableHalf(first)) + (await displayableHalf(second))
}

/** Formats 60 digits as 12 space-separated groups of 5. */
export function formatSafetyNumber (digits: string): string {
  return digits.match(/.{1,5}/g)?.join(' ') ?? ''
}
