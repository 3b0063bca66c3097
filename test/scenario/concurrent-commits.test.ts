/**
 * Commit ordering without a server: Alice and Bob commit in the same epoch and each sends a
 * message on top of their own commit. Every member must end on the same epoch and tree, and both
 * messages must reach everyone — the loser re-sends what it sent in the losing branch.
 */
import { afterAll, afterEach, expect, it } from 'vitest'
import type { KithNode } from '../../src/node/kith-node.ts'
import { addContact, cleanup, eventually, logOf, startPeer, waitForMessage } from './harness.ts'

const running: KithNode[] = []
afterEach(async () => { await Promise.all(running.splice(0).map(async (n) => await n.stop())) })
afterAll(cleanup)

async function tipOf (node: KithNode, name: string): Promise<string> {
  const id = await node.messenger.resolveTarget(name)
  const row = await node.store.getGroup(id)
  return `${row!.epoch}:${Buffer.from(row!.tipHash).toString('hex')}`
}

it('two members committing in the same epoch converge and lose no message', async () => {
  const alice = await startPeer('Alice'); running.push(alice)
  const bob = await startPeer('Bob'); running.push(bob)
  const carol = await startPeer('Carol'); running.push(carol)
  await addContact(alice, bob, 'bob')
  await addContact(alice, carol, 'carol')
  await alice.messenger.createGroup('team')
  await alice.messenger.addMember('team', 'bob')
  await alice.messenger.addMember('team', 'carol')
  await alice.messenger.send('team', 'ready')
  await waitForMessage(bob, 'team', 'ready')
  await waitForMessage(carol, 'team', 'ready')
  const everyone = [alice, bob, carol]
  await eventually(everyone, async () => new Set(await Promise.all(everyone.map(async (n) => await tipOf(n, 'team')))).size === 1, 'a common starting epoch')
  const startEpoch = Number((await tipOf(alice, 'team')).split(':')[0])

  // Both commits are made before either can arrive at the other: the same epoch, two branches.
  await Promise.all([alice.messenger.rekey('team'), bob.messenger.rekey('team')])
  expect(Number((await tipOf(alice, 'team')).split(':')[0])).toBe(startEpoch + 1)
  expect(Number((await tipOf(bob, 'team')).split(':')[0])).toBe(startEpoch + 1)
  expect(await tipOf(alice, 'team')).not.toBe(await tipOf(bob, 'team'))
  await Promise.all([alice.messenger.send('team', 'alice after her commit'), bob.messenger.send('team', 'bob after his commit')])

  for (const n of everyone) {
    await waitForMessage(n, 'team', 'alice after her commit')
    await waitForMessage(n, 'team', 'bob after his commit')
  }
  await eventually(everyone, async () => new Set(await Promise.all(everyone.map(async (n) => await tipOf(n, 'team')))).size === 1, 'one epoch and commit on every member')
  expect(Number((await tipOf(carol, 'team')).split(':')[0])).toBe(startEpoch + 1)

  // One side rolled back and re-sent; after convergence everyone can still talk.
  expect(logOf(alice) + logOf(bob)).toMatch(/wins epoch|lost: a concurrent commit/)
  await carol.messenger.send('team', 'after the fork')
  await waitForMessage(alice, 'team', 'after the fork')
  await waitForMessage(bob, 'team', 'after the fork')
  for (const n of everyone) {
    const texts = (await n.messenger.messages('team')).map((m) => m.text)
    expect(texts.filter((t) => t === 'bob after his commit')).toHaveLength(1)
    expect(texts.filter((t) => t === 'alice after her commit')).toHaveLength(1)
  }
})
