/**
 * KeyPackages (RFC 9420 §10): a device's signed offer to be added to a group. Kith's carry the
 * device certificate as a basic credential; receivers check that credential before using one.
 */
import { decodeMlsMessage, defaultLifetime, encodeMlsMessage, generateKeyPackageWithKey, type KeyPackage, type PrivateKeyPackage } from 'ts-mls'
import { makeKeyPackageRef, verifyKeyPackage } from 'ts-mls/keyPackage.js'
import { abytes, equalBytes, toHex } from '../bytes.ts'
import { CodecError, CryptoVerificationError } from '../errors.ts'
import { encodeDeviceCertificate, type DeviceCertificate } from '../identity/device-certificate.ts'
import { authenticationService, getSuite, kithCapabilities } from './suite.ts'

/** Largest encoded KeyPackage accepted from a peer. */
export const MAX_KEY_PACKAGE_BYTES = 4096

/** The MLS signature key pair of one device (raw public key, PKCS#8 or raw private key). */
export interface MlsSigningKey {
  readonly publicKey: Uint8Array
  readonly signKey: Uint8Array
}

/** A freshly generated KeyPackage with its private half and reference. */
export interface OwnKeyPackage {
  readonly ref: Uint8Array
  readonly publicPackage: KeyPackage
  readonly privatePackage: PrivateKeyPackage
  readonly encoded: Uint8Array
}

/** Generates an MLS signature key for a new device. */
export async function generateMlsSigningKey (): Promise<MlsSigningKey> {
  const suite = await getSuite()
  return await suite.signature.keygen()
}

/** Builds the MLS credential of a device. */
export function credentialFor (certificate: DeviceCertificate): { credentialType: 'basic', identity: Uint8Array } {
  return { credentialType: 'basic', identity: encodeDeviceCertificate(certificate) }
}

/** Generates a one-time KeyPackage for this device. */
export async function createKeyPackage (certificate: DeviceCertificate, signing: MlsSigningKey): Promise<OwnKeyPackage> {
  const suite = await getSuite()
  const { publicPackage, privatePackage } = await generateKeyPackageWithKey(
    credentialFor(certificate), kithCapabilities(), defaultLifetime, [], signing, suite)
  const encoded = encodeMlsMessage({ version: 'mls10', wireformat: 'mls_key_package', keyPackage: publicPackage })
  const ref = await makeKeyPackageRef(publicPackage, suite.hash)
  return { ref, publicPackage, privatePackage, encoded }
}

/** Reference (RFC 9420 §5.2) of a KeyPackage: how a Welcome names its recipient. */
export async function keyPackageRef (kp: KeyPackage): Promise<Uint8Array> {
  return await makeKeyPackageRef(kp, (await getSuite()).hash)
}

/** What a peer's KeyPackage proved about its device. */
export interface VerifiedKeyPackage {
  readonly keyPackage: KeyPackage
  readonly certificate: DeviceCertificate
}

/**
 * Decodes a peer's KeyPackage and checks its signature, its credential and that it belongs to the
 * identity and device we asked: a forged or mismatched credential is rejected here, before any commit.
 */
export async function readPeerKeyPackage (bytes: Uint8Array, expected: { identityKey: Uint8Array, peerId?: Uint8Array }): Promise<VerifiedKeyPackage> {
  abytes(bytes, 'key package', { max: MAX_KEY_PACKAGE_BYTES })
  let decoded
  try {
    decoded = decodeMlsMessage(bytes, 0)
  } catch (err) {
    throw new CodecError('key package is not a valid MLS message', { cause: err })
  }
  const message = decoded?.[0]
  if (message === undefined || message.wireformat !== 'mls_key_package') throw new CodecError('expected an MLS key package')
  if (decoded![1] !== bytes.length) throw new CodecError('key package has trailing bytes')
  const kp = message.keyPackage
  if (kp.cipherSuite !== 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519') {
    throw new CryptoVerificationError(`key package uses cipher suite ${kp.cipherSuite}; Kith requires suite 1`)
  }
  const suite = await getSuite()
  if (!await verifyKeyPackage(kp, suite.signature)) throw new CryptoVerificationError('key package signature does not verify')
  const certificate = await authenticationService.requireCredential(kp.leafNode.credential, kp.leafNode.signaturePublicKey, 'key package')
  if (!equalBytes(certificate.identityKey, expected.identityKey)) {
    throw new CryptoVerificationError(`key package is certified by identity ${toHex(certificate.identityKey).slice(0, 16)}…, not the contact's ${toHex(expected.identityKey).slice(0, 16)}…`)
  }
  if (expected.peerId !== undefined && !equalBytes(certificate.peerId, expected.peerId)) {
    throw new CryptoVerificationError('key package certificate names a different device than the one that sent it')
  }
  return { keyPackage: kp, certificate }
}
