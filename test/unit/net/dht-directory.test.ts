import { afterEach, describe, expect, it } from 'vitest'
import { buildDirectoryRecord } from '../../../src/core/directory/build.ts'
import { directoryKey } from '../../../src/core/directory/directory-key.ts'
import { decodeDirectoryRecord, encodeDirectoryRecord } from '../../../src/core/directory/record.ts'
import { addressesOf, directoryRecordRules, DirectoryPublisher, lookupDirectoryRecord, routingTableSize } from '../../../src/net/dht-directory.ts'
import { startSwarm, testAccount, testPublisher, type DhtNode, type TestAccount } from './dht-swarm.ts'

let nodes: DhtNode[] = []
const refusals: string[] = []

afterEach(async () => {
  await Promise.all(nodes.splice(0).map(async (n) => await n.stop()))
  refusals.length = 0
})

async function swarm (count: number): Promise<DhtNode[]> {
  nodes = await startSwarm(count, 3, (line) => refusals.push(line))
  return nodes
}

async function accountOn (node: DhtNode, addrs: string[]): Promise<TestAccount> {
  return await testAccount(node.peerId.toMultihash().bytes, node.peerId.toString(), addrs)
}

/** Puts raw bytes under `key` from `node`; resolves to how many peers acknowledged storing them. */
async function rawPut (node: DhtNode, key: Uint8Array, value: Uint8Array): Promise<number> {
  let stored = 0
  for await (const e of node.services.dht.put(key, value)) if (e.name === 'PEER_RESPONSE' && e.messageName === 'PUT_VALUE') stored++
  return stored
}

function publisherFor (node: DhtNode, account: TestAccount, seqs: number[]): DirectoryPublisher {
  return testPublisher(node, account, () => seqs.shift() ?? 1, { retry: { initialMs: 50, maxMs: 200 } })
}

describe('directory in the DHT', () => {
  it('publishes a record that another node finds, with the device\'s addresses', async () => {
    const [bob, , , , alice] = await swarm(6)
    const account = await accountOn(bob!, ['/ip4/127.0.0.1/tcp/4242'])
    const publisher = publisherFor(bob!, account, [5])
    await publisher.publish()
    expect(publisher.status()).toMatchObject({ seq: 5 })
    expect(publisher.status()!.storedOn).toBeGreaterThan(0)
    expect(routingTableSize(alice!.services.dht)).toBeGreaterThan(0)
    const found = await lookupDirectoryRecord(alice!.services.dht, account.identity.publicKey)
    expect(found?.seq).toBe(5)
    expect(addressesOf(found!, account.peerId)).toEqual(['/ip4/127.0.0.1/tcp/4242'])
  })

  it('refuses a forged record put for Bob\'s key, and lookups still find his real one', async () => {
    const [bob, mallory, , , alice] = await swarm(6)
    const account = await accountOn(bob!, ['/ip4/127.0.0.1/tcp/4242'])
    await publisherFor(bob!, account, [5]).publish()
    const key = directoryKey(account.identity.publicKey)
    const genuine = decodeDirectoryRecord(await rebuild(account, 5))
    // Mallory redirects Bob to her address and raises the seq, keeping Bob's signature.
    const forged = encodeDirectoryRecord({ ...genuine, seq: 99, devices: [{ ...account.device, addrs: ['/ip4/127.0.0.1/tcp/6666'] }] })
    expect(await rawPut(mallory!, key, forged)).toBe(0)
    expect(refusals.some((l) => /directory record of account .* refused: record: signature does not verify/.test(l))).toBe(true)
    const found = await lookupDirectoryRecord(alice!.services.dht, account.identity.publicKey)
    expect(found?.seq).toBe(5)
    expect(addressesOf(found!, account.peerId)).toEqual(['/ip4/127.0.0.1/tcp/4242'])
  })

  it('refuses a replayed older record where a newer one was stored, and lookups return the newer', async () => {
    const [bob, mallory, , , alice] = await swarm(6)
    const account = await accountOn(bob!, ['/ip4/127.0.0.1/tcp/4242'])
    const old = await rebuild(account, 3)
    const publisher = publisherFor(bob!, account, [3, 4])
    await publisher.publish()
    const moved = { ...account, device: { ...account.device, addrs: ['/ip4/127.0.0.1/tcp/5353'] } }
    await publisherFor(bob!, moved, [4]).publish()
    expect(await rawPut(mallory!, directoryKey(account.identity.publicKey), old)).toBe(0)
    expect(refusals.some((l) => /seq 3 is older than seq 4 already seen here \(a replay\)/.test(l))).toBe(true)
    const found = await lookupDirectoryRecord(alice!.services.dht, account.identity.publicKey)
    expect(found?.seq).toBe(4)
    expect(addressesOf(found!, account.peerId)).toEqual(['/ip4/127.0.0.1/tcp/5353'])
  })

  it('republishes at once when the node\'s addresses change, and again before the record expires', async () => {
    const [bob, , , , alice] = await swarm(6)
    const account = await accountOn(bob!, ['/ip4/127.0.0.1/tcp/4242'])
    const published: number[] = []
    const lines: string[] = []
    const waiters: Array<{ count: number, resolve: () => void }> = []
    let seq = 0
    const publisher = testPublisher(bob!, account, () => ++seq, {
      lifetimeMs: 1_000,
      debounceMs: 10,
      log: (line: string) => {
        lines.push(line)
        const m = line.match(/^directory record seq (\d+) published/)
        if (m === null) return
        published.push(Number(m[1]))
        for (const w of waiters.filter((x) => published.length >= x.count)) w.resolve()
      }
    })
    const publications = async (count: number): Promise<void> => {
      if (published.length < count) await new Promise<void>((resolve) => waiters.push({ count, resolve }))
    }
    publisher.start()
    await publications(1)
    const first = published[0]!
    bob!.safeDispatchEvent('self:peer:update', { detail: { peer: await bob!.peerStore.get(bob!.peerId), previous: undefined } })
    await publications(2)
    // Half the lifetime later the record goes out again, before the last one expires.
    await publications(3)
    publisher.stop()
    expect(published[2]! > published[1]! && published[1]! > first, lines.join('\n')).toBe(true)
    expect(publisher.status()?.expiresAt).toBe(publisher.status()!.publishedAt + 1_000)
    expect((await lookupDirectoryRecord(alice!.services.dht, account.identity.publicKey))?.seq).toBe(published[published.length - 1])
  })

  it('refuses an expired record and finds nothing for an account that never published', async () => {
    const [bob, , , , alice] = await swarm(6)
    const account = await accountOn(bob!, ['/ip4/127.0.0.1/tcp/4242'])
    const expired = (await buildDirectoryRecord(account.identity, { seq: 1, issuedAt: Date.now() - 2 * 3_600_000, lifetimeMs: 3_600_000, devices: [account.device] })).encoded
    expect(await rawPut(bob!, directoryKey(account.identity.publicKey), expired)).toBe(0)
    expect(refusals.some((l) => /refused: it expired at/.test(l))).toBe(true)
    expect(await lookupDirectoryRecord(alice!.services.dht, (await accountOn(alice!, [])).identity.publicKey)).toBeUndefined()
  })
})

async function rebuild (account: TestAccount, seq: number): Promise<Uint8Array> {
  return (await buildDirectoryRecord(account.identity, { seq, issuedAt: Date.now(), lifetimeMs: 3_600_000, devices: [account.device] })).encoded
}

describe('directory record rules', () => {
  it('logs a few refusals a minute and counts the rest, so forged records cannot flood the log', async () => {
    const lines: string[] = []
    let now = 1_800_000_000_000
    const rules = directoryRecordRules({ log: (l) => lines.push(l), now: () => now, logPerMinute: 3 })
    const validate = rules.validators.kith!
    const account = await testAccount(new Uint8Array([0, 36, 8, 1, 18, 32, ...new Uint8Array(32)]), 'peer', ['/ip4/127.0.0.1/tcp/1'])
    for (let i = 0; i < 10; i++) await expect(validate(directoryKey(account.identity.publicKey), new Uint8Array([0xff, i]))).rejects.toThrow(/not valid protobuf/)
    expect(lines).toHaveLength(3)
    now += 60_000
    await expect(validate(directoryKey(account.identity.publicKey), new Uint8Array([0xff]))).rejects.toThrow()
    expect(lines.slice(3)).toEqual(['7 more directory record(s) refused in the last minute', expect.stringMatching(/^directory record of account [0-9a-f]{16}… refused: /)])
  })
})
