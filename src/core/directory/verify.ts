/**
 * Checking a directory record found in the DHT (docs/PROTOCOL.md §10.3): its key names its identity,
 * the identity key signed it, every device certificate chains to that identity key, and it has not
 * expired. What a DHT node runs on every record it is asked to store, and a reader on every record
 * it is given.
 */
import { equalBytes, toHex } from '../bytes.ts'
import { CryptoVerificationError, KithError, ValidationError } from '../errors.ts'
import { decodeDeviceCertificate, verifyDeviceCertificate, type DeviceCertificate } from '../identity/device-certificate.ts'
import { assertSignature } from '../identity/identity-key.ts'
import { identityOfDirectoryKey } from './directory-key.ts'
import { decodeDirectoryRecord, DIRECTORY_LABEL, MAX_CLOCK_SKEW_MS, MAX_LIFETIME_MS, toBeSigned, type DirectoryRecord } from './record.ts'

/** A record that passed {@link readDirectoryRecord}, with its devices' certificates decoded. */
export interface VerifiedDirectoryRecord extends DirectoryRecord {
  readonly certificates: readonly DeviceCertificate[]
}

/** Why a record was refused: the message names the record and what was wrong with it. */
export class DirectoryRecordError extends KithError {
  static override name = 'DirectoryRecordError'
  override name = 'DirectoryRecordError'
}

/**
 * Decodes and verifies the record stored under DHT key `key` at time `now`; throws a
 * {@link DirectoryRecordError} (with the underlying error as its cause) naming what was wrong.
 */
export async function readDirectoryRecord (key: Uint8Array, bytes: Uint8Array, now: number): Promise<VerifiedDirectoryRecord> {
  let who = 'unknown account'
  try {
    const keyIdentity = identityOfDirectoryKey(key)
    who = `account ${toHex(keyIdentity).slice(0, 16)}…`
    const record = decodeDirectoryRecord(bytes)
    if (!equalBytes(record.identityKey, keyIdentity)) {
      throw new ValidationError(`it is signed for identity ${toHex(record.identityKey).slice(0, 16)}…, not the one its key names`)
    }
    await assertSignature(record.identityKey, DIRECTORY_LABEL, toBeSigned(record), record.signature, 'record')
    if (record.expiresAt <= now) throw new ValidationError(`it expired at ${new Date(record.expiresAt).toISOString()} (seq ${record.seq})`)
    if (record.issuedAt > now + MAX_CLOCK_SKEW_MS) throw new ValidationError(`it claims to be issued at ${new Date(record.issuedAt).toISOString()}, in the future`)
    if (record.expiresAt - record.issuedAt > MAX_LIFETIME_MS) throw new ValidationError(`its lifetime exceeds ${MAX_LIFETIME_MS / 3_600_000} h`)
    const certificates: DeviceCertificate[] = []
    const peers = new Set<string>()
    for (const device of record.devices) {
      const cert = decodeDeviceCertificate(device.certificate)
      if (!equalBytes(cert.identityKey, record.identityKey)) {
        throw new CryptoVerificationError(`it lists a device certified by another identity (${toHex(cert.identityKey).slice(0, 16)}…)`)
      }
      await verifyDeviceCertificate(cert)
      const peer = toHex(cert.peerId)
      if (peers.has(peer)) throw new ValidationError('it lists one device twice')
      peers.add(peer)
      certificates.push(cert)
    }
    return { ...record, certificates }
  } catch (err) {
    if (err instanceof DirectoryRecordError) throw err
    const reason = err instanceof Error ? err.message : String(err)
    throw new DirectoryRecordError(`directory record of ${who} refused: ${reason}`, { cause: err })
  }
}
