/**
 * Kith's MLS authentication service (RFC 9420 §5.3.1). ts-mls accepts any credential unless told
 * otherwise; this one accepts only a basic credential holding a device certificate that its
 * identity key signed, for exactly the signature key the leaf uses.
 */
import type { AuthenticationService, Credential } from 'ts-mls'
import { equalBytes, toHex } from '../bytes.ts'
import { decodeDeviceCertificate, verifyDeviceCertificate, type DeviceCertificate } from '../identity/device-certificate.ts'
import { CryptoVerificationError, KithError } from '../errors.ts'

const CACHE_LIMIT = 4096

/** Why a credential was rejected, or the certificate it proved. */
export type CredentialCheck = { kind: 'valid', certificate: DeviceCertificate } | { kind: 'invalid', reason: string }

/** Validates credentials and remembers the last rejection so errors can name it. */
export class KithAuthenticationService implements AuthenticationService {
  private readonly verified = new Map<string, DeviceCertificate>()
  /** The reason of the most recent rejection, for error messages. */
  lastRejection: string | undefined

  /** Checks a credential against the leaf's signature key. */
  async checkCredential (credential: Credential, signaturePublicKey: Uint8Array): Promise<CredentialCheck> {
    if (credential.credentialType !== 'basic') return { kind: 'invalid', reason: `credential type ${credential.credentialType} is not accepted` }
    const cacheKey = toHex(credential.identity)
    let certificate = this.verified.get(cacheKey)
    if (certificate === undefined) {
      try {
        certificate = decodeDeviceCertificate(credential.identity)
        await verifyDeviceCertificate(certificate)
      } catch (err) {
        return { kind: 'invalid', reason: err instanceof KithError ? err.message : 'credential is not a device certificate' }
      }
      if (this.verified.size >= CACHE_LIMIT) this.verified.clear()
      this.verified.set(cacheKey, certificate)
    }
    if (!equalBytes(certificate.mlsSignatureKey, signaturePublicKey)) {
      return { kind: 'invalid', reason: 'the MLS signature key is not the one the device certificate names' }
    }
    return { kind: 'valid', certificate }
  }

  /** ts-mls hook: true only for a verified Kith device certificate. */
  async validateCredential (credential: Credential, signaturePublicKey: Uint8Array): Promise<boolean> {
    const check = await this.checkCredential(credential, signaturePublicKey)
    if (check.kind === 'invalid') this.lastRejection = check.reason
    return check.kind === 'valid'
  }

  /** Like {@link checkCredential} but throws {@link CryptoVerificationError}. */
  async requireCredential (credential: Credential, signaturePublicKey: Uint8Array, what: string): Promise<DeviceCertificate> {
    const check = await this.checkCredential(credential, signaturePublicKey)
    if (check.kind === 'invalid') throw new CryptoVerificationError(`${what}: credential rejected: ${check.reason}`)
    return check.certificate
  }
}
