/**
 * Naming a conversation: a contact alias, then a group name, then a conversation-id prefix. The
 * browser names conversations by id on every send, so an id is resolved once and then answered
 * from memory; these tests check that the memory never answers differently from the store.
 */
import { describe, expect, it } from 'vitest'
import { addContact, usePeers } from './harness.ts'

const { peer } = usePeers()

describe('naming a conversation by its id', () => {
  it('a group named by its id (or a prefix) keeps resolving after sends, renames and new groups', async () => {
    const alice = await peer('Alice')
    const club = await alice.messenger.createGroup('Book club')
    const prefix = club.id.slice(0, 12)
    await alice.messenger.send(club.id, 'one')
    await alice.messenger.send(prefix, 'two')
    await alice.messenger.renameGroup('Book club', 'Poetry club')
    await alice.messenger.send(club.id, 'three')
    const texts = async (target: string): Promise<string[]> => (await alice.messenger.messages(target)).filter((m) => m.notice === undefined).map((m) => m.text)
    expect(await texts(club.id)).toEqual(['one', 'two', 'three'])

    // A group named exactly like the first one's id now wins, as a name comes before an id.
    const namesake = await alice.messenger.createGroup(club.id)
    await alice.messenger.send(club.id, 'to the namesake')
    expect(await texts(namesake.id)).toEqual(['to the namesake'])
    expect(await texts(prefix)).toEqual(['one', 'two', 'three'])
  })

  it('a contact whose alias is a conversation id takes that name from then on', async () => {
    const alice = await peer('Alice')
    const bob = await peer('Bob')
    const club = await alice.messenger.createGroup('Book club')
    await alice.messenger.send(club.id, 'in the club')
    await addContact(alice, bob, club.id)
    const direct = (await alice.messenger.conversations()).find((c) => c.kind === 'direct')
    expect(direct).toBeDefined()
    await alice.messenger.send(club.id, 'to Bob')
    expect((await alice.messenger.messages(direct!.id)).map((m) => m.text)).toContain('to Bob')
    expect((await alice.messenger.messages(club.id.slice(0, 16))).map((m) => m.text)).toEqual(['in the club'])
  })
})
