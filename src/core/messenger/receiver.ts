/**
 * Receiving MLS PrivateMessages: application data is decrypted, checked and stored (chat messages,
 * their edits, deletes and reactions, READs and TYPINGs); commits go through fork choice (DESIGN.md
 * §4) and are applied, or roll back a losing branch; frames for an epoch or group not here yet are
 * held and replayed once it is.
 */
import { fromHex, toHex } from '../bytes.ts'
import { Deliver } from '../codec/envelope.ts'
import { decodePayload, isActionKind, isControlKind, type Payload } from '../conversation/payload.ts'
import { peerIdToString } from '../identity/peer-id.ts'
import { decideCommit, type ChainView } from '../mls/fork-choice.ts'
import {
  decodeState, encodeState, epochOf, listMembers, ownLeafIndex, processMessage, readMlsMessage, type GroupState, type IncomingMls, type Member
} from '../mls/group.ts'
import { RETAINED_EPOCHS } from '../mls/suite.ts'
import type { Contacts } from './contacts.ts'
import type { Conversations } from './conversations.ts'
import type { Mailboxes } from './mailboxes.ts'
import { describeError, messageHash, type CachedGroup, type Engine, type Outcome } from './engine.ts'
import { membershipNotices, newDeviceNotices, renameNotice } from './notices.ts'
import type { Profiles } from './profiles.ts'
import type { FileOffers } from './files.ts'
import { ACTION_TARGET_KINDS } from '../conversation/message-fold.ts'
import type { Sender } from './sender.ts'
import type { GroupRow, MessageView, PendingRow, Write } from './store.ts'
import type { Views } from './views.ts'

/** Frames kept waiting for a future epoch or an unknown group, at most. */
const MAX_PENDING = 2000
/** A stored action that failed validation: kept only so the sender's sequence has no false gap. */
const IGNORED_KIND = 'ignored'
/** The name a joined group has until a GROUP_META names it (joining.ts); naming it then is no rename. */
const UNNAMED_GROUP = 'group'

/**
 * A receiver's state changes on every decryption only by ratcheting one sender's chain. Writing it
 * after every message costs more than the rest of receiving; an older state on disk can still
 * ratchet forward to any later message, and replays are caught by the `seen` table. So it is
 * written every this many messages, on every commit and send, and at shutdown.
 */
const RECEIVE_SAVE_INTERVAL = 32

export type PrivateMls = Extract<IncomingMls, { kind: 'private' }>

/** What checking an incoming action against its target found. */
type ActionCheck = { ok: true, target: MessageView } | { ok: false, reason: string }

/** Whether an incoming MLS message carries application data (a chat message, READ or TYPING). */
export function isApplication (incoming: IncomingMls): boolean {
  return incoming.kind === 'private' && incoming.contentType === 'application'
}

/** Decodes a held frame; undefined if it is not a private MLS message (it never should be). */
function decodeHeld (bytes: Uint8Array): { frame: Deliver, incoming: PrivateMls } | undefined {
  try {
    const frame = Deliver.decode(bytes)
    const incoming = readMlsMessage(frame.message)
    return incoming.kind === 'private' ? { frame, incoming } : undefined
  } catch {
    return undefined
  }
}

/** One device's receiving path. Every method runs under the conversation's lock. */
export class Receiver {
  constructor (
    private readonly engine: Engine, private readonly views: Views, private readonly sender: Sender,
    private readonly contacts: Contacts, private readonly conversations: Conversations, private readonly profiles: Profiles,
    private readonly mailboxes: Mailboxes, private readonly files: FileOffers,
    /** Hands a CALL to calls.ts (loaded with the first call), under the conversation's lock. */
    private readonly onCall: (groupId: string, state: GroupState, sender: Member, payload: Payload) => Promise<void>
  ) {}

  /** Processes a private message for a locked group. `fresh` is false when replaying a held frame. */
  async receivePrivate (fromPeer: string, groupId: string, frame: Deliver, incoming: PrivateMls, hash: string, fresh: boolean, pendingId?: number): Promise<Outcome | 'held'> {
    const { engine } = this
    const done: Write[] = pendingId === undefined ? [] : [{ kind: 'pending-done', id: pendingId }]
    const hold = async (why: string): Promise<Outcome | 'held'> => {
      if (!fresh) return 'held'
      return await this.keepPending(groupId, incoming.epoch, fromPeer, frame, why)
    }
    const reject = async (why: string): Promise<Outcome> => {
      // A repeat of application data already handled (a resend whose ack was lost, or a replay) is acknowledged as stored.
      if (fresh && isApplication(incoming) && await engine.store.hasSeen(hash)) {
        engine.log(`dropped replayed message ${hash.slice(0, 12)} from ${fromPeer}`)
        return 'stored'
      }
      engine.log(`dropped message for ${groupId.slice(0, 12)} from ${fromPeer}: ${why}`)
      if (done.length > 0) await engine.store.apply(done)
      return 'rejected'
    }
    const group = await engine.load(groupId)
    if (group === undefined) return await hold('unknown conversation (welcome not here yet?)')
    if (!group.row.active) return await reject('this device is no longer a member')
    if (incoming.epoch > group.row.epoch) return await hold('future epoch')

    if (incoming.contentType === 'application') {
      let result
      try {
        result = await processMessage(group.state, incoming.message)
      } catch (err) {
        return await reject(describeError(err))
      }
      if (result.kind !== 'application') return await reject('unexpected content')
      let payload: Payload
      try {
        payload = decodePayload(result.plaintext)
        await this.files.check(payload)
      } catch (err) {
        return await reject(`bad payload: ${describeError(err)}`)
      }
      const outcome = await this.storeApplication(group, result.state, result.sender, payload, hash, done)
      if (incoming.epoch === group.row.epoch) engine.prepareNext(groupId, result.sender.leafIndex)
      return outcome
    }
    if (incoming.contentType !== 'commit') return await reject('standalone proposals are not accepted')

    const losers = new Set(group.row.losers)
    const epochRows = new Map((await engine.store.listEpochs(groupId)).map((e) => [e.epoch, e]))
    const view: ChainView = {
      currentEpoch: group.row.epoch,
      baseEpoch: group.row.baseEpoch,
      baseParent: group.row.baseParent,
      applied: (e) => epochRows.get(e),
      losers
    }
    const decision = decideCommit(view, { epoch: incoming.epoch, hash: fromHex(hash), parent: incoming.authenticatedData })
    switch (decision.kind) {
      case 'wait':
        return await hold(decision.reason)
      case 'duplicate':
        await engine.store.apply([...done, { kind: 'seen', hash, at: engine.clock.now() }])
        return 'stored'
      case 'lose': {
        engine.log(`commit ${hash.slice(0, 12)} in ${groupId.slice(0, 12)} lost: ${decision.reason}`)
        const row = { ...group.row, losers: [...group.row.losers, hash] }
        await engine.commit([...done, { kind: 'group', row }, { kind: 'seen', hash, at: engine.clock.now() }], [{ ...group, row }])
        return 'stored'
      }
      case 'apply':
        return await this.applyCommit(group, group.state, group.row, incoming.message, hash, incoming.authenticatedData, done, [])
      case 'switch': {
        const fork = epochRows.get(decision.epoch)!
        const rolledBack = decodeState(fork.stateBefore)
        const lost = [...epochRows.values()].filter((e) => e.epoch >= decision.epoch)
        engine.log(`commit ${hash.slice(0, 12)} wins epoch ${decision.epoch} of ${groupId.slice(0, 12)}: rolling back ${lost.length} commit(s)`)
        const base: GroupRow = {
          ...group.row, epoch: decision.epoch, tipHash: fork.parentHash, losers: [...group.row.losers, ...lost.map((e) => toHex(e.commitHash))]
        }
        return await this.applyCommit(group, rolledBack, base, incoming.message, hash, incoming.authenticatedData, [...done, { kind: 'drop-epochs', groupId, fromEpoch: decision.epoch }], lost.map((e) => e.intent))
      }
    }
  }

  private async keepPending (groupId: string, epoch: number, fromPeer: string, frame: Deliver, why: string): Promise<Outcome> {
    const { store, clock, log } = this.engine
    const writes: Write[] = []
    if (await store.countPending() >= MAX_PENDING) {
      for (const id of await store.oldestPending(100)) writes.push({ kind: 'pending-done', id })
      log('pending buffer full: dropped the 100 oldest frames')
    }
    writes.push({ kind: 'pending', groupId, epoch, peerId: fromPeer, frame: Deliver.encode(frame), receivedAt: clock.now() })
    await store.apply(writes)
    log(`holding message for ${groupId.slice(0, 12)} epoch ${epoch}: ${why}`)
    return 'stored'
  }

  /** Applies a commit that fork choice accepted, on `state` (the current one, or the fork point's). */
  private async applyCommit (
    group: CachedGroup, state: GroupState, row: GroupRow, message: Parameters<typeof processMessage>[1], hash: string,
    parent: Uint8Array, extra: Write[], lostIntents: Array<string | null>
  ): Promise<Outcome> {
    const { engine } = this
    let result
    try {
      result = await processMessage(state, message)
    } catch (err) {
      engine.log(`dropped commit for ${row.id.slice(0, 12)}: ${describeError(err)}`)
      if (extra.some((w) => w.kind === 'pending-done')) await engine.store.apply(extra.filter((w) => w.kind === 'pending-done'))
      return 'rejected'
    }
    if (result.kind !== 'commit') return 'rejected'
    const epoch = row.epoch
    const committer = result.committer === undefined ? undefined : toHex(result.committer.certificate.identityKey)
    const fields = { groupId: row.id, lamport: row.lamport + 1, epoch, at: engine.clock.now() }
    const before = listMembers(state)
    const after = listMembers(result.state)
    const notices = [
      ...committer === undefined || row.kind !== 'group' ? [] : await membershipNotices(engine.store, { ...fields, actor: committer }, before, after),
      ...await newDeviceNotices(engine.store, fields, engine.identity, before, after)
    ]
    const peersBefore = new Set(before.map((m) => toHex(m.certificate.peerId)))
    const added = after.some((m) => !peersBefore.has(toHex(m.certificate.peerId)))
    const newRow: GroupRow = {
      ...row, state: encodeState(result.state), epoch: epochOf(result.state), tipHash: fromHex(hash), active: !result.removedSelf,
      lamport: notices.length > 0 ? row.lamport + 1 : row.lamport
    }
    const writes: Write[] = [
      ...extra,
      { kind: 'epoch', row: { groupId: row.id, epoch, stateBefore: encodeState(state), commitHash: fromHex(hash), parentHash: parent, intent: null } },
      { kind: 'prune-epochs', groupId: row.id, belowEpoch: epoch + 1 - RETAINED_EPOCHS },
      { kind: 'group', row: newRow },
      { kind: 'seen', hash, at: engine.clock.now() },
      ...notices.map((n): Write => ({ kind: 'message', row: n }))
    ]
    // Devices of new members become reachable: record their certificates.
    for (const m of listMembers(result.state)) await this.contacts.rememberMember(m, writes)
    // Own messages sent in epochs that were rolled back are undecryptable for the winners: resend.
    if (row.epoch < group.row.epoch) {
      // Messages encrypted in epochs after the fork point used the losing branch's keys.
      for (const m of await engine.store.ownMessagesSince(row.id, epoch + 1)) {
        writes.push({ kind: 'message-resend', id: m.id, needsSend: true, recipients: m.recipients, epoch: m.epoch })
        writes.push({ kind: 'outbox-drop-message', messageId: m.id })
      }
    }
    const updated = { row: newRow, state: result.state }
    await engine.commit(writes, [updated])
    if (result.removedSelf) engine.log(`removed from ${row.id.slice(0, 12)} by a commit`)
    await this.views.announceConversation(updated)
    for (const n of notices) await this.views.announceNotice(n)
    if (newRow.active) {
      await this.conversations.redoIntentsLocked(row.id, lostIntents)
      await this.sender.resendLocked(row.id)
      if (added) await this.profiles.reannounceLocked(row.id)
      await this.drainPendingLocked(row.id)
    }
    return 'stored'
  }

  /** The highest seq stored from a sender device in a conversation (0 if none). */
  private async lastSeq (groupId: string, senderDevice: string): Promise<number> {
    const { lastSeqs, store } = this.engine
    const key = `${groupId} ${senderDevice}`
    let seq = lastSeqs.get(key)
    if (seq === undefined) {
      seq = await store.lastSeq(groupId, senderDevice)
      if (lastSeqs.size >= 10_000) lastSeqs.clear()
      lastSeqs.set(key, seq)
    }
    return seq
  }

  private async storeApplication (group: CachedGroup, state: GroupState, sender: Member, payload: Payload, hash: string, done: Write[]): Promise<Outcome> {
    const { engine } = this
    const senderIdentity = toHex(sender.certificate.identityKey)
    if (isControlKind(payload.kind)) return await this.receiveControl(group, state, sender, payload, hash, done)
    const senderDevice = peerIdToString(sender.certificate.peerId)
    const id = toHex(payload.id)
    const lamport = Math.max(group.row.lamport, payload.lamport)
    const unsaved = (group.unsaved ?? 0) + 1
    const save = unsaved >= RECEIVE_SAVE_INTERVAL || payload.kind === 'group-meta'
    let row: GroupRow = { ...group.row, state: save ? encodeState(state) : group.row.state, lamport }
    const writes: Write[] = [...done, { kind: 'seen', hash, at: engine.clock.now() }]
    const duplicate = await engine.store.hasMessage(id)
    let stored: MessageView | undefined
    let notice: MessageView | undefined
    let profileNotices: MessageView[] = []
    let withdrawn: { fileId: string, groupId: string } | undefined
    if (!duplicate) {
      if (payload.kind === 'group-meta') {
        const name = payload.groupName?.trim() ?? ''
        if (row.kind === 'group' && name.length > 0 && name !== row.name) {
          // The GROUP_META that follows an add names the group for the new members: no rename.
          if (row.name !== UNNAMED_GROUP || row.creator === engine.identity) {
            notice = renameNotice({ groupId: row.id, actor: senderIdentity, lamport: payload.lamport, epoch: group.row.epoch, at: engine.clock.now() }, name)
            writes.push({ kind: 'message', row: notice })
          }
          row = { ...row, name }
        }
      }
      let kind: string = payload.kind
      let text = payload.text
      if (payload.kind === 'profile') {
        const outcome = await this.profiles.receiveLocked(row.id, payload.lamport, sender, payload.certificate ?? new Uint8Array())
        if ('refused' in outcome) {
          // Dropped like a failed action: kept as a placeholder so the sender's seq shows no gap.
          engine.log(`ignored profile ${id.slice(0, 8)} in ${row.id.slice(0, 12)} from ${senderDevice}: ${outcome.refused}`)
          kind = IGNORED_KIND
        } else {
          writes.push(...outcome.writes)
          profileNotices = outcome.notices
        }
      }
      if (payload.kind === 'file') {
        const outcome = await this.files.receivedLocked(row.id, id, senderIdentity, senderDevice, payload)
        if ('refused' in outcome) {
          engine.log(`ignored file offer ${id.slice(0, 8)} in ${row.id.slice(0, 12)} from ${senderDevice}: ${outcome.refused}`)
          kind = IGNORED_KIND
          text = ''
        } else {
          writes.push(...outcome.writes)
        }
      }
      if (isActionKind(payload.kind)) {
        const check = await this.checkAction(group.row.id, senderIdentity, payload)
        if (!check.ok) {
          // Dropped, but kept as a placeholder: its seq is real, and the next message must not look like a gap.
          engine.log(`ignored ${payload.kind} ${id.slice(0, 8)} in ${group.row.id.slice(0, 12)} from ${senderDevice}: ${check.reason}`)
          kind = IGNORED_KIND
          text = ''
        } else if (payload.kind === 'delete' && check.target.kind === 'file') {
          // The file goes with its message: its key and manifest are forgotten in the same commit.
          const withdrawal = await this.files.withdrawLocked(check.target.id)
          if (withdrawal !== undefined) {
            writes.push(...withdrawal.writes)
            withdrawn = withdrawal
          }
        }
      }
      const lastSeq = await this.lastSeq(group.row.id, senderDevice)
      stored = {
        id,
        groupId: group.row.id,
        senderIdentity,
        senderDevice,
        own: false,
        kind,
        text,
        target: payload.target === undefined ? null : toHex(payload.target),
        seq: payload.seq,
        lamport: payload.lamport,
        sentAt: payload.sentAt,
        receivedAt: engine.clock.now(),
        epoch: group.row.epoch,
        recipients: 0,
        needsSend: false,
        gap: payload.seq > lastSeq + 1,
        acknowledged: 0
      }
      writes.push({ kind: 'message', row: stored })
    }
    writes.push(save ? { kind: 'group', row } : { kind: 'group-clock', id: row.id, lamport: row.lamport, ownSeq: row.ownSeq, name: row.name })
    await engine.commit(writes, [save ? { row, state } : { row, state, unsaved, reserved: group.reserved }], true)
    if (stored === undefined) return 'stored'
    const m = stored
    if (m.kind === 'text' || m.kind === 'file') await engine.summaries.noteNewText(m)
    engine.announceWhenDurable(async () => {
      switch (m.kind) {
        case 'text':
        case 'file':
          await this.views.announceNewText(m)
          break
        case 'group-meta':
          await this.views.announceConversation({ row, state })
          if (notice !== undefined) await this.views.announceNotice(notice)
          break
        case 'edit':
        case 'delete':
        case 'reaction':
          await this.views.announceChange(row.id, m.target!, m.kind !== 'reaction')
          if (withdrawn !== undefined) this.files.announceWithdrawn(withdrawn)
          break
        case 'leave':
          await this.views.announceNotice(m)
          this.onLeave(row.id, senderIdentity)
          break
        case 'profile':
          for (const n of profileNotices) await this.views.announceNotice(n)
          for (const n of profileNotices) {
            const g = engine.cached(n.groupId)
            if (g !== undefined) await this.views.announceConversation(g)
          }
      }
    })
    return 'stored'
  }

  /**
   * Checks an incoming EDIT, DELETE, REACTION or READ against its target: a text or file message of the
   * same conversation that it comes after, and for an EDIT or DELETE, one by the same account.
   */
  private async checkAction (groupId: string, senderIdentity: string, payload: Payload): Promise<ActionCheck> {
    const target = payload.target === undefined ? undefined : await this.engine.store.getMessage(toHex(payload.target))
    if (target === undefined) return { ok: false, reason: 'its target message is unknown here' }
    if (target.groupId !== groupId) return { ok: false, reason: 'its target message is in another conversation' }
    if (!ACTION_TARGET_KINDS.has(target.kind)) return { ok: false, reason: 'its target is not a text or file message' }
    if ((payload.kind === 'edit' || payload.kind === 'delete') && target.senderIdentity !== senderIdentity) {
      return { ok: false, reason: 'only the author may edit or delete a message' }
    }
    // A READ carries the reader's clock unchanged; every other action moved the clock past its target.
    if (payload.kind === 'read' ? payload.lamport < target.lamport : payload.lamport <= target.lamport) {
      return { ok: false, reason: 'its Lamport clock is not after its target\'s' }
    }
    return { ok: true, target }
  }

  /**
   * Handles a READ, TYPING, MAILBOXES or CALL: nothing is stored but the seen hash (for a READ, a
   * read position; for a MAILBOXES, the sender device's mailboxes; a CALL goes to calls.ts).
   */
  private async receiveControl (group: CachedGroup, state: GroupState, sender: Member, payload: Payload, hash: string, done: Write[]): Promise<Outcome> {
    const { engine } = this
    const senderIdentity = toHex(sender.certificate.identityKey)
    const senderDevice = peerIdToString(sender.certificate.peerId)
    const groupId = group.row.id
    const unsaved = (group.unsaved ?? 0) + 1
    const save = unsaved >= RECEIVE_SAVE_INTERVAL
    const row: GroupRow = save ? { ...group.row, state: encodeState(state) } : group.row
    const writes: Write[] = [...done, { kind: 'seen', hash, at: engine.clock.now() }]
    if (save) writes.push({ kind: 'group', row })
    let readMoved: { before: number[], position: number } | undefined
    if (payload.kind === 'mailboxes') {
      const recorded = await this.mailboxes.received(senderDevice, payload)
      if (recorded !== undefined) writes.push(recorded)
    }
    if (payload.kind === 'read' && senderIdentity !== engine.identity) {
      const check = await this.checkAction(groupId, senderIdentity, payload)
      if (!check.ok) {
        engine.log(`ignored read receipt in ${groupId.slice(0, 12)} from ${senderIdentity.slice(0, 12)}: ${check.reason}`)
      } else if (check.target.lamport > await engine.reads.peerPosition(groupId, senderIdentity)) {
        readMoved = { before: await this.views.readPositions(groupId), position: check.target.lamport }
        writes.push(engine.reads.peerPositionWrite(groupId, senderIdentity, check.target.lamport))
      }
    }
    await engine.commit(writes, [save ? { row, state } : { row, state, unsaved, reserved: group.reserved }], true)
    if (payload.kind === 'call') await this.onCall(groupId, state, sender, payload)
    const fresh = Math.abs(engine.clock.now() - payload.sentAt) <= (engine.options.typingFreshMs ?? 10_000)
    engine.announceWhenDurable(async () => {
      if (payload.kind === 'typing' && senderIdentity !== engine.identity && fresh) {
        engine.emit({ type: 'typing', conversation: groupId, identity: senderIdentity, name: await engine.names.nameOf(senderIdentity) })
      }
      if (readMoved !== undefined) await this.views.announceReads(groupId, readMoved.before)
    })
    return 'stored'
  }

  /**
   * A member sent LEAVE. The remaining member device with the lowest leaf index commits the
   * removal of every device of that account; fork choice settles two that do it at once.
   */
  private onLeave (groupId: string, leaver: string): void {
    const { engine } = this
    const group = engine.cached(groupId)
    if (group === undefined || group.row.kind !== 'group' || !group.row.active || leaver === engine.identity) return
    const remaining = listMembers(group.state).filter((m) => toHex(m.certificate.identityKey) !== leaver)
    if (remaining.length === 0 || remaining[0]!.leafIndex !== ownLeafIndex(group.state)) return
    engine.log(`${leaver.slice(0, 12)} left ${groupId.slice(0, 12)}: committing their removal`)
    // Queued behind the frame being handled, which must be acknowledged first.
    void engine.withLock(groupId, async () => {
      const current = await engine.load(groupId)
      if (current === undefined || !current.row.active) return
      if (!listMembers(current.state).some((m) => toHex(m.certificate.identityKey) === leaver)) return
      await this.conversations.commitLocked(groupId, { add: [], remove: [leaver] }, [])
    }).catch((err: unknown) => engine.log(`could not remove ${leaver.slice(0, 12)} from ${groupId.slice(0, 12)} after they left: ${describeError(err)}`))
  }

  /** Replays held frames of a locked group until none makes progress. */
  async drainPendingLocked (groupId: string): Promise<void> {
    const { store } = this.engine
    for (let pass = 0; pass < 64; pass++) {
      const held: PendingRow[] = await store.listPending(groupId)
      let progressed = false
      for (const p of held) {
        const decoded = decodeHeld(p.frame)
        if (decoded === undefined) {
          await store.apply([{ kind: 'pending-done', id: p.id }])
          continue
        }
        const { frame, incoming } = decoded
        const hash = await messageHash(frame.message)
        if (await store.hasSeen(hash)) {
          await store.apply([{ kind: 'pending-done', id: p.id }])
          continue
        }
        const outcome = await this.receivePrivate(p.peerId, groupId, frame, incoming, hash, false, p.id)
        if (outcome !== 'held') progressed = true
        const group = this.engine.cached(groupId)
        if (group === undefined || !group.row.active) return
      }
      if (!progressed) return
    }
  }
}
