/**
 * libp2p peer ids as certificates carry them (multihash bytes) and as libp2p prints them (base58btc).
 */
import { base58btc } from 'multiformats/bases/base58'
import { ValidationError } from '../errors.ts'

/** Text forms of byte arrays already encoded: certificates are decoded once and asked often. */
const encoded = new WeakMap<Uint8Array, string>()

/**
 * The base58btc text form of a peer id's multihash bytes. Remembered per array, so the bytes
 * must not change after the first call (certificates' never do).
 */
export function peerIdToString (bytes: Uint8Array): string {
  let text = encoded.get(bytes)
  if (text === undefined) {
    text = base58btc.baseEncode(bytes)
    encoded.set(bytes, text)
  }
  return text
}

/** The multihash bytes of a base58btc peer id. */
export function peerIdFromText (text: string): Uint8Array {
  try {
    return base58btc.baseDecode(text)
  } catch (err) {
    throw new ValidationError(`"${text}" is not a peer id`, { cause: err })
  }
}
