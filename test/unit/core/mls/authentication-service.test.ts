import type { Credential } from 'ts-mls'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { utf8 } from '../../../../src/core/bytes.ts'
import { encodeDeviceCertificate } from '../../../../src/core/identity/device-certificate.ts'
import { KithAuthenticationService } from '../../../../src/core/mls/authentication-service.ts'
import { credentialFor } from '../../../../src/core/mls/key-package.ts'
import { CryptoVerificationError } from '../../../../src/core/errors.ts'
import { createTestDevice, type TestDevice } from '../fixtures.ts'

let alice: TestDevice
let bob: TestDevice
let service: KithAuthenticationService

beforeAll(async () => {
  alice = await createTestDevice('Alice')
  bob = await createTestDevice('Bob')
})

beforeEach(() => {
  service = new KithAuthenticationService()
})

describe('checkCredential', () => {
  it('accepts a verified certificate for the key the leaf signs with, returning the certificate', async () => {
    const check = await service.checkCredential(credentialFor(alice.certificate), alice.mlsKey.publicKey)
    expect(check).toEqual({ kind: 'valid', certificate: alice.certificate })
  })

  it('rejects a credential that is not basic', async () => {
    const x509: Credential = { credentialType: 'x509', certificates: [encodeDeviceCertificate(alice.certificate)] }
    const check = await service.checkCredential(x509, alice.mlsKey.publicKey)
    expect(check.kind).toBe('invalid')
    expect(check.kind === 'invalid' && check.reason).toMatch(/credential type x509 is not accepted/)
  })

  it('rejects a basic credential whose identity is not a device certificate', async () => {
    const check = await service.checkCredential({ credentialType: 'basic', identity: utf8('alice@example.com') }, alice.mlsKey.publicKey)
    expect(check.kind).toBe('invalid')
  })

  it('rejects an empty identity', async () => {
    const check = await service.checkCredential({ credentialType: 'basic', identity: new Uint8Array() }, alice.mlsKey.publicKey)
    expect(check.kind).toBe('invalid')
  })

  it('rejects a certificate naming another MLS signature key than the leaf uses', async () => {
    const check = await service.checkCredential(credentialFor(alice.certificate), bob.mlsKey.publicKey)
    expect(check.kind).toBe('invalid')
    expect(check.kind === 'invalid' && check.reason).toMatch(/signature key/)
  })

  it('does not let a cached certificate vouch for another signature key', async () => {
    const credential = credentialFor(alice.certificate)
    expect((await service.checkCredential(credential, alice.mlsKey.publicKey)).kind).toBe('valid')
    expect((await service.checkCredential(credential, bob.mlsKey.publicKey)).kind).toBe('invalid')
  })

  it('rejects a certificate whose signature does not verify', async () => {
    // Alice's certificate claiming Bob's MLS key: the leaf key matches, the signature does not.
    const forged = { ...alice.certificate, mlsSignatureKey: bob.mlsKey.publicKey }
    const check = await service.checkCredential(credentialFor(forged), bob.mlsKey.publicKey)
    expect(check.kind).toBe('invalid')
    expect(check.kind === 'invalid' && check.reason).toMatch(/signature does not verify/)
  })

  it('rejects a certificate whose signature bytes are damaged', async () => {
    const signature = alice.certificate.signature.slice()
    signature[10] = (signature[10] as number) ^ 0x40
    const check = await service.checkCredential(credentialFor({ ...alice.certificate, signature }), alice.mlsKey.publicKey)
    expect(check.kind).toBe('invalid')
  })
})

describe('validateCredential and requireCredential', () => {
  it('validateCredential returns the verdict and records why it said no', async () => {
    expect(await service.validateCredential(credentialFor(alice.certificate), alice.mlsKey.publicKey)).toBe(true)
    expect(service.lastRejection).toBeUndefined()
    expect(await service.validateCredential(credentialFor(alice.certificate), bob.mlsKey.publicKey)).toBe(false)
    expect(service.lastRejection).toMatch(/signature key/)
  })

  it('requireCredential returns the certificate or throws CryptoVerificationError naming the context', async () => {
    await expect(service.requireCredential(credentialFor(bob.certificate), bob.mlsKey.publicKey, 'key package')).resolves.toEqual(bob.certificate)
    await expect(service.requireCredential(credentialFor(bob.certificate), alice.mlsKey.publicKey, 'key package'))
      .rejects.toThrow(CryptoVerificationError)
    await expect(service.requireCredential(credentialFor(bob.certificate), alice.mlsKey.publicKey, 'key package'))
      .rejects.toThrow(/^key package: credential rejected: /)
  })
})
