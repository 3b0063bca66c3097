/**
 * `/kith/directory/1.0.0`: a node publishes and looks up records for a peer that runs no DHT
 * itself (a browser); the asker verifies what it gets; forged records, malformed queries and
 * floods are refused with a reason, and the node keeps serving.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { peerIdFromString } from '@libp2p/peer-id'
import { DirectoryAnswerStatus, DirectoryQuery, DirectoryQueryOp } from '../../../src/core/codec/directory.ts'
import { buildDirectoryRecord } from '../../../src/core/directory/build.ts'
import { decodeDirectoryRecord, encodeDirectoryRecord } from '../../../src/core/directory/record.ts'
import { DIRECTORY_QUERY_PROTOCOL } from '../../../src/net/constants.ts'
import { addressesOf } from '../../../src/net/dht-directory.ts'
import { dhtDirectory, servedDirectory } from '../../../src/net/directory-access.ts'
import { DirectoryQueryService, QUERIES_PER_MINUTE } from '../../../src/net/protocols/directory-query.ts'
import { startSwarm, testAccount, type DhtNode } from './dht-swarm.ts'

let nodes: DhtNode[] = []
const lines: string[] = []

afterEach(async () => {
  await Promise.all(nodes.splice(0).map(async (n) => await n.stop()))
  lines.length = 0
})

/** Connects `client` to `server` afresh, and waits until identify has told it the directory protocol. */
async function untilServes (client: DhtNode, server: DhtNode): Promise<void> {
  // The swarm connected them before the service existed: a new connection runs identify again.
  await client.hangUp(server.peerId)
  await client.dial(server.peerId)
  const serves = async (): Promise<boolean> => (await client.peerStore.get(server.peerId)).protocols.includes(DIRECTORY_QUERY_PROTOCOL)
  if (await serves()) return
  await new Promise<void>((resolve) => {
    const check = (): void => {
      void serves().then((yes) => {
        if (!yes) return
        client.removeEventListener('peer:identify', check)
        resolve()
      })
    }
    client.addEventListener('peer:identify', check)
  })
}

describe('directory queries served to peers without a DHT', () => {
  it('publishes a record for the asker and finds it again, and refuses a forged one', async () => {
    nodes = await startSwarm(5, 3)
    const [server, , , , client] = nodes
    const service = new DirectoryQueryService(server!, dhtDirectory(server!.services.dht), (l) => lines.push(l))
    await service.start()
    await untilServes(client!, server!)
    const served = servedDirectory(client!)
    const account = await testAccount(client!.peerId.toMultihash().bytes, client!.peerId.toString(), ['/ip4/127.0.0.1/tcp/4711'])
    const { encoded } = await buildDirectoryRecord(account.identity, { seq: 1, issuedAt: Date.now(), lifetimeMs: 60_000, devices: [account.device] })
    expect(await served.publish(encoded)).toBeGreaterThanOrEqual(1)
    expect(served.routingTableSize()).toBeGreaterThan(0)

    const found = await served.lookup(account.identity.publicKey)
    expect(found?.seq).toBe(1)
    expect(addressesOf(found!, account.peerId)).toEqual(['/ip4/127.0.0.1/tcp/4711'])

    // The same record with another address and the old signature: the node refuses it, naming why.
    const forged = decodeDirectoryRecord(encoded)
    const tampered = encodeDirectoryRecord({ ...forged, seq: 2, devices: [{ ...forged.devices[0]!, addrs: ['/ip4/127.0.0.1/tcp/6666'] }] })
    await expect(served.publish(tampered)).rejects.toThrow(/refused.*signature/i)
    expect((await served.lookup(account.identity.publicKey))?.seq).toBe(1)

    // No record: an answer, not an error.
    const stranger = await testAccount(server!.peerId.toMultihash().bytes, server!.peerId.toString(), [])
    expect(await served.lookup(stranger.identity.publicKey)).toBeUndefined()
  }, 60_000)

  it('answers malformed queries and floods with a reason, and keeps serving', async () => {
    nodes = await startSwarm(2, 1)
    const [server] = nodes
    let now = 1_000_000
    const service = new DirectoryQueryService(server!, dhtDirectory(server!.services.dht), (l) => lines.push(l), () => now)
    const from = peerIdFromString(nodes[1]!.peerId.toString())
    const garbage = await service.answer(from, new Uint8Array([0xff, 0xff, 0xff]))
    expect(garbage.status).toBe(DirectoryAnswerStatus.BAD_QUERY)
    expect(garbage.error).toMatch(/not valid protobuf/)
    const shortKey = await service.answer(from, DirectoryQuery.encode({ version: 1, op: DirectoryQueryOp.LOOKUP, identityKey: new Uint8Array(5), record: new Uint8Array() }))
    expect(shortKey.error).toMatch(/32-byte identity key/)
    const empty = await service.answer(from, DirectoryQuery.encode({ version: 1, op: DirectoryQueryOp.PUBLISH, identityKey: new Uint8Array(), record: new Uint8Array() }))
    expect(empty.status).toBe(DirectoryAnswerStatus.BAD_QUERY)

    const lookup = DirectoryQuery.encode({ version: 1, op: DirectoryQueryOp.LOOKUP, identityKey: new Uint8Array(32).fill(7), record: new Uint8Array() })
    const answers = []
    for (let i = 0; i < QUERIES_PER_MINUTE + 1; i++) answers.push((await service.answer(from, lookup)).status)
    expect(answers.slice(0, QUERIES_PER_MINUTE).every((s) => s !== DirectoryAnswerStatus.REFUSED)).toBe(true)
    expect(answers.at(-1)).toBe(DirectoryAnswerStatus.REFUSED)
    expect(lines.some((l) => l.includes(`over ${QUERIES_PER_MINUTE} a minute`))).toBe(true)
    now += 61_000
    expect((await service.answer(from, lookup)).status).not.toBe(DirectoryAnswerStatus.REFUSED)
  }, 60_000)
})
