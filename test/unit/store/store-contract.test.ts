/**
 * One contract suite for every {@link Store} implementation, run against SQLite (Node) and
 * IndexedDB (browsers; fake-indexeddb here, a real Chromium in the Playwright tests), followed by
 * what only the IndexedDB store promises: sealing at rest and checked records.
 */
import 'fake-indexeddb/auto'
import { IDBDatabase as FakeDatabase, IDBFactory, IDBObjectStore as FakeObjectStore } from 'fake-indexeddb'
import { wrap, type IDBPDatabase } from 'idb'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { CodecError, UsageError } from '../../../src/core/errors.ts'
import type {
  ContactRow, DeviceRow, EpochRow, GroupRow, KeyPackageRow, MessageRow, Store, Write
} from '../../../src/core/messenger/store.ts'
import { IndexedDbStore } from '../../../src/store/indexeddb.browser.ts'
import { SCHEMA_VERSION } from '../../../src/store/indexeddb-schema.browser.ts'
import { CHECKPOINT_COMMITS, SqliteStore } from '../../../src/store/sqlite.node.ts'

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values)
/** A recognisable secret, so a test can look for it in raw storage. */
const secret = (fill: number): Uint8Array => new Uint8Array(48).fill(fill)

function contact (identity: string, alias: string, over: Partial<ContactRow> = {}): ContactRow {
  return { identity, alias, displayName: `${alias} display`, verified: false, createdAt: 1_000, ...over }
}

function device (peerId: string, identity: string, over: Partial<DeviceRow> = {}): DeviceRow {
  return { peerId, identity, certificate: bytes(1, 2, 3), addrs: ['/ip4/127.0.0.1/tcp/4001'], updatedAt: 5, ...over }
}

function group (id: string, over: Partial<GroupRow> = {}): GroupRow {
  return {
    id,
    kind: 'group',
    name: `name-${id}`,
    peerIdentity: null,
    creator: 'alice',
    state: secret(0x53),
    epoch: 3,
    baseEpoch: 1,
    baseParent: bytes(9, 9),
    tipHash: bytes(7, 7, 7),
    lamport: 10,
    ownSeq: 4,
    active: true,
    losers: ['l1'],
    createdAt: 100,
    ...over
  }
}

function epoch (groupId: string, n: number, over: Partial<EpochRow> = {}): EpochRow {
  return { groupId, epoch: n, stateBefore: secret(n), commitHash: bytes(n, 1), parentHash: bytes(n, 2), intent: null, ...over }
}

function message (id: string, over: Partial<MessageRow> = {}): MessageRow {
  return {
    id,
    groupId: 'g1',
    senderIdentity: 'bob',
    senderDevice: 'bob-phone',
    own: false,
    kind: 'text',
    text: `text of ${id}`,
    target: null,
    seq: 1,
    lamport: 1,
    sentAt: 50,
    receivedAt: 60,
    epoch: 3,
    recipients: 0,
    needsSend: false,
    gap: false,
    ...over
  }
}

function keyPackage (ref: string, createdAt: number): KeyPackageRow {
  return { ref, publicPackage: bytes(1, 1), initPrivateKey: secret(0x49), hpkePrivateKey: secret(0x48), createdAt }
}

function outbox (peerId: string, messageId: string | null, over: Partial<Extract<Write, { kind: 'outbox' }>> = {}): Write {
  return { kind: 'outbox', peerId, groupId: 'g1', messageId, frame: bytes(0xf0, peerId.length), createdAt: 70, ...over }
}

function pending (groupId: string, epochNumber: number, receivedAt: number): Write {
  return { kind: 'pending', groupId, epoch: epochNumber, peerId: 'bob-phone', frame: bytes(epochNumber, receivedAt), receivedAt }
}

/** The one contract every Store keeps. `open` opens this test's database, again if called again. */
function describeStore (name: string, open: () => Promise<Store>): void {
  describe(name, () => {
    let opened: Store[] = []
    let store: Store
    const reopen = async (): Promise<Store> => {
      const s = await open()
      opened.push(s)
      return s
    }

    beforeEach(async () => {
      opened = []
      store = await reopen()
    })
    afterEach(async () => {
      for (const s of opened) await s.close()
    })

    it('returns undefined for unknown meta keys and the latest value of known ones', async () => {
      expect(await store.getMeta('identity')).toBeUndefined()
      await store.apply([{ kind: 'meta', key: 'identity', value: secret(1) }])
      await store.apply([{ kind: 'meta', key: 'identity', value: secret(2) }, { kind: 'meta', key: 'other', value: new Uint8Array() }])
      expect(await store.getMeta('identity')).toEqual(secret(2))
      expect(await store.getMeta('other')).toEqual(new Uint8Array())
    })

    it('updates a contact but keeps when it was first added', async () => {
      await store.apply([{ kind: 'contact', row: contact('id-bob', 'bob') }])
      await store.apply([{ kind: 'contact', row: contact('id-bob', 'bobby', { displayName: 'Bob B', verified: true, createdAt: 9_999 }) }])
      expect(await store.getContact('id-bob')).toEqual(contact('id-bob', 'bobby', { displayName: 'Bob B', verified: true, createdAt: 1_000 }))
      expect(await store.getContact('id-nobody')).toBeUndefined()
    })

    it('finds a contact by alias ignoring ASCII case, and lists contacts by alias ignoring case', async () => {
      await store.apply([
        { kind: 'contact', row: contact('id-c', 'carol') },
        { kind: 'contact', row: contact('id-a', 'Alice') },
        { kind: 'contact', row: contact('id-b', 'bob') }
      ])
      expect((await store.findContactByAlias('ALICE'))?.identity).toBe('id-a')
      expect((await store.findContactByAlias('Bob'))?.identity).toBe('id-b')
      expect(await store.findContactByAlias('dave')).toBeUndefined()
      expect((await store.listContacts()).map((c) => c.alias)).toEqual(['Alice', 'bob', 'carol'])
    })

    it('keeps a device per peer id with its addresses, and finds an account\'s devices', async () => {
      await store.apply([
        { kind: 'device', row: device('p1', 'id-bob') },
        { kind: 'device', row: device('p2', 'id-bob', { addrs: [] }) },
        { kind: 'device', row: device('p3', 'id-carol') }
      ])
      await store.apply([{ kind: 'device', row: device('p1', 'id-bob', { addrs: ['/dns4/a/tcp/1', '/dns4/b/tcp/2'], certificate: bytes(4), updatedAt: 6 }) }])
      expect(await store.getDevice('p1')).toEqual(device('p1', 'id-bob', { addrs: ['/dns4/a/tcp/1', '/dns4/b/tcp/2'], certificate: bytes(4), updatedAt: 6 }))
      expect(await store.getDevice('p9')).toBeUndefined()
      expect((await store.devicesOf('id-bob')).map((d) => d.peerId).sort()).toEqual(['p1', 'p2'])
      expect((await store.devicesOf('id-nobody'))).toEqual([])
      expect((await store.listDevices()).map((d) => d.peerId).sort()).toEqual(['p1', 'p2', 'p3'])
      await store.apply([{ kind: 'device-drop', peerId: 'p2' }, { kind: 'device-drop', peerId: 'p9' }])
      expect(await store.getDevice('p2')).toBeUndefined()
      expect((await store.devicesOf('id-bob')).map((d) => d.peerId)).toEqual(['p1'])
    })

    it('round-trips a group; an update keeps createdAt and the last 64 losers', async () => {
      await store.apply([{ kind: 'group', row: group('g1') }])
      expect(await store.getGroup('g1')).toEqual(group('g1'))
      const losers = Array.from({ length: 70 }, (_, i) => `loser-${i}`)
      const update = group('g1', { state: secret(0x54), epoch: 4, lamport: 11, active: false, losers, createdAt: 999, kind: 'direct', peerIdentity: 'id-bob' })
      await store.apply([{ kind: 'group', row: update }])
      expect(await store.getGroup('g1')).toEqual({ ...update, losers: losers.slice(-64), createdAt: 100 })
      expect(await store.getGroup('g2')).toBeUndefined()
    })

    it('moves a group\'s clocks and name with group-clock, keeps its state, and ignores an unknown group', async () => {
      await store.apply([{ kind: 'group', row: group('g1') }])
      await store.apply([{ kind: 'group-clock', id: 'g1', lamport: 42, ownSeq: 9, name: 'Renamed' }, { kind: 'group-clock', id: 'nope', lamport: 1, ownSeq: 0, name: 'x' }])
      expect(await store.getGroup('g1')).toEqual(group('g1', { lamport: 42, ownSeq: 9, name: 'Renamed' }))
      expect((await store.findGroupsByName('renamed')).map((g) => g.id)).toEqual(['g1'])
      expect(await store.getGroup('nope')).toBeUndefined()
    })

    it('finds groups by name ignoring case and 1:1 chats, and lists groups by creation', async () => {
      await store.apply([
        { kind: 'group', row: group('g-late', { name: 'Team', createdAt: 300 }) },
        { kind: 'group', row: group('g-early', { name: 'other', createdAt: 100 }) },
        { kind: 'group', row: group('d-bob', { name: 'team', kind: 'direct', peerIdentity: 'id-bob', createdAt: 200 }) }
      ])
      expect((await store.findGroupsByName('TEAM')).map((g) => g.id)).toEqual(['g-late'])
      expect(await store.findGroupsByName('nobody')).toEqual([])
      expect((await store.listGroups()).map((g) => g.id)).toEqual(['g-early', 'd-bob', 'g-late'])
    })

    it('lists a group\'s epochs in order and replaces one written again', async () => {
      await store.apply([epoch('g1', 5), epoch('g1', 2), epoch('g2', 1)].map((row) => ({ kind: 'epoch', row })))
      await store.apply([{ kind: 'epoch', row: epoch('g1', 5, { intent: 'add bob', stateBefore: secret(0x77) }) }])
      expect(await store.listEpochs('g1')).toEqual([epoch('g1', 2), epoch('g1', 5, { intent: 'add bob', stateBefore: secret(0x77) })])
      expect(await store.getEpoch('g1', 2)).toEqual(epoch('g1', 2))
      expect(await store.getEpoch('g1', 3)).toBeUndefined()
      expect(await store.listEpochs('g3')).toEqual([])
    })

    it('drops a group\'s epochs from the one given on, and prunes those below another', async () => {
      const rows = [1, 2, 3, 4, 5].flatMap((n) => [epoch('g1', n), epoch('g2', n)])
      await store.apply(rows.map((row) => ({ kind: 'epoch', row })))
      await store.apply([{ kind: 'drop-epochs', groupId: 'g1', fromEpoch: 4 }])
      expect((await store.listEpochs('g1')).map((e) => e.epoch)).toEqual([1, 2, 3])
      await store.apply([{ kind: 'prune-epochs', groupId: 'g1', belowEpoch: 2 }])
      expect((await store.listEpochs('g1')).map((e) => e.epoch)).toEqual([2, 3])
      expect((await store.listEpochs('g2')).map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5])
    })

    it('stores a message id once: a second message with that id is ignored', async () => {
      await store.apply([{ kind: 'message', row: message('m1') }])
      await store.apply([{ kind: 'message', row: message('m1', { text: 'impostor', lamport: 99 }) }])
      expect(await store.getMessage('m1')).toEqual({ ...message('m1'), acknowledged: 0, stored: 0 })
      expect(await store.getMessage('m2')).toBeUndefined()
      expect(await store.hasMessage('m1')).toBe(true)
      expect(await store.hasMessage('m2')).toBe(false)
    })

    it('lists the last `limit` messages by lamport, sender and id, oldest first', async () => {
      const rows = [
        message('m-c', { lamport: 2, senderIdentity: 'bob' }),
        message('m-a', { lamport: 1, senderIdentity: 'carol' }),
        message('m-e', { lamport: 3, senderIdentity: 'alice' }),
        message('m-b', { lamport: 2, senderIdentity: 'alice' }),
        message('m-d', { lamport: 2, senderIdentity: 'bob' }),
        message('other-group', { lamport: 9, groupId: 'g2' })
      ]
      await store.apply(rows.map((row) => ({ kind: 'message', row })))
      const ids = async (limit?: number): Promise<string[]> => (await store.listMessages('g1', limit)).map((m) => m.id)
      expect(await ids()).toEqual(['m-a', 'm-b', 'm-c', 'm-d', 'm-e'])
      expect(await ids(3)).toEqual(['m-c', 'm-d', 'm-e'])
      expect(await ids(1)).toEqual(['m-e'])
      expect(await ids(0)).toEqual([])
      expect(await ids(-1)).toEqual(['m-a', 'm-b', 'm-c', 'm-d', 'm-e'])
      expect(await store.listMessages('g3')).toEqual([])
      expect((await store.listMessages('g1', 1))[0]).toEqual({ ...message('m-e', { lamport: 3, senderIdentity: 'alice' }), acknowledged: 0, stored: 0 })
    })

    it('finds text and edit rows by a case-insensitive substring, newest first', async () => {
      await store.apply([
        message('s1', { text: 'Picnic on SATURDAY', receivedAt: 1 }),
        message('s2', { text: 'Ünïcode Straße', receivedAt: 2, groupId: 'g2' }),
        message('s3', { kind: 'edit', text: 'saturday it is', target: 's1', receivedAt: 3 }),
        message('s4', { kind: 'reaction', text: 'saturday', target: 's1', receivedAt: 4 }),
        message('s5', { text: 'nothing here', receivedAt: 5 })
      ].map((row) => ({ kind: 'message' as const, row })))
      expect((await store.findTextRows('saturday', 10)).map((m) => m.id)).toEqual(['s3', 's1'])
      expect((await store.findTextRows('SATURDAY', 1)).map((m) => m.id)).toEqual(['s3'])
      expect((await store.findTextRows('ünïcode straße', 10)).map((m) => m.id)).toEqual(['s2'])
      expect(await store.findTextRows('absent', 10)).toEqual([])
    })

    it('marks a message for re-sending with message-resend', async () => {
      await store.apply([{ kind: 'message', row: message('m1', { own: true, recipients: 2 }) }])
      await store.apply([{ kind: 'message-resend', id: 'm1', needsSend: true, recipients: 5, epoch: 7 }, { kind: 'message-resend', id: 'nope', needsSend: true, recipients: 1, epoch: 1 }])
      expect(await store.getMessage('m1')).toEqual({ ...message('m1', { own: true, recipients: 5, needsSend: true, epoch: 7 }), acknowledged: 0, stored: 0 })
      expect(await store.getMessage('nope')).toBeUndefined()
    })

    it('rewrites the body of a call row with call-row, and of no other kind of row', async () => {
      await store.apply([
        { kind: 'message', row: message('c1', { kind: 'call', text: '{"outcome":"missed"}' }) },
        { kind: 'message', row: message('t1', { text: 'plain text' }) }
      ])
      await store.apply([
        { kind: 'call-row', id: 'c1', text: '{"outcome":"answered"}' },
        { kind: 'call-row', id: 't1', text: 'rewritten' },
        { kind: 'call-row', id: 'nope', text: 'x' }
      ])
      expect(await store.getMessage('c1')).toEqual({ ...message('c1', { kind: 'call', text: '{"outcome":"answered"}' }), acknowledged: 0, stored: 0 })
      expect((await store.getMessage('t1'))?.text).toBe('plain text')
      expect(await store.getMessage('nope')).toBeUndefined()
    })

    it('lists own messages waiting to be sent, and own messages since an epoch, by seq', async () => {
      await store.apply([
        message('own-3', { own: true, needsSend: true, seq: 3, epoch: 5 }),
        message('own-1', { own: true, needsSend: true, seq: 1, epoch: 6 }),
        message('own-2', { own: true, needsSend: false, seq: 2, epoch: 4 }),
        message('theirs', { own: false, needsSend: true, seq: 1, epoch: 9 }),
        message('own-elsewhere', { own: true, needsSend: true, seq: 1, epoch: 9, groupId: 'g2' })
      ].map((row) => ({ kind: 'message', row })))
      expect((await store.messagesToSend('g1')).map((m) => m.id)).toEqual(['own-1', 'own-3'])
      expect((await store.ownMessagesSince('g1', 5)).map((m) => m.id)).toEqual(['own-1', 'own-3'])
      expect((await store.ownMessagesSince('g1', 0)).map((m) => m.id)).toEqual(['own-1', 'own-2', 'own-3'])
      expect(await store.ownMessagesSince('g1', 7)).toEqual([])
      // toMatchObject: SQLite's rows here also carry `acknowledged: 0`, which MessageRow does not promise.
      expect((await store.messagesToSend('g1'))[0]).toMatchObject(message('own-1', { own: true, needsSend: true, seq: 1, epoch: 6 }))
    })

    it('reports the highest seq seen from a device in a group, or 0', async () => {
      await store.apply([
        message('a', { seq: 2 }), message('b', { seq: 7 }), message('c', { seq: 5 }),
        message('d', { seq: 50, senderDevice: 'bob-laptop' }), message('e', { seq: 60, groupId: 'g2' })
      ].map((row) => ({ kind: 'message', row })))
      expect(await store.lastSeq('g1', 'bob-phone')).toBe(7)
      expect(await store.lastSeq('g1', 'bob-laptop')).toBe(50)
      expect(await store.lastSeq('g1', 'carol-phone')).toBe(0)
      expect(await store.lastSeq('g9', 'bob-phone')).toBe(0)
    })

    it('gives outbox rows increasing ids that are never reused, and pages them by peer', async () => {
      await store.apply([outbox('p1', 'm1'), outbox('p2', 'm1'), outbox('p1', null, { frame: bytes(1, 2, 3) })])
      await store.apply([outbox('p1', 'm2', { groupId: 'g2', createdAt: 71 })])
      const p1 = await store.listOutbox('p1', 0, 10)
      expect(p1.map((r) => r.messageId)).toEqual(['m1', null, 'm2'])
      const ids = p1.map((r) => r.id)
      expect([...ids].sort((a, b) => a - b)).toEqual(ids)
      expect(new Set(ids).size).toBe(3)
      expect(p1[2]).toEqual({ id: ids[2], peerId: 'p1', groupId: 'g2', messageId: 'm2', frame: bytes(0xf0, 2), createdAt: 71 })
      expect(p1[1]?.frame).toEqual(bytes(1, 2, 3))
      expect((await store.listOutbox('p1', ids[0] ?? 0, 10)).map((r) => r.id)).toEqual(ids.slice(1))
      expect((await store.listOutbox('p1', 0, 2)).map((r) => r.id)).toEqual(ids.slice(0, 2))
      expect((await store.listOutbox('p1', ids[0] ?? 0, 1)).map((r) => r.id)).toEqual([ids[1]])
      expect(await store.listOutbox('p1', 0, 0)).toEqual([])
      expect((await store.listOutbox('p1', 0, -1)).map((r) => r.id)).toEqual(ids)
      expect(await store.listOutbox('p1', ids[2] ?? 0, 10)).toEqual([])
      expect(await store.listOutbox('p3', 0, 10)).toEqual([])

      const last = ids[2] ?? 0
      await store.apply([{ kind: 'outbox-done', id: last, receipt: false }])
      await store.apply([outbox('p1', 'm3')])
      const next = (await store.listOutbox('p1', 0, 10)).map((r) => r.id)
      expect(next).toHaveLength(3)
      expect(next[2]).toBeGreaterThan(last)
    })

    it('returns the ids its outbox writes got, in write order, and nothing for other writes', async () => {
      const first = await store.apply([outbox('p1', 'm1'), { kind: 'meta', key: 'k', value: bytes(1) }, outbox('p2', 'm1')])
      const second = await store.apply([outbox('p1', 'm2')])
      expect(first).toHaveLength(2)
      expect(second).toHaveLength(1)
      expect((await store.listOutbox('p1', 0, 10)).map((r) => r.id)).toEqual([first[0], second[0]])
      expect((await store.listOutbox('p2', 0, 10)).map((r) => r.id)).toEqual([first[1]])
      expect(await store.apply([{ kind: 'meta', key: 'k', value: bytes(2) }])).toEqual([])
      expect(await store.apply([])).toEqual([])
    })

    it('lists each peer with queued frames once', async () => {
      expect(await store.outboxPeers()).toEqual([])
      await store.apply([outbox('p2', 'm1'), outbox('p1', 'm1'), outbox('p2', 'm2'), outbox('p3', null)])
      expect((await store.outboxPeers()).sort()).toEqual(['p1', 'p2', 'p3'])
      const p3 = await store.listOutbox('p3', 0, 10)
      await store.apply([{ kind: 'outbox-done', id: p3[0]?.id ?? -1, receipt: true }])
      expect((await store.outboxPeers()).sort()).toEqual(['p1', 'p2'])
    })

    it('counts a message as acknowledged by each device whose frame was settled with a receipt', async () => {
      await store.apply([{ kind: 'message', row: message('m1', { own: true, recipients: 3 }) }, outbox('p1', 'm1'), outbox('p2', 'm1'), outbox('p3', 'm1')])
      const id = async (peer: string): Promise<number> => (await store.listOutbox(peer, 0, 1))[0]?.id ?? -1
      await store.apply([{ kind: 'outbox-done', id: await id('p1'), receipt: true }])
      expect((await store.getMessage('m1'))?.acknowledged).toBe(1)
      await store.apply([{ kind: 'outbox-done', id: await id('p2'), receipt: false }])
      expect((await store.getMessage('m1'))?.acknowledged).toBe(1)
      expect((await store.listMessages('g1'))[0]?.acknowledged).toBe(1)
      expect(await store.listOutbox('p1', 0, 10)).toEqual([])
      expect(await store.listOutbox('p2', 0, 10)).toEqual([])

      // A second frame of the same message to the same device does not count twice.
      await store.apply([outbox('p1', 'm1')])
      await store.apply([{ kind: 'outbox-done', id: await id('p1'), receipt: true }, { kind: 'outbox-done', id: await id('p3'), receipt: true }])
      expect((await store.getMessage('m1'))?.acknowledged).toBe(2)
      // Settling a row that is already gone changes nothing.
      await store.apply([{ kind: 'outbox-done', id: 123_456, receipt: true }])
      expect((await store.getMessage('m1'))?.acknowledged).toBe(2)
    })

    it('counts a message as stored for each device whose queued frame a mailbox holds, until it acknowledges', async () => {
      await store.apply([{ kind: 'message', row: message('m1', { own: true, recipients: 2 }) }, outbox('p1', 'm1'), outbox('p2', 'm1')])
      const id = async (peer: string): Promise<number> => (await store.listOutbox(peer, 0, 1))[0]?.id ?? -1
      await store.apply([{ kind: 'outbox-deposited', ids: [await id('p1'), await id('p2')] }])
      expect(await store.getMessage('m1')).toMatchObject({ acknowledged: 0, stored: 2 })
      expect((await store.listMessages('g1'))[0]).toMatchObject({ acknowledged: 0, stored: 2 })
      // The frames stay queued for the devices themselves.
      expect((await store.listOutbox('p1', 0, 10)).map((r) => r.messageId)).toEqual(['m1'])
      await store.apply([{ kind: 'outbox-done', id: await id('p1'), receipt: true }])
      expect(await store.getMessage('m1')).toMatchObject({ acknowledged: 1, stored: 1 })
      // Marking a row that is gone changes nothing.
      await store.apply([{ kind: 'outbox-deposited', ids: [987_654] }])
      expect(await store.getMessage('m1')).toMatchObject({ acknowledged: 1, stored: 1 })
    })

    it('settles a frame that carries no message without a receipt', async () => {
      await store.apply([{ kind: 'message', row: message('m1', { own: true }) }, outbox('p1', null)])
      const [row] = await store.listOutbox('p1', 0, 10)
      await store.apply([{ kind: 'outbox-done', id: row?.id ?? -1, receipt: true }])
      expect(await store.listOutbox('p1', 0, 10)).toEqual([])
      expect((await store.getMessage('m1'))?.acknowledged).toBe(0)
    })

    it('drops a message\'s queued frames and receipts with outbox-drop-message', async () => {
      await store.apply([
        { kind: 'message', row: message('m1', { own: true }) }, { kind: 'message', row: message('m2', { own: true }) },
        outbox('p1', 'm1'), outbox('p2', 'm1'), outbox('p3', 'm1'), outbox('p1', 'm2'), outbox('p2', 'm2')
      ])
      const first = async (peer: string): Promise<number> => (await store.listOutbox(peer, 0, 1))[0]?.id ?? -1
      await store.apply([{ kind: 'outbox-done', id: await first('p3'), receipt: true }])
      await store.apply([{ kind: 'outbox-done', id: await first('p2'), receipt: true }])
      expect((await store.getMessage('m1'))?.acknowledged).toBe(2)
      await store.apply([{ kind: 'outbox-drop-message', messageId: 'm1' }])
      expect((await store.getMessage('m1'))?.acknowledged).toBe(0)
      expect((await store.listOutbox('p1', 0, 10)).map((r) => r.messageId)).toEqual(['m2'])
      expect((await store.listOutbox('p2', 0, 10)).map((r) => r.messageId)).toEqual(['m2'])
      expect(await store.getMessage('m1')).toBeDefined()
    })

    it('remembers seen hashes; recording one twice is harmless', async () => {
      expect(await store.hasSeen('h1')).toBe(false)
      await store.apply([{ kind: 'seen', hash: 'h1', at: 1 }])
      await store.apply([{ kind: 'seen', hash: 'h1', at: 2 }, { kind: 'seen', hash: 'h2', at: 2 }])
      expect(await store.hasSeen('h1')).toBe(true)
      expect(await store.hasSeen('h2')).toBe(true)
      expect(await store.hasSeen('h3')).toBe(false)
    })

    it('holds pending frames by epoch then arrival, counts them, and names the oldest', async () => {
      expect(await store.countPending()).toBe(0)
      expect(await store.oldestPending(10)).toEqual([])
      await store.apply([pending('g1', 5, 1), pending('g2', 1, 2), pending('g1', 4, 3), pending('g1', 5, 4)])
      const g1 = await store.listPending('g1')
      expect(g1.map((p) => [p.epoch, p.receivedAt])).toEqual([[4, 3], [5, 1], [5, 4]])
      expect(g1[1]).toEqual({ id: g1[1]?.id, groupId: 'g1', epoch: 5, peerId: 'bob-phone', frame: bytes(5, 1), receivedAt: 1 })
      expect(await store.countPending()).toBe(4)
      const oldest = await store.oldestPending(2)
      expect(oldest).toHaveLength(2)
      const all = [...g1, ...await store.listPending('g2')].sort((a, b) => a.id - b.id)
      expect(all.map((p) => p.receivedAt)).toEqual([1, 2, 3, 4])
      expect(oldest).toEqual(all.slice(0, 2).map((p) => p.id))
      expect(await store.oldestPending(0)).toEqual([])

      await store.apply(oldest.map((id) => ({ kind: 'pending-done', id })))
      expect(await store.countPending()).toBe(2)
      expect((await store.listPending('g1')).map((p) => p.receivedAt)).toEqual([3, 4])
      expect(await store.listPending('g2')).toEqual([])
    })

    it('keeps key packages by creation until used; the same ref written again replaces one', async () => {
      await store.apply([{ kind: 'key-package', row: keyPackage('kp-b', 20) }, { kind: 'key-package', row: keyPackage('kp-a', 10) }, { kind: 'key-package', row: keyPackage('kp-c', 30) }])
      expect(await store.listKeyPackages()).toEqual([keyPackage('kp-a', 10), keyPackage('kp-b', 20), keyPackage('kp-c', 30)])
      await store.apply([{ kind: 'key-package-used', ref: 'kp-b' }, { kind: 'key-package', row: { ...keyPackage('kp-a', 40), hpkePrivateKey: secret(0x01) } }])
      expect(await store.listKeyPackages()).toEqual([keyPackage('kp-c', 30), { ...keyPackage('kp-a', 40), hpkePrivateKey: secret(0x01) }])
    })

    it('applies an empty batch as a no-op', async () => {
      await store.apply([])
      expect(await store.countPending()).toBe(0)
    })

    it('applies a batch whole or not at all: a failing write undoes the writes before it', async () => {
      await store.apply([{ kind: 'contact', row: contact('id-bob', 'bob') }])
      const batch: Write[] = [
        { kind: 'meta', key: 'k', value: secret(1) },
        { kind: 'group', row: group('g1') },
        { kind: 'epoch', row: epoch('g1', 1) },
        { kind: 'message', row: message('m1') },
        outbox('p1', 'm1'),
        pending('g1', 1, 1),
        { kind: 'seen', hash: 'h', at: 1 },
        { kind: 'key-package', row: keyPackage('kp', 1) },
        { kind: 'contact', row: contact('id-bob', 'robert') },
        // Aliases are unique: this one is taken by id-bob, as the batch left it.
        { kind: 'contact', row: contact('id-eve', 'robert') }
      ]
      await expect(store.apply(batch)).rejects.toThrow()
      expect(await store.getMeta('k')).toBeUndefined()
      expect(await store.getGroup('g1')).toBeUndefined()
      expect(await store.listEpochs('g1')).toEqual([])
      expect(await store.getMessage('m1')).toBeUndefined()
      expect(await store.outboxPeers()).toEqual([])
      expect(await store.countPending()).toBe(0)
      expect(await store.hasSeen('h')).toBe(false)
      expect(await store.listKeyPackages()).toEqual([])
      expect((await store.listContacts()).map((c) => [c.identity, c.alias])).toEqual([['id-bob', 'bob']])

      // The store is still usable afterwards.
      await store.apply([{ kind: 'meta', key: 'k', value: secret(2) }])
      expect(await store.getMeta('k')).toEqual(secret(2))
    })

    it('applies the writes of one batch to one record in order, whatever the other stores do meanwhile', async () => {
      const ids = await store.apply([
        outbox('p1', 'm1'),
        { kind: 'group', row: group('g1') },
        { kind: 'message', row: message('m1', { text: 'first' }) },
        { kind: 'group-clock', id: 'g1', lamport: 20, ownSeq: 5, name: 'one' },
        { kind: 'seen', hash: 'h', at: 1 },
        { kind: 'message', row: message('m1', { text: 'second' }) },
        outbox('p1', 'm2'),
        { kind: 'group-clock', id: 'g1', lamport: 30, ownSeq: 6, name: 'two' },
        outbox('p1', 'm3')
      ])
      expect(await store.getGroup('g1')).toEqual(group('g1', { lamport: 30, ownSeq: 6, name: 'two' }))
      expect((await store.getMessage('m1'))?.text).toBe('first')
      expect(ids).toHaveLength(3)
      expect(ids[0]! < ids[1]! && ids[1]! < ids[2]!).toBe(true)
      expect((await store.listOutbox('p1', 0, 10)).map((r) => [r.id, r.messageId])).toEqual([[ids[0], 'm1'], [ids[1], 'm2'], [ids[2], 'm3']])
    })

    it('applies batches in call order, even when the first has more to seal', async () => {
      const first = store.apply([{ kind: 'group', row: group('g1', { state: new Uint8Array(1 << 20).fill(1) }) }, { kind: 'meta', key: 'k', value: secret(1) }])
      const second = store.apply([{ kind: 'group-clock', id: 'g1', lamport: 77, ownSeq: 0, name: 'later' }])
      await Promise.all([first, second])
      expect((await store.getGroup('g1'))?.lamport).toBe(77)
    })

    it('reads a staged batch at once and lists its frames once durable() resolves', async () => {
      const ids = await store.stage([{ kind: 'message', row: message('m1') }, outbox('p1', 'm1'), { kind: 'seen', hash: 'h', at: 1 }])
      expect(ids).toHaveLength(1)
      expect(await store.hasSeen('h')).toBe(true)
      expect((await store.getMessage('m1'))?.text).toBe(message('m1').text)
      await store.durable()
      expect((await store.listOutbox('p1', 0, 10)).map((r) => r.id)).toEqual(ids)
    })

    it('undoes a failing staged batch alone: the batches staged around it stay', async () => {
      await store.stage([{ kind: 'contact', row: contact('id-bob', 'bob') }])
      await expect(store.stage([{ kind: 'meta', key: 'k', value: secret(1) }, { kind: 'contact', row: contact('id-eve', 'bob') }])).rejects.toThrow()
      await store.stage([{ kind: 'seen', hash: 'after', at: 1 }])
      await store.durable()
      expect(await store.getMeta('k')).toBeUndefined()
      expect((await store.listContacts()).map((c) => c.identity)).toEqual(['id-bob'])
      expect(await store.hasSeen('after')).toBe(true)
    })

    it('keeps staged batches across close and reopen', async () => {
      await store.stage([{ kind: 'message', row: message('m1') }])
      await store.close()
      const again = await reopen()
      expect(await again.getMessage('m1')).toBeDefined()
    })

    it('keeps everything written across close and reopen', async () => {
      await store.apply([
        { kind: 'meta', key: 'identity', value: secret(9) },
        { kind: 'contact', row: contact('id-bob', 'bob') },
        { kind: 'device', row: device('p1', 'id-bob') },
        { kind: 'group', row: group('g1') },
        { kind: 'epoch', row: epoch('g1', 2) },
        { kind: 'message', row: message('m1', { own: true }) },
        outbox('p1', 'm1'),
        pending('g1', 4, 1),
        { kind: 'seen', hash: 'h', at: 1 },
        { kind: 'key-package', row: keyPackage('kp', 1) }
      ])
      const [queued] = await store.listOutbox('p1', 0, 10)
      await store.close()

      const again = await reopen()
      expect(await again.getMeta('identity')).toEqual(secret(9))
      expect(await again.getContact('id-bob')).toEqual(contact('id-bob', 'bob'))
      expect(await again.getDevice('p1')).toEqual(device('p1', 'id-bob'))
      expect(await again.getGroup('g1')).toEqual(group('g1'))
      expect(await again.getEpoch('g1', 2)).toEqual(epoch('g1', 2))
      expect(await again.getMessage('m1')).toEqual({ ...message('m1', { own: true }), acknowledged: 0, stored: 0 })
      expect(await again.listOutbox('p1', 0, 10)).toEqual([queued])
      expect(await again.countPending()).toBe(1)
      expect(await again.hasSeen('h')).toBe(true)
      expect(await again.listKeyPackages()).toEqual([keyPackage('kp', 1)])
      await again.apply([outbox('p1', 'm1')])
      expect((await again.listOutbox('p1', 0, 10))[1]?.id).toBeGreaterThan(queued?.id ?? Infinity)
    })
  })
}

describe('SqliteStore', () => {
  let dir = ''
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'kith-store-')) })
  afterEach(() => { rmSync(dir, { recursive: true, force: true }) })
  describeStore('Store contract', async () => new SqliteStore(join(dir, 'kith.db')))

  it('upgrades a store written before outbox rows remembered mailbox copies, keeping its queue', async () => {
    const file = join(dir, 'kith.db')
    const old = new DatabaseSync(file)
    old.exec(`CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, peer_id TEXT NOT NULL, group_id TEXT NOT NULL,
      message_id TEXT, frame BLOB NOT NULL, created_at INTEGER NOT NULL); PRAGMA user_version = 1;`)
    old.prepare('INSERT INTO outbox (peer_id, group_id, message_id, frame, created_at) VALUES (?, ?, ?, ?, ?)').run('p1', 'g1', 'm1', new Uint8Array([1]), 5)
    old.close()
    const store = new SqliteStore(file)
    try {
      await store.apply([{ kind: 'message', row: message('m1', { own: true, recipients: 1 }) }])
      const [row] = await store.listOutbox('p1', 0, 10)
      expect(row?.messageId).toBe('m1')
      await store.apply([{ kind: 'outbox-deposited', ids: [row!.id] }])
      expect(await store.getMessage('m1')).toMatchObject({ stored: 1 })
    } finally {
      await store.close()
    }
  })

  describe('group commit', () => {
    let store: SqliteStore
    /** Another connection to the same file: it sees only what was committed. */
    let other: DatabaseSync
    beforeEach(() => {
      store = new SqliteStore(join(dir, 'kith.db'))
      other = new DatabaseSync(join(dir, 'kith.db'))
    })
    afterEach(async () => {
      other.close()
      await store.close()
    })
    const committedMessages = (): number => Number((other.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n)

    it('commits the batches staged while one piece of I/O is handled together, once it has been', async () => {
      await store.stage([{ kind: 'message', row: message('m1') }, outbox('p1', 'm1')])
      await store.stage([{ kind: 'message', row: message('m2') }, outbox('p1', 'm2')])
      expect(committedMessages()).toBe(0)
      // Not durable, so not for the network yet.
      expect(await store.listOutbox('p1', 0, 10)).toEqual([])
      await store.durable()
      expect(committedMessages()).toBe(2)
      expect(await store.listOutbox('p1', 0, 10)).toHaveLength(2)
    })

    it('makes the batches staged before it durable when a batch is applied', async () => {
      await store.stage([{ kind: 'message', row: message('m1') }])
      await store.apply([{ kind: 'message', row: message('m2') }])
      expect(committedMessages()).toBe(2)
    })

    it('rejects durable() when the commit fails, and refuses writes afterwards', async () => {
      // A deferred foreign key is checked at COMMIT: a real commit failure.
      other.exec('CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)')
      await store.stage([{ kind: 'message', row: message('m1') }])
      ;(store as unknown as { db: DatabaseSync }).db.exec('INSERT INTO child (p) VALUES (42)')
      await expect(store.durable()).rejects.toThrow(/could not commit.*restart/)
      await expect(store.stage([{ kind: 'message', row: message('m2') }])).rejects.toThrow(/could not commit/)
      await expect(store.apply([{ kind: 'message', row: message('m3') }])).rejects.toThrow(/could not commit/)
      expect(committedMessages()).toBe(0)
      expect(await store.getMessage('m1')).toBeUndefined()
    })
  })

  it('folds the log into the database after a burst of commits, never inside one', async () => {
    const path = join(dir, 'kith.db')
    const store = new SqliteStore(path)
    const before = statSync(path).size
    for (let i = 0; i < CHECKPOINT_COMMITS; i++) await store.apply([{ kind: 'meta', key: `k${i}`, value: new Uint8Array(1024).fill(i % 256) }])
    // Every commit sits in the write-ahead log: none stopped to copy pages into the database.
    expect(statSync(path).size).toBe(before)
    // Once the I/O at hand has been handled, the burst is folded in.
    await new Promise((resolve) => setImmediate(resolve))
    expect(statSync(path).size).toBeGreaterThan(before + CHECKPOINT_COMMITS * 1024)
    await store.close()
    const reopened = new SqliteStore(path)
    expect(await reopened.getMeta(`k${CHECKPOINT_COMMITS - 1}`)).toEqual(new Uint8Array(1024).fill((CHECKPOINT_COMMITS - 1) % 256))
    await reopened.close()
  })
})

describe('IndexedDbStore', () => {
  const name = 'kith'
  let factory: IDBFactory
  beforeEach(() => { factory = new IDBFactory() })
  describeStore('Store contract', async () => await IndexedDbStore.open(name, { factory }))

  describe('group records in memory', () => {
    let store: IndexedDbStore
    beforeEach(async () => { store = await IndexedDbStore.open(name, { factory }) })
    afterEach(async () => {
      vi.restoreAllMocks()
      await store.close()
    })
    const failing: Write[] = [
      { kind: 'contact', row: contact('id-bob', 'robert') },
      { kind: 'contact', row: contact('id-eve', 'robert') }
    ]

    it('moves a group\'s clock without reading the group first once it has written it', async () => {
      await store.apply([{ kind: 'group', row: group('g1') }])
      const gets = vi.spyOn(FakeObjectStore.prototype, 'get')
      await store.apply([{ kind: 'group-clock', id: 'g1', lamport: 11, ownSeq: 5, name: 'x' }])
      await store.apply([{ kind: 'group-clock', id: 'g1', lamport: 12, ownSeq: 6, name: 'x' }])
      expect(gets).not.toHaveBeenCalled()
      gets.mockRestore()
      expect(await store.getGroup('g1')).toEqual(group('g1', { lamport: 12, ownSeq: 6, name: 'x' }))
    })

    it('moves the clock of the group a batch still under way writes, keeping that batch\'s state', async () => {
      await store.apply([{ kind: 'group', row: group('g1') }])
      const written = store.apply([{ kind: 'group', row: group('g1', { state: secret(0x77), epoch: 9 }) }])
      const clock = store.apply([{ kind: 'group-clock', id: 'g1', lamport: 50, ownSeq: 7, name: 'after' }])
      await Promise.all([written, clock])
      expect(await store.getGroup('g1')).toEqual(group('g1', { state: secret(0x77), epoch: 9, lamport: 50, ownSeq: 7, name: 'after' }))
    })

    it('never brings back what a failed batch wrote to a group, even from a batch started while it ran', async () => {
      await store.apply([{ kind: 'group', row: group('g1') }])
      const failed = store.apply([{ kind: 'group', row: group('g1', { state: secret(0x77), epoch: 9 }) }, ...failing])
      const clock = store.apply([{ kind: 'group-clock', id: 'g1', lamport: 50, ownSeq: 7, name: 'after' }])
      await expect(failed).rejects.toThrow()
      await clock
      expect(await store.getGroup('g1')).toEqual(group('g1', { lamport: 50, ownSeq: 7, name: 'after' }))
      await store.apply([{ kind: 'group-clock', id: 'g1', lamport: 51, ownSeq: 8, name: 'later' }])
      expect(await store.getGroup('g1')).toEqual(group('g1', { lamport: 51, ownSeq: 8, name: 'later' }))
    })
  })

  describe('message ids in memory', () => {
    let store: IndexedDbStore
    beforeEach(async () => { store = await IndexedDbStore.open(name, { factory }) })
    afterEach(async () => {
      vi.restoreAllMocks()
      await store.close()
    })
    /** Whether `hasMessage(id)` answers, and whether it needed a read transaction to. */
    const ask = async (id: string): Promise<{ has: boolean, read: boolean }> => {
      const transactions = vi.spyOn(FakeDatabase.prototype, 'transaction')
      const has = await store.hasMessage(id)
      const read = transactions.mock.calls.length > 0
      transactions.mockRestore()
      return { has, read }
    }

    it('answers that a message is not stored without reading, once its ids are loaded, and never misses one', async () => {
      await store.apply([{ kind: 'message', row: message('m1') }])
      // The first question starts the load. Written meanwhile: a batch whose transaction starts
      // after the load's, behind a slow seal, and one written once the load is under way.
      const slow = store.apply([{ kind: 'group', row: group('g1', { state: new Uint8Array(1 << 20).fill(1) }) }, { kind: 'message', row: message('m2') }])
      const loading = store.hasMessage('m0')
      const during = store.apply([{ kind: 'message', row: message('m3') }])
      await Promise.all([slow, loading, during])
      await expect.poll(async () => (await ask('unknown')).read).toBe(false)
      expect(await ask('unknown')).toEqual({ has: false, read: false })
      for (const id of ['m1', 'm2', 'm3']) expect(await ask(id)).toEqual({ has: true, read: true })
      await store.apply([{ kind: 'message', row: message('m4') }])
      expect(await ask('m4')).toEqual({ has: true, read: true })
    })

    it('finds messages stored before it was opened', async () => {
      await store.apply(Array.from({ length: 50 }, (_, i) => ({ kind: 'message', row: message(`old-${i}`) }) satisfies Write))
      await store.close()
      store = await IndexedDbStore.open(name, { factory })
      await store.hasMessage('first')
      await expect.poll(async () => (await ask('unknown')).read).toBe(false)
      for (let i = 0; i < 50; i++) expect((await ask(`old-${i}`)).has).toBe(true)
    })
  })

  describe('at rest', () => {
    let store: IndexedDbStore
    let raw: IDBPDatabase | undefined
    beforeEach(async () => { store = await IndexedDbStore.open(name, { factory }) })
    afterEach(async () => {
      raw?.close()
      raw = undefined
      await store.close()
    })
    const openRaw = async (): Promise<IDBPDatabase> => {
      const db = await wrap(factory.open(name))
      if (db === undefined) throw new Error('no database')
      raw = db
      return db
    }
    const contains = (haystack: Uint8Array, needle: Uint8Array): boolean => Buffer.from(haystack).includes(Buffer.from(needle))
    /** IV and tag around a sealed value. */
    const overhead = 12 + 16

    it('stores meta values, MLS states and private keys sealed, never in plaintext', async () => {
      const plain = secret(0x4b)
      await store.apply([
        { kind: 'meta', key: 'identity', value: plain },
        { kind: 'group', row: group('g1') },
        { kind: 'epoch', row: epoch('g1', 2) },
        { kind: 'key-package', row: keyPackage('kp', 1) }
      ])
      const db = await openRaw()
      const meta = (await db.get('meta', 'identity')).value as Uint8Array
      expect(meta).toBeInstanceOf(Uint8Array)
      expect(meta).not.toEqual(plain)
      expect(meta).toHaveLength(plain.length + overhead)
      expect(contains(meta, plain)).toBe(false)

      const state = (await db.get('groups', 'g1')).state as Uint8Array
      expect(state).toHaveLength(group('g1').state.length + overhead)
      expect(contains(state, group('g1').state)).toBe(false)
      expect(contains((await db.get('epochs', ['g1', 2])).stateBefore as Uint8Array, epoch('g1', 2).stateBefore)).toBe(false)
      const kp = await db.get('keyPackages', 'kp')
      expect(contains(kp.initPrivateKey as Uint8Array, keyPackage('kp', 1).initPrivateKey)).toBe(false)
      expect(contains(kp.hpkePrivateKey as Uint8Array, keyPackage('kp', 1).hpkePrivateKey)).toBe(false)
      // Two writes of the same value seal differently (fresh IV).
      await store.apply([{ kind: 'meta', key: 'identity', value: plain }])
      expect((await db.get('meta', 'identity')).value).not.toEqual(meta)
      expect(await store.getMeta('identity')).toEqual(plain)
    })

    it('keeps the sealing key as a non-extractable AES-GCM CryptoKey, the same across reopen', async () => {
      await store.apply([{ kind: 'meta', key: 'identity', value: secret(1) }])
      const db = await openRaw()
      const keys = await db.getAll('keys')
      expect(keys).toHaveLength(1)
      const key = keys[0].key as CryptoKey
      expect(key).toBeInstanceOf(CryptoKey)
      expect(key.extractable).toBe(false)
      expect(key.algorithm).toEqual({ name: 'AES-GCM', length: 256 })
      await store.close()
      store = await IndexedDbStore.open(name, { factory })
      expect(await store.getMeta('identity')).toEqual(secret(1))
      expect(await db.count('keys')).toBe(1)
    })

    it('reports a corrupted sealed value as a CodecError naming the store and key', async () => {
      await store.apply([{ kind: 'meta', key: 'identity', value: secret(1) }, { kind: 'group', row: group('g1') }, { kind: 'epoch', row: epoch('g1', 2) }])
      const db = await openRaw()
      const meta = await db.get('meta', 'identity')
      meta.value[20] ^= 1
      await db.put('meta', meta)
      const g = await db.get('groups', 'g1')
      g.state = g.state.subarray(0, 20)
      await db.put('groups', g)
      const e = await db.get('epochs', ['g1', 2])
      e.stateBefore[e.stateBefore.length - 1] ^= 0x80
      await db.put('epochs', e)

      await expect(store.getMeta('identity')).rejects.toThrow(CodecError)
      await expect(store.getMeta('identity')).rejects.toThrow(/store "meta" at key "identity"/)
      await expect(store.getGroup('g1')).rejects.toThrow(/store "groups" at key "g1": 20 bytes is too short/)
      await expect(store.listGroups()).rejects.toThrow(CodecError)
      await expect(store.getEpoch('g1', 2)).rejects.toThrow(/store "epochs" at key \["g1",2\]/)
    })

    it('refuses a sealed value moved to another record', async () => {
      await store.apply([{ kind: 'meta', key: 'a', value: secret(1) }, { kind: 'meta', key: 'b', value: secret(2) }])
      const db = await openRaw()
      await db.put('meta', { key: 'b', value: (await db.get('meta', 'a')).value })
      await expect(store.getMeta('b')).rejects.toThrow(/cannot unseal field "value" of IndexedDB store "meta" at key "b"/)
      expect(await store.getMeta('a')).toEqual(secret(1))
    })

    it('reports a record of the wrong shape as a CodecError naming the store, key and field', async () => {
      await store.apply([{ kind: 'message', row: message('m1') }, { kind: 'device', row: device('p1', 'id-bob') }])
      const db = await openRaw()
      await db.put('messages', { ...(await db.get('messages', 'm1')), text: 42 })
      await db.put('devices', { ...(await db.get('devices', 'p1')), addrs: '/ip4/1.2.3.4' })
      await expect(store.getMessage('m1')).rejects.toThrow(/store "messages" at key "m1": "text" is not a string/)
      await expect(store.listMessages('g1')).rejects.toThrow(CodecError)
      await expect(store.devicesOf('id-bob')).rejects.toThrow(/store "devices" at key "p1": "addrs" is not a list of strings/)
      // A write that must read the bad record fails whole, leaving the batch unapplied.
      await expect(store.apply([{ kind: 'seen', hash: 'h', at: 1 }, { kind: 'message-resend', id: 'm1', needsSend: true, recipients: 1, epoch: 1 }]))
        .rejects.toThrow(CodecError)
      expect(await store.hasSeen('h')).toBe(false)
    })

    it('refuses a database written by a newer schema with a UsageError', async () => {
      await store.close()
      const newer = await wrap(factory.open('newer', SCHEMA_VERSION + 1))
      newer?.close()
      await expect(IndexedDbStore.open('newer', { factory })).rejects.toThrow(UsageError)
    })

    it('keeps the indexes that keep queries off full scans', async () => {
      const db = await openRaw()
      const tx = db.transaction(['messages', 'outbox', 'pending', 'devices', 'receipts'])
      const keyPath = (storeName: 'messages' | 'outbox' | 'pending' | 'devices', index: string): string | string[] =>
        tx.objectStore(storeName).index(index).keyPath
      expect(keyPath('messages', 'order')).toEqual(['groupId', 'lamport', 'senderIdentity', 'id'])
      expect(keyPath('messages', 'sender')).toEqual(['groupId', 'senderDevice', 'seq'])
      expect(keyPath('outbox', 'peer')).toEqual(['peerId', 'id'])
      expect(keyPath('pending', 'group')).toEqual(['groupId', 'epoch', 'id'])
      expect(keyPath('devices', 'identity')).toBe('identity')
      expect(tx.objectStore('receipts').keyPath).toEqual(['messageId', 'peerId'])
      await tx.done
    })
  })
})
