/**
 * libp2p peer ids as certificates carry them (multihash bytes) and as libp2p prints them (base58btc).
 */
import { base58btc } from 'multiformats/bases/base58'
import { ValidationError } from '../errors.ts'

/** The base58btc text form of a peer id's multihash bytes. */
export function peerIdToString (bytes: Uint8Array): string {
  return base58btc.baseEncode(bytes)
}

/** The multihash bytes of a base58btc peer id. */
export function peerIdFromText (text: string): Uint8Array {
  try {
    return base58btc.baseDecode(text)
  } catch (err) {
    throw new ValidationError(`"${text}" is not a peer id`, { cause: err })
  }
}
