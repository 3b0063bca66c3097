/**
 * Shared builders for core unit tests: a device with an identity key, an MLS signature key and a
 * certificate binding them, as a real account would create one.
 */
import { randomBytes } from '../../../src/core/bytes.ts'
import { issueDeviceCertificate, type DeviceCertificate } from '../../../src/core/identity/device-certificate.ts'
import { generateSigningKey, type SigningKeyPair } from '../../../src/core/identity/identity-key.ts'
import { generateMlsSigningKey, type MlsSigningKey } from '../../../src/core/mls/key-package.ts'

/** One device of one account. */
export interface TestDevice {
  readonly identity: SigningKeyPair
  readonly mlsKey: MlsSigningKey
  readonly certificate: DeviceCertificate
}

/** Creates a device whose certificate its own identity key signed. */
export async function createTestDevice (displayName: string): Promise<TestDevice> {
  const identity = await generateSigningKey()
  const mlsKey = await generateMlsSigningKey()
  const certificate = await issueDeviceCertificate(identity, {
    peerId: randomBytes(38),
    mlsSignatureKey: mlsKey.publicKey,
    displayName,
    createdAt: 1_700_000_000_000
  })
  return { identity, mlsKey, certificate }
}
