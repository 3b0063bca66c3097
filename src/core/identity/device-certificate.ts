/**
 * Device certificates: an identity key's signed statement that a device (libp2p peer id plus MLS
 * signature key) belongs to the account. They are the MLS credential (DESIGN.md §4).
 */
import { DeviceCertificate as DeviceCertificateCodec } from '../codec/kith.ts'
import { abytes, astring, equalBytes, toHex } from '../bytes.ts'
import { CodecError, ValidationError } from '../errors.ts'
import { assertSignature, PUBLIC_KEY_LENGTH, signWithLabel, SIGNATURE_LENGTH, type SigningKeyPair } from './identity-key.ts'

const LABEL = 'kith/device-cert/v1'
/** Longest display name a certificate may carry. */
export const MAX_DISPLAY_NAME = 64
/** Largest encoded certificate accepted from anywhere. */
export const MAX_CERTIFICATE_BYTES = 512
const MAX_PEER_ID_BYTES = 64

/** A decoded, not yet verified device certificate. */
export interface DeviceCertificate {
  readonly identityKey: Uint8Array
  readonly peerId: Uint8Array
  readonly mlsSignatureKey: Uint8Array
  readonly displayName: string
  readonly createdAt: number
  readonly signature: Uint8Array
}

/** Fields that the identity key signs. */
export type DeviceCertificateFields = Omit<DeviceCertificate, 'signature' | 'identityKey'>

/** Protobuf form; without `signature` it is exactly the bytes the identity key signs. */
function encodeFields (c: Omit<DeviceCertificate, 'signature'> & { signature?: Uint8Array }): Uint8Array {
  return DeviceCertificateCodec.encode({
    version: 1,
    identityKey: c.identityKey as Uint8Array<ArrayBuffer>,
    peerId: c.peerId as Uint8Array<ArrayBuffer>,
    mlsSignatureKey: c.mlsSignatureKey as Uint8Array<ArrayBuffer>,
    displayName: c.displayName,
    createdAt: BigInt(c.createdAt),
    ...(c.signature !== undefined ? { signature: c.signature as Uint8Array<ArrayBuffer> } : {})
  })
}

function toBeSigned (c: Omit<DeviceCertificate, 'signature'>): Uint8Array {
  return encodeFields({ ...c, signature: undefined })
}

/** Validates a display name a user typed or a peer sent. */
export function validateDisplayName (name: string): string {
  const trimmed = astring(name, 'display name', MAX_DISPLAY_NAME * 4).trim()
  if (trimmed.length === 0) throw new ValidationError('display name must not be empty')
  if ([...trimmed].length > MAX_DISPLAY_NAME) throw new ValidationError(`display name must be at most ${MAX_DISPLAY_NAME} characters`)
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) throw new ValidationError('display name must not contain control characters')
  return trimmed
}

/** Issues a certificate for this device, signed by the account's identity key. */
export async function issueDeviceCertificate (identity: SigningKeyPair, fields: DeviceCertificateFields): Promise<DeviceCertificate> {
  const unsigned = { ...fields, displayName: validateDisplayName(fields.displayName), identityKey: identity.publicKey }
  const signature = await signWithLabel(identity, LABEL, toBeSigned(unsigned))
  return { ...unsigned, signature }
}

/**
 * Re-issues this device's certificate with a new display name: the same identity key, peer id and
 * MLS signature key, and a `createdAt` later than the current one's even if the clock went back,
 * so receivers take it as the newer (PROTOCOL.md §7.6).
 */
export async function reissueDeviceCertificate (identity: SigningKeyPair, current: DeviceCertificate, displayName: string, now: number): Promise<DeviceCertificate> {
  if (!equalBytes(identity.publicKey, current.identityKey)) throw new ValidationError('a device certificate is re-issued by the identity key that issued it')
  return await issueDeviceCertificate(identity, {
    peerId: current.peerId, mlsSignatureKey: current.mlsSignatureKey, displayName, createdAt: Math.max(now, current.createdAt + 1)
  })
}

/** Encodes a certificate for the wire or an MLS credential. */
export function encodeDeviceCertificate (c: DeviceCertificate): Uint8Array {
  return encodeFields(c)
}

/** Decodes and shape-checks a certificate; does not verify the signature. */
export function decodeDeviceCertificate (bytes: Uint8Array): DeviceCertificate {
  abytes(bytes, 'device certificate', { max: MAX_CERTIFICATE_BYTES })
  let raw: DeviceCertificateCodec
  try {
    raw = DeviceCertificateCodec.decode(bytes)
  } catch (err) {
    throw new CodecError('device certificate is not valid protobuf', { cause: err })
  }
  if (raw.version !== 1) throw new ValidationError(`device certificate version ${raw.version} is not supported`)
  abytes(raw.identityKey, 'certificate identity key', { length: PUBLIC_KEY_LENGTH })
  abytes(raw.mlsSignatureKey, 'certificate MLS signature key', { length: PUBLIC_KEY_LENGTH })
  abytes(raw.signature, 'certificate signature', { length: SIGNATURE_LENGTH })
  abytes(raw.peerId, 'certificate peer id', { max: MAX_PEER_ID_BYTES })
  if (raw.peerId.length === 0) throw new ValidationError('certificate peer id is empty')
  if (raw.createdAt > BigInt(Number.MAX_SAFE_INTEGER)) throw new ValidationError('certificate time is out of range')
  return {
    identityKey: raw.identityKey,
    peerId: raw.peerId,
    mlsSignatureKey: raw.mlsSignatureKey,
    displayName: validateDisplayName(raw.displayName),
    createdAt: Number(raw.createdAt),
    signature: raw.signature
  }
}

/** Throws {@link CryptoVerificationError} unless the identity key signed this certificate. */
export async function verifyDeviceCertificate (c: DeviceCertificate): Promise<void> {
  await assertSignature(c.identityKey, LABEL, toBeSigned(c), c.signature, `device certificate of ${toHex(c.identityKey).slice(0, 16)}`)
}

/** Decodes and verifies in one step: what every boundary that receives a certificate calls. */
export async function readDeviceCertificate (bytes: Uint8Array): Promise<DeviceCertificate> {
  const cert = decodeDeviceCertificate(bytes)
  await verifyDeviceCertificate(cert)
  return cert
}

