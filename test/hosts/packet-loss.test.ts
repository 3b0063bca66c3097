/**
 * 10% packet loss between two hosts (iptables `statistic`, DESIGN.md §7): 500 messages from Alice
 * arrive at Bob exactly once, in order.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { SimNet, simulationSupport } from '../sim/hosts.ts'
import { removeData, serveOn, type KithOnHost } from './kith-on-host.ts'

const COUNT = 500
const support = simulationSupport()
let net: SimNet | undefined
let alice: KithOnHost | undefined
let bob: KithOnHost | undefined

beforeAll(async () => {
  if (!support.ok) return
  net = await SimNet.create()
  const [aliceHost, bobHost] = [await net.addHost('alice'), await net.addHost('bob')]
  ;[alice, bob] = await Promise.all([serveOn(aliceHost, 'Alice'), serveOn(bobHost, 'Bob')])
  await alice.kith('contact', 'add', await bob.kith('invite'), '--name', 'bob')
  await net.loss(bobHost, 0.1)
}, 180_000)

afterAll(async () => {
  await net?.destroy()
  removeData([alice, bob])
})

it('500 messages cross a link that loses 10% of packets exactly once', async (ctx) => {
  if (!support.ok) ctx.skip(`simulated hosts are not available here: ${support.reason}`)
  // A script on Alice's host sends through her local API, as the CLI does, one request per message.
  const sent = await alice!.host.runNode(async ({ dir, count }: { dir: string, count: number }) => {
    const { readFileSync } = await import('node:fs')
    const daemon = JSON.parse(readFileSync(`${dir}/daemon.json`, 'utf8')) as { api: string }
    const token = readFileSync(`${dir}/api-token`, 'utf8').trim()
    let ok = 0
    for (let i = 0; i < count; i++) {
      const r = await fetch(`${daemon.api}/v1/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ target: 'bob', text: `lossy ${i}` })
      })
      if (r.ok) ok++
    }
    return ok
  }, { dir: alice!.data, count: COUNT }, { timeoutMs: 240_000 })
  expect(sent).toBe(COUNT)
  // Every message ends delivered at Alice, which needs Bob's ack for each.
  const deadline = Date.now() + 240_000
  let texts: string[] = []
  while (Date.now() < deadline) {
    const { messages } = await bob!.json<{ messages: Array<{ text: string }> }>('messages', 'alice', '--limit', '1000')
    texts = messages.map((m) => m.text)
    if (texts.length >= COUNT) break
    await new Promise((resolve) => setTimeout(resolve, 1_000))
  }
  expect(texts.length).toBe(COUNT)
  expect(new Set(texts).size).toBe(COUNT)
  expect(texts).toEqual(Array.from({ length: COUNT }, (_, i) => `lossy ${i}`))
}, 600_000)
