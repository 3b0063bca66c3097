/**
 * A device that comes back online tells its contacts' devices, and they send what they queued for
 * it at once (issue 21, item 12). The sender's retry backoff is set far beyond the test's bound, so
 * only the greeting can bring the 142 queued messages across: the test counts, it does not time.
 */
import { expect, it } from 'vitest'
import { KithNode } from '../../src/node/kith-node.ts'
import { addContact, eventually, tempDir, waitForMessage } from './harness.ts'

/** Bob as in the run: a node with nothing to send and no relay to look for, so nothing else dials Alice. */
async function quietBob (dataDir: string): Promise<KithNode> {
  return await KithNode.start({ dataDir, name: 'Bob', host: '127.0.0.1', api: false, relayReservation: false, retry: { initialMs: 50, maxMs: 400 } })
}
const QUEUED = 142

it('a restarted receiver gets every queued message without waiting for the sender to retry', async () => {
  const bobDir = tempDir('bob')
  // Alice's retries would next fire in 10 minutes: nothing but Bob's greeting wakes her outbox.
  const alice = await KithNode.start({ dataDir: tempDir('alice'), name: 'Alice', host: '127.0.0.1', api: false, retry: { initialMs: 600_000, maxMs: 600_000 }, establishRetryMs: 50, establishRetryMaxMs: 400 })
  let bob = await quietBob(bobDir)
  try {
    await addContact(alice, bob, 'bob')
    await alice.messenger.send('bob', 'before')
    await waitForMessage(bob, 'alice', 'before')
    await bob.stop()
    for (let i = 0; i < QUEUED; i++) await alice.messenger.send('bob', `queued ${i}`)
    // Alice tried once, found Bob gone, and backed off for ten minutes.
    bob = await quietBob(bobDir)
    const texts = await eventually([bob], async () => {
      const got = (await bob.messenger.messages('alice', 500)).map((m) => m.text)
      return got.length === QUEUED + 1 ? got : undefined
    }, `all ${QUEUED} queued messages at Bob`, 30_000)
    expect(texts).toEqual(['before', ...Array.from({ length: QUEUED }, (_, i) => `queued ${i}`)])
  } finally {
    await Promise.all([alice.stop(), bob.stop()].map(async (p) => await p.catch(() => {})))
  }
}, 120_000)
