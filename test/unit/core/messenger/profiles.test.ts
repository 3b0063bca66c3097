/**
 * What a receiver accepts as a member's new profile (checkProfile), and when a member's device is
 * announced as new (newDeviceNotices, on the commit path), over a real SqliteStore.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { randomBytes, toHex } from '../../../../src/core/bytes.ts'
import { encodeDeviceCertificate, issueDeviceCertificate, reissueDeviceCertificate, type DeviceCertificate } from '../../../../src/core/identity/device-certificate.ts'
import { generateSigningKey, type SigningKeyPair } from '../../../../src/core/identity/identity-key.ts'
import { encodeInvite } from '../../../../src/core/identity/invite.ts'
import { peerIdToString } from '../../../../src/core/identity/peer-id.ts'
import type { Member } from '../../../../src/core/mls/group.ts'
import { generateMlsSigningKey } from '../../../../src/core/mls/key-package.ts'
import { describeNotice, newDeviceNotices, readNotice } from '../../../../src/core/messenger/notices.ts'
import { checkProfile } from '../../../../src/core/messenger/profiles.ts'
import { SqliteStore } from '../../../../src/store/sqlite.node.ts'

const T0 = 1_700_000_000_000

/** A libp2p Ed25519 peer id, as multihash bytes (PROTOCOL.md §1.2). */
function peerIdBytes (): Uint8Array {
  return Uint8Array.from([0x00, 0x24, 0x08, 0x01, 0x12, 0x20, ...randomBytes(32)])
}

async function deviceOf (identity: SigningKeyPair, displayName: string): Promise<DeviceCertificate> {
  return await issueDeviceCertificate(identity, { peerId: peerIdBytes(), mlsSignatureKey: (await generateMlsSigningKey()).publicKey, displayName, createdAt: T0 })
}

describe('checkProfile', () => {
  let alice: SigningKeyPair
  let leaf: DeviceCertificate

  beforeEach(async () => {
    alice = await generateSigningKey()
    leaf = await deviceOf(alice, 'Alice')
  })

  it('accepts the sender device re-certified under a new name, later than the one known', async () => {
    const renamed = await reissueDeviceCertificate(alice, leaf, 'Alicia', T0 + 10)
    const check = await checkProfile(encodeDeviceCertificate(renamed), leaf, T0)
    expect(check).toEqual({ ok: true, certificate: renamed })
  })

  it('refuses a replayed or older certificate: not newer than the one known', async () => {
    const first = await reissueDeviceCertificate(alice, leaf, 'Alicia', T0 + 10)
    const second = await reissueDeviceCertificate(alice, first, 'Ally', T0 + 20)
    // The receiver already took `second`; `first` comes again (replayed by anyone who kept it).
    expect(await checkProfile(encodeDeviceCertificate(first), leaf, second.createdAt)).toMatchObject({ ok: false, reason: expect.stringMatching(/not newer than the one known/) })
    expect(await checkProfile(encodeDeviceCertificate(second), leaf, second.createdAt)).toMatchObject({ ok: false, reason: expect.stringMatching(/replayed or stale/) })
  })

  it('refuses a forged certificate: a signature that does not verify', async () => {
    const renamed = await reissueDeviceCertificate(alice, leaf, 'Alicia', T0 + 10)
    const forged = encodeDeviceCertificate({ ...renamed, displayName: 'Mallory' })
    expect(await checkProfile(forged, leaf, T0)).toMatchObject({ ok: false, reason: expect.stringMatching(/^its certificate is not valid: .*device certificate/) })
    expect(await checkProfile(randomBytes(40), leaf, T0)).toMatchObject({ ok: false, reason: expect.stringMatching(/^its certificate is not valid/) })
  })

  it('refuses a valid certificate of another identity, device or MLS key than the sender\'s leaf', async () => {
    const mallory = await generateSigningKey()
    const other = await issueDeviceCertificate(mallory, { peerId: leaf.peerId, mlsSignatureKey: leaf.mlsSignatureKey, displayName: 'Alicia', createdAt: T0 + 10 })
    expect(await checkProfile(encodeDeviceCertificate(other), leaf, T0)).toMatchObject({ ok: false, reason: 'its certificate is for another identity than the sender\'s' })
    const otherDevice = await issueDeviceCertificate(alice, { peerId: peerIdBytes(), mlsSignatureKey: leaf.mlsSignatureKey, displayName: 'Alicia', createdAt: T0 + 10 })
    expect(await checkProfile(encodeDeviceCertificate(otherDevice), leaf, T0)).toMatchObject({ ok: false, reason: 'its certificate names another device than the sender' })
    const otherKey = await issueDeviceCertificate(alice, { peerId: leaf.peerId, mlsSignatureKey: (await generateMlsSigningKey()).publicKey, displayName: 'Alicia', createdAt: T0 + 10 })
    expect(await checkProfile(encodeDeviceCertificate(otherKey), leaf, T0)).toMatchObject({ ok: false, reason: 'its certificate names another MLS signature key than the sender\'s leaf' })
  })
})

describe('newDeviceNotices', () => {
  let dir: string
  let store: SqliteStore
  let alice: SigningKeyPair
  let aliceOld: DeviceCertificate
  let aliceNew: DeviceCertificate
  let bob: DeviceCertificate
  const self = 'ff'.repeat(32)
  const fields = { groupId: 'aa'.repeat(32), lamport: 4, epoch: 2, at: T0 }
  const member = (leafIndex: number, certificate: DeviceCertificate): Member => ({ leafIndex, certificate })

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kith-profiles-'))
    store = new SqliteStore(join(dir, 'kith.db'))
    alice = await generateSigningKey()
    aliceOld = await deviceOf(alice, 'Alice')
    aliceNew = await deviceOf(alice, 'Alice')
    bob = await deviceOf(await generateSigningKey(), 'Bob')
  })

  afterEach(async () => {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  })

  /** Records Alice as a contact whose one known device is `aliceOld`. */
  async function knowAlice (): Promise<void> {
    const identity = toHex(alice.publicKey)
    await store.apply([
      { kind: 'contact', row: { identity, alias: 'alice', displayName: 'Alice', verified: true, createdAt: T0 } },
      { kind: 'device', row: { peerId: peerIdToString(aliceOld.peerId), identity, certificate: encodeInvite({ certificate: aliceOld, addrs: [] }), addrs: [], updatedAt: T0 } }
    ])
  }

  it('names an account that is a member and gains a second device', async () => {
    const notices = await newDeviceNotices(store, fields, self, [member(0, bob), member(1, aliceOld)], [member(0, bob), member(1, aliceOld), member(2, aliceNew)])
    expect(notices).toHaveLength(1)
    expect(notices[0]).toMatchObject({ groupId: fields.groupId, senderIdentity: toHex(alice.publicKey), lamport: 4, kind: 'notice', seq: 0 })
    const body = readNotice(notices[0]!)!
    expect(describeNotice('Alice', body, [])).toBe('Alice is using a new device')
  })

  it('names a contact that joins with a device this one has never seen', async () => {
    await knowAlice()
    const notices = await newDeviceNotices(store, fields, self, [member(0, bob)], [member(0, bob), member(1, aliceNew)])
    expect(notices.map((n) => n.senderIdentity)).toEqual([toHex(alice.publicKey)])
  })

  it('says nothing for a known device, a stranger\'s first device, a removal, or this account', async () => {
    await knowAlice()
    expect(await newDeviceNotices(store, fields, self, [member(0, bob)], [member(0, bob), member(1, aliceOld)])).toEqual([])
    const stranger = await deviceOf(await generateSigningKey(), 'Carol')
    expect(await newDeviceNotices(store, fields, self, [member(0, bob)], [member(0, bob), member(1, stranger)])).toEqual([])
    expect(await newDeviceNotices(store, fields, self, [member(0, bob), member(1, aliceOld)], [member(0, bob)])).toEqual([])
    expect(await newDeviceNotices(store, fields, toHex(alice.publicKey), [member(1, aliceOld)], [member(1, aliceOld), member(2, aliceNew)])).toEqual([])
  })
})
