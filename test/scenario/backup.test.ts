/**
 * Backup and restore with real peers on loopback: Alice chats with Bob in a 1:1 and with Bob and
 * Carol in a group, exports her account, loses her data directory and restores the backup into a
 * new one. The restored device is a new device of the same identity: it shows the old history
 * read-only while it rejoins, Bob and Carol put it back in, chat continues, and the old device
 * (started again from a stale copy) has been removed from every conversation: nothing forked.
 */
import { cpSync, rmSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { decodeBackupContents, encodeBackupContents } from '../../src/core/backup/backup-contents.ts'
import { openBackup, sealBackup } from '../../src/core/backup/backup-file.ts'
import { fromHex, randomBytes, toHex } from '../../src/core/bytes.ts'
import { Deliver, DeliverKind, RejoinRequest } from '../../src/core/codec/envelope.ts'
import { UsageError } from '../../src/core/errors.ts'
import { importBackupIntoDataDir } from '../../src/node/kith-node.ts'
import { dataPaths } from '../../src/node/paths.ts'
import { addContact, eventually, logOf, tempDir, usePeers, waitForMessage } from './harness.ts'

const { peer, stop } = usePeers()
const PASSPHRASE = 'a backup passphrase for tests'

describe('backup and restore', () => {
  it('a restored account rejoins its 1:1s and group as a new device, and the old device is removed', async () => {
    const aliceDir = tempDir('alice')
    const alice = await peer('Alice', aliceDir)
    const bob = await peer('Bob')
    const carolDir = tempDir('carol')
    let carol = await peer('Carol', carolDir)
    await addContact(alice, bob, 'bob')
    await addContact(alice, carol, 'carol')
    await alice.messenger.send('bob', 'before the backup')
    await waitForMessage(bob, 'alice', 'before the backup')
    await bob.messenger.send('alice', 'reply before the backup')
    await waitForMessage(alice, 'bob', 'reply before the backup')
    await alice.messenger.createGroup('friends')
    await alice.messenger.addMember('friends', 'bob')
    await alice.messenger.addMember('friends', 'carol')
    await alice.messenger.send('friends', 'group before the backup')
    await waitForMessage(bob, 'friends', 'group before the backup')
    await waitForMessage(carol, 'friends', 'group before the backup')
    const oldPeerId = alice.messenger.invite().certificate.peerId
    const friendsId = (await alice.messenger.conversation('friends')).id
    const carolPeer = carol.libp2p.peerId.toString()

    const file = await alice.messenger.exportBackup(PASSPHRASE, { history: true })
    await stop(alice)
    // Carol is away while Alice restores: Bob alone can put her back.
    await stop(carol)
    // A stale copy of the old device, to start again at the end; then the directory is lost.
    const staleDir = tempDir('alice-stale')
    cpSync(aliceDir, staleDir, { recursive: true })
    rmSync(aliceDir, { recursive: true, force: true })

    const newDir = tempDir('alice-restored')
    await expect(importBackupIntoDataDir(dataPaths(newDir), file, 'not the passphrase')).rejects.toThrow('wrong passphrase, or the file is damaged')
    const restored = await importBackupIntoDataDir(dataPaths(newDir), file, PASSPHRASE)
    expect(restored.rejoining).toBe(3)
    await expect(importBackupIntoDataDir(dataPaths(newDir), file, PASSPHRASE)).rejects.toThrow(/already has an account/)

    const alice2 = await peer('Alice', newDir)
    expect(alice2.messenger.identity).toBe(restored.account.identityHex)
    expect(alice2.libp2p.peerId.toMultihash().bytes).not.toEqual(oldPeerId)
    // Same identity, so Bob and Carol keep her as the contact they verified.
    expect((await bob.messenger.contacts()).map((c) => c.identity)).toContain(alice2.messenger.identity)

    // History is there at once; the 1:1 with Carol waits for her, read-only.
    expect((await alice2.messenger.messages('bob')).map((m) => m.text)).toEqual(['before the backup', 'reply before the backup'])
    expect((await alice2.messenger.messages('friends')).map((m) => m.text)).toContain('group before the backup')
    expect((await alice2.messenger.conversation('carol')).rejoining).toEqual(['carol'])
    await expect(alice2.messenger.send('carol', 'too early')).rejects.toThrow(UsageError)

    await eventually([alice2], async () => {
      const cs = await alice2.messenger.conversations()
      return cs.filter((c) => c.rejoining === undefined && c.active && c.epoch > 0).length === 2
    }, 'Bob to put Alice back into their 1:1 and the group')
    expect(logOf(bob)).toMatch(new RegExp(`put [0-9a-f]{12} back into ${friendsId.slice(0, 12)}`))
    // Once Bob answered for the group, the request queued for Carol is dropped; hers for the 1:1 stays.
    const queuedForCarol = (await alice2.store.listOutbox(carolPeer, 0, 100)).map((r) => Deliver.decode(r.frame)).filter((f) => f.kind === DeliverKind.REJOIN)
    expect(queuedForCarol.map((f) => toHex(RejoinRequest.decode(f.message).groupId))).toEqual([(await alice2.messenger.conversation('carol')).id])

    carol = await peer('Carol', carolDir)
    await eventually([alice2, carol], async () => {
      const cs = await alice2.messenger.conversations()
      return cs.length === 3 && cs.every((c) => c.rejoining === undefined && c.active && c.epoch > 0)
    }, 'Carol to put Alice back into their 1:1')
    // Carol learnt of the group's rejoin from Bob's commit: she never committed one herself.
    expect(logOf(carol)).not.toMatch(new RegExp(`back into ${friendsId.slice(0, 12)}`))

    await alice2.messenger.send('bob', 'hello from the restored device')
    await waitForMessage(bob, 'alice', 'hello from the restored device')
    await alice2.messenger.send('friends', 'group hello from the restored device')
    await waitForMessage(bob, 'friends', 'group hello from the restored device')
    await waitForMessage(carol, 'friends', 'group hello from the restored device')
    await carol.messenger.send('friends', 'carol answers')
    await waitForMessage(alice2, 'friends', 'carol answers')
    await bob.messenger.send('alice', 'bob answers')
    await waitForMessage(alice2, 'bob', 'bob answers')

    // One device of Alice's in each conversation, the same group state everywhere.
    const friendsAtBob = await bob.messenger.conversation('friends')
    const friendsAtCarol = await carol.messenger.conversation('friends')
    expect(friendsAtBob.members.filter((m) => m.identity === alice2.messenger.identity).map((m) => m.peerId)).toEqual([alice2.libp2p.peerId.toString()])
    expect(friendsAtCarol.epoch).toBe(friendsAtBob.epoch)
    expect((await alice2.messenger.conversation('friends')).epoch).toBe(friendsAtBob.epoch)

    // Bob's device list for Alice holds only the new device, so adding her to a new group works.
    expect((await bob.messenger.contacts()).find((c) => c.identity === alice2.messenger.identity)?.devices).toEqual([alice2.libp2p.peerId.toString()])
    await bob.messenger.createGroup('after the restore')
    await bob.messenger.addMember('after the restore', 'alice')
    await bob.messenger.send('after the restore', 'a new group')
    await waitForMessage(alice2, 'after the restore', 'a new group')

    // The old device comes back from the stale copy: it learns it was removed, and reads nothing new.
    const stale = await peer('Alice', staleDir)
    await eventually([stale], async () => (await stale.messenger.conversations()).every((c) => !c.active), 'the old device to learn it was removed')
    await bob.messenger.send('friends', 'after the old device was removed')
    await waitForMessage(alice2, 'friends', 'after the old device was removed')
    expect((await stale.messenger.messages('friends')).map((m) => m.text)).not.toContain('after the old device was removed')
    await expect(stale.messenger.send('friends', 'from the old device')).rejects.toThrow(UsageError)
  }, 90_000)

  it('refuses rejoin requests whose certificate does not chain to a member identity, or that come from another device', async () => {
    const alice = await peer('Alice')
    const bob = await peer('Bob')
    const mallory = await peer('Mallory')
    await addContact(alice, bob, 'bob')
    await alice.messenger.send('bob', 'private')
    await waitForMessage(bob, 'alice', 'private')
    // Mallory restores Alice's conversations into her own account: she keeps her identity key,
    // so her request names a device of an identity that is not a member.
    const file = await alice.messenger.exportBackup(PASSPHRASE, { history: false })
    const contents = decodeBackupContents(await openBackup(file, PASSPHRASE))
    const malloryKeys = await mallory.store.getMeta('identity.private')
    const malloryPublic = await mallory.store.getMeta('identity.public')
    const forged = encodeBackupContents({ ...contents, identityPrivate: malloryKeys as Uint8Array<ArrayBuffer>, identityPublic: malloryPublic as Uint8Array<ArrayBuffer> })
    const forgedDir = tempDir('mallory-restored')
    await importBackupIntoDataDir(dataPaths(forgedDir), await sealBackup(forged, PASSPHRASE, { kdf: { m: 1024, t: 1, p: 1 } }), PASSPHRASE)
    await stop(mallory)
    const restored = await peer('Mallory', forgedDir)
    await eventually([bob], async () => /refused rejoin request from .*does not chain to a member identity/.test(logOf(bob)), 'bob to refuse the request')
    const direct = await bob.messenger.conversation('alice')
    expect(direct.members.map((m) => m.identity).sort()).toEqual([alice.messenger.identity, bob.messenger.identity].sort())
    expect((await restored.messenger.conversations()).every((c) => c.rejoining !== undefined)).toBe(true)

    // Crafted requests handed straight to Bob's messenger: each is refused, or changes nothing.
    const epoch = direct.epoch
    const rejoin = (message: Uint8Array, card: Uint8Array): Deliver => ({
      id: randomBytes(16) as Uint8Array<ArrayBuffer>, kind: DeliverKind.REJOIN, message: message as Uint8Array<ArrayBuffer>,
      card: card as Uint8Array<ArrayBuffer>, hints: [], commitHash: new Uint8Array()
    })
    const offer = await alice.messenger.provideKeyPackage()
    const request = RejoinRequest.encode({ version: 1, groupId: fromHex(direct.id) as Uint8Array<ArrayBuffer>, keyPackage: offer.keyPackage as Uint8Array<ArrayBuffer>, oldDevices: [] })
    expect(await bob.messenger.receive(restored.libp2p.peerId.toString(), rejoin(randomBytes(40), offer.card))).toBe('rejected')
    // Alice's real card and KeyPackage, sent from another device: the card must name the sender.
    expect(await bob.messenger.receive(restored.libp2p.peerId.toString(), rejoin(request, offer.card))).toBe('rejected')
    expect(logOf(bob)).toMatch(/refused rejoin request from .*: its card names another device/)
    // From Alice's own device, already a member: acknowledged, nothing committed.
    expect(await bob.messenger.receive(alice.libp2p.peerId.toString(), rejoin(request, offer.card))).toBe('stored')
    expect((await bob.messenger.conversation('alice')).epoch).toBe(epoch)
  }, 60_000)
})
