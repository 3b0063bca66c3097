import { beforeAll, describe, expect, it } from 'vitest'
import { toBase64Url } from '../../../../src/core/bytes.ts'
import { Invite as InviteCodec } from '../../../../src/core/codec/kith.ts'
import { encodeDeviceCertificate } from '../../../../src/core/identity/device-certificate.ts'
import { generateSigningKey } from '../../../../src/core/identity/identity-key.ts'
import { DAMAGED_INVITE, decodeInvite, encodeInvite, formatInviteLink, NEWER_INVITE, NOT_AN_INVITE, parseInviteLink, UNTRUSTED_INVITE, type Invite } from '../../../../src/core/identity/invite.ts'
import { CryptoVerificationError, describeError, ValidationError } from '../../../../src/core/errors.ts'
import { createTestDevice } from '../fixtures.ts'

const BASE = 'http://127.0.0.1:1234'
const ADDRS = ['/ip4/127.0.0.1/tcp/4001', '/ip4/127.0.0.1/tcp/4002/ws']

let invite: Invite
let link: string

beforeAll(async () => {
  const alice = await createTestDevice('Alice')
  invite = { certificate: alice.certificate, addrs: ADDRS }
  link = formatInviteLink(invite)
})

function payloadOf (text: string): string {
  return text.slice(text.indexOf('invite/') + 'invite/'.length)
}

function replaceCharAt (text: string, index: number): string {
  const c = text[index]
  return text.slice(0, index) + (c === 'A' ? 'B' : 'A') + text.slice(index + 1)
}

/** Indices of the base64url characters whose 6 bits all lie inside `field`'s bytes within `bytes`. */
function charsWithin (bytes: Uint8Array, field: Uint8Array): number[] {
  const offset = Buffer.from(bytes).indexOf(Buffer.from(field))
  expect(offset).toBeGreaterThan(0)
  const indices: number[] = []
  for (let i = Math.ceil(offset * 8 / 6); (i + 1) * 6 <= (offset + field.length) * 8; i++) indices.push(i)
  return indices
}

describe('formatInviteLink and parseInviteLink', () => {
  it('round-trips the web form served from a base URL', async () => {
    const web = formatInviteLink(invite, BASE)
    expect(web.startsWith(`${BASE}/#/invite/`)).toBe(true)
    const parsed = await parseInviteLink(web)
    expect(parsed.certificate).toEqual(invite.certificate)
    expect(parsed.addrs).toEqual(ADDRS)
  })

  it('does not double the slash when the base ends with one', () => {
    expect(formatInviteLink(invite, `${BASE}/`)).toBe(formatInviteLink(invite, BASE))
  })

  it('round-trips the kith: form', async () => {
    expect(link.startsWith('kith:invite/')).toBe(true)
    const parsed = await parseInviteLink(link)
    expect(parsed.certificate).toEqual(invite.certificate)
    expect(parsed.addrs).toEqual(ADDRS)
  })

  it('accepts the bare payload, as pasted without its prefix', async () => {
    const parsed = await parseInviteLink(payloadOf(link))
    expect(parsed.certificate).toEqual(invite.certificate)
  })

  it('accepts a link surrounded by whitespace, as pasted from a chat', async () => {
    const parsed = await parseInviteLink(`  ${formatInviteLink(invite, BASE)}\n`)
    expect(parsed.certificate.displayName).toBe('Alice')
  })

  it('puts the same payload in both forms', () => {
    expect(payloadOf(formatInviteLink(invite, BASE))).toBe(payloadOf(link))
    expect(payloadOf(link)).toBe(toBase64Url(encodeInvite(invite)))
  })

  it('keeps at most 16 addresses', async () => {
    const many = Array.from({ length: 20 }, (_, i) => `/ip4/127.0.0.1/tcp/${4000 + i}`)
    const parsed = await parseInviteLink(formatInviteLink({ ...invite, addrs: many }))
    expect(parsed.addrs).toEqual(many.slice(0, 16))
  })
})

describe('damaged links', () => {
  it('rejects a truncated link as damaged or incomplete', async () => {
    for (const keep of [10, 60, 120, 200]) {
      const truncated = link.slice(0, 'kith:invite/'.length + keep)
      await expect(parseInviteLink(truncated)).rejects.toThrow(ValidationError)
      await expect(parseInviteLink(truncated)).rejects.toThrow(DAMAGED_INVITE)
    }
  })

  it('rejects a link whose code has an impossible length', async () => {
    const err = await parseInviteLink(link.slice(0, 'kith:invite/'.length + 5)).catch((e: unknown) => e)
    expect((err as Error).message).toBe(DAMAGED_INVITE)
    // The technical reason stays with the error, for the log.
    expect(describeError(err)).toContain('its code is not base64url')
  })

  it('rejects a changed character in the invite header as damaged', async () => {
    const start = 'kith:invite/'.length
    await expect(parseInviteLink(replaceCharAt(link, start))).rejects.toThrow(ValidationError)
    const err = await parseInviteLink(replaceCharAt(link, start)).catch((e: unknown) => e)
    // The first bytes hold the version: damage there may read as an unknown version.
    expect([DAMAGED_INVITE, NEWER_INVITE]).toContain((err as Error).message)
    expect((err as Error).message).toMatch(/damaged.*ask for a new one/)
    expect(describeError(err)).toMatch(/\(cause: /)
  })

  it('rejects a changed character in the identity key, peer id, MLS key or signature', async () => {
    // Damage there is indistinguishable from a forgery, so it is refused as a bad signature.
    const bytes = encodeInvite(invite)
    const start = 'kith:invite/'.length
    const { identityKey, peerId, mlsSignatureKey, signature } = invite.certificate
    for (const field of [identityKey, peerId, mlsSignatureKey, signature]) {
      for (const i of charsWithin(bytes, field)) {
        await expect(parseInviteLink(replaceCharAt(link, start + i)), `character ${i}`).rejects.toThrow(CryptoVerificationError)
      }
    }
  })

  it.each([
    '',
    'hello there, are you free tomorrow?',
    'https://example.com/#/settings',
    'kith:contact/abc'
  ])('rejects text that is not an invite link: %j', async (text) => {
    await expect(parseInviteLink(text)).rejects.toThrow(new ValidationError(NOT_AN_INVITE))
  })

  it('rejects a bare word that decodes to no invite', async () => {
    await expect(parseInviteLink('hello')).rejects.toThrow(ValidationError)
    await expect(parseInviteLink('helloworld')).rejects.toThrow(/This link is damaged .*ask for a new one/)
  })

  it('rejects an address that is not a multiaddr', async () => {
    const bytes = InviteCodec.encode({
      version: 1,
      certificate: encodeDeviceCertificate(invite.certificate) as Uint8Array<ArrayBuffer>,
      addrs: ['127.0.0.1:4001']
    })
    const err = await parseInviteLink(toBase64Url(bytes)).catch((e: unknown) => e)
    expect((err as Error).message).toBe(DAMAGED_INVITE)
    expect(describeError(err)).toMatch(/invite address 0 is not a multiaddr/)
  })

  it('rejects an invite of an unknown version', async () => {
    const bytes = InviteCodec.encode({
      version: 2,
      certificate: encodeDeviceCertificate(invite.certificate) as Uint8Array<ArrayBuffer>,
      addrs: []
    })
    await expect(decodeInvite(bytes)).rejects.toThrow('invite version 2 is not supported')
    await expect(parseInviteLink(toBase64Url(bytes))).rejects.toThrow(NEWER_INVITE)
  })
})

describe('forged invites', () => {
  it('rejects a certificate signed by another identity key than the one it names', async () => {
    const bob = await generateSigningKey()
    const forged: Invite = { certificate: { ...invite.certificate, identityKey: bob.publicKey }, addrs: ADDRS }
    await expect(parseInviteLink(formatInviteLink(forged, BASE))).rejects.toThrow(CryptoVerificationError)
    const err = await parseInviteLink(formatInviteLink(forged)).catch((e: unknown) => e)
    expect((err as Error).message).toBe(UNTRUSTED_INVITE)
    expect(describeError(err)).toMatch(/signature does not verify/)
  })

  it('rejects a certificate whose display name was changed after signing', async () => {
    const renamed: Invite = { certificate: { ...invite.certificate, displayName: 'Bank support' }, addrs: ADDRS }
    await expect(parseInviteLink(formatInviteLink(renamed))).rejects.toThrow(CryptoVerificationError)
  })
})
