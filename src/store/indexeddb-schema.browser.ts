/**
 * The IndexedDB schema of the browser store (indexeddb.browser.ts): its object stores and
 * indexes, how rows become records, and how records read back become rows again, checked.
 *
 * Layout, schema version {@link SCHEMA_VERSION}: one object store per SQLite table, keyed by the
 * table's primary key, with an index wherever SQLite has one:
 * - `messages` by `id`; `order` [groupId, lamport, senderIdentity, id] serves `listMessages` with a
 *   reverse cursor, `sender` [groupId, senderDevice, seq] serves `lastSeq`, `toSend`
 *   [groupId, own, needsSend, seq] and `ownByEpoch` [groupId, own, epoch] serve the own-message
 *   queries. IndexedDB keys cannot be booleans, so these three flags are stored as 0 or 1.
 * - `receipts` by [messageId, peerId]; `outbox` by an autoincrement `id`, with `peer` [peerId, id]
 *   and `message` (messageId); `pending` by an autoincrement `id`, with `group` [groupId, epoch, id].
 * - `epochs` by [groupId, epoch]; `contacts` by `identity`, with a unique `alias` and an `aliasFold`
 *   index; `groups` by `id`, with `createdAt` and `nameFold`; `devices` by `peerId`, with `identity`;
 *   `keyPackages` by `ref`, with `createdAt`; `seen` by `hash`; `meta` by `key`.
 * `*Fold` fields hold the value with ASCII letters lowercased, which is what SQLite's NOCASE compares.
 *
 * Every record read back is type-checked; a malformed or unopenable one is a {@link CodecError}
 * naming its store and key.
 */
import type { DBSchema, IDBPDatabase, StoreNames } from 'idb'
import { CodecError } from '../core/errors.ts'
import type { ContactRow, DeviceRow, EpochRow, GroupRow, KeyPackageRow, MessageRow, OutboxRow, PendingRow } from '../core/messenger/store.ts'

/** Bumped, with a step in `upgrade`, whenever stores or indexes change. */
export const SCHEMA_VERSION = 1

/** How many former winners a group remembers, as in SQLite. */
const MAX_LOSERS = 64

type Flag = 0 | 1

/** A message as IndexedDB keeps it: booleans as 0/1, so they can be indexed. */
export interface MessageRecord extends Omit<MessageRow, 'own' | 'needsSend' | 'gap'> {
  readonly own: Flag
  readonly needsSend: Flag
  readonly gap: Flag
}

/** The stored shape of every object store; sealed fields hold IV ‖ ciphertext. */
export interface KithSchema extends DBSchema {
  keys: { key: string, value: { name: string, key: CryptoKey } }
  meta: { key: string, value: { key: string, value: Uint8Array } }
  contacts: { key: string, value: ContactRow & { aliasFold: string }, indexes: { alias: string, aliasFold: string } }
  devices: { key: string, value: DeviceRow, indexes: { identity: string } }
  groups: { key: string, value: GroupRow & { nameFold: string }, indexes: { createdAt: number, nameFold: string } }
  epochs: { key: [string, number], value: EpochRow }
  messages: {
    key: string
    value: MessageRecord
    indexes: { order: [string, number, string, string], sender: [string, string, number], toSend: [string, Flag, Flag, number], ownByEpoch: [string, Flag, number] }
  }
  receipts: { key: [string, string], value: { messageId: string, peerId: string } }
  outbox: { key: number, value: Omit<OutboxRow, 'id'> & { id?: number, deposited?: boolean }, indexes: { peer: [string, number], message: string } }
  seen: { key: string, value: { hash: string, at: number } }
  pending: { key: number, value: Omit<PendingRow, 'id'> & { id?: number }, indexes: { group: [string, number, number] } }
  keyPackages: { key: string, value: KeyPackageRow, indexes: { createdAt: number } }
}

/** The name of one object store. */
export type StoreName = StoreNames<KithSchema>
/** The open Kith database, typed by its schema. */
export type KithDatabase = IDBPDatabase<KithSchema>

const KEY_PATHS: { readonly [S in StoreName]: string | string[] } = {
  keys: 'name',
  meta: 'key',
  contacts: 'identity',
  devices: 'peerId',
  groups: 'id',
  epochs: ['groupId', 'epoch'],
  messages: 'id',
  receipts: ['messageId', 'peerId'],
  outbox: 'id',
  seen: 'hash',
  pending: 'id',
  keyPackages: 'ref'
}

/** Creates the object stores and indexes, or migrates them from `oldVersion`. */
export function upgrade (db: KithDatabase, oldVersion: number): void {
  if (oldVersion < 1) {
    db.createObjectStore('keys', { keyPath: KEY_PATHS.keys })
    db.createObjectStore('meta', { keyPath: KEY_PATHS.meta })
    const contacts = db.createObjectStore('contacts', { keyPath: KEY_PATHS.contacts })
    contacts.createIndex('alias', 'alias', { unique: true })
    contacts.createIndex('aliasFold', 'aliasFold')
    db.createObjectStore('devices', { keyPath: KEY_PATHS.devices }).createIndex('identity', 'identity')
    const groups = db.createObjectStore('groups', { keyPath: KEY_PATHS.groups })
    groups.createIndex('createdAt', 'createdAt')
    groups.createIndex('nameFold', 'nameFold')
    db.createObjectStore('epochs', { keyPath: KEY_PATHS.epochs })
    const messages = db.createObjectStore('messages', { keyPath: KEY_PATHS.messages })
    messages.createIndex('order', ['groupId', 'lamport', 'senderIdentity', 'id'])
    messages.createIndex('sender', ['groupId', 'senderDevice', 'seq'])
    messages.createIndex('toSend', ['groupId', 'own', 'needsSend', 'seq'])
    messages.createIndex('ownByEpoch', ['groupId', 'own', 'epoch'])
    db.createObjectStore('receipts', { keyPath: KEY_PATHS.receipts })
    const outbox = db.createObjectStore('outbox', { keyPath: KEY_PATHS.outbox, autoIncrement: true })
    outbox.createIndex('peer', ['peerId', 'id'])
    outbox.createIndex('message', 'messageId')
    db.createObjectStore('seen', { keyPath: KEY_PATHS.seen })
    db.createObjectStore('pending', { keyPath: KEY_PATHS.pending, autoIncrement: true })
      .createIndex('group', ['groupId', 'epoch', 'id'])
    db.createObjectStore('keyPackages', { keyPath: KEY_PATHS.keyPackages }).createIndex('createdAt', 'createdAt')
  }
}

/** SQLite's NOCASE folds ASCII letters only. */
export function foldCase (text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase())
}

/** A compact copy, so a view into a larger buffer (a Node Buffer slab, a network chunk) is not stored whole. */
export function copyBytes (bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes)
}

// ---------------------------------------------------------------- rows to records

/** A contact row as stored, with its alias case-folded for lookups. */
export function contactRecord (r: ContactRow): KithSchema['contacts']['value'] {
  return { identity: r.identity, alias: r.alias, aliasFold: foldCase(r.alias), displayName: r.displayName, verified: r.verified, createdAt: r.createdAt }
}

/** A device row as stored, with compact copies of its bytes. */
export function deviceRecord (r: DeviceRow): DeviceRow {
  return { peerId: r.peerId, identity: r.identity, certificate: copyBytes(r.certificate), addrs: [...r.addrs], updatedAt: r.updatedAt }
}

/** `r.state` must already be sealed. */
export function groupRecord (r: GroupRow): KithSchema['groups']['value'] {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    nameFold: foldCase(r.name),
    peerIdentity: r.peerIdentity,
    creator: r.creator,
    state: r.state,
    epoch: r.epoch,
    baseEpoch: r.baseEpoch,
    baseParent: copyBytes(r.baseParent),
    tipHash: copyBytes(r.tipHash),
    lamport: r.lamport,
    ownSeq: r.ownSeq,
    active: r.active,
    losers: r.losers.slice(-MAX_LOSERS),
    createdAt: r.createdAt
  }
}

/** `r.stateBefore` must already be sealed. */
export function epochRecord (r: EpochRow): EpochRow {
  return {
    groupId: r.groupId, epoch: r.epoch, stateBefore: r.stateBefore, commitHash: copyBytes(r.commitHash), parentHash: copyBytes(r.parentHash), intent: r.intent
  }
}

/** A message row as stored. */
export function messageRecord (r: MessageRow): MessageRecord {
  return {
    id: r.id,
    groupId: r.groupId,
    senderIdentity: r.senderIdentity,
    senderDevice: r.senderDevice,
    own: r.own ? 1 : 0,
    kind: r.kind,
    text: r.text,
    target: r.target,
    seq: r.seq,
    lamport: r.lamport,
    sentAt: r.sentAt,
    receivedAt: r.receivedAt,
    epoch: r.epoch,
    recipients: r.recipients,
    needsSend: r.needsSend ? 1 : 0,
    gap: r.gap ? 1 : 0
  }
}

/** The private keys must already be sealed. */
export function keyPackageRecord (r: KeyPackageRow): KeyPackageRow {
  return {
    ref: r.ref, publicPackage: copyBytes(r.publicPackage), initPrivateKey: r.initPrivateKey, hpkePrivateKey: r.hpkePrivateKey, createdAt: r.createdAt
  }
}

// ---------------------------------------------------------------- records to rows, checked

/** Type-checks one stored record field by field; a mismatch is a CodecError naming the store and key. */
class Fields {
  private readonly store: StoreName
  private readonly record: Record<string, unknown>

  constructor (store: StoreName, value: unknown) {
    this.store = store
    if (typeof value !== 'object' || value === null) throw new CodecError(`corrupt record in IndexedDB store "${store}": not an object`)
    this.record = value as Record<string, unknown>
  }

  private corrupt (field: string, expected: string): CodecError {
    const path = KEY_PATHS[this.store]
    const key = typeof path === 'string' ? this.record[path] : path.map((p) => this.record[p])
    return new CodecError(`corrupt record in IndexedDB store "${this.store}" at key ${JSON.stringify(key) ?? '?'}: "${field}" is not ${expected}`)
  }

  string (field: string): string {
    const v = this.record[field]
    if (typeof v !== 'string') throw this.corrupt(field, 'a string')
    return v
  }

  nullableString (field: string): string | null {
    const v = this.record[field]
    if (v !== null && typeof v !== 'string') throw this.corrupt(field, 'a string or null')
    return v
  }

  number (field: string): number {
    const v = this.record[field]
    if (typeof v !== 'number' || Number.isNaN(v)) throw this.corrupt(field, 'a number')
    return v
  }

  boolean (field: string): boolean {
    const v = this.record[field]
    if (typeof v !== 'boolean') throw this.corrupt(field, 'a boolean')
    return v
  }

  flag (field: string): boolean {
    const v = this.record[field]
    if (v !== 0 && v !== 1) throw this.corrupt(field, '0 or 1')
    return v === 1
  }

  bytes (field: string): Uint8Array {
    const v = this.record[field]
    if (!(v instanceof Uint8Array)) throw this.corrupt(field, 'bytes')
    return v
  }

  strings (field: string): string[] {
    const v = this.record[field]
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw this.corrupt(field, 'a list of strings')
    return v
  }

  kind (field: string): GroupRow['kind'] {
    const v = this.record[field]
    if (v !== 'direct' && v !== 'group') throw this.corrupt(field, '"direct" or "group"')
    return v
  }

  cryptoKey (field: string): CryptoKey {
    const v = this.record[field]
    if (!(v instanceof CryptoKey) || v.algorithm.name !== 'AES-GCM') throw this.corrupt(field, 'an AES-GCM CryptoKey')
    return v
  }
}

/** A `meta` value as stored: still sealed. */
export function metaValueOf (value: unknown): Uint8Array {
  return new Fields('meta', value).bytes('value')
}

/** The non-extractable key that seals secrets at rest, checked. */
export function sealingKeyOf (value: unknown): CryptoKey {
  return new Fields('keys', value).cryptoKey('key')
}

/** A stored contact, checked field by field. */
export function contactOf (value: unknown): ContactRow {
  const f = new Fields('contacts', value)
  return { identity: f.string('identity'), alias: f.string('alias'), displayName: f.string('displayName'), verified: f.boolean('verified'), createdAt: f.number('createdAt') }
}

/** A stored device, checked field by field. */
export function deviceOf (value: unknown): DeviceRow {
  const f = new Fields('devices', value)
  return { peerId: f.string('peerId'), identity: f.string('identity'), certificate: f.bytes('certificate'), addrs: f.strings('addrs'), updatedAt: f.number('updatedAt') }
}

/** The row as stored: `state` is still sealed. */
export function groupOf (value: unknown): GroupRow {
  const f = new Fields('groups', value)
  return {
    id: f.string('id'),
    kind: f.kind('kind'),
    name: f.string('name'),
    peerIdentity: f.nullableString('peerIdentity'),
    creator: f.string('creator'),
    state: f.bytes('state'),
    epoch: f.number('epoch'),
    baseEpoch: f.number('baseEpoch'),
    baseParent: f.bytes('baseParent'),
    tipHash: f.bytes('tipHash'),
    lamport: f.number('lamport'),
    ownSeq: f.number('ownSeq'),
    active: f.boolean('active'),
    losers: f.strings('losers'),
    createdAt: f.number('createdAt')
  }
}

/** The row as stored: `stateBefore` is still sealed. */
export function epochOf (value: unknown): EpochRow {
  const f = new Fields('epochs', value)
  return {
    groupId: f.string('groupId'), epoch: f.number('epoch'), stateBefore: f.bytes('stateBefore'), commitHash: f.bytes('commitHash'),
    parentHash: f.bytes('parentHash'), intent: f.nullableString('intent')
  }
}

/** A stored message, checked field by field. */
export function messageOf (value: unknown): MessageRow {
  const f = new Fields('messages', value)
  return {
    id: f.string('id'),
    groupId: f.string('groupId'),
    senderIdentity: f.string('senderIdentity'),
    senderDevice: f.string('senderDevice'),
    own: f.flag('own'),
    kind: f.string('kind'),
    text: f.string('text'),
    target: f.nullableString('target'),
    seq: f.number('seq'),
    lamport: f.number('lamport'),
    sentAt: f.number('sentAt'),
    receivedAt: f.number('receivedAt'),
    epoch: f.number('epoch'),
    recipients: f.number('recipients'),
    needsSend: f.flag('needsSend'),
    gap: f.flag('gap')
  }
}

/** A stored outbox frame, checked field by field. */
export function outboxOf (value: unknown): OutboxRow {
  const f = new Fields('outbox', value)
  return {
    id: f.number('id'), peerId: f.string('peerId'), groupId: f.string('groupId'), messageId: f.nullableString('messageId'),
    frame: f.bytes('frame'), createdAt: f.number('createdAt')
  }
}

/** A stored held frame, checked field by field. */
export function pendingOf (value: unknown): PendingRow {
  const f = new Fields('pending', value)
  return { id: f.number('id'), groupId: f.string('groupId'), epoch: f.number('epoch'), peerId: f.string('peerId'), frame: f.bytes('frame'), receivedAt: f.number('receivedAt') }
}

/** The row as stored: both private keys are still sealed. */
export function keyPackageOf (value: unknown): KeyPackageRow {
  const f = new Fields('keyPackages', value)
  return {
    ref: f.string('ref'), publicPackage: f.bytes('publicPackage'), initPrivateKey: f.bytes('initPrivateKey'),
    hpkePrivateKey: f.bytes('hpkePrivateKey'), createdAt: f.number('createdAt')
  }
}
