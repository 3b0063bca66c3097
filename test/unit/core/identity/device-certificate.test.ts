import { beforeAll, describe, expect, it } from 'vitest'
import { randomBytes } from '../../../../src/core/bytes.ts'
import { DeviceCertificate as DeviceCertificateCodec } from '../../../../src/core/codec/kith.ts'
import {
  decodeDeviceCertificate, encodeDeviceCertificate, issueDeviceCertificate, MAX_CERTIFICATE_BYTES, MAX_DISPLAY_NAME,
  readDeviceCertificate, reissueDeviceCertificate, validateDisplayName, verifyDeviceCertificate, type DeviceCertificate
} from '../../../../src/core/identity/device-certificate.ts'
import { generateSigningKey, type SigningKeyPair } from '../../../../src/core/identity/identity-key.ts'
import { CodecError, CryptoVerificationError, ValidationError } from '../../../../src/core/errors.ts'

let identity: SigningKeyPair
let cert: DeviceCertificate

beforeAll(async () => {
  identity = await generateSigningKey()
  cert = await issueDeviceCertificate(identity, {
    peerId: randomBytes(38),
    mlsSignatureKey: (await generateSigningKey()).publicKey,
    displayName: 'Alice',
    createdAt: 1_700_000_000_000
  })
})

/** Re-encodes a certificate with some raw protobuf fields replaced, keeping the original signature. */
function encodeRaw (c: DeviceCertificate, overrides: Partial<DeviceCertificateCodec>): Uint8Array {
  return DeviceCertificateCodec.encode({
    version: 1,
    identityKey: c.identityKey as Uint8Array<ArrayBuffer>,
    peerId: c.peerId as Uint8Array<ArrayBuffer>,
    mlsSignatureKey: c.mlsSignatureKey as Uint8Array<ArrayBuffer>,
    displayName: c.displayName,
    createdAt: BigInt(c.createdAt),
    signature: c.signature as Uint8Array<ArrayBuffer>,
    ...overrides
  })
}

/** Deterministic noise (xorshift32), so a failure reproduces. */
function pseudoRandomBytes (seed: number, length: number): Uint8Array {
  let x = seed
  return Uint8Array.from({ length }, () => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5
    return x & 0xff
  })
}

function flipFirstByte (bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice()
  copy[0] = (copy[0] as number) ^ 0x01
  return copy
}

describe('issue and verify', () => {
  it('issues a certificate carrying the identity public key and the given fields', () => {
    expect(cert.identityKey).toEqual(identity.publicKey)
    expect(cert.displayName).toBe('Alice')
    expect(cert.createdAt).toBe(1_700_000_000_000)
    expect(cert.signature).toHaveLength(64)
  })

  it('survives encode, decode and verify unchanged', async () => {
    const read = await readDeviceCertificate(encodeDeviceCertificate(cert))
    expect(read).toEqual(cert)
    await expect(verifyDeviceCertificate(read)).resolves.toBeUndefined()
  })

  it('trims the display name before signing it', async () => {
    const trimmed = await issueDeviceCertificate(identity, { ...cert, displayName: '  Bob  ' })
    expect(trimmed.displayName).toBe('Bob')
    await expect(readDeviceCertificate(encodeDeviceCertificate(trimmed))).resolves.toMatchObject({ displayName: 'Bob' })
  })
})

describe('tampering', () => {
  it.each([
    ['display name', (c: DeviceCertificate): DeviceCertificate => ({ ...c, displayName: 'Mallory' })],
    ['peer id', (c: DeviceCertificate): DeviceCertificate => ({ ...c, peerId: flipFirstByte(c.peerId) })],
    ['MLS signature key', (c: DeviceCertificate): DeviceCertificate => ({ ...c, mlsSignatureKey: flipFirstByte(c.mlsSignatureKey) })],
    ['creation time', (c: DeviceCertificate): DeviceCertificate => ({ ...c, createdAt: c.createdAt + 1 })],
    ['signature', (c: DeviceCertificate): DeviceCertificate => ({ ...c, signature: flipFirstByte(c.signature) })]
  ])('a changed %s fails verification with CryptoVerificationError', async (_field, tamper) => {
    const tampered = tamper(cert)
    await expect(verifyDeviceCertificate(tampered)).rejects.toThrow(CryptoVerificationError)
    await expect(readDeviceCertificate(encodeDeviceCertificate(tampered))).rejects.toThrow(/signature does not verify/)
  })

  it('a certificate re-attributed to another identity key fails verification', async () => {
    const other = await generateSigningKey()
    await expect(verifyDeviceCertificate({ ...cert, identityKey: other.publicKey })).rejects.toThrow(CryptoVerificationError)
  })
})

describe('decoding untrusted bytes', () => {
  it('rejects a certificate larger than the limit before parsing it', () => {
    const big = new Uint8Array(MAX_CERTIFICATE_BYTES + 1)
    expect(() => decodeDeviceCertificate(big)).toThrow(ValidationError)
    expect(() => decodeDeviceCertificate(big)).toThrow(/at most 512 bytes/)
  })

  it('rejects bytes that are not protobuf with a CodecError', () => {
    expect(() => decodeDeviceCertificate(new Uint8Array([0xff, 0xff, 0xff, 0xff]))).toThrow(CodecError)
  })

  it('rejects a truncated certificate', () => {
    const encoded = encodeDeviceCertificate(cert)
    expect(() => decodeDeviceCertificate(encoded.subarray(0, encoded.length - 10))).toThrow(CodecError)
  })

  it('rejects arbitrary bytes with a ValidationError or CodecError', () => {
    for (let seed = 1; seed <= 20; seed++) {
      let error: unknown
      try {
        decodeDeviceCertificate(pseudoRandomBytes(seed, 100))
      } catch (err) {
        error = err
      }
      expect(error instanceof ValidationError || error instanceof CodecError).toBe(true)
    }
  })

  it('rejects an empty input as a certificate missing its fields', () => {
    expect(() => decodeDeviceCertificate(new Uint8Array())).toThrow(ValidationError)
  })

  it('rejects an unknown version', () => {
    expect(() => decodeDeviceCertificate(encodeRaw(cert, { version: 2 }))).toThrow('device certificate version 2 is not supported')
  })

  it.each([
    ['identity key', { identityKey: new Uint8Array(31) }, /identity key must be 32 bytes/],
    ['MLS signature key', { mlsSignatureKey: new Uint8Array(33) }, /MLS signature key must be 32 bytes/],
    ['signature', { signature: new Uint8Array(63) }, /signature must be 64 bytes/],
    ['peer id (too long)', { peerId: new Uint8Array(65) }, /peer id must be at most 64 bytes/],
    ['peer id (empty)', { peerId: new Uint8Array() }, /peer id is empty/],
    ['creation time', { createdAt: BigInt(Number.MAX_SAFE_INTEGER) + 1n }, /time is out of range/],
    ['display name', { displayName: 'bell\u0007' }, /control characters/]
  ])('rejects a malformed %s with a ValidationError', (_field, overrides, message) => {
    const bytes = encodeRaw(cert, overrides as Partial<DeviceCertificateCodec>)
    expect(() => decodeDeviceCertificate(bytes)).toThrow(ValidationError)
    expect(() => decodeDeviceCertificate(bytes)).toThrow(message)
  })
})

describe('validateDisplayName', () => {
  it('accepts names up to the limit, counting characters rather than UTF-16 units', () => {
    expect(validateDisplayName('a'.repeat(MAX_DISPLAY_NAME))).toHaveLength(MAX_DISPLAY_NAME)
    const emoji = '😀'.repeat(MAX_DISPLAY_NAME)
    expect(validateDisplayName(emoji)).toBe(emoji)
  })

  it.each(['', '   ', '\t'])('rejects the empty name %j', (name) => {
    expect(() => validateDisplayName(name)).toThrow(new ValidationError('display name must not be empty'))
  })

  it('rejects a name one character over the limit', () => {
    expect(() => validateDisplayName('a'.repeat(MAX_DISPLAY_NAME + 1))).toThrow(ValidationError)
    expect(() => validateDisplayName('😀'.repeat(MAX_DISPLAY_NAME + 1))).toThrow(/at most 64 characters/)
  })

  it.each(['new\nline', 'nul\u0000', 'esc\u001b[31m', 'del\u007f'])('rejects control characters in %j', (name) => {
    expect(() => validateDisplayName(name)).toThrow(/must not contain control characters/)
  })

  it('rejects a non-string', () => {
    expect(() => validateDisplayName(42 as unknown as string)).toThrow(ValidationError)
  })

  it('is applied when issuing, so no invalid certificate can be signed', async () => {
    await expect(issueDeviceCertificate(identity, { ...cert, displayName: '' })).rejects.toThrow(ValidationError)
    await expect(issueDeviceCertificate(identity, { ...cert, displayName: 'x'.repeat(65) })).rejects.toThrow(ValidationError)
  })
})

describe('reissueDeviceCertificate', () => {
  it('keeps the keys and peer id, takes the new name, is later, and verifies', async () => {
    const renamed = await reissueDeviceCertificate(identity, cert, '  Alicia ', cert.createdAt + 5000)
    expect(renamed).toMatchObject({
      identityKey: cert.identityKey, peerId: cert.peerId, mlsSignatureKey: cert.mlsSignatureKey, displayName: 'Alicia', createdAt: cert.createdAt + 5000
    })
    await expect(readDeviceCertificate(encodeDeviceCertificate(renamed))).resolves.toEqual(renamed)
  })

  it('is still newer when the clock went back', async () => {
    const renamed = await reissueDeviceCertificate(identity, cert, 'Alicia', cert.createdAt - 60_000)
    expect(renamed.createdAt).toBe(cert.createdAt + 1)
  })

  it('refuses a name validateDisplayName refuses, and another identity key', async () => {
    await expect(reissueDeviceCertificate(identity, cert, '   ', cert.createdAt + 1)).rejects.toThrow('display name must not be empty')
    await expect(reissueDeviceCertificate(await generateSigningKey(), cert, 'Mallory', cert.createdAt + 1)).rejects.toThrow(ValidationError)
  })
})
