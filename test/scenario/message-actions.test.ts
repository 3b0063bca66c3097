/**
 * What a Signal user expects of a message, with real peers on loopback: replies, edits, deletes
 * for everyone, reactions, read receipts (and turning them off), typing, unread counts, leaving a
 * group, and a forged edit that is ignored.
 */
import { describe, expect, it } from 'vitest'
import { fromHex } from '../../src/core/bytes.ts'
import { Deliver } from '../../src/core/codec/envelope.ts'
import { NotFoundError, UsageError, ValidationError } from '../../src/core/errors.ts'
import type { MessageOut, MessengerEvent } from '../../src/core/messenger/messenger.ts'
import { decodeState, processMessage, readMlsMessage } from '../../src/core/mls/group.ts'
import type { KithNode } from '../../src/node/kith-node.ts'
import { addContact, eventually, logOf, usePeers, waitForMessage } from './harness.ts'

const { peer, stop } = usePeers()

/** Waits until `node`'s view of message `id` in `target` satisfies `check`. */
async function waitForView (node: KithNode, target: string, id: string, check: (m: MessageOut) => boolean, what: string): Promise<MessageOut> {
  return await eventually([node], async () => {
    const m = (await node.messenger.messages(target)).find((x) => x.id === id)
    return m !== undefined && check(m) ? m : undefined
  }, what)
}

/** Collects a node's events from now on. */
function record (node: KithNode): MessengerEvent[] {
  const events: MessengerEvent[] = []
  node.messenger.subscribe((e) => events.push(e))
  return events
}

describe('message actions in a 1:1', () => {
  it('Alice and Bob reply, edit, react, read, type and delete', async () => {
    const alice = await peer('Alice')
    const bob = await peer('Bob')
    await addContact(alice, bob, 'bob')

    // Unread goes up as messages arrive, and markRead clears it.
    const hello = await alice.messenger.send('bob', 'helo Bob')
    await waitForMessage(bob, 'alice', 'helo Bob')
    const bobConversation = await bob.messenger.conversation('alice')
    expect(bobConversation).toMatchObject({ unread: 1, peerIdentity: alice.messenger.identity, lastMessage: { text: 'helo Bob', senderName: 'alice', own: false } })
    expect((await alice.messenger.conversation('bob')).lastMessage).toMatchObject({ text: 'helo Bob', own: true })

    // A reply quotes the original, by a short id prefix.
    const reply = await bob.messenger.send('alice', 'hi Alice', { replyTo: hello.id.slice(0, 8) })
    expect(reply.replyTo).toEqual({ id: hello.id, text: 'helo Bob', senderName: 'alice' })
    const replyAtAlice = await waitForMessage(alice, 'bob', 'hi Alice')
    expect(replyAtAlice.replyTo).toEqual({ id: hello.id, text: 'helo Bob', senderName: 'Alice' })

    // Alice fixes her typo; Bob sees the new text, marked edited, and so does his reply's quote,
    // which a live view learns from an event for the reply.
    const atBob = record(bob)
    const edited = await alice.messenger.edit('bob', hello.id, 'hello Bob')
    expect(edited).toMatchObject({ text: 'hello Bob', edited: true })
    await waitForView(bob, 'alice', hello.id, (m) => m.text === 'hello Bob' && m.edited, 'the edit at bob')
    expect((await bob.messenger.messages('alice')).find((m) => m.id === reply.id)!.replyTo!.text).toBe('hello Bob')
    await eventually([bob], async () => atBob.some((e) => e.type === 'message' && e.message.id === reply.id && e.message.replyTo?.text === 'hello Bob'), 'the reply\'s new quote as an event')

    // Bob reacts, changes his reaction, and removes it.
    await bob.messenger.react('alice', hello.id, '👍')
    await waitForView(alice, 'bob', hello.id, (m) => m.reactions.length === 1 && m.reactions[0]!.emoji === '👍', 'a thumbs-up at alice')
    expect((await alice.messenger.messages('bob')).find((m) => m.id === hello.id)!.reactions).toEqual([{ emoji: '👍', identities: [bob.messenger.identity], names: ['bob'] }])
    await bob.messenger.react('alice', hello.id, '❤️')
    await waitForView(alice, 'bob', hello.id, (m) => m.reactions.length === 1 && m.reactions[0]!.emoji === '❤️', 'the changed reaction at alice')
    await bob.messenger.react('alice', hello.id, '')
    await waitForView(alice, 'bob', hello.id, (m) => m.reactions.length === 0, 'the reaction removed at alice')

    // Bob reads: his unread count clears and Alice's message turns read, announced by an event.
    const aliceEvents = record(alice)
    await waitForView(alice, 'bob', hello.id, (m) => m.state === 'delivered', 'delivery at alice')
    const cleared = await bob.messenger.markRead('alice')
    expect(cleared.unread).toBe(0)
    await waitForView(alice, 'bob', hello.id, (m) => m.state === 'read', 'the read receipt at alice')
    expect(aliceEvents.some((e) => e.type === 'message' && e.message.id === hello.id && e.message.state === 'read')).toBe(true)

    // Typing: shown to the other side, throttled at the sender.
    const bobEvents = record(bob)
    expect(await alice.messenger.typing('bob')).toBe(true)
    expect(await alice.messenger.typing('bob')).toBe(false)
    const typing = await eventually([bob], async () => bobEvents.find((e) => e.type === 'typing'), 'the typing event at bob')
    expect(typing).toEqual({ type: 'typing', conversation: hello.conversation, identity: alice.messenger.identity, name: 'alice' })
    // Neither typing nor read receipts show up as messages.
    expect((await bob.messenger.messages('alice')).map((m) => m.text)).toEqual(['hello Bob', 'hi Alice'])

    // Alice deletes her message for everyone: Bob sees it deleted, without text or reactions.
    await bob.messenger.react('alice', hello.id, '😂')
    await waitForView(alice, 'bob', hello.id, (m) => m.reactions.length === 1, 'the second reaction at alice')
    const deleted = await alice.messenger.deleteMessage('bob', hello.id)
    expect(deleted).toMatchObject({ deleted: true, text: '', reactions: [] })
    await waitForView(bob, 'alice', hello.id, (m) => m.deleted && m.text === '' && m.reactions.length === 0, 'the delete at bob')
    expect((await bob.messenger.conversation('alice')).lastMessage?.text).toBe('hi Alice')

    // Bad requests get errors that say what was wrong.
    await expect(alice.messenger.edit('bob', reply.id, 'not mine')).rejects.toThrow(UsageError)
    await expect(alice.messenger.edit('bob', hello.id, 'too late')).rejects.toThrow(/already deleted/)
    await expect(alice.messenger.deleteMessage('bob', 'abcdef')).rejects.toThrow(NotFoundError)
    await expect(alice.messenger.react('bob', 'xyz', '👍')).rejects.toThrow(ValidationError)
    await expect(alice.messenger.react('bob', reply.id, 'lol')).rejects.toThrow(/single emoji/)
    await expect(alice.messenger.send('bob', 'reply to nothing', { replyTo: '0123456789' })).rejects.toThrow(NotFoundError)
    await expect(alice.messenger.leave('bob')).rejects.toThrow(/1:1 conversation cannot be left/)
  })

  it('with read receipts off, no READ is sent and the message stays delivered', async () => {
    const alice = await peer('Alice')
    const bob = await peer('Bob')
    await addContact(alice, bob, 'bob')
    expect(await bob.messenger.settings()).toEqual({ readReceipts: true })
    expect(await bob.messenger.setReadReceipts(false)).toEqual({ readReceipts: false })

    const sent = await alice.messenger.send('bob', 'are you there?')
    await waitForMessage(bob, 'alice', 'are you there?')
    expect((await bob.messenger.conversation('alice')).unread).toBe(1)
    await waitForView(alice, 'bob', sent.id, (m) => m.state === 'delivered', 'delivery at alice')
    expect((await bob.messenger.markRead('alice')).unread).toBe(0)
    // A READ would be queued ahead of this message to the same device: once it arrived, so would have a READ.
    await bob.messenger.send('alice', 'yes')
    await waitForMessage(alice, 'bob', 'yes')
    expect((await alice.messenger.messages('bob')).find((m) => m.id === sent.id)!.state).toBe('delivered')
  })

  it('ignores an edit of Alice’s message that Bob forged, and sees no gap after it', async () => {
    const alice = await peer('Alice')
    const bob = await peer('Bob')
    await addContact(alice, bob, 'bob')
    const original = await alice.messenger.send('bob', 'I owe Bob nothing')
    await waitForMessage(bob, 'alice', 'I owe Bob nothing')

    // Bob's client is modified: it skips the author check and sends an EDIT of Alice's message.
    const groupId = await bob.messenger.resolveTarget('alice')
    await bob.messenger['engine'].withLock(groupId, async () => await bob.messenger['sender'].sendLocked(groupId, { kind: 'edit', text: 'I owe Bob 100', target: fromHex(original.id) }))
    await bob.messenger.send('alice', 'after the forgery')
    const after = await waitForMessage(alice, 'bob', 'after the forgery')
    expect(after.gapBefore).toBe(false)
    const view = (await alice.messenger.messages('bob')).find((m) => m.id === original.id)!
    expect(view).toMatchObject({ text: 'I owe Bob nothing', edited: false })
    expect(logOf(alice)).toMatch(/ignored edit .* only the author may edit or delete a message/)
  })
})

describe('leaving a group', () => {
  it('Carol leaves: the others end with two members and Carol cannot decrypt what follows', async () => {
    const alice = await peer('Alice')
    const bob = await peer('Bob')
    const carol = await peer('Carol')
    await addContact(alice, bob, 'bob')
    await addContact(alice, carol, 'carol')
    await alice.messenger.createGroup('trio')
    await alice.messenger.addMember('trio', 'bob')
    await alice.messenger.addMember('trio', 'carol')
    await alice.messenger.send('trio', 'hello trio')
    await waitForMessage(bob, 'trio', 'hello trio')
    await waitForMessage(carol, 'trio', 'hello trio')

    const left = await carol.messenger.leave('trio')
    expect(left.active).toBe(false)
    await expect(carol.messenger.send('trio', 'still here?')).rejects.toThrow(/no longer a member/)
    await expect(carol.messenger.leave('trio')).rejects.toThrow(UsageError)
    for (const n of [alice, bob]) {
      await eventually([n], async () => {
        const c = await n.messenger.conversation('trio')
        return c.members.length === 2 && !c.members.some((m) => m.identity === carol.messenger.identity)
      }, `${n === alice ? 'alice' : 'bob'} to remove carol`)
    }

    // What Bob sends now is for Alice only: Carol's last group state cannot open it.
    await stop(alice)
    await bob.messenger.send('trio', 'carol has gone')
    const frames = await bob.store.listOutbox(alice.libp2p.peerId.toString(), 0, 10)
    expect(frames.length).toBeGreaterThan(0)
    const carolRow = await carol.store.getGroup(await carol.messenger.resolveTarget('trio'))
    for (const f of frames) {
      const frame = Deliver.decode(f.frame)
      expect(await carol.messenger.receive(bob.libp2p.peerId.toString(), frame)).toBe('rejected')
      const incoming = readMlsMessage(frame.message)
      if (incoming.kind !== 'private') continue
      await expect(processMessage(decodeState(carolRow!.state), incoming.message)).rejects.toThrow()
    }
    expect((await carol.messenger.messages('trio')).map((m) => m.text)).not.toContain('carol has gone')
  })
})

describe('renaming a group', () => {
  it('a member renames the group and everyone sees the new name; bad names are refused', async () => {
    const alice = await peer('Alice')
    const bob = await peer('Bob')
    await addContact(alice, bob, 'bob')
    await alice.messenger.createGroup('Book club')
    await alice.messenger.addMember('Book club', 'bob')
    await eventually([bob], async () => (await bob.messenger.conversations()).some((c) => c.name === 'Book club'), 'Bob in Book club')
    const renamed = await alice.messenger.renameGroup('Book club', '  Poetry club ')
    expect(renamed.name).toBe('Poetry club')
    await eventually([bob], async () => (await bob.messenger.conversations()).some((c) => c.name === 'Poetry club'), 'the new name at Bob')
    // Bob renames it back: any member may.
    await bob.messenger.renameGroup('Poetry club', 'Book club')
    await eventually([alice], async () => (await alice.messenger.conversations()).some((c) => c.name === 'Book club'), 'Bob\'s name at Alice')
    await expect(alice.messenger.renameGroup('Book club', '   ')).rejects.toThrow(/group name must be 1-128 characters/)
    await expect(alice.messenger.renameGroup('bob', 'Not a group')).rejects.toThrow(/only groups can be renamed/)
  })
})
