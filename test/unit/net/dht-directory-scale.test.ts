/**
 * Issue 18's scale test: 50 Kith DHT nodes on loopback form one DHT; every account's directory
 * record is found from every other part of it; with 30% of the nodes then killed (publishers
 * among them), every lookup still succeeds from the records' replicas.
 */
import { afterAll, expect, it } from 'vitest'
import { describeError } from '../../../src/core/errors.ts'
import { addressesOf, lookupDirectoryRecord } from '../../../src/net/dht-directory.ts'
import { startSwarm, testAccount, testPublisher, type DhtNode, type TestAccount } from './dht-swarm.ts'

const NODES = 50
const ACCOUNTS = 10
const READERS = 3
let nodes: DhtNode[] = []

afterAll(async () => {
  await Promise.all(nodes.map(async (n) => { await Promise.resolve(n.stop()).catch(() => {}) }))
})

/** Looks every account up from `readers` nodes that did not publish it; resolves to the failures. */
async function lookUpAll (accounts: Array<{ account: TestAccount, home: DhtNode }>, alive: DhtNode[]): Promise<string[]> {
  const failures: string[] = []
  await Promise.all(accounts.map(async ({ account, home }, i) => {
    const readers = alive.filter((n) => n !== home).filter((_, j) => j % accounts.length === i).slice(0, READERS)
    for (const reader of readers) {
      try {
        const found = await lookupDirectoryRecord(reader.services.dht, account.identity.publicKey, { signal: AbortSignal.timeout(20_000) })
        const addrs = found === undefined ? [] : addressesOf(found, account.peerId)
        if (addrs[0] !== `/ip4/127.0.0.1/tcp/${4000 + i}`) failures.push(`account ${i} from ${reader.peerId}: ${found === undefined ? 'no record' : `addresses ${addrs.join(' ')}`}`)
      } catch (err) {
        failures.push(`account ${i} from ${reader.peerId}: ${describeError(err)}`)
      }
    }
  }))
  return failures
}

it(`${NODES} nodes form one DHT; every lookup succeeds, and still does with 30% of them killed`, async () => {
  nodes = await startSwarm(NODES, 3)
  const homes = nodes.slice(0, ACCOUNTS)
  const accounts = await Promise.all(homes.map(async (home, i) => ({ home, account: await testAccount(home.peerId.toMultihash().bytes, home.peerId.toString(), [`/ip4/127.0.0.1/tcp/${4000 + i}`]) })))
  await Promise.all(accounts.map(async ({ home, account }) => {
    const publisher = testPublisher(home, account, () => 1, { retry: { initialMs: 50, maxMs: 500 } })
    // One attempt may time out on two loaded cores; the node would retry on its own, later.
    for (let attempt = 0; attempt < 3 && publisher.status() === undefined; attempt++) await publisher.publish()
    expect(publisher.status()?.storedOn).toBeGreaterThanOrEqual(3)
  }))
  expect(await lookUpAll(accounts, nodes)).toEqual([])

  // Kill 30%: half of the publishers and the rest from the other nodes.
  const doomed = [...homes.slice(0, ACCOUNTS / 2), ...nodes.slice(ACCOUNTS).filter((_, i) => i % 4 === 0)].slice(0, Math.round(NODES * 0.3))
  expect(doomed).toHaveLength(15)
  await Promise.all(doomed.map(async (n) => await n.stop()))
  const alive = nodes.filter((n) => !doomed.includes(n))
  expect(await lookUpAll(accounts, alive)).toEqual([])
}, 150_000)
