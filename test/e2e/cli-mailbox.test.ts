/**
 * Mailboxes from the command line: `kith serve --mailbox-for-anyone` holds messages for devices
 * that are offline, `kith status` shows the mailboxes a device keeps and what a node holds for
 * others, and `kith messages` marks a message waiting in a mailbox as stored.
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, expect, it } from 'vitest'
import { root, serve, type Served } from './browser-harness.ts'
import { until } from './cli-harness.ts'
import { KITH_CLI } from '../kith-cli.ts'

const run = promisify(execFile)
const CLI = KITH_CLI
const started: Served[] = []
afterAll(async () => { await Promise.all(started.map(async (s) => { await s.stop() })) })

interface Status { addrs: string[], mailboxes: { own: Array<{ node: string, depth?: number }>, served: { mailboxes: number, entries: number } } }
interface Messages { messages: Array<{ text: string, state: string }> }

it('a node serving mailboxes holds a message for an offline contact, and the sender sees it stored', async () => {
  const mailbox = await serve('Mailbox', ['--mailbox-for-anyone'])
  started.push(mailbox)
  const tcp = `${(await mailbox.kithJson<Status>('status')).addrs.find((a) => /\/tcp\/\d+$/.test(a))!}/p2p/${mailbox.peerId}`
  const alice = await serve('Alice', ['--bootstrap', tcp])
  const bob = await serve('Bob', ['--bootstrap', tcp])
  started.push(alice, bob)
  await alice.kith('contact', 'add', await bob.kith('invite'), '--name', 'bob')
  const bobStatus = await until(async () => { const s = await bob.kithJson<Status>('status'); return s.mailboxes.own.length === 1 ? s : undefined }, 'Bob to keep a mailbox')
  expect(bobStatus.mailboxes.own[0]!.node).toBe(mailbox.peerId)
  expect(await bob.kith('status')).toMatch(new RegExp(`mailboxes: 1\\n  ${mailbox.peerId}  (\\d+ waiting|not checked yet)`))

  // Bob's MAILBOXES went into the 1:1 before this message, so once Alice has it she knows them.
  const aliceAlias = (JSON.parse(await bob.kith('--json', 'contacts')) as { contacts: Array<{ alias: string }> }).contacts[0]!.alias
  await bob.kith('send', aliceAlias, 'my mailbox is set')
  await until(async () => (await alice.kithJson<Messages>('messages', 'bob')).messages.some((m) => m.text === 'my mailbox is set') || undefined, 'Alice to hear from Bob')

  await bob.stop()
  await alice.kith('send', 'bob', 'see you later')
  await until(async () => (await alice.kithJson<Messages>('messages', 'bob')).messages.some((m) => m.text === 'see you later' && m.state === 'stored') || undefined, 'the message to be stored')
  expect(await alice.kith('messages', 'bob')).toMatch(/see you later {2}\[stored ✓⌂\]/)
  const held = await mailbox.kithJson<Status>('status')
  expect(held.mailboxes.served.entries).toBeGreaterThanOrEqual(1)
  // Alice's and Bob's mailboxes there, and each one's intro mailbox (their directory records list those).
  expect(held.mailboxes.served.mailboxes).toBe(4)
  expect(await mailbox.kith('status')).toMatch(/holding for others: \d+ message\(s\) in 4 mailbox\(es\)/)
}, 180_000)

it('refuses a --mailbox that does not name its node', async () => {
  const failure = await run(process.execPath, [...CLI, '--data', join(root, 'no-such-dir-for-kith'), 'serve', '--mailbox', '/ip4/127.0.0.1/tcp/1'], { cwd: root, timeout: 60_000 })
    .then(() => undefined, (err: { code: number, stderr: string }) => err)
  expect(failure?.code).not.toBe(0)
  expect(failure?.stderr).toContain('--mailbox needs a multiaddr ending in /p2p/PEER_ID, got "/ip4/127.0.0.1/tcp/1"')
})
