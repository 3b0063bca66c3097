/**
 * The persistence interface. Reads are async methods; every change is a batch of {@link Write}s
 * applied atomically, which maps onto one SQLite transaction in Node and one IndexedDB transaction
 * in browsers. Callers build the batch, apply it, and only then acknowledge or send.
 */

/** A contact: an account this device talks to. */
export interface ContactRow {
  readonly identity: string
  readonly alias: string
  readonly displayName: string
  readonly verified: boolean
  readonly createdAt: number
}

/** A device of some account, as its certificate and last known addresses describe it. */
export interface DeviceRow {
  readonly peerId: string
  readonly identity: string
  readonly certificate: Uint8Array
  readonly addrs: readonly string[]
  readonly updatedAt: number
}

/** A conversation: its MLS state and Kith's bookkeeping around it. */
export interface GroupRow {
  readonly id: string
  readonly kind: 'direct' | 'group'
  readonly name: string
  /** For a 1:1: the other account. */
  readonly peerIdentity: string | null
  /** The account whose device created the group. */
  readonly creator: string
  readonly state: Uint8Array
  readonly epoch: number
  readonly baseEpoch: number
  readonly baseParent: Uint8Array
  /** Hash of the commit that opened the current epoch. */
  readonly tipHash: Uint8Array
  readonly lamport: number
  readonly ownSeq: number
  readonly active: boolean
  readonly losers: readonly string[]
  readonly createdAt: number
}

/** The state a group had before the commit applied at `epoch`; what fork choice rolls back to. */
export interface EpochRow {
  readonly groupId: string
  readonly epoch: number
  readonly stateBefore: Uint8Array
  readonly commitHash: Uint8Array
  readonly parentHash: Uint8Array
  /** For our own commits: what we meant to change, so it can be redone if the commit loses. */
  readonly intent: string | null
}

/** A message, own or received. */
export interface MessageRow {
  readonly id: string
  readonly groupId: string
  readonly senderIdentity: string
  readonly senderDevice: string
  readonly own: boolean
  readonly kind: string
  readonly text: string
  readonly target: string | null
  readonly seq: number
  readonly lamport: number
  readonly sentAt: number
  readonly receivedAt: number
  readonly epoch: number
  /** Own messages: how many member devices it was sent to. */
  readonly recipients: number
  /** Own messages: waiting to be (re-)encrypted and sent. */
  readonly needsSend: boolean
  /** Received messages: an earlier sequence number from this sender had not arrived. */
  readonly gap: boolean
}

/** A message with how many devices acknowledged it. */
export interface MessageView extends MessageRow {
  readonly acknowledged: number
  /** Devices whose copy waits in one of their mailboxes and that have not acknowledged it yet. */
  readonly stored?: number
}

/** A frame waiting for a device's acknowledgement. */
export interface OutboxRow {
  readonly id: number
  readonly peerId: string
  readonly groupId: string
  readonly messageId: string | null
  readonly frame: Uint8Array
  readonly createdAt: number
}

/** An incoming frame that cannot be processed yet (future epoch, unknown group). */
export interface PendingRow {
  readonly id: number
  readonly groupId: string
  readonly epoch: number
  readonly peerId: string
  readonly frame: Uint8Array
  readonly receivedAt: number
}

/** One of this device's outstanding KeyPackages. */
export interface KeyPackageRow {
  readonly ref: string
  readonly publicPackage: Uint8Array
  readonly initPrivateKey: Uint8Array
  readonly hpkePrivateKey: Uint8Array
  readonly createdAt: number
}

/** One change; a batch of them is applied atomically. */
export type Write =
  | { kind: 'meta', key: string, value: Uint8Array }
  | { kind: 'contact', row: ContactRow }
  | { kind: 'device', row: DeviceRow }
  /** Forgets a device its account replaced (a restore from a backup, rejoining.ts). */
  | { kind: 'device-drop', peerId: string }
  | { kind: 'group', row: GroupRow }
  /** The counters and name of a group, leaving its (large) state as stored. */
  | { kind: 'group-clock', id: string, lamport: number, ownSeq: number, name: string }
  | { kind: 'epoch', row: EpochRow }
  | { kind: 'drop-epochs', groupId: string, fromEpoch: number }
  | { kind: 'prune-epochs', groupId: string, belowEpoch: number }
  | { kind: 'message', row: MessageRow }
  | { kind: 'message-resend', id: string, needsSend: boolean, recipients: number, epoch: number }
  /** Rewrites the body of a call's history row (kind `call`), e.g. a missed call this device joined later. */
  | { kind: 'call-row', id: string, text: string }
  | { kind: 'outbox', peerId: string, groupId: string, messageId: string | null, frame: Uint8Array, createdAt: number }
  | { kind: 'outbox-done', id: number, receipt: boolean }
  /** A mailbox of the row's device holds a copy of these frames: they stay queued for the device itself. */
  | { kind: 'outbox-deposited', ids: readonly number[] }
  | { kind: 'outbox-drop-message', messageId: string }
  | { kind: 'seen', hash: string, at: number }
  | { kind: 'pending', groupId: string, epoch: number, peerId: string, frame: Uint8Array, receivedAt: number }
  | { kind: 'pending-done', id: number }
  | { kind: 'key-package', row: KeyPackageRow }
  | { kind: 'key-package-used', ref: string }

/** Persistence for one device. */
export interface Store {
  /**
   * Applies a batch atomically; resolves, once it and every batch staged before it are durable,
   * to the ids its `outbox` writes got, in order.
   */
  apply (writes: readonly Write[]): Promise<number[]>
  /**
   * Applies a batch atomically without waiting for it to be durable (group commit): reads see it
   * at once, {@link listOutbox} does not return its frames until it is durable, and {@link durable}
   * says when it is. Stores that cannot keep a transaction open (IndexedDB) apply it durably.
   */
  stage (writes: readonly Write[]): Promise<number[]>
  /**
   * Resolves once every batch applied or staged so far is durable. Rejects if that commit failed;
   * the store then refuses every write (memory may be ahead of it) until it is reopened.
   */
  durable (): Promise<void>
  getMeta (key: string): Promise<Uint8Array | undefined>
  getContact (identity: string): Promise<ContactRow | undefined>
  findContactByAlias (alias: string): Promise<ContactRow | undefined>
  listContacts (): Promise<ContactRow[]>
  getDevice (peerId: string): Promise<DeviceRow | undefined>
  devicesOf (identity: string): Promise<DeviceRow[]>
  listDevices (): Promise<DeviceRow[]>
  getGroup (id: string): Promise<GroupRow | undefined>
  findGroupsByName (name: string): Promise<GroupRow[]>
  listGroups (): Promise<GroupRow[]>
  getEpoch (groupId: string, epoch: number): Promise<EpochRow | undefined>
  listEpochs (groupId: string): Promise<EpochRow[]>
  getMessage (id: string): Promise<MessageView | undefined>
  /** Whether a message with this id is stored (cheaper than {@link getMessage}). */
  hasMessage (id: string): Promise<boolean>
  listMessages (groupId: string, limit?: number): Promise<MessageView[]>
  /**
   * Text and edit rows whose text contains `query` (compared case-insensitively, after Unicode
   * lower-casing), newest first, at most `limit`: the raw candidates of a search.
   */
  findTextRows (query: string, limit: number): Promise<MessageRow[]>
  messagesToSend (groupId: string): Promise<MessageRow[]>
  ownMessagesSince (groupId: string, epoch: number): Promise<MessageRow[]>
  lastSeq (groupId: string, senderDevice: string): Promise<number>
  /** Durable frames only (see {@link stage}). */
  listOutbox (peerId: string, afterId: number, limit: number): Promise<OutboxRow[]>
  outboxPeers (): Promise<string[]>
  hasSeen (hash: string): Promise<boolean>
  listPending (groupId: string): Promise<PendingRow[]>
  countPending (): Promise<number>
  oldestPending (count: number): Promise<number[]>
  listKeyPackages (): Promise<KeyPackageRow[]>
  close (): Promise<void>
}
