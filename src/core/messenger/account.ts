/**
 * This device's account: identity key, MLS signature key and device certificate, created once by
 * `kith init` (or onboarding in the browser) and loaded from the store afterwards.
 */
import { fromUtf8, toHex, utf8 } from '../bytes.ts'
import { NotFoundError } from '../errors.ts'
import { decodeDeviceCertificate, encodeDeviceCertificate, issueDeviceCertificate, reissueDeviceCertificate, validateDisplayName, type DeviceCertificate } from '../identity/device-certificate.ts'
import { exportSigningKey, generateSigningKey, importSigningKey, type SigningKeyPair } from '../identity/identity-key.ts'
import { generateMlsSigningKey, type MlsSigningKey } from '../mls/key-package.ts'
import type { Store, Write } from './store.ts'

/** Meta key of the device's libp2p private key (protobuf), written beside the account. */
export const DEVICE_KEY_META = 'device.libp2p-key'

/** Everything that makes this device speak for its account. */
export interface Account {
  readonly identity: SigningKeyPair
  readonly identityHex: string
  readonly certificate: DeviceCertificate
  readonly mlsKey: MlsSigningKey
  readonly peerId: string
}

const KEYS = {
  identityPublic: 'identity.public',
  identityPrivate: 'identity.private',
  mlsPublic: 'mls.public',
  mlsPrivate: 'mls.private',
  certificate: 'device.certificate',
  peerId: 'device.peer-id'
} as const

/** Creates a new account for this device and returns it with the writes that persist it. */
export async function createAccount (displayName: string, peerId: string, peerIdBytes: Uint8Array, now: number): Promise<{ account: Account, writes: Write[] }> {
  const identity = await generateSigningKey(true)
  const mlsKey = await generateMlsSigningKey()
  const certificate = await issueDeviceCertificate(identity, {
    peerId: peerIdBytes, mlsSignatureKey: mlsKey.publicKey, displayName: validateDisplayName(displayName), createdAt: now
  })
  const writes: Write[] = [
    { kind: 'meta', key: KEYS.identityPublic, value: identity.publicKey },
    { kind: 'meta', key: KEYS.identityPrivate, value: await exportSigningKey(identity) },
    { kind: 'meta', key: KEYS.mlsPublic, value: mlsKey.publicKey },
    { kind: 'meta', key: KEYS.mlsPrivate, value: mlsKey.signKey },
    { kind: 'meta', key: KEYS.certificate, value: encodeDeviceCertificate(certificate) },
    { kind: 'meta', key: KEYS.peerId, value: utf8(peerId) }
  ]
  return { account: { identity, identityHex: toHex(identity.publicKey), certificate, mlsKey, peerId }, writes }
}

/**
 * The account with this device's certificate re-issued under a new display name (same keys and
 * peer id, a later `createdAt`), and the write that stores the certificate in place of the old one.
 */
export async function renameAccount (account: Account, displayName: string, now: number): Promise<{ account: Account, writes: Write[] }> {
  const certificate = await reissueDeviceCertificate(account.identity, account.certificate, validateDisplayName(displayName), now)
  return { account: { ...account, certificate }, writes: [{ kind: 'meta', key: KEYS.certificate, value: encodeDeviceCertificate(certificate) }] }
}

/** True once an account exists in this store. */
export async function hasAccount (store: Store): Promise<boolean> {
  return (await store.getMeta(KEYS.certificate)) !== undefined
}

/** Loads the account created by {@link createAccount}. */
export async function loadAccount (store: Store): Promise<Account> {
  const get = async (key: string): Promise<Uint8Array> => {
    const v = await store.getMeta(key)
    if (v === undefined) throw new NotFoundError('no account here yet: run `kith init --name NAME` first')
    return v
  }
  const identityPublic = await get(KEYS.identityPublic)
  const identity = await importSigningKey(await get(KEYS.identityPrivate), identityPublic)
  const certificate = decodeDeviceCertificate(await get(KEYS.certificate))
  const mlsKey = { publicKey: await get(KEYS.mlsPublic), signKey: await get(KEYS.mlsPrivate) }
  return { identity, identityHex: toHex(identityPublic), certificate, mlsKey, peerId: fromUtf8(await get(KEYS.peerId)) }
}
