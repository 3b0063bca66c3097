/**
 * Timeline notices with real peers on loopback (issue 21, item 20): who added whom, renames and
 * leaving show in a group's history in order with its messages, are not unread, and carry names.
 */
import { describe, expect, it } from 'vitest'
import type { MessageOut } from '../../src/core/messenger/message-view.ts'
import { formatMessageLine } from '../../src/node/cli/format.ts'
import type { KithNode } from '../../src/node/kith-node.ts'
import { addContact, eventually, usePeers, waitForMessage } from './harness.ts'

const { peer } = usePeers()

/** A history as lines: notices by their sentence, texts as "sender: text". */
function lines (history: readonly MessageOut[]): string[] {
  return history.map((m) => m.notice !== undefined ? `-- ${m.text}` : `${m.senderName}: ${m.text}`)
}

/** Waits until `node`'s history of `target` holds a notice with this sentence. */
async function waitForNotice (node: KithNode, target: string, text: string): Promise<void> {
  await eventually([node], async () => (await node.messenger.messages(target)).some((m) => m.notice !== undefined && m.text === text), `"${text}"`)
}

describe('timeline notices', () => {
  it('Alice builds a book club, renames it and Carol leaves: Bob sees each in order, none unread', async () => {
    const alice = await peer('Alice')
    const bob = await peer('Bob')
    const carol = await peer('Carol')
    await addContact(alice, bob, 'bob')
    await addContact(alice, carol, 'carol')
    const { id } = await alice.messenger.createGroup('Readers')
    await alice.messenger.addMember(id, 'bob')
    await eventually([bob], async () => (await bob.messenger.conversations()).some((c) => c.name === 'Readers'), 'Bob in Readers')
    await alice.messenger.addMember(id, 'carol')
    await alice.messenger.send(id, 'welcome both')
    await waitForMessage(bob, id, 'welcome both')
    await waitForMessage(carol, id, 'welcome both')
    await alice.messenger.renameGroup(id, 'Book club')
    await waitForNotice(bob, id, 'alice renamed the group to “Book club”')
    await waitForNotice(carol, id, 'alice renamed the group to “Book club”')
    await carol.messenger.leave(id)
    await waitForNotice(bob, id, 'Carol left')
    await eventually([bob], async () => (await bob.messenger.conversation(id)).members.length === 2, 'Carol removed at Bob')
    await bob.messenger.send(id, 'bye Carol')
    await waitForMessage(alice, id, 'bye Carol')

    // Bob's history: who added him, then what happened after he joined, in order, in his names for people (Carol is no contact of his).
    expect(lines(await bob.messenger.messages(id))).toEqual([
      '-- alice added you',
      '-- alice added Carol',
      'alice: welcome both',
      '-- alice renamed the group to “Book club”',
      '-- Carol left',
      'Bob: bye Carol'
    ])
    // Alice's, in hers, with "You" for herself; Carol's removal after she left is not a second notice.
    await waitForNotice(alice, id, 'carol left')
    expect(lines(await alice.messenger.messages(id))).toEqual([
      '-- You added bob',
      '-- You added carol',
      'Alice: welcome both',
      '-- You renamed the group to “Book club”',
      '-- carol left',
      'bob: bye Carol'
    ])
    const notice = (await bob.messenger.messages(id)).find((m) => m.notice?.type === 'added' && m.notice.subjects[0]?.identity === carol.messenger.identity)!
    expect(notice.notice).toEqual({ type: 'added', subjects: [{ identity: carol.messenger.identity, name: 'Carol' }], name: '' })
    expect(notice.sender).toBe(alice.messenger.identity)

    // `kith messages` prints a notice as its own line, with no id to reply to (dim on a terminal).
    const time = new Date(notice.sentAt).toTimeString().slice(0, 5)
    expect(formatMessageLine({ ...notice, reactions: [] })).toBe(`${time} -- alice added Carol --`)

    // Only the two texts count as unread; the notices do not, and are not the last message.
    expect((await bob.messenger.conversation(id)).unread).toBe(1)
    expect((await alice.messenger.conversation(id))).toMatchObject({ unread: 1, lastMessage: { text: 'bye Carol' } })
    // A notice cannot be replied to or reacted to.
    await expect(bob.messenger.send(id, 'a reply', { replyTo: notice.id })).rejects.toThrow()
    await expect(bob.messenger.react(id, notice.id, '👍')).rejects.toThrow()
    await expect(bob.messenger.edit(id, notice.id, 'no')).rejects.toThrow()
  })
})
