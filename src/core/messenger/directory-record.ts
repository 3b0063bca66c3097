/**
 * This device's part of its account's directory record (docs/PROTOCOL.md §10.2), built and signed
 * where the identity key lives (the Node process, or the browser's messenger worker): its
 * certificate, its addresses, its mailbox nodes, its intro mailboxes and its published KeyPackages.
 */
import { fromUtf8, utf8 } from '../bytes.ts'
import { buildDirectoryRecord } from '../directory/build.ts'
import { MAX_ADDRS, MAX_MAILBOXES, type DirectoryDevice } from '../directory/record.ts'
import { encodeDeviceCertificate } from '../identity/device-certificate.ts'
import type { Engine } from './engine.ts'
import type { OwnMailbox } from './mailboxes.ts'
import type { PublishedKeyPackages } from './published-key-packages.ts'

/** Meta key of the last record seq this device signed. */
export const DIRECTORY_SEQ_META = 'directory.seq'

/** A signed record, ready to publish. */
export interface SignedDirectoryRecord {
  readonly encoded: Uint8Array
  readonly seq: number
  readonly expiresAt: number
}

/** This device's entry: where it is, where its mailboxes are, and how to add it while it is away. */
export function directoryDevice (certificate: Uint8Array, addrs: readonly string[], own: readonly OwnMailbox[], keyPackages: PublishedKeyPackages): DirectoryDevice {
  // Where this device's mailboxes are, not how to deposit: those tokens travel only inside MLS.
  const mailboxes = own.flatMap((m) => m.addrs.slice(0, 1).map((a) => `${a}/p2p/${m.node}`)).slice(0, MAX_MAILBOXES)
  // The intro mailboxes' deposit tokens are public: anyone who knows the account may leave a first message.
  const introMailboxes = own.flatMap((m) => m.intro === undefined || m.addrs[0] === undefined ? [] : [{ node: `${m.addrs[0]}/p2p/${m.node}`, mailboxId: m.intro.mailboxId, depositToken: m.intro.depositToken }]).slice(0, MAX_MAILBOXES)
  return { certificate, addrs: addrs.slice(0, MAX_ADDRS), mailboxes, keyPackages: keyPackages.oneTime, lastResortKeyPackage: keyPackages.lastResort, introMailboxes }
}

/**
 * Signs a record listing this device, with a seq larger than any this device signed before (and
 * at least the issue time, so that a directory that lost its count, a restored backup say, still
 * goes past the records its account published from elsewhere).
 */
export async function signDirectoryRecord (engine: Engine, device: DirectoryDevice, issuedAt: number, lifetimeMs: number): Promise<SignedDirectoryRecord> {
  const stored = await engine.store.getMeta(DIRECTORY_SEQ_META)
  const seq = Math.max(stored === undefined ? 0 : Number(fromUtf8(stored)) + 1, issuedAt)
  await engine.store.apply([{ kind: 'meta', key: DIRECTORY_SEQ_META, value: utf8(String(seq)) }])
  const { encoded, record } = await buildDirectoryRecord(engine.account.identity, { seq, issuedAt, lifetimeMs, devices: [device] })
  return { encoded, seq, expiresAt: record.expiresAt }
}

/** The certificate this device lists (its current one). */
export function ownCertificate (engine: Engine): Uint8Array {
  return encodeDeviceCertificate(engine.account.certificate)
}
