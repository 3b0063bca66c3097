/**
 * Building and signing this account's directory record (docs/PROTOCOL.md §10.2). Pure: the caller
 * supplies the devices, the next sequence number and the time.
 */
import { ValidationError } from '../errors.ts'
import { signWithLabel, type SigningKeyPair } from '../identity/identity-key.ts'
import { DIRECTORY_LABEL, encodeDirectoryRecord, MAX_DEVICES, MAX_LIFETIME_MS, MAX_RECORD_BYTES, toBeSigned, type DirectoryDevice, type DirectoryRecord } from './record.ts'

/** What goes into a record besides the identity key. */
export interface DirectoryRecordFields {
  readonly seq: number
  readonly issuedAt: number
  /** Milliseconds from issue to expiry; at most {@link MAX_LIFETIME_MS}. */
  readonly lifetimeMs: number
  readonly devices: readonly DirectoryDevice[]
}

/** Signs a record for the account of `identity`; throws if it would be refused by readers. */
export async function buildDirectoryRecord (identity: SigningKeyPair, fields: DirectoryRecordFields): Promise<{ record: DirectoryRecord, encoded: Uint8Array }> {
  if (!Number.isSafeInteger(fields.seq) || fields.seq < 1) throw new ValidationError(`directory record seq must be a positive integer, got ${fields.seq}`)
  if (fields.lifetimeMs <= 0 || fields.lifetimeMs > MAX_LIFETIME_MS) throw new ValidationError(`directory record lifetime must be in (0, ${MAX_LIFETIME_MS}] ms`)
  if (fields.devices.length === 0 || fields.devices.length > MAX_DEVICES) throw new ValidationError(`a directory record lists 1 to ${MAX_DEVICES} devices`)
  const unsigned = {
    identityKey: identity.publicKey,
    seq: fields.seq,
    issuedAt: fields.issuedAt,
    expiresAt: fields.issuedAt + fields.lifetimeMs,
    devices: fields.devices
  }
  const signature = await signWithLabel(identity, DIRECTORY_LABEL, toBeSigned(unsigned))
  const record = { ...unsigned, signature }
  const encoded = encodeDirectoryRecord(record)
  if (encoded.length > MAX_RECORD_BYTES) throw new ValidationError(`directory record is ${encoded.length} bytes; at most ${MAX_RECORD_BYTES} are accepted (list fewer addresses or key packages)`)
  return { record, encoded }
}
