/**
 * Joining conversations: the one-time KeyPackages this device hands to peers that want to add it,
 * and the Welcomes that then bring it into a 1:1 or a group, checked against who sent them and
 * against the conversations this device already has.
 */
import { decodeMlsMessage } from 'ts-mls'
import { compareBytes, equalBytes, fromHex, toHex } from '../bytes.ts'
import type { Deliver } from '../codec/envelope.ts'
import { ValidationError } from '../errors.ts'
import { decodeInvite, encodeInvite, type Invite } from '../identity/invite.ts'
import { peerIdToString } from '../identity/peer-id.ts'
import { keepsDirectGroupOf } from '../conversation/direct-conversation.ts'
import { epochOf, joinFromWelcome, listMembers } from '../mls/group.ts'
import { createKeyPackage, type OwnKeyPackage } from '../mls/key-package.ts'
import type { Contacts } from './contacts.ts'
import { newGroupRow, type Conversations } from './conversations.ts'
import { describeError, type Engine, type Outcome } from './engine.ts'
import { newDeviceNotices, noticeRow } from './notices.ts'
import type { Receiver } from './receiver.ts'
import { rejoinMarkWrite, rejoinOutboxId } from './rejoin-marks.ts'
import type { Sender } from './sender.ts'
import { KeyPackagePublication, type PublishedKeyPackages } from './published-key-packages.ts'
import type { GroupRow, KeyPackageRow, Write } from './store.ts'
import type { Views } from './views.ts'

/** Outstanding one-time KeyPackages kept at most. */
const MAX_KEY_PACKAGES = 100

/** The lock incoming Welcomes take, so that they too are handled in arrival order. */
export const WELCOME_LOCK = 'welcome'

/** One device's way into conversations others created. */
export class Joining {
  /** The KeyPackages this device lists in its directory record. */
  readonly publication: KeyPackagePublication

  constructor (
    private readonly engine: Engine, private readonly views: Views, private readonly sender: Sender, private readonly contacts: Contacts,
    private readonly conversations: Conversations, private readonly receiver: Receiver
  ) {
    this.publication = new KeyPackagePublication(engine, async () => ({ row: await this.newKeyPackageRow() }))
  }

  private async newKeyPackageRow (): Promise<KeyPackageRow> {
    const { engine } = this
    const kp = await createKeyPackage(engine.account.certificate, engine.account.mlsKey)
    return { ref: toHex(kp.ref), publicPackage: kp.encoded, initPrivateKey: kp.privatePackage.initPrivateKey, hpkePrivateKey: kp.privatePackage.hpkePrivateKey, createdAt: engine.clock.now() }
  }

  /** The KeyPackages to list in the directory record now (published-key-packages.ts). */
  async publishedKeyPackages (): Promise<PublishedKeyPackages> {
    return await this.engine.withLock(WELCOME_LOCK, async () => await this.publication.current())
  }

  /** Makes a one-time KeyPackage for a peer that wants to add this device, and stores its private half. */
  async provideKeyPackage (): Promise<{ keyPackage: Uint8Array, card: Uint8Array }> {
    const { engine } = this
    const row = await this.newKeyPackageRow()
    const writes: Write[] = [{ kind: 'key-package', row }]
    const existing = await engine.store.listKeyPackages()
    if (existing.length + 1 > MAX_KEY_PACKAGES) {
      // Those that rejoin requests carry, and those the directory record lists, stay: anyone may
      // ask for KeyPackages, and must not be able to push them out.
      const reserved = await engine.rejoins.reservedKeyPackages((await engine.store.listGroups()).map((g) => g.id))
      for (const ref of await this.publication.reserved()) reserved.add(ref)
      const droppable = existing.filter((k) => !reserved.has(k.ref))
      for (const old of droppable.slice(0, Math.max(0, existing.length + 1 - MAX_KEY_PACKAGES))) writes.push({ kind: 'key-package-used', ref: old.ref })
    }
    await engine.store.apply(writes)
    return { keyPackage: row.publicPackage, card: encodeInvite(engine.invite()) }
  }

  private ownKeyPackageFromRow (row: KeyPackageRow): OwnKeyPackage {
    const decoded = decodeMlsMessage(row.publicPackage, 0)?.[0]
    if (decoded === undefined || decoded.wireformat !== 'mls_key_package') throw new ValidationError('stored key package is corrupt')
    return {
      ref: fromHex(row.ref),
      publicPackage: decoded.keyPackage,
      privatePackage: { initPrivateKey: row.initPrivateKey, hpkePrivateKey: row.hpkePrivateKey, signaturePrivateKey: this.engine.account.mlsKey.signKey },
      encoded: row.publicPackage
    }
  }

  /** Handles a Welcome under {@link WELCOME_LOCK}. */
  async receiveWelcome (fromPeer: string, frame: Deliver, welcome: Parameters<typeof joinFromWelcome>[0], hash: string): Promise<Outcome> {
    const { engine } = this
    let card: Invite
    try {
      card = await decodeInvite(frame.card)
    } catch (err) {
      engine.log(`dropped welcome from ${fromPeer}: bad card: ${describeError(err)}`)
      return 'rejected'
    }
    if (peerIdToString(card.certificate.peerId) !== fromPeer) {
      engine.log(`dropped welcome from ${fromPeer}: its card names another device`)
      return 'rejected'
    }
    // Find the KeyPackage this welcome is addressed to.
    const rows = await engine.store.listKeyPackages()
    const targets = new Set(welcome.secrets.map((s) => toHex(s.newMember)))
    const row = rows.find((r) => targets.has(r.ref))
    if (row === undefined) {
      engine.log(`dropped welcome from ${fromPeer}: not addressed to any key package of this device`)
      return 'rejected'
    }
    const state = await joinFromWelcome(welcome, this.ownKeyPackageFromRow(row))
    const groupId = toHex(state.groupContext.groupId)
    const welcomer = toHex(card.certificate.identityKey)
    if (!listMembers(state).some((m) => toHex(m.certificate.identityKey) === welcomer)) {
      engine.log(`dropped welcome from ${fromPeer}: the sender is not a member of the group`)
      return 'rejected'
    }
    const directId = await this.conversations.directIdWith(welcomer)
    const kind: GroupRow['kind'] = directId === groupId ? 'direct' : 'group'
    return await engine.withLock(groupId, async (): Promise<Outcome> => {
      const existing = await engine.load(groupId)
      // A published KeyPackage stays for other Welcomes that may race this one; any other is spent.
      const published = await this.publication.isPublished(row.ref)
      const spent: Write[] = published ? await this.publication.used(row.ref, engine.clock.now()) : [{ kind: 'key-package-used', ref: row.ref }]
      const writes: Write[] = [{ kind: 'seen', hash, at: engine.clock.now() }, ...spent]
      const joined = new Set(listMembers(state).map((m) => toHex(m.certificate.identityKey)))
      if (kind === 'direct' && (joined.size !== 2 || !joined.has(engine.identity))) {
        engine.log(`refused welcome from ${fromPeer}: a 1:1 must hold exactly its two accounts`)
        await engine.store.apply(writes)
        return 'rejected'
      }
      if (kind === 'group' && await this.conversations.isDirectIdOfContact(groupId)) {
        engine.log(`refused welcome from ${fromPeer}: the group id belongs to a 1:1 with someone else`)
        await engine.store.apply(writes)
        return 'rejected'
      }
      const mark = existing === undefined ? undefined : await engine.rejoins.get(groupId)
      if (mark !== undefined) {
        // A conversation restored from a backup: only a member it had then may put this device back.
        if (!mark.members.some((m) => m.identity === welcomer)) {
          engine.log(`ignored welcome to rejoining ${groupId.slice(0, 12)} from ${fromPeer}: not one of its members`)
          await engine.store.apply(writes)
          return 'rejected'
        }
        engine.log(`rejoined ${groupId.slice(0, 12)}: ${fromPeer} put this device back`)
        // One member answered: the requests still queued for the others would only make them commit too.
        writes.push({ kind: 'drop-epochs', groupId, fromEpoch: 0 }, rejoinMarkWrite(groupId, undefined), { kind: 'outbox-drop-message', messageId: rejoinOutboxId(groupId) })
      } else if (existing !== undefined && existing.row.active) {
        // Only the other party of a 1:1 (when the tie-break keeps theirs) or a member of a group
        // re-adding us after a fork may replace a conversation; anyone else would take it over.
        const replace = existing.row.kind === 'direct'
          ? kind === 'direct' && existing.row.peerIdentity === welcomer && existing.row.creator !== welcomer &&
            equalBytes(keepsDirectGroupOf(fromHex(existing.row.creator), card.certificate.identityKey), card.certificate.identityKey)
          : kind === 'group' && listMembers(existing.state).some((m) => toHex(m.certificate.identityKey) === welcomer) && epochOf(state) >= existing.row.epoch
        // Two members that put this device back at once: keep the Welcome of the commit fork choice keeps (the lower hash).
        const sameJoin = existing.row.kind === 'group' && existing.row.baseEpoch === existing.row.epoch && epochOf(state) === existing.row.epoch &&
          existing.row.baseParent.length > 0 && compareBytes(frame.commitHash, existing.row.baseParent) >= 0
        if (!replace || sameJoin) {
          engine.log(`ignored welcome to ${groupId.slice(0, 12)} from ${fromPeer}: keeping the conversation we have`)
          await engine.store.apply(writes)
          return 'rejected'
        }
        engine.log(`replacing conversation ${groupId.slice(0, 12)} with the one ${fromPeer} sent`)
        for (const m of await engine.store.ownMessagesSince(groupId, 0)) {
          // Messages another device of this account sent (before a restore) are not this device's to resend.
          if (m.senderDevice !== engine.account.peerId) continue
          writes.push({ kind: 'message-resend', id: m.id, needsSend: true, recipients: m.recipients, epoch: m.epoch })
          writes.push({ kind: 'outbox-drop-message', messageId: m.id })
        }
        writes.push({ kind: 'drop-epochs', groupId, fromEpoch: 0 })
      }
      if (await engine.store.getContact(welcomer) === undefined) {
        const alias = await this.contacts.uniqueAlias(card.certificate.displayName.replace(/\s+/g, '-').toLowerCase(), welcomer)
        writes.push({ kind: 'contact', row: { identity: welcomer, alias, displayName: card.certificate.displayName, verified: false, createdAt: engine.clock.now() } })
      }
      const epoch = epochOf(state)
      // A group this account was just added to says who added it: the commit that did is not one
      // this device applies. Not for a device of an account already in the group (a new device).
      // It comes one Lamport tick after the row's last notice ("Alice removed you", when added
      // back), and the new-device notices of the same Welcome one tick after it.
      const otherDeviceIn = listMembers(state).some((m) => toHex(m.certificate.identityKey) === engine.identity && !equalBytes(m.certificate.peerId, engine.account.certificate.peerId))
      const welcomed = kind === 'group' && mark === undefined && existing?.row.active !== true && welcomer !== engine.identity && !otherDeviceIn
      const lamportBefore = existing?.row.lamport ?? 0
      const lamport = welcomed ? lamportBefore + 2 : lamportBefore
      const notices = welcomed ? [noticeRow({ groupId, actor: welcomer, lamport: lamportBefore + 1, epoch, at: engine.clock.now() }, { type: 'added', subjects: [engine.identity], name: '' })] : []
      // Read before this welcome's devices are recorded: a contact's device seen for the first time here is news.
      notices.push(...await newDeviceNotices(engine.store, { groupId, lamport, epoch, at: engine.clock.now() },
        engine.identity, existing?.row.active === true ? listMembers(existing.state) : [], listMembers(state)))
      writes.push(...notices.map((n): Write => ({ kind: 'message', row: n })))
      writes.push(...this.contacts.deviceWrites(card))
      for (const m of listMembers(state)) await this.contacts.rememberMember(m, writes)
      const base = newGroupRow(
        { id: groupId, kind, name: kind === 'group' ? 'group' : '', peerIdentity: kind === 'direct' ? welcomer : null, creator: welcomer },
        state, { epoch, parent: frame.commitHash }, engine.clock.now()
      )
      const newRow: GroupRow = {
        ...base,
        lamport,
        ownSeq: existing?.row.ownSeq ?? 0,
        name: existing?.row.kind === 'group' ? existing.row.name : base.name,
        createdAt: existing?.row.createdAt ?? base.createdAt
      }
      writes.push({ kind: 'group', row: newRow })
      const updated = { row: newRow, state }
      await engine.commit(writes, [updated])
      await engine.transport.addAddresses(fromPeer, card.addrs).catch(() => {})
      engine.log(`joined ${kind} conversation ${groupId.slice(0, 12)} from ${fromPeer}`)
      await this.views.announceConversation(updated)
      for (const n of notices) await this.views.announceNotice(n)
      await this.sender.resendLocked(groupId)
      await this.receiver.drainPendingLocked(groupId)
      if (published) {
        // Others may have joined this device to their groups with the same KeyPackage, so its leaf
        // key is shared between them: replace it here at once (RFC 9420 §16.8).
        await this.conversations.commitLocked(groupId, { add: [], remove: [] }, []).catch((err: unknown) => {
          engine.log(`could not update this device's keys in ${groupId.slice(0, 12)} after joining with a published KeyPackage: ${describeError(err)}`)
        })
      }
      return 'stored'
    })
  }
}
