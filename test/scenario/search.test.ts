/**
 * Search across all conversations over the local history (issue 21, item 18): what a message
 * shows now is what matches, in any conversation, case-insensitively; deleted messages never do.
 */
import { expect, it } from 'vitest'
import { addContact, eventually, usePeers, waitForMessage } from './harness.ts'

const { peer } = usePeers()

it('finds messages in every conversation by what they show now', async () => {
  const alice = await peer('Alice')
  const bob = await peer('Bob')
  const carol = await peer('Carol')
  await addContact(alice, bob, 'bob')
  await addContact(alice, carol, 'carol')
  await alice.messenger.send('bob', 'Lunch on Friday?')
  const edited = await alice.messenger.send('bob', 'the meeting is on monday')
  await alice.messenger.edit('bob', edited.id, 'the meeting is on Friday after all')
  const doomed = await alice.messenger.send('carol', 'friday secret plan')
  await alice.messenger.deleteMessage('carol', doomed.id)
  await alice.messenger.send('carol', 'See you FRIDAY, Carol')
  await waitForMessage(carol, 'alice', 'See you FRIDAY, Carol')
  await eventually([bob], async () => (await bob.messenger.messages('alice')).some((m) => m.text === 'the meeting is on Friday after all'), 'the edit at Bob')

  const hits = await alice.messenger.search('friday')
  expect(hits.map((h) => h.message.text)).toEqual(['See you FRIDAY, Carol', 'the meeting is on Friday after all', 'Lunch on Friday?'])
  expect(hits.map((h) => h.conversationName)).toEqual(['carol', 'bob', 'bob'])
  // The text before the edit no longer matches; the deleted message never does.
  expect(await alice.messenger.search('monday')).toEqual([])
  expect(await alice.messenger.search('secret plan')).toEqual([])
  // Bob's history holds what he received, edits applied.
  expect((await bob.messenger.search('FRIDAY AFTER')).map((h) => h.message.text)).toEqual(['the meeting is on Friday after all'])
  await expect(alice.messenger.search('   ')).rejects.toThrow(/type something to search for/)
})
