/**
 * Conversations as MLS groups: creating them, the 1:1 set up with each contact (retried while the
 * contact is offline), finding one by what a user typed, and the commits that change who is in one.
 */
import type { KeyPackage } from 'ts-mls'
import { fromHex, randomBytes, toHex } from '../bytes.ts'
import { Deliver, DeliverKind } from '../codec/envelope.ts'
import { NotFoundError, PeerError, UsageError, ValidationError } from '../errors.ts'
import { decodeInvite, encodeInvite } from '../identity/invite.ts'
import { peerIdToString } from '../identity/peer-id.ts'
import { directConversationId } from '../conversation/direct-conversation.ts'
import { commitChanges, createGroupState, encodeState, epochOf, listMembers, ownLeafIndex, type GroupState } from '../mls/group.ts'
import { createKeyPackage, readPeerKeyPackage } from '../mls/key-package.ts'
import { RETAINED_EPOCHS } from '../mls/suite.ts'
import type { Contacts } from './contacts.ts'
import { describeError, type CachedGroup, type Engine } from './engine.ts'
import type { ConversationView } from './events.ts'
import { membershipNotices, newDeviceNotices, renameNotice } from './notices.ts'
import type { Profiles } from './profiles.ts'
import type { Sender } from './sender.ts'
import type { GroupRow, MessageView, Write } from './store.ts'
import type { Views } from './views.ts'

/** Tries at fetching a new member's KeyPackage before adding the member fails (0.5, 1, 2 s apart by default). */
const ADD_MEMBER_ATTEMPTS = 4
/** What an own commit set out to do, kept so it can be redone if the commit loses a fork. */
export interface CommitIntent {
  add: string[]
  /** Accounts (identity hex) all of whose devices leave. */
  remove: string[]
  /** Single devices (peer ids) that leave: a restored account's old device (rejoining.ts). */
  removeDevices?: string[]
}

/** A conversation's row, fresh from creating or joining its MLS group. */
export function newGroupRow (
  fields: Pick<GroupRow, 'id' | 'kind' | 'name' | 'peerIdentity' | 'creator'>, state: GroupState, base: { epoch: number, parent: Uint8Array }, createdAt: number
): GroupRow {
  return {
    ...fields,
    state: encodeState(state),
    epoch: epochOf(state),
    baseEpoch: base.epoch,
    baseParent: base.parent,
    tipHash: base.parent,
    lamport: 0,
    ownSeq: 0,
    active: true,
    losers: [],
    createdAt
  }
}

/** One device's conversations and their membership. */
export class Conversations {
  private readonly directIds = new Map<string, string>()
  private readonly establishTimers = new Map<string, { timer: ReturnType<typeof setTimeout>, attempt: number }>()

  constructor (
    private readonly engine: Engine, private readonly views: Views, private readonly sender: Sender, private readonly contacts: Contacts,
    private readonly profiles: Profiles
  ) {}

  /** Resumes 1:1 set-ups left unfinished by a previous run. */
  async resume (): Promise<void> {
    for (const row of await this.engine.store.listGroups()) {
      if (row.kind === 'direct' && row.active && row.peerIdentity !== null) {
        const group = await this.engine.load(row.id)
        if (group !== undefined && listMembers(group.state).length < 2) this.scheduleEstablish(row.peerIdentity, 0)
      }
    }
  }

  /** Stops the set-up retries. */
  stop (): void {
    for (const { timer } of this.establishTimers.values()) clearTimeout(timer)
    this.establishTimers.clear()
  }

  // ---------------------------------------------------------------- 1:1 conversations

  /** The 1:1 group id with an account (hex), cached: it is needed on every send to a contact. */
  async directIdWith (peerIdentity: string): Promise<string> {
    let id = this.directIds.get(peerIdentity)
    if (id === undefined) {
      id = toHex(await directConversationId(this.engine.account.identity.publicKey, fromHex(peerIdentity)))
      if (this.directIds.size > 10_000) this.directIds.clear()
      this.directIds.set(peerIdentity, id)
    }
    return id
  }

  /** True if `groupId` is the 1:1 id of this account with one of its contacts. */
  async isDirectIdOfContact (groupId: string): Promise<boolean> {
    for (const c of await this.engine.store.listContacts()) {
      if (await this.directIdWith(c.identity) === groupId) return true
    }
    return false
  }

  /** The 1:1 with an account, created (and its set-up started) if this device has none. */
  async ensureDirect (peerIdentity: string): Promise<string> {
    const { engine } = this
    const id = await this.directIdWith(peerIdentity)
    const cached = engine.cached(id)
    if (cached !== undefined && cached.row.kind === 'direct' && cached.row.peerIdentity === peerIdentity) return id
    await engine.withLock(id, async () => {
      const existing = await engine.load(id)
      if (existing !== undefined && existing.row.kind === 'direct' && existing.row.peerIdentity === peerIdentity) return
      if (existing !== undefined) engine.log(`conversation ${id.slice(0, 12)} squatted on the 1:1 id with ${peerIdentity.slice(0, 12)}: replacing it`)
      const state = await createGroupState(fromHex(id), await createKeyPackage(engine.account.certificate, engine.account.mlsKey))
      const row = newGroupRow({ id, kind: 'direct', name: '', peerIdentity, creator: engine.identity }, state, { epoch: 0, parent: new Uint8Array() }, engine.clock.now())
      await engine.commit([{ kind: 'drop-epochs', groupId: id, fromEpoch: 0 }, { kind: 'group', row }], [{ row, state }])
    })
    this.scheduleEstablish(peerIdentity, 0)
    return id
  }

  /** Tries to add the contact's devices to our 1:1, retrying with backoff while they are offline. */
  private scheduleEstablish (peerIdentity: string, attempt: number): void {
    if (this.engine.stopped || this.establishTimers.has(peerIdentity)) return
    const initial = this.engine.options.establishRetryMs ?? 500
    const max = this.engine.options.establishRetryMaxMs ?? 30_000
    const delay = attempt === 0 ? 0 : Math.min(max, initial * 2 ** (attempt - 1))
    const timer = setTimeout(() => {
      this.establishTimers.delete(peerIdentity)
      void this.establishDirect(peerIdentity).then((done) => {
        if (!done) this.scheduleEstablish(peerIdentity, attempt + 1)
      })
    }, delay)
    timer.unref?.()
    this.establishTimers.set(peerIdentity, { timer, attempt })
  }

  /** A peer connected: if a 1:1 with its account is waiting to be set up, try now. */
  peerConnected (peerId: string): void {
    void this.engine.store.getDevice(peerId).then((device) => {
      if (device === undefined) return
      const pending = this.establishTimers.get(device.identity)
      if (pending !== undefined) {
        clearTimeout(pending.timer)
        this.establishTimers.delete(device.identity)
        this.scheduleEstablish(device.identity, 0)
      }
    }).catch(() => {})
  }

  /** One attempt at adding the other account to our 1:1; false means try again later. */
  private async establishDirect (peerIdentity: string): Promise<boolean> {
    const id = await this.directIdWith(peerIdentity)
    const group = await this.engine.load(id)
    if (group === undefined || !group.row.active) return true
    // A restored 1:1 waits for the other side's Welcome; adding them to the placeholder would fork it.
    if (await this.engine.rejoins.get(id) !== undefined) return true
    const present = new Set(listMembers(group.state).map((m) => toHex(m.certificate.identityKey)))
    if (present.has(peerIdentity)) return true
    if (group.row.creator !== this.engine.identity) return true
    try {
      await this.addDevicesOf(id, peerIdentity)
      return true
    } catch (err) {
      this.engine.log(`1:1 with ${peerIdentity.slice(0, 16)} not set up yet: ${describeError(err)}`)
      return false
    }
  }

  // ---------------------------------------------------------------- groups

  /** Creates a group conversation. */
  async createGroup (name: string): Promise<ConversationView> {
    const { engine } = this
    const trimmed = name.trim()
    if (trimmed.length === 0 || trimmed.length > 128) throw new ValidationError('group name must be 1-128 characters')
    if ((await engine.store.findGroupsByName(trimmed)).length > 0) throw new UsageError(`a group named "${trimmed}" already exists`)
    const id = toHex(randomBytes(32))
    const state = await createGroupState(fromHex(id), await createKeyPackage(engine.account.certificate, engine.account.mlsKey))
    const row = newGroupRow({ id, kind: 'group', name: trimmed, peerIdentity: null, creator: engine.identity }, state, { epoch: 0, parent: new Uint8Array() }, engine.clock.now())
    await engine.commit([{ kind: 'group', row }], [{ row, state }])
    return await this.views.announceConversation({ row, state })
  }

  /** Renames a group for every member (a GROUP_META message). */
  async renameGroup (target: string, name: string): Promise<ConversationView> {
    const { engine } = this
    const group = await this.requireGroup(target)
    if (group.row.kind !== 'group') throw new UsageError('only groups can be renamed; a 1:1 shows your contact\'s name')
    const trimmed = name.trim()
    if (trimmed.length === 0 || trimmed.length > 128) throw new ValidationError('group name must be 1-128 characters')
    if (trimmed !== group.row.name && (await engine.store.findGroupsByName(trimmed)).length > 0) throw new UsageError(`a group named "${trimmed}" already exists`)
    const id = group.row.id
    let notice: MessageView | undefined
    await engine.withLock(id, async () => {
      const current = await engine.load(id)
      if (current === undefined) throw new NotFoundError('conversation is missing')
      if (!current.row.active) throw new UsageError('you are no longer a member of this group')
      if (current.row.name === trimmed) return
      await this.refuseWhileRejoining(id)
      const row = { ...current.row, name: trimmed }
      await engine.commit([{ kind: 'group', row }], [{ ...current, row }])
      await this.sender.sendLocked(id, { kind: 'group-meta', text: '', groupName: trimmed })
      // Ordered with the GROUP_META just sent: its Lamport clock is the group's now.
      const sent = await engine.load(id)
      notice = renameNotice({ groupId: id, actor: engine.identity, lamport: sent?.row.lamport ?? row.lamport, epoch: row.epoch, at: engine.clock.now() }, trimmed)
      await engine.store.apply([{ kind: 'message', row: notice }])
    })
    if (notice !== undefined) await this.views.announceNotice(notice)
    return await this.views.announceConversation((await engine.load(id))!)
  }

  /** Resolves a contact alias (its 1:1), a group name, or a conversation id prefix. */
  async resolveTarget (target: string): Promise<string> {
    const { aliases, targets, store } = this.engine
    const known = aliases.get(target)
    if (known !== undefined) return await this.ensureDirect(known)
    // The UI names conversations by id: answered from memory, since only a write can change it.
    const byId = targets.get(target)
    if (byId !== undefined) return byId
    const generation = this.engine.targetsGeneration
    const contact = await store.findContactByAlias(target)
    if (contact !== undefined) {
      if (aliases.size >= 10_000) aliases.clear()
      aliases.set(target, contact.identity)
      return await this.ensureDirect(contact.identity)
    }
    const groups = await store.findGroupsByName(target)
    if (groups.length === 1) return groups[0]!.id
    if (groups.length > 1) throw new UsageError(`several groups are named "${target}"; use its id`)
    if (/^[0-9a-f]{8,64}$/.test(target)) {
      const matches = (await store.listGroups()).filter((g) => g.id.startsWith(target))
      if (matches.length === 1) {
        if (targets.size >= 10_000) targets.clear()
        if (generation === this.engine.targetsGeneration) targets.set(target, matches[0]!.id)
        return matches[0]!.id
      }
    }
    throw new NotFoundError(`no contact or group named "${target}"; see \`kith contacts\` and \`kith groups\``)
  }

  /** The conversation a target names, or a {@link NotFoundError}. */
  async requireGroup (target: string): Promise<CachedGroup> {
    const id = await this.resolveTarget(target)
    const group = await this.engine.load(id)
    if (group === undefined) throw new NotFoundError(`conversation ${id} is missing`)
    return group
  }

  /** All conversations. */
  async list (): Promise<ConversationView[]> {
    const out: ConversationView[] = []
    for (const row of await this.engine.store.listGroups()) {
      const g = await this.engine.load(row.id)
      if (g !== undefined) out.push(await this.views.conversationView(g))
    }
    return out
  }

  /** Adds a contact's devices to a group. */
  async addMember (target: string, alias: string): Promise<ConversationView> {
    const group = await this.requireGroup(target)
    if (group.row.kind !== 'group') throw new UsageError('members are added to groups, not to 1:1 conversations')
    const contact = await this.contacts.require(alias)
    // A person waits on this one, so a dropped connection is retried here, with the 1:1's backoff.
    await this.addDevicesOf(group.row.id, contact.identity, ADD_MEMBER_ATTEMPTS)
    return await this.views.conversationView((await this.engine.load(group.row.id))!)
  }

  /**
   * Fetches a device's KeyPackage, trying again after a network failure (a reset connection, a
   * peer that just went away) with the same backoff as setting up a 1:1; the last failure is thrown.
   */
  private async fetchKeyPackageRetrying (peerId: string, attempts: number): Promise<{ keyPackage: Uint8Array, card: Uint8Array }> {
    const initial = this.engine.options.establishRetryMs ?? 500
    const max = this.engine.options.establishRetryMaxMs ?? 30_000
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.engine.transport.fetchKeyPackage(peerId)
      } catch (err) {
        if (!(err instanceof PeerError) || attempt >= attempts || this.engine.stopped) throw err
        this.engine.log(`key package from ${peerId} failed (attempt ${attempt} of ${attempts}), retrying: ${describeError(err)}`)
        await new Promise((resolve) => setTimeout(resolve, Math.min(max, initial * 2 ** (attempt - 1))))
      }
    }
  }

  /** Removes every device of a contact from a group. */
  async removeMember (target: string, alias: string): Promise<ConversationView> {
    const group = await this.requireGroup(target)
    if (group.row.kind !== 'group') throw new UsageError('members are removed from groups, not from 1:1 conversations')
    const contact = await this.contacts.require(alias)
    await this.engine.withLock(group.row.id, async () => {
      await this.commitLocked(group.row.id, { add: [], remove: [contact.identity] }, [])
    })
    return await this.views.conversationView((await this.engine.load(group.row.id))!)
  }

  /** Rotates this device's keys in a conversation (an MLS update commit), for post-compromise security. */
  async rekey (target: string): Promise<ConversationView> {
    const group = await this.requireGroup(target)
    await this.engine.withLock(group.row.id, async () => {
      await this.commitLocked(group.row.id, { add: [], remove: [] }, [])
    })
    return await this.views.conversationView((await this.engine.load(group.row.id))!)
  }

  /** Fetches KeyPackages from the account's devices and commits their addition. */
  private async addDevicesOf (groupId: string, identity: string, attempts = 1): Promise<void> {
    const devices = await this.engine.store.devicesOf(identity)
    if (devices.length === 0) throw new NotFoundError('no known device for that contact')
    const fetched: Array<{ kp: Awaited<ReturnType<typeof readPeerKeyPackage>>, device: { peerId: string } }> = []
    for (const device of devices) {
      const response = await this.fetchKeyPackageRetrying(device.peerId, attempts)
      const kp = await readPeerKeyPackage(response.keyPackage, { identityKey: fromHex(identity), peerId: (await decodeInvite(device.certificate)).certificate.peerId })
      fetched.push({ kp, device })
    }
    await this.engine.withLock(groupId, async () => {
      await this.commitLocked(groupId, { add: fetched.map((f) => f.device.peerId), remove: [] }, fetched.map((f) => f.kp.keyPackage))
    })
  }

  /** Commits adds/removes in a locked group, stores it, and queues the commit and welcome. */
  async commitLocked (groupId: string, intent: CommitIntent, keyPackages: readonly KeyPackage[]): Promise<void> {
    const { engine } = this
    const group = await engine.load(groupId)
    if (group === undefined) throw new NotFoundError('conversation is missing')
    if (!group.row.active) throw new UsageError('you are no longer a member of this group')
    await this.refuseWhileRejoining(groupId)
    const before = listMembers(group.state)
    const removeLeaves = before.filter((m) => intent.remove.includes(toHex(m.certificate.identityKey)) && m.leafIndex !== ownLeafIndex(group.state)).map((m) => m.leafIndex)
    if (intent.remove.length > 0 && removeLeaves.length === 0) throw new UsageError('that contact is not a member of this group')
    for (const m of before) {
      if (intent.removeDevices?.includes(peerIdToString(m.certificate.peerId)) === true && m.leafIndex !== ownLeafIndex(group.state) && !removeLeaves.includes(m.leafIndex)) removeLeaves.push(m.leafIndex)
    }
    const presentPeers = new Set(before.map((m) => peerIdToString(m.certificate.peerId)))
    // keyPackages[i] belongs to intent.add[i]; devices already in the group are skipped.
    const adds = keyPackages.filter((_, i) => !presentPeers.has(intent.add[i] ?? ''))
    if (intent.add.length > 0 && adds.length === 0 && removeLeaves.length === 0) return
    const result = await commitChanges(group.state, { add: adds, removeLeaves, parent: group.row.tipHash })
    const epoch = group.row.epoch
    const now = engine.clock.now()
    const writes: Write[] = [
      { kind: 'epoch', row: { groupId, epoch, stateBefore: encodeState(group.state), commitHash: result.commitHash, parentHash: group.row.tipHash, intent: JSON.stringify(intent) } },
      { kind: 'prune-epochs', groupId, belowEpoch: epoch + 1 - RETAINED_EPOCHS }
    ]
    const fields = { groupId, lamport: group.row.lamport + 1, epoch, at: now }
    const after = listMembers(result.state)
    const notices = [
      ...group.row.kind !== 'group' ? [] : await membershipNotices(engine.store, { ...fields, actor: engine.identity }, before, after),
      ...await newDeviceNotices(engine.store, fields, engine.identity, before, after)
    ]
    const row: GroupRow = {
      ...group.row, state: encodeState(result.state), epoch: epochOf(result.state), tipHash: result.commitHash,
      lamport: notices.length > 0 ? group.row.lamport + 1 : group.row.lamport
    }
    writes.push({ kind: 'group', row }, ...notices.map((n): Write => ({ kind: 'message', row: n })))
    const hints = adds.length > 0 ? await this.hintsFor(result.state) : []
    const commitFrame = Deliver.encode({ id: randomBytes(16) as Uint8Array<ArrayBuffer>, kind: DeliverKind.MLS, message: result.commit as Uint8Array<ArrayBuffer>, card: new Uint8Array(), hints, commitHash: new Uint8Array() })
    for (const m of before) {
      if (m.leafIndex === ownLeafIndex(group.state)) continue
      const peerId = peerIdToString(m.certificate.peerId)
      writes.push({ kind: 'outbox', peerId, groupId, messageId: null, frame: commitFrame, createdAt: now })
    }
    if (result.welcome !== undefined) {
      const welcomeFrame = Deliver.encode({
        id: randomBytes(16) as Uint8Array<ArrayBuffer>, kind: DeliverKind.WELCOME, message: result.welcome as Uint8Array<ArrayBuffer>,
        card: encodeInvite(engine.invite()) as Uint8Array<ArrayBuffer>, hints, commitHash: result.commitHash as Uint8Array<ArrayBuffer>
      })
      for (const peerId of intent.add) {
        if (presentPeers.has(peerId)) continue
        writes.push({ kind: 'outbox', peerId, groupId, messageId: null, frame: welcomeFrame, createdAt: now })
      }
    }
    const updated = { row, state: result.state }
    await engine.commit(writes, [updated])
    if (adds.length > 0 && row.kind === 'group') await this.sender.sendLocked(groupId, { kind: 'group-meta', text: '', groupName: row.name })
    await this.sender.resendLocked(groupId)
    if (adds.length > 0) await this.profiles.reannounceLocked(groupId)
    await this.views.announceConversation(updated)
    for (const n of notices) await this.views.announceNotice(n)
  }

  /** Throws a {@link UsageError} while a restored conversation waits to be put back in (rejoin-marks.ts). */
  private async refuseWhileRejoining (groupId: string): Promise<void> {
    if (await this.engine.rejoins.get(groupId) !== undefined) {
      throw new UsageError('this conversation is rejoining after a restore; membership changes wait until a member puts this device back in')
    }
  }

  /** Where the members of a group can be reached, for a commit or welcome that adds devices. */
  private async hintsFor (state: GroupState): Promise<Array<{ peerId: Uint8Array<ArrayBuffer>, addrs: string[] }>> {
    const hints = []
    for (const m of listMembers(state)) {
      const peerId = peerIdToString(m.certificate.peerId)
      const addrs = peerId === this.engine.account.peerId ? this.engine.transport.listenAddrs() : (await this.engine.store.getDevice(peerId))?.addrs ?? []
      if (addrs.length > 0) hints.push({ peerId: m.certificate.peerId as Uint8Array<ArrayBuffer>, addrs: addrs.slice(0, 16) })
      if (hints.length >= 32) break
    }
    return hints
  }

  /** Redoes, in a locked group, the adds and removes of own commits that lost a fork. */
  async redoIntentsLocked (groupId: string, intents: Array<string | null>): Promise<void> {
    const { engine } = this
    for (const raw of intents) {
      if (raw === null) continue
      let intent: CommitIntent
      try { intent = JSON.parse(raw) as CommitIntent } catch { continue }
      const group = await engine.load(groupId)
      if (group === undefined || !group.row.active) return
      const members = listMembers(group.state)
      const memberPeers = new Set(members.map((m) => peerIdToString(m.certificate.peerId)))
      const memberIds = new Set(members.map((m) => toHex(m.certificate.identityKey)))
      const remove = intent.remove.filter((i) => memberIds.has(i))
      const removeDevices = (intent.removeDevices ?? []).filter((p) => memberPeers.has(p))
      const addPeers = intent.add.filter((p) => !memberPeers.has(p))
      try {
        const kps = []
        for (const peerId of addPeers) {
          const device = await engine.store.getDevice(peerId)
          if (device === undefined) continue
          const response = await engine.transport.fetchKeyPackage(peerId)
          kps.push((await readPeerKeyPackage(response.keyPackage, { identityKey: fromHex(device.identity) })).keyPackage)
        }
        if (remove.length > 0 || removeDevices.length > 0 || kps.length > 0) {
          engine.log(`redoing a commit that lost a fork in ${groupId.slice(0, 12)}`)
          await this.commitLocked(groupId, { add: addPeers, remove, removeDevices }, kps)
        }
      } catch (err) {
        engine.log(`could not redo a lost commit in ${groupId.slice(0, 12)}: ${describeError(err)}`)
      }
    }
  }
}
