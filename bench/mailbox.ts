/**
 * Catching up (issue 18): the time from a device coming online to holding N messages queued for it
 * while it was offline, in messages per second:
 * - from a mailbox, with the sender offline by then (`MailboxKeeper` fetching and acknowledging);
 * - baseline, in the same run: the same N queued on the sender, which is online and delivers them
 *   directly when the device comes back (`DeliveryService`).
 * Three Kith nodes in this process on loopback: a mailbox node, Alice and Bob. The time ends at the
 * last message's `received_at` in Bob's store, so polling for completion costs nothing measured.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseInviteLink } from '../src/core/identity/invite.ts'
import { KithNode, type KithNodeConfig } from '../src/node/kith-node.ts'
import { result, type BenchResult } from './stats.ts'

const RETRY = { initialMs: 20, maxMs: 200 }

async function until (check: () => Promise<boolean>, what: string, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!await check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** Bob's received messages whose text starts with `prefix`: how many, and when the last arrived. */
async function arrivals (bob: KithNode, groupId: string, prefix: string, n: number): Promise<{ count: number, last: number }> {
  const rows = (await bob.store.listMessages(groupId, n + 64)).filter((m) => !m.own && m.text.startsWith(prefix))
  return { count: rows.length, last: Math.max(0, ...rows.map((m) => m.receivedAt)) }
}

/** Messages per second for catching up from a mailbox, against direct delivery from an online sender. */
export async function benchMailbox (quick: boolean, log: (s: string) => void): Promise<BenchResult[]> {
  const n = quick ? 200 : 1000
  const dirs = ['mailbox', 'alice', 'bob'].map((name) => mkdtempSync(join(tmpdir(), `kith-bench-${name}-`)))
  const base: Partial<KithNodeConfig> = { api: false, retry: RETRY, relayReservation: false }
  const mailbox = await KithNode.start({ ...base, dataDir: dirs[0], name: 'Mailbox', mailboxForAnyone: true })
  const bootstrap = mailbox.bootstrapAddrs().filter((a) => /\/tcp\/\d+\/p2p\//.test(a))
  const start = async (i: 1 | 2): Promise<KithNode> => await KithNode.start({ ...base, dataDir: dirs[i], name: i === 1 ? 'Alice' : 'Bob', bootstrap })
  let alice: KithNode | undefined = await start(1)
  let bob: KithNode | undefined = await start(2)
  try {
    await alice.messenger.addContact(await parseInviteLink(bob.messenger.inviteLink()), 'bob')
    await alice.messenger.send('bob', 'hello')
    const groupId = (await alice.messenger.conversation('bob')).id
    const bobPeer = bob.libp2p.peerId.toString()
    await until(async () => (await arrivals(bob!, groupId, 'hello', 1)).count === 1, 'the 1:1')
    await until(async () => (await alice!.messenger.mailboxesOf(bobPeer)).length > 0, 'Alice to learn Bob\'s mailbox')

    const catchUp = async (prefix: string, senderStays: boolean): Promise<number> => {
      await bob!.stop()
      bob = undefined
      for (let i = 0; i < n; i++) await alice!.messenger.send('bob', `${prefix}-${i}`)
      if (!senderStays) {
        await until(async () => (await alice!.messenger.messages('bob', n + 8)).filter((m) => m.text.startsWith(prefix) && m.state === 'stored').length === n, `${n} messages to be stored`)
        await alice!.stop()
        alice = undefined
      }
      const t0 = Date.now()
      bob = await start(2)
      await until(async () => (await arrivals(bob!, groupId, prefix, n)).count === n, `${n} messages to arrive (${prefix})`)
      const seconds = ((await arrivals(bob, groupId, prefix, n)).last - t0) / 1000
      if (alice === undefined) alice = await start(1)
      return n / seconds
    }
    log(`catching up: ${n} messages delivered directly by an online sender`)
    const direct = await catchUp('direct', true)
    log(`catching up: ${n} messages from a mailbox, the sender offline`)
    const fromMailbox = await catchUp('mailbox', false)
    return [
      result(`catching up ${n} queued messages from a mailbox, sender offline`, fromMailbox, 'msg/s', `the same ${n} delivered directly by the online sender`, direct)
    ]
  } finally {
    await bob?.stop()
    await alice?.stop()
    await mailbox.stop()
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  }
}
