/**
 * Offline delivery across hosts (issue 18, DESIGN.md §7): Alice behind NAT 1 and Bob behind NAT 2
 * keep mailboxes at a public node. Bob goes offline; Alice writes, sees the message stored, and goes
 * offline too; Bob comes back and gets it from his mailbox, Alice never online with him again.
 */
import type { ChildProcess } from 'node:child_process'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { SimNet, simulationSupport, type Host } from '../sim/hosts.ts'
import { until } from '../e2e/cli-harness.ts'
import { removeData, serveOn, type KithOnHost } from './kith-on-host.ts'

const support = simulationSupport()
let net: SimNet | undefined
let mailbox: KithOnHost | undefined
let alice: KithOnHost | undefined
let bob: KithOnHost | undefined
let bobHost: Host | undefined
let bootstrap: string[] = []

interface Messages { messages: Array<{ text: string, state: string, own: boolean }> }
interface Status { mailboxes: { own: Array<{ node: string }>, served: { entries: number } } }

async function stopped (process: ChildProcess): Promise<void> {
  if (process.exitCode !== null || process.signalCode !== null) return
  const exited = new Promise((resolve) => process.once('exit', resolve))
  process.kill('SIGTERM')
  await exited
}

beforeAll(async () => {
  if (!support.ok) return
  net = await SimNet.create()
  const mailboxHost = await net.addHost('mailbox')
  const aliceHost = await net.addHost('alice', { nat: await net.addNat('nat1') })
  bobHost = await net.addHost('bob', { nat: await net.addNat('nat2') })
  mailbox = await serveOn(mailboxHost, 'Mailbox', ['--mailbox-for-anyone'])
  const tcp = mailbox.status.addrs.find((a) => a.includes(mailboxHost.ip) && !a.includes('/ws') && a.includes('/tcp/'))!
  bootstrap = ['--bootstrap', tcp]
  ;[alice, bob] = await Promise.all([serveOn(aliceHost, 'Alice', bootstrap), serveOn(bobHost, 'Bob', bootstrap)])
}, 180_000)

afterAll(async () => {
  await net?.destroy()
  removeData([mailbox, alice, bob])
})

it('a message to a contact behind another NAT waits in his mailbox on a third host and reaches him after the sender left', async (ctx) => {
  if (!support.ok) ctx.skip(`simulated hosts are not available here: ${support.reason}`)
  await alice!.kith('contact', 'add', await bob!.kith('invite'), '--name', 'bob')
  await alice!.kith('send', 'bob', 'hello across the NATs')
  const aliceAlias = await until(async () => (await bob!.json<{ contacts: Array<{ alias: string }> }>('contacts')).contacts[0]?.alias, 'Bob to know Alice')
  await until(async () => (await bob!.json<Messages>('messages', aliceAlias)).messages.some((m) => m.text === 'hello across the NATs') || undefined, 'the first message at Bob')
  // Bob keeps a mailbox on the public host; his MAILBOXES reaches Alice before his reply does.
  await until(async () => (await bob!.json<Status>('status')).mailboxes.own.length === 1 || undefined, 'Bob to keep a mailbox')
  await bob!.kith('send', aliceAlias, 'write any time')
  await until(async () => (await alice!.json<Messages>('messages', 'bob')).messages.some((m) => m.text === 'write any time') || undefined, 'Bob\'s reply at Alice')

  await stopped(bob!.process)
  await alice!.kith('send', 'bob', 'while you were away')
  await until(async () => (await alice!.json<Messages>('messages', 'bob')).messages.some((m) => m.text === 'while you were away' && m.state === 'stored') || undefined, 'the message to be stored', 60_000)
  expect((await mailbox!.json<Status>('status')).mailboxes.served.entries).toBeGreaterThanOrEqual(1)
  await stopped(alice!.process)

  bob = await serveOn(bobHost!, 'Bob', bootstrap, bob!.data)
  const got = await until(async () => (await bob!.json<Messages>('messages', aliceAlias)).messages.find((m) => m.text === 'while you were away'), 'the message at Bob', 60_000)
  expect(got.own).toBe(false)
}, 300_000)
