/**
 * Invite links: a device certificate plus listen addresses, base64url-encoded into a link that the
 * web app can open (`…/#/invite/<payload>`) and the CLI can paste.
 */
import { Invite as InviteCodec } from '../codec/kith.ts'
import { abytes, astring, fromBase64Url, toBase64Url } from '../bytes.ts'
import { CodecError, CryptoVerificationError, ValidationError } from '../errors.ts'
import { encodeDeviceCertificate, readDeviceCertificate, type DeviceCertificate } from './device-certificate.ts'

/** Largest encoded invite accepted. */
export const MAX_INVITE_BYTES = 4096
const MAX_ADDRS = 16
const MAX_ADDR_LENGTH = 256
const LINK_MARKER = /(?:^|[/#?&:])invite[/=]([A-Za-z0-9_-]+)/
const BARE_PAYLOAD = /^[A-Za-z0-9_-]+$/

/** A verified invite: whose device, and where to reach it. */
export interface Invite {
  readonly certificate: DeviceCertificate
  readonly addrs: readonly string[]
}

/** Encodes an invite's protobuf form (also used as the "card" a device sends with a Welcome). */
export function encodeInvite (invite: Invite): Uint8Array {
  return InviteCodec.encode({
    version: 1,
    certificate: encodeDeviceCertificate(invite.certificate) as Uint8Array<ArrayBuffer>,
    addrs: invite.addrs.slice(0, MAX_ADDRS)
  })
}

/** Decodes an invite and verifies its certificate's signature. */
export async function decodeInvite (bytes: Uint8Array): Promise<Invite> {
  abytes(bytes, 'invite', { max: MAX_INVITE_BYTES })
  let raw: InviteCodec
  try {
    raw = InviteCodec.decode(bytes, { limits: { addrs: MAX_ADDRS } })
  } catch (err) {
    throw new CodecError('invite is not valid protobuf', { cause: err })
  }
  if (raw.version === 0) throw new ValidationError('invite has no version')
  if (raw.version !== 1) throw new ValidationError(`invite version ${raw.version} is not supported`)
  const addrs = raw.addrs.map((a, i) => {
    astring(a, `invite address ${i}`, MAX_ADDR_LENGTH)
    if (!a.startsWith('/')) throw new ValidationError(`invite address ${i} is not a multiaddr`)
    return a
  })
  const certificate = await readDeviceCertificate(raw.certificate)
  return { certificate, addrs }
}

/** Builds the link text. `base` is the web app's origin when this device serves one. */
export function formatInviteLink (invite: Invite, base?: string): string {
  const payload = toBase64Url(encodeInvite(invite))
  return base === undefined ? `kith:invite/${payload}` : `${base.replace(/\/+$/, '')}/#/invite/${payload}`
}

/** What a person is told about a link that is not an invite (the detail goes to the log, as the cause). */
export const NOT_AN_INVITE = 'This is not a Kith invite link. An invite link ends in /#/invite/ followed by a code, or starts with kith:invite/.'
/** What a person is told about a damaged or cut-off invite link. */
export const DAMAGED_INVITE = 'This link is damaged or incomplete; ask for a new one.'
/** What a person is told about an invite whose signature does not verify. */
export const UNTRUSTED_INVITE = 'This link was damaged or changed after it was made, so Kith cannot trust it; ask for a new one over a channel you trust.'
/** What a person is told about an invite of an unknown version: from a newer Kith, or damaged in its first bytes. */
export const NEWER_INVITE = 'This link is damaged or comes from a newer version of Kith; ask for a new one, and update Kith if that one fails too.'

/**
 * Parses a link (web or `kith:` form) or a bare payload, verifying the certificate inside. Errors
 * carry a sentence a person can act on; the technical reason is their `cause`, for the log.
 */
export async function parseInviteLink (link: string): Promise<Invite> {
  const text = astring(link, 'invite link', MAX_INVITE_BYTES * 2).trim()
  const match = LINK_MARKER.exec(text)
  const payload = match?.[1] ?? (BARE_PAYLOAD.test(text) ? text : undefined)
  if (payload === undefined) throw new ValidationError(NOT_AN_INVITE, { cause: new Error('expected ".../#/invite/<code>" or "kith:invite/<code>"') })
  let bytes: Uint8Array
  try {
    bytes = fromBase64Url(payload)
  } catch (err) {
    throw new ValidationError(DAMAGED_INVITE, { cause: new ValidationError('its code is not base64url', { cause: err }) })
  }
  try {
    return await decodeInvite(bytes)
  } catch (err) {
    if (err instanceof ValidationError && err.message.startsWith('invite version')) throw new ValidationError(NEWER_INVITE, { cause: err })
    if (err instanceof ValidationError || err instanceof CodecError) throw new ValidationError(DAMAGED_INVITE, { cause: err })
    // A damaged signature cannot be told apart from a forged one: say both.
    if (err instanceof CryptoVerificationError) throw new CryptoVerificationError(UNTRUSTED_INVITE, { cause: err })
    throw err
  }
}
