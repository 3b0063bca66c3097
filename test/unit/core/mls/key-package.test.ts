import { beforeAll, describe, expect, it } from 'vitest'
import { encodeMlsMessage } from 'ts-mls'
import { issueDeviceCertificate } from '../../../../src/core/identity/device-certificate.ts'
import { createKeyPackage, keyPackageRef, MAX_KEY_PACKAGE_BYTES, readPeerKeyPackage, type OwnKeyPackage } from '../../../../src/core/mls/key-package.ts'
import { CodecError, CryptoVerificationError, ValidationError } from '../../../../src/core/errors.ts'
import { createTestDevice, type TestDevice } from '../fixtures.ts'

let alice: TestDevice
let bob: TestDevice
let aliceKp: OwnKeyPackage

beforeAll(async () => {
  alice = await createTestDevice('Alice')
  bob = await createTestDevice('Bob')
  aliceKp = await createKeyPackage(alice.certificate, alice.mlsKey)
})

describe('createKeyPackage', () => {
  it('carries the device certificate and the device MLS key in its leaf', () => {
    expect(aliceKp.publicPackage.leafNode.signaturePublicKey).toEqual(alice.mlsKey.publicKey)
    expect(aliceKp.publicPackage.leafNode.credential.credentialType).toBe('basic')
  })

  it('computes the reference a Welcome will name', async () => {
    expect(aliceKp.ref).toEqual(await keyPackageRef(aliceKp.publicPackage))
  })

  it('creates a different package every time', async () => {
    const again = await createKeyPackage(alice.certificate, alice.mlsKey)
    expect(again.ref).not.toEqual(aliceKp.ref)
  })
})

describe('readPeerKeyPackage', () => {
  it('accepts a package from the expected identity and device', async () => {
    const verified = await readPeerKeyPackage(aliceKp.encoded, { identityKey: alice.identity.publicKey, peerId: alice.certificate.peerId })
    expect(verified.certificate).toEqual(alice.certificate)
    expect(await keyPackageRef(verified.keyPackage)).toEqual(aliceKp.ref)
  })

  it('accepts a package when only the identity is expected', async () => {
    const verified = await readPeerKeyPackage(aliceKp.encoded, { identityKey: alice.identity.publicKey })
    expect(verified.certificate.displayName).toBe('Alice')
  })

  it('rejects a package certified by another identity than the contact’s', async () => {
    const read = readPeerKeyPackage(aliceKp.encoded, { identityKey: bob.identity.publicKey })
    await expect(read).rejects.toThrow(CryptoVerificationError)
    await expect(readPeerKeyPackage(aliceKp.encoded, { identityKey: bob.identity.publicKey })).rejects.toThrow(/identity/)
  })

  it('rejects a package whose certificate names another device than the one that sent it', async () => {
    const read = readPeerKeyPackage(aliceKp.encoded, { identityKey: alice.identity.publicKey, peerId: bob.certificate.peerId })
    await expect(read).rejects.toThrow(new CryptoVerificationError('key package certificate names a different device than the one that sent it'))
  })

  it('rejects a package whose credential names a different MLS key than the leaf signs with', async () => {
    // Alice's identity really signed this certificate, but for another MLS key than the package uses.
    const otherCert = await issueDeviceCertificate(alice.identity, {
      peerId: alice.certificate.peerId, mlsSignatureKey: bob.mlsKey.publicKey, displayName: 'Alice', createdAt: 1
    })
    const mismatched = await createKeyPackage(otherCert, alice.mlsKey)
    await expect(readPeerKeyPackage(mismatched.encoded, { identityKey: alice.identity.publicKey })).rejects.toThrow(/signature key/)
  })

  it('rejects a package whose signature was broken in transit', async () => {
    const tampered = aliceKp.encoded.slice()
    tampered[tampered.length - 5] = (tampered[tampered.length - 5] as number) ^ 0x01
    await expect(readPeerKeyPackage(tampered, { identityKey: alice.identity.publicKey })).rejects.toThrow(CryptoVerificationError)
  })

  it('rejects garbage bytes with a CodecError', async () => {
    await expect(readPeerKeyPackage(new Uint8Array([0xde, 0xad, 0xbe, 0xef]), { identityKey: alice.identity.publicKey })).rejects.toThrow(CodecError)
    await expect(readPeerKeyPackage(new Uint8Array(), { identityKey: alice.identity.publicKey })).rejects.toThrow(CodecError)
    await expect(readPeerKeyPackage(Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff), { identityKey: alice.identity.publicKey })).rejects.toThrow(CodecError)
  })

  it('rejects an MLS message that is not a key package', async () => {
    const welcomeLike = encodeMlsMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome: { cipherSuite: 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519', secrets: [], encryptedGroupInfo: new Uint8Array(1) } })
    await expect(readPeerKeyPackage(welcomeLike, { identityKey: alice.identity.publicKey })).rejects.toThrow(new CodecError('expected an MLS key package'))
  })

  it('rejects a package over the size limit before decoding it', async () => {
    await expect(readPeerKeyPackage(new Uint8Array(MAX_KEY_PACKAGE_BYTES + 1), { identityKey: alice.identity.publicKey })).rejects.toThrow(ValidationError)
  })
})
