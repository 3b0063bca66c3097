/**
 * Sending: a payload is encrypted for the conversation, stored with its outbox frames (one per
 * recipient device) in one write, and only then handed to the delivery service. Also the delivery
 * service's side of the outbox: the frames it sends next, and what the peers' acks settle.
 */
import { fromHex, randomBytes, toHex } from '../bytes.ts'
import { Deliver, DeliverKind } from '../codec/envelope.ts'
import { NotFoundError, UsageError } from '../errors.ts'
import { encodePayload, newMessageId, type ControlKindName, type Payload } from '../conversation/payload.ts'
import { encodeDeviceCertificate } from '../identity/device-certificate.ts'
import { encodeState, encryptApplication, reserveSendGenerations, sendGeneration, type GroupState } from '../mls/group.ts'
import type { CachedGroup, Engine, Outcome } from './engine.ts'
import { stateOf } from './message-view.ts'
import type { GroupRow, MessageRow, Write } from './store.ts'

import type { Views } from './views.ts'

/**
 * A sender's state changes on every message only by ratcheting its own chain, and writing it costs
 * more than encrypting. So a send that finds the stored state's own generation used up stores one
 * moved this many generations ahead, and the next sends store no state at all: after a crash the
 * stored state skips past every generation they used, so no key is ever used twice.
 */
const SEND_RESERVATION = 64
/** Droppable control messages remembered as ephemeral (Sender.nextFrames), at most: far more than are ever queued at once. */
const EPHEMERAL_IDS = 1024

/** What a message sent by {@link Sender.sendLocked} carries besides its kind and text. */
export type SendContent = Pick<Payload, 'kind' | 'text'> & { groupName?: string, target?: Uint8Array, id?: Uint8Array, certificate?: Uint8Array, file?: Uint8Array }

/** The text of the placeholder a withdrawn FILE is re-sent as (PROTOCOL.md §9.6). */
export const WITHDRAWN_FILE_TEXT = '(a file, deleted)'

/** The encoded offer an own FILE message carried (loaded on first use, as in files.ts). */
async function fileOfferOf (engine: Engine, messageId: string): Promise<Uint8Array | undefined> {
  const { encodeManifest } = await import('../files/manifest.ts')
  const { readFileOfferOfMessage } = await import('./file-offer-record.ts')
  const record = await readFileOfferOfMessage(engine.store, messageId)
  return record === undefined ? undefined : encodeManifest(record.manifest)
}

/** One device's sending path. Every `…Locked` method runs under the conversation's lock. */
export class Sender {
  constructor (private readonly engine: Engine, private readonly views: Views) {}

  /** A conversation that exists and that this device still takes part in. */
  private async activeGroup (groupId: string): Promise<CachedGroup> {
    const group = await this.engine.load(groupId)
    if (group === undefined) throw new NotFoundError('conversation is missing')
    if (!group.row.active) throw new UsageError('you are no longer a member of this conversation')
    return group
  }

  /**
   * Encrypts, stores and queues one message; `staged` leaves awaiting its durability to the caller.
   * `extra` writes (a capability's own rows, such as a file offer) share the message's commit.
   */
  async sendLocked (groupId: string, content: SendContent, staged = false, extra: readonly Write[] = []): Promise<MessageRow> {
    const { engine } = this
    const group = await this.activeGroup(groupId)
    const rejoin = await engine.rejoins.get(groupId)
    if (rejoin !== undefined) {
      const names = [...new Set(await Promise.all(rejoin.members.map(async (m) => await engine.names.nameOf(m.identity))))]
      throw new UsageError(`this conversation is rejoining after a restore; you can send once ${names.join(' or ')} puts this device back in`)
    }
    const payload: Payload = {
      id: content.id ?? newMessageId(),
      kind: content.kind,
      text: content.text,
      sentAt: engine.clock.now(),
      seq: group.row.ownSeq + 1,
      lamport: group.row.lamport + 1,
      ...(content.groupName !== undefined ? { groupName: content.groupName } : {}),
      ...(content.target !== undefined ? { target: content.target } : {}),
      ...(content.certificate !== undefined ? { certificate: content.certificate } : {}),
      ...(content.file !== undefined ? { file: content.file } : {})
    }
    const message: MessageRow = {
      id: toHex(payload.id),
      groupId,
      senderIdentity: engine.identity,
      senderDevice: engine.account.peerId,
      own: true,
      kind: payload.kind,
      text: payload.text,
      target: payload.target === undefined ? null : toHex(payload.target),
      seq: payload.seq,
      lamport: payload.lamport,
      sentAt: payload.sentAt,
      receivedAt: payload.sentAt,
      epoch: group.row.epoch,
      recipients: 0,
      needsSend: true,
      gap: false
    }
    const recipients = engine.recipientsOf(group.state)
    let state = group.state
    const writes: Write[] = [...extra]
    if (recipients.length > 0) {
      const encrypted = await encryptApplication(state, encodePayload(payload))
      state = encrypted.state
      this.queueFrame(writes, groupId, message.id, encrypted.message, recipients)
      writes.push({ kind: 'message', row: { ...message, recipients: recipients.length, needsSend: false } })
    } else {
      writes.push({ kind: 'message', row: message })
    }
    const updated = await this.afterSend(group, state, { ...group.row, ownSeq: payload.seq, lamport: payload.lamport }, writes)
    await engine.commit(writes, [updated], staged)
    if (recipients.length > 0) engine.prepareNext(groupId, undefined)
    if (payload.kind === 'text' || payload.kind === 'file') await engine.summaries.noteNewText({ ...message, acknowledged: 0 })
    return { ...message, recipients: recipients.length, needsSend: recipients.length === 0 }
  }

  /**
   * Sends a READ or TYPING: seq 0, the current Lamport clock, never stored as a message. With
   * `droppable`, its outbox rows carry the payload id (returned), so a later write can drop them.
   * Returns undefined when there was nobody to send to.
   */
  async sendControlLocked (groupId: string, kind: ControlKindName, target: Uint8Array | undefined, extra: Write[], droppable: boolean, fields: Pick<Payload, 'mailboxes' | 'call'> = {}): Promise<string | undefined> {
    const { engine } = this
    const group = await this.activeGroup(groupId)
    const recipients = engine.recipientsOf(group.state)
    if (recipients.length === 0) {
      if (extra.length > 0) await engine.commit(extra)
      return undefined
    }
    const payload: Payload = {
      id: newMessageId(), kind, text: '', sentAt: engine.clock.now(), seq: 0, lamport: group.row.lamport, ...(target !== undefined ? { target } : {}), ...fields
    }
    const id = toHex(payload.id)
    if (droppable) this.noteEphemeral(id)
    const encrypted = await encryptApplication(group.state, encodePayload(payload))
    const writes: Write[] = [...extra]
    this.queueFrame(writes, groupId, droppable ? id : null, encrypted.message, recipients)
    const updated = await this.afterSend(group, encrypted.state, group.row, writes)
    await engine.commit(writes, [updated])
    return id
  }

  /** Encrypts and queues own messages marked for (re)sending, in their original order. */
  async resendLocked (groupId: string): Promise<void> {
    const { engine } = this
    const group = await engine.load(groupId)
    if (group === undefined || !group.row.active) return
    const recipients = engine.recipientsOf(group.state)
    if (recipients.length === 0) return
    const pending = await engine.store.messagesToSend(groupId)
    if (pending.length === 0) return
    let state = group.state
    const writes: Write[] = []
    for (const m of pending) {
      // A FILE re-sent carries the offer it was sent with: the same key. One whose offer was
      // withdrawn (deleted for everyone) has none left to carry: it goes as a placeholder TEXT,
      // which its DELETE, re-sent after it, deletes (PROTOCOL.md §9.6).
      const file = m.kind === 'file' ? await fileOfferOf(engine, m.id) : undefined
      const withdrawn = m.kind === 'file' && file === undefined
      const payload: Payload = {
        id: fromHex(m.id), kind: withdrawn ? 'text' : m.kind as Payload['kind'], text: withdrawn ? WITHDRAWN_FILE_TEXT : m.text, sentAt: m.sentAt, seq: m.seq, lamport: m.lamport,
        ...(m.target !== null ? { target: fromHex(m.target) } : {}),
        ...(m.kind === 'group-meta' ? { groupName: group.row.name } : {}),
        // A PROFILE re-sent carries the certificate this device has now, the newest.
        ...(m.kind === 'profile' ? { certificate: encodeDeviceCertificate(engine.account.certificate) } : {}),
        ...(file !== undefined ? { file } : {})
      }
      const encrypted = await encryptApplication(state, encodePayload(payload))
      state = encrypted.state
      writes.push({ kind: 'outbox-drop-message', messageId: m.id })
      this.queueFrame(writes, groupId, m.id, encrypted.message, recipients)
      writes.push({ kind: 'message-resend', id: m.id, needsSend: false, recipients: recipients.length, epoch: group.row.epoch })
    }
    await engine.commit(writes, [await this.afterSend(group, state, group.row, writes)])
    engine.log(`re-sent ${pending.length} message(s) in ${groupId.slice(0, 12)}`)
  }

  /**
   * The group after own messages moved its state to `state`: stores the row's counters, and the
   * state only when the stored one's send generations are used up (then reserving the next
   * {@link SEND_RESERVATION}).
   */
  private async afterSend (group: CachedGroup, state: GroupState, row: GroupRow, writes: Write[]): Promise<CachedGroup> {
    const stored = group.reserved ?? sendGeneration(group.state)
    const next = sendGeneration(state)
    if (next <= stored) {
      writes.push({ kind: 'group-clock', id: row.id, lamport: row.lamport, ownSeq: row.ownSeq, name: row.name })
      return { row, state, unsaved: group.unsaved, reserved: stored }
    }
    const reserved = next + SEND_RESERVATION
    const saved: GroupRow = { ...row, state: encodeState(await reserveSendGenerations(state, reserved)) }
    writes.push({ kind: 'group', row: saved })
    return { row: saved, state, reserved }
  }

  private queueFrame (writes: Write[], groupId: string, messageId: string | null, mls: Uint8Array, peers: readonly string[]): void {
    const frame = Deliver.encode({ id: randomBytes(16) as Uint8Array<ArrayBuffer>, kind: DeliverKind.MLS, message: mls as Uint8Array<ArrayBuffer>, card: new Uint8Array(), hints: [], commitHash: new Uint8Array() })
    const now = this.engine.clock.now()
    for (const peerId of peers) writes.push({ kind: 'outbox', peerId, groupId, messageId, frame, createdAt: now })
  }

  // ---------------------------------------------------------------- outbox (for the delivery service)

  /**
   * Payload ids of the droppable control messages sent since this device started (TYPING, ALIVE),
   * the newest {@link EPHEMERAL_IDS}: their frames go to devices but not to mailboxes. Kept in
   * memory only: after a restart, one still queued may be left in a mailbox once.
   */
  private readonly ephemeral = new Set<string>()

  private noteEphemeral (id: string): void {
    this.ephemeral.add(id)
    if (this.ephemeral.size > EPHEMERAL_IDS) this.ephemeral.delete(this.ephemeral.values().next().value!)
  }

  /** Next queued frames for a peer; `ephemeral` marks those no mailbox should keep. */
  async nextFrames (peerId: string, afterRowId: number, limit: number): Promise<Array<{ rowId: number, frame: Uint8Array, ephemeral?: boolean }>> {
    const { outboxMemory, outboxMessages, store } = this.engine
    let frames = outboxMemory.next(peerId, afterRowId, limit)
    if (frames === undefined) {
      const token = outboxMemory.beginRead()
      frames = (await store.listOutbox(peerId, afterRowId, limit)).map((r) => ({ rowId: r.id, frame: r.frame, messageId: r.messageId, groupId: r.groupId }))
      outboxMemory.readFromStore(peerId, afterRowId, limit, frames, token)
    }
    for (const f of frames) outboxMessages.set(f.rowId, { messageId: f.messageId, groupId: f.groupId })
    return frames.map((f) => (f.messageId !== null && this.ephemeral.has(f.messageId) ? { rowId: f.rowId, frame: f.frame, ephemeral: true } : { rowId: f.rowId, frame: f.frame }))
  }

  /**
   * A peer acknowledged (or rejected) queued frames: one write for all, then their new states. The
   * write is staged: lost in a crash, it only makes the frames go again, and the peer drops repeats.
   */
  async settleFrames (peerId: string, outcomes: ReadonlyArray<{ rowId: number, status: Outcome }>): Promise<void> {
    if (outcomes.length === 0) return
    const { engine } = this
    await engine.store.stage(outcomes.map((o) => ({ kind: 'outbox-done', id: o.rowId, receipt: o.status === 'stored' })))
    engine.outboxMemory.settled(peerId, new Set(outcomes.map((o) => o.rowId)))
    const watched = engine.watched
    const messageIds: string[] = []
    for (const o of outcomes) {
      const info = engine.outboxMessages.get(o.rowId)
      engine.outboxMessages.delete(o.rowId)
      if (o.status === 'rejected') engine.log(`${peerId} rejected frame ${o.rowId}`)
      if (info?.messageId != null && watched) messageIds.push(info.messageId)
    }
    const positions = new Map<string, number[]>()
    for (const id of messageIds) {
      const m = await engine.store.getMessage(id)
      if (m === undefined || (m.kind !== 'text' && m.kind !== 'file')) continue
      let readPositions = positions.get(m.groupId)
      if (readPositions === undefined) {
        readPositions = await this.views.readPositions(m.groupId)
        positions.set(m.groupId, readPositions)
      }
      engine.emit({ type: 'message-state', id: m.id, conversation: m.groupId, state: stateOf(m, readPositions) })
    }
  }

  /**
   * A mailbox of `peerId` holds copies of these queued frames: they stay queued for the device
   * itself (its acknowledgement makes them delivered), and their messages show `stored`.
   */
  async markDeposited (peerId: string, rowIds: readonly number[]): Promise<void> {
    if (rowIds.length === 0) return
    const { engine } = this
    await engine.store.apply([{ kind: 'outbox-deposited', ids: rowIds }])
    if (!engine.watched) return
    const messageIds = new Set<string>()
    for (const rowId of rowIds) {
      const id = engine.outboxMessages.get(rowId)?.messageId
      if (id != null) messageIds.add(id)
    }
    for (const id of messageIds) {
      const m = await engine.store.getMessage(id)
      if (m === undefined || (m.kind !== 'text' && m.kind !== 'file')) continue
      engine.emit({ type: 'message-state', id: m.id, conversation: m.groupId, state: stateOf(m, await this.views.readPositions(m.groupId)) })
    }
    engine.log(`${rowIds.length} frame(s) for ${peerId} left in its mailboxes`)
  }
}
