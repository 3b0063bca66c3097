/**
 * The messenger's shared engine: per-conversation locks run one conversation's work in call order,
 * the cache of group states never runs ahead of the store, and queued frames reach the delivery
 * service only once they are durable. A real SqliteStore underneath; the transport records calls.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { randomBytes, toHex } from '../../../../src/core/bytes.ts'
import { createGroupState, encodeState, epochOf } from '../../../../src/core/mls/group.ts'
import { createKeyPackage } from '../../../../src/core/mls/key-package.ts'
import type { Account } from '../../../../src/core/messenger/account.ts'
import { Engine, type CachedGroup } from '../../../../src/core/messenger/engine.ts'
import type { Transport } from '../../../../src/core/messenger/ports.ts'
import type { GroupRow, Store, Write } from '../../../../src/core/messenger/store.ts'
import { SqliteStore } from '../../../../src/store/sqlite.node.ts'
import { createTestDevice } from '../fixtures.ts'

let dir: string
let store: SqliteStore
let notified: string[]
let onNotify = (): void => {}
let account: Account

const transport: Transport = {
  listenAddrs: () => [],
  notify: (peerId) => { notified.push(peerId); onNotify() },
  addAddresses: async () => {},
  fetchKeyPackage: async () => { throw new Error('not in these tests') }
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kith-engine-'))
  store = new SqliteStore(join(dir, 'kith.db'))
  notified = []
  const device = await createTestDevice('Alice')
  account = { identity: device.identity, identityHex: toHex(device.identity.publicKey), certificate: device.certificate, mlsKey: device.mlsKey, peerId: 'alice-device' }
})

afterEach(async () => {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
})

function engineOver (s: Store): Engine {
  return new Engine({ store: s, transport, account, log: () => {} }, {})
}

/** The test's store with one method wrapped. */
function storeWith<K extends keyof Store> (name: K, wrap: (original: Store[K]) => Store[K]): Store {
  const wrapped = wrap((store[name] as (...args: unknown[]) => unknown).bind(store) as Store[K])
  return new Proxy(store, {
    get (target, prop) {
      if (prop === name) return wrapped
      const value: unknown = Reflect.get(target, prop, target)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    }
  })
}

async function newGroup (): Promise<CachedGroup> {
  const id = randomBytes(32)
  const state = await createGroupState(id, await createKeyPackage(account.certificate, account.mlsKey))
  const row: GroupRow = {
    id: toHex(id), kind: 'group', name: 'g', peerIdentity: null, creator: account.identityHex, state: encodeState(state), epoch: epochOf(state),
    baseEpoch: 0, baseParent: new Uint8Array(), tipHash: new Uint8Array(), lamport: 0, ownSeq: 0, active: true, losers: [], createdAt: 1
  }
  return { row, state }
}

function outbox (peerId: string, groupId: string): Write {
  return { kind: 'outbox', peerId, groupId, messageId: null, frame: new Uint8Array([1, 2, 3]), createdAt: 1 }
}

describe('Engine.withLock', () => {
  it('runs one key’s tasks in call order, past a failure, while another key does not wait', async () => {
    const engine = engineOver(store)
    const order: string[] = []
    let release = (): void => {}
    const gate = new Promise<void>((resolve) => { release = resolve })
    const first = engine.withLock('a', async () => { await gate; order.push('a1') })
    const failing = engine.withLock('a', async () => { order.push('a2'); throw new Error('boom') })
    const third = engine.withLock('a', async () => { order.push('a3') })
    await engine.withLock('b', async () => { order.push('b1') })
    expect(order).toEqual(['b1'])
    release()
    await first
    await expect(failing).rejects.toThrow('boom')
    await third
    expect(order).toEqual(['b1', 'a1', 'a2', 'a3'])
  })
})

describe('Engine.commit', () => {
  it('updates the cache only after the store took the writes', async () => {
    let fail = false
    const failing = storeWith('apply', (apply) => async (writes) => {
      if (fail) throw new Error('disk full')
      return await apply(writes)
    })
    const engine = engineOver(failing)
    const group = await newGroup()
    await engine.commit([{ kind: 'group', row: group.row }], [group])
    expect(engine.cached(group.row.id)).toBe(group)

    fail = true
    const renamed = { ...group, row: { ...group.row, name: 'renamed' } }
    await expect(engine.commit([{ kind: 'group', row: renamed.row }], [renamed])).rejects.toThrow('disk full')
    expect(engine.cached(group.row.id)).toBe(group)
    expect((await store.getGroup(group.row.id))?.name).toBe('g')
  })

  it('hands staged frames to the delivery service only once their commit is durable', async () => {
    let release = (): void => {}
    const gate = new Promise<void>((resolve) => { release = resolve })
    const gated = storeWith('durable', (durable) => async () => { await gate; await durable() })
    const engine = engineOver(gated)
    // Memory speaks for a peer once a read of the store found the end of its queue.
    engine.outboxMemory.readFromStore('bob-device', 0, 10, [], engine.outboxMemory.beginRead())
    const handedOver = new Promise<void>((resolve) => { onNotify = resolve })
    const group = await newGroup()
    await engine.commit([outbox('bob-device', group.row.id)], [], true)
    await store.durable()
    // The rows are on disk, but the engine has not been told they are durable: nobody may send them.
    expect(notified).toEqual([])
    expect(engine.outboxMemory.next('bob-device', 0, 10)).toEqual([])
    release()
    await handedOver
    expect(notified).toEqual(['bob-device'])
    expect(engine.outboxMemory.next('bob-device', 0, 10)?.map((f) => f.frame)).toEqual([new Uint8Array([1, 2, 3])])
  })

  it('offers queued frames to a transport that takes them, in row order, once durable; and withdraws dropped ones', async () => {
    const offers: Array<{ peerId: string, rows: number[], messages: Array<string | null> }> = []
    const withdrawn: string[] = []
    let offered = (): void => {}
    const offering: Transport = {
      ...transport,
      offer: (peerId, frames) => {
        offers.push({ peerId, rows: frames.map((f) => f.rowId), messages: frames.map((f) => f.messageId) })
        offered()
      },
      withdraw: (messageId) => { withdrawn.push(messageId) }
    }
    const engine = new Engine({ store, transport: offering, account, log: () => {} }, {})
    const group = await newGroup()
    const frame = (peerId: string, messageId: string): Write => ({ kind: 'outbox', peerId, groupId: group.row.id, messageId, frame: new Uint8Array([1]), createdAt: 1 })
    const arrived = new Promise<void>((resolve) => { offered = () => { if (offers.length === 3) resolve() } })
    await engine.commit([frame('bob-device', 'm1'), frame('carol-device', 'm1'), frame('bob-device', 'm2')])
    await engine.commit([frame('bob-device', 'm3')], [], true)
    await arrived
    const bob = (await store.listOutbox('bob-device', 0, 10)).map((r) => r.id)
    const carol = (await store.listOutbox('carol-device', 0, 10)).map((r) => r.id)
    expect(offers).toEqual([
      { peerId: 'bob-device', rows: bob.slice(0, 2), messages: ['m1', 'm2'] },
      { peerId: 'carol-device', rows: carol, messages: ['m1'] },
      { peerId: 'bob-device', rows: bob.slice(2), messages: ['m3'] }
    ])
    // An offer stands in for the notice.
    expect(notified).toEqual([])
    const gone = new Promise<void>((resolve) => { offering.withdraw = (messageId) => { withdrawn.push(messageId); resolve() } })
    await engine.commit([{ kind: 'outbox-drop-message', messageId: 'm2' }])
    await gone
    expect(withdrawn).toEqual(['m2'])
  })

  it('withdraws a message only after offering the frames of it queued before', async () => {
    const log: string[] = []
    let withdrawn = (): void => {}
    const offering: Transport = {
      ...transport,
      offer: (_peerId, frames) => { log.push(...frames.map((f) => `offer ${f.messageId}`)) },
      withdraw: (messageId) => { log.push(`withdraw ${messageId}`); withdrawn() }
    }
    let release = (): void => {}
    const gate = new Promise<void>((resolve) => { release = resolve })
    const gated = storeWith('durable', (durable) => async () => { await gate; await durable() })
    const engine = new Engine({ store: gated, transport: offering, account, log: () => {} }, {})
    const group = await newGroup()
    const done = new Promise<void>((resolve) => { withdrawn = resolve })
    // Staged: its offer waits for durability, while the drop after it is applied at once.
    await engine.commit([{ kind: 'outbox', peerId: 'bob-device', groupId: group.row.id, messageId: 'm1', frame: new Uint8Array([1]), createdAt: 1 }], [], true)
    await engine.commit([{ kind: 'outbox-drop-message', messageId: 'm1' }])
    expect(log).toEqual([])
    release()
    await done
    expect(log).toEqual(['offer m1', 'withdraw m1'])
  })

  it('forgets cached contact aliases when a contact is written', async () => {
    const engine = engineOver(store)
    engine.aliases.set('bob', 'bob-identity')
    await engine.commit([{ kind: 'contact', row: { identity: 'carol-identity', alias: 'carol', displayName: 'Carol', verified: false, createdAt: 1 } }])
    expect(engine.aliases.size).toBe(0)
  })
})
