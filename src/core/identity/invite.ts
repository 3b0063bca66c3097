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

/** Parses a link (web or `kith:` form) or a bare payload, verifying the certificate inside. */
export async function parseInviteLink (link: string): Promise<Invite> {
  const text = astring(link, 'invite link', MAX_INVITE_BYTES * 2).trim()
  const match = LINK_MARKER.exec(text)
  const payload = match?.[1] ?? (BARE_PAYLOAD.test(text) ? text : undefined)
  if (payload === undefined) throw new ValidationError('not an invite link: expected ".../#/invite/<code>" or "kith:invite/<code>"')
  let bytes: Uint8Array
  try {
    bytes = fromBase64Url(payload)
  } catch (err) {
    throw new ValidationError('invite link is damaged: its code is not base64url', { cause: err })
  }
  try {
    return await decodeInvite(bytes)
  } catch (err) {
    if (err instanceof ValidationError || err instanceof CodecError) {
      throw new ValidationError(`invite link is damaged or incomplete: ${err.message}`, { cause: err })
    }
    if (err instanceof CryptoVerificationError) {
      // A damaged signature cannot be told apart from a forged one: say both.
      throw new CryptoVerificationError(`invite link is damaged or forged: ${err.message}`, { cause: err })
    }
    throw err
  }
}
