/**
 * Muting and archiving conversations (issue 21, item 20), with real peers on loopback: the flags
 * show on the conversation and in its events, survive a restart, and a new message brings an
 * archived conversation back to the main list unless it is muted too.
 */
import { describe, expect, it } from 'vitest'
import { ValidationError } from '../../src/core/errors.ts'
import type { ConversationView, MessengerEvent } from '../../src/core/messenger/messenger.ts'
import { addContact, eventually, tempDir, usePeers, waitForMessage } from './harness.ts'

const { peer, stop } = usePeers()

describe('conversation preferences', () => {
  it('Alice archives and mutes her chat with Bob; his messages bring it back only while it is unmuted', async () => {
    const aliceDir = tempDir('Alice')
    let alice = await peer('Alice', aliceDir)
    const bob = await peer('Bob')
    await addContact(alice, bob, 'bob')
    await addContact(bob, alice, 'alice')
    await bob.messenger.send('alice', 'first')
    await waitForMessage(alice, 'bob', 'first')
    expect(await alice.messenger.conversation('bob')).toMatchObject({ muted: false, archived: false })

    // Archiving shows on the view and in an event, for the list to move it.
    const events: MessengerEvent[] = []
    alice.messenger.subscribe((e) => events.push(e))
    expect(await alice.messenger.setArchived('bob', true)).toMatchObject({ archived: true, muted: false })
    const announced = events.filter((e): e is Extract<MessengerEvent, { type: 'conversation' }> => e.type === 'conversation')
    expect(announced.at(-1)?.conversation).toMatchObject({ archived: true })
    expect((await alice.messenger.conversations()).find((c) => c.peerIdentity === bob.messenger.identity)).toMatchObject({ archived: true })

    // A new message from Bob unarchives an unmuted chat, and says so in an event.
    events.length = 0
    await bob.messenger.send('alice', 'are you there?')
    await waitForMessage(alice, 'bob', 'are you there?')
    await eventually([alice, bob], async () => !(await alice.messenger.conversation('bob')).archived, 'the chat unarchived')
    await eventually([alice], async () => events.some((e) => e.type === 'conversation' && !e.conversation.archived && e.conversation.lastMessage?.text === 'are you there?'), 'an event for it')

    // Muted and archived, it stays archived when Bob writes; her own message does not unarchive it either.
    await alice.messenger.setMuted('bob', true)
    await alice.messenger.setArchived('bob', true)
    await bob.messenger.send('alice', 'hello??')
    await waitForMessage(alice, 'bob', 'hello??')
    await alice.messenger.send('bob', 'busy, later')
    const quiet = await alice.messenger.conversation('bob')
    expect(quiet).toMatchObject({ muted: true, archived: true, unread: 3 })

    // Kept across a restart; the other conversations and Bob's side are untouched.
    expect(await bob.messenger.conversation('alice')).toMatchObject({ muted: false, archived: false })
    await stop(alice)
    alice = await peer('Alice', aliceDir)
    expect(await alice.messenger.conversation('bob')).toMatchObject({ muted: true, archived: true })

    // Unmuting and unarchiving put it back to the default.
    await alice.messenger.setMuted('bob', false)
    const back: ConversationView = await alice.messenger.setArchived('bob', false)
    expect(back).toMatchObject({ muted: false, archived: false })
    await expect(alice.messenger.setMuted('bob', 'yes' as unknown as boolean)).rejects.toThrow(ValidationError)
    await expect(alice.messenger.setArchived('nobody', true)).rejects.toThrow(/nobody/)
  }, 60_000)
})
