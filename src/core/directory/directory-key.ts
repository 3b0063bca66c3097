/**
 * Where an account's directory record lives in the DHT: `/kith/dir/<hex of the identity key>`.
 * kad-dht routes by SHA-256 of these bytes and picks the validator and selector by the first path
 * segment, `kith` (docs/PROTOCOL.md §10.1).
 */
import { abytes, fromHex, fromUtf8, toHex, utf8 } from '../bytes.ts'
import { ValidationError } from '../errors.ts'
import { PUBLIC_KEY_LENGTH } from '../identity/identity-key.ts'

/** The kad-dht namespace (first key segment) of every Kith record. */
export const DIRECTORY_NAMESPACE = 'kith'
const PREFIX = `/${DIRECTORY_NAMESPACE}/dir/`

/** The DHT key of the record of the account with this identity key. */
export function directoryKey (identityKey: Uint8Array): Uint8Array {
  abytes(identityKey, 'identity key', { length: PUBLIC_KEY_LENGTH })
  return utf8(PREFIX + toHex(identityKey))
}

/** The identity key a DHT key names; throws a {@link ValidationError} for any other key. */
export function identityOfDirectoryKey (key: Uint8Array): Uint8Array {
  let text: string
  try {
    text = fromUtf8(key)
  } catch {
    throw new ValidationError('DHT key is not a Kith directory key (not UTF-8)')
  }
  const hex = text.startsWith(PREFIX) ? text.slice(PREFIX.length) : ''
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new ValidationError(`DHT key "${text.slice(0, 80)}" is not ${PREFIX}<64 lowercase hex digits>`)
  return fromHex(hex)
}
