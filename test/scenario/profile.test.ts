/**
 * Changing your display name with real peers on loopback (issue 21, items 19 and 20): Alice renames
 * herself, and Bob (1:1, offline at the time) and Carol (a group) see the new name and a notice; a
 * member added later sees the new name, not the one in Alice's MLS leaf; an older or forged
 * certificate announced again changes nothing.
 */
import { describe, expect, it } from 'vitest'
import { encodeDeviceCertificate, issueDeviceCertificate, type DeviceCertificate } from '../../src/core/identity/device-certificate.ts'
import { generateSigningKey } from '../../src/core/identity/identity-key.ts'
import { parseInviteLink } from '../../src/core/identity/invite.ts'
import type { Engine } from '../../src/core/messenger/engine.ts'
import type { MessageOut } from '../../src/core/messenger/message-view.ts'
import type { Sender } from '../../src/core/messenger/sender.ts'
import { formatMessageLine } from '../../src/node/cli/format.ts'
import { initDataDir, type KithNode } from '../../src/node/kith-node.ts'
import { dataPaths } from '../../src/node/paths.ts'
import { secondDeviceOf } from './second-device.ts'
import { addContact, eventually, logOf, tempDir, usePeers, waitForMessage } from './harness.ts'

const { peer, stop } = usePeers()

/** Notices of a conversation, by sentence. */
async function noticesOf (node: KithNode, target: string): Promise<string[]> {
  return (await node.messenger.messages(target)).filter((m: MessageOut) => m.notice !== undefined).map((m) => m.text)
}

async function waitForNotice (node: KithNode, target: string, text: string): Promise<void> {
  await eventually([node], async () => (await noticesOf(node, target)).includes(text), `"${text}" at ${node.messenger.profile().displayName}`)
}

/** The name `viewer` shows for `subject` among a conversation's members. */
async function memberName (viewer: KithNode, target: string, subject: KithNode): Promise<string | undefined> {
  return (await viewer.messenger.conversation(target)).members.find((m) => m.identity === subject.messenger.identity)?.name
}

/** Alice's own sending path, to announce a certificate of the test's choosing as a hostile or stale device would. */
function internals (node: KithNode): { sender: Sender, engine: Engine } {
  return node.messenger as unknown as { sender: Sender, engine: Engine }
}

describe('changing your display name', () => {
  it('Bob (offline during the rename) and Carol (in a group) see Alicia and the notice; Dave, added later, sees Alicia too', async () => {
    const bobDir = tempDir('bob')
    const alice = await peer('Alice')
    let bob = await peer('Bob', bobDir)
    const carol = await peer('Carol')
    const dave = await peer('Dave')
    await addContact(alice, bob, 'alice-bob')
    await addContact(alice, carol, 'carol')
    await addContact(carol, dave, 'dave')
    await alice.messenger.send('alice-bob', 'hi Bob')
    await waitForMessage(bob, 'Alice', 'hi Bob')
    const { id } = await alice.messenger.createGroup('Readers')
    await alice.messenger.addMember(id, 'carol')
    await eventually([carol], async () => (await carol.messenger.conversations()).some((c) => c.id === id), 'Carol in Readers')

    await stop(bob)
    const profile = await alice.messenger.setDisplayName('  Alicia ')
    expect(profile.displayName).toBe('Alicia')
    // The invite now carries the new name under the same keys.
    const invite = await parseInviteLink(profile.inviteLink)
    expect(invite.certificate.displayName).toBe('Alicia')
    expect(invite.certificate.peerId).toEqual(alice.messenger.invite().certificate.peerId)
    expect(await noticesOf(alice, id)).toContain('You are now Alicia')

    // Carol: the contact (added by Alice's welcome) is renamed, and the group says so.
    await waitForNotice(carol, id, 'Alice is now Alicia')
    expect((await carol.messenger.contacts()).find((c) => c.identity === alice.messenger.identity)?.displayName).toBe('Alicia')

    // Bob comes back: Alice's queued PROFILE reaches him; his alias for her stays what he chose.
    bob = await peer('Bob', bobDir)
    await waitForNotice(bob, 'Alice', 'Alice is now Alicia')
    const contact = (await bob.messenger.contacts()).find((c) => c.identity === alice.messenger.identity)!
    expect(contact).toMatchObject({ displayName: 'Alicia', alias: 'alice' })
    const notice = (await bob.messenger.messages('alice')).find((m) => m.notice?.type === 'profile')!
    expect(notice.notice).toMatchObject({ type: 'profile', name: 'Alicia', previous: 'Alice' })
    expect(formatMessageLine({ ...notice, reactions: [] })).toMatch(/-- Alice is now Alicia --$/)
    // Not a text: not unread, not the last message.
    expect(await bob.messenger.conversation('alice')).toMatchObject({ unread: 1, lastMessage: { text: 'hi Bob' } })

    // Dave joins later, added by Carol: Alice's leaf still holds "Alice", but she re-announces.
    await carol.messenger.addMember(id, 'dave')
    await eventually([dave], async () => await memberName(dave, id, alice).catch(() => undefined) === 'Alicia', 'Dave sees Alicia')
    await alice.messenger.send(id, 'welcome Dave')
    const seen = await waitForMessage(dave, id, 'welcome Dave')
    expect(seen.senderName).toBe('Alicia')
  })

  it('an older, a replayed or a forged certificate announced again, or an old invite added again, changes nothing', async () => {
    const aliceDir = tempDir('alice')
    let alice = await peer('Alice', aliceDir)
    const bob = await peer('Bob')
    await addContact(alice, bob, 'bob')
    await alice.messenger.send('bob', 'hi')
    await waitForMessage(bob, 'Alice', 'hi')
    const original: DeviceCertificate = alice.messenger.invite().certificate
    const oldLink = alice.messenger.inviteLink()
    await alice.messenger.setDisplayName('Alicia')
    const alicia = alice.messenger.invite().certificate
    await alice.messenger.setDisplayName('Ally')
    await waitForNotice(bob, 'alice', 'Alicia is now Ally')
    // The new certificate is stored: a restarted Alice is still Ally, under the same keys.
    await stop(alice)
    alice = await peer('Alice', aliceDir)
    expect(alice.messenger.profile().displayName).toBe('Ally')
    expect(alice.messenger.invite().certificate.peerId).toEqual(original.peerId)

    const { sender, engine } = internals(alice)
    const groupId = await alice.messenger.resolveTarget('bob')
    const announce = async (certificate: Uint8Array): Promise<void> => {
      await engine.withLock(groupId, async () => { await sender.sendLocked(groupId, { kind: 'profile', text: '', certificate }) })
    }
    // Replays of her own older certificates, still validly signed.
    await announce(encodeDeviceCertificate(alicia))
    await announce(encodeDeviceCertificate(original))
    // A certificate for her device signed by another identity key.
    const mallory = await generateSigningKey()
    await announce(encodeDeviceCertificate(await issueDeviceCertificate(mallory, {
      peerId: original.peerId, mlsSignatureKey: original.mlsSignatureKey, displayName: 'Mallory', createdAt: Date.now() + 60_000
    })))
    await alice.messenger.send('bob', 'after the replays')
    await waitForMessage(bob, 'alice', 'after the replays')

    expect((await bob.messenger.contacts())[0]).toMatchObject({ displayName: 'Ally' })
    expect(await noticesOf(bob, 'alice')).toEqual(['Alice is now Alicia', 'Alicia is now Ally'])
    const log = logOf(bob)
    expect(log.match(/ignored profile .*not newer than the one known/g)).toHaveLength(2)
    expect(log).toMatch(/ignored profile .*another identity than the sender's/)
    // Her old invite link, added again, does not bring the old name back either.
    await bob.messenger.addContact(await parseInviteLink(oldLink))
    expect((await bob.messenger.contacts())[0]).toMatchObject({ displayName: 'Ally', alias: 'alice' })
    // The refused PROFILEs kept the sender's sequence whole: the later message shows no gap.
    expect((await bob.messenger.messages('alice')).find((m) => m.text === 'after the replays')?.gapBefore).toBe(false)

    // Two renames at once are issued one after the other: Bob ends with the name Alice ends with.
    await Promise.all([alice.messenger.setDisplayName('Al'), alice.messenger.setDisplayName('Ali')])
    expect(alice.messenger.profile().displayName).toBe('Ali')
    await waitForNotice(bob, 'alice', 'Al is now Ali')
    expect((await bob.messenger.contacts())[0]).toMatchObject({ displayName: 'Ali' })
  })
})

describe('a member using a new device', () => {
  it('Carol adds Alice\'s second device to the group: Bob sees "alice is using a new device", and Alice stays verified', async () => {
    const aliceDir = tempDir('alice')
    await initDataDir(dataPaths(aliceDir), 'Alice')
    const laptopDir = tempDir('alice-laptop')
    await secondDeviceOf(aliceDir, laptopDir, 'Alice')
    const alice = await peer('Alice', aliceDir)
    const laptop = await peer('Alice', laptopDir)
    expect(laptop.messenger.identity).toBe(alice.messenger.identity)
    const bob = await peer('Bob')
    const carol = await peer('Carol')
    await addContact(carol, alice, 'alice')
    await addContact(carol, bob, 'bob')
    await addContact(bob, alice, 'alice')
    await bob.messenger.markVerified('alice', true)
    const { id } = await carol.messenger.createGroup('Trip')
    await carol.messenger.addMember(id, 'bob')
    await carol.messenger.addMember(id, 'alice')
    await eventually([bob], async () => (await bob.messenger.conversation(id).catch(() => undefined))?.members.length === 3, 'Alice in Trip at Bob')
    expect(await noticesOf(bob, id)).not.toContain('alice is using a new device')

    // Carol learns the laptop from its invite (same identity, so the same contact) and adds it.
    const added = await carol.messenger.addContact(await parseInviteLink(laptop.messenger.inviteLink()))
    expect(added.contact.alias).toBe('alice')
    expect(added.contact.devices).toHaveLength(2)
    await carol.messenger.addMember(id, 'alice')
    await waitForNotice(bob, id, 'alice is using a new device')
    await waitForNotice(carol, id, 'alice is using a new device')
    const notice = (await bob.messenger.messages(id)).find((m) => m.notice?.type === 'new-device')!
    expect(notice.sender).toBe(alice.messenger.identity)
    expect(formatMessageLine({ ...notice, reactions: [] })).toMatch(/-- alice is using a new device -- {2}compare safety numbers: kith contact verify alice$/)
    // The device is certified by the identity key Bob verified: he keeps the mark.
    expect((await bob.messenger.contacts()).find((c) => c.alias === 'alice')).toMatchObject({ verified: true })
    // Both devices take part.
    await eventually([laptop], async () => (await laptop.messenger.conversations()).some((c) => c.id === id), 'the laptop in Trip')
    await laptop.messenger.send(id, 'from my laptop')
    await waitForMessage(bob, id, 'from my laptop')
  })
})

describe('adding a contact whose name you already have', () => {
  it('warns when the name (in any case) is already a contact\'s under another key', async () => {
    const alice = await peer('Alice')
    const impostor = await peer('alice')
    const bob = await peer('Bob')
    const first = await bob.messenger.addContact(await parseInviteLink(alice.messenger.inviteLink()))
    expect(first.warning).toBeUndefined()
    const invite = await parseInviteLink(impostor.messenger.inviteLink())
    const expected = 'You already have a contact called Alice with a different key — this is a different person or a new account. Compare safety numbers before you trust alice.'
    expect(await bob.messenger.checkInvite(invite)).toBe(expected)
    const second = await bob.messenger.addContact(invite)
    expect(second.warning).toBe(expected)
    expect(second.contact.alias).toBe('alice-2')
    expect((await bob.messenger.addContact(await parseInviteLink(alice.messenger.inviteLink()))).warning).toBe(
      'You already have a contact called alice with a different key — this is a different person or a new account. Compare safety numbers before you trust Alice.'
    )
  })
})

describe('joining a group where a contact uses a device you have not seen', () => {
  it('Bob, who knows only Alice\'s phone, joins a group holding her laptop too: the notice is there', async () => {
    const aliceDir = tempDir('alice')
    await initDataDir(dataPaths(aliceDir), 'Alice')
    const laptopDir = tempDir('alice-laptop')
    await secondDeviceOf(aliceDir, laptopDir, 'Alice')
    const alice = await peer('Alice', aliceDir)
    const laptop = await peer('Alice', laptopDir)
    const bob = await peer('Bob')
    const carol = await peer('Carol')
    await addContact(bob, alice, 'alice')
    await addContact(carol, alice, 'alice')
    await carol.messenger.addContact(await parseInviteLink(laptop.messenger.inviteLink()))
    await addContact(carol, bob, 'bob')
    const { id } = await carol.messenger.createGroup('Hike')
    await carol.messenger.addMember(id, 'alice')
    await carol.messenger.addMember(id, 'bob')
    await eventually([bob], async () => (await bob.messenger.conversations()).some((c) => c.id === id), 'Bob in Hike')
    await waitForNotice(bob, id, 'alice is using a new device')
    expect(await noticesOf(bob, id)).toEqual(['carol added you', 'alice is using a new device'])
    // Carol added both devices herself from invites she holds: nothing new to her.
    expect(await noticesOf(carol, id)).not.toContain('alice is using a new device')
  })
})
