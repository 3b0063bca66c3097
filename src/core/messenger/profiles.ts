/**
 * Profiles: this account's display name and the names members announce (PROTOCOL.md §7.6).
 *
 * Changing the name re-issues this device's certificate (same keys and peer id, a later
 * `createdAt`) and announces it with a PROFILE payload in every conversation. A received PROFILE is
 * accepted only if its certificate verifies, describes the sender's own leaf (identity key, peer id
 * and MLS signature key) and is newer than every certificate known for that device; the contact is
 * renamed and each shared conversation gets "Alice is now Alicia". A member's leaf keeps the
 * certificate it joined with, so a device re-announces its newer one whenever members are added.
 */
import { equalBytes, toHex } from '../bytes.ts'
import { encodeDeviceCertificate, readDeviceCertificate, validateDisplayName, type DeviceCertificate } from '../identity/device-certificate.ts'
import { decodeInvite, encodeInvite } from '../identity/invite.ts'
import { peerIdToString } from '../identity/peer-id.ts'
import { listMembers, ownLeafIndex, type Member } from '../mls/group.ts'
import { renameAccount } from './account.ts'
import { describeError, type Engine } from './engine.ts'
import { profileNotice } from './notices.ts'
import type { Sender } from './sender.ts'
import type { MessageView, Write } from './store.ts'
import type { Views } from './views.ts'

/** The lock that runs this account's renames one at a time (not a conversation id: those are hex). */
const PROFILE_LOCK = 'profile'

/** What checking an announced certificate found. */
export type ProfileCheck = { ok: true, certificate: DeviceCertificate } | { ok: false, reason: string }

/**
 * Checks a PROFILE's certificate against the sender's leaf credential and the newest `createdAt`
 * known for that device: it must verify, keep the leaf's identity key, peer id and MLS signature
 * key, and be newer (an older or equal one is a replay, or stale).
 */
export async function checkProfile (bytes: Uint8Array, leaf: DeviceCertificate, knownCreatedAt: number): Promise<ProfileCheck> {
  let certificate: DeviceCertificate
  try {
    certificate = await readDeviceCertificate(bytes)
  } catch (err) {
    return { ok: false, reason: `its certificate is not valid: ${describeError(err)}` }
  }
  if (!equalBytes(certificate.identityKey, leaf.identityKey)) return { ok: false, reason: 'its certificate is for another identity than the sender\'s' }
  if (!equalBytes(certificate.peerId, leaf.peerId)) return { ok: false, reason: 'its certificate names another device than the sender' }
  if (!equalBytes(certificate.mlsSignatureKey, leaf.mlsSignatureKey)) return { ok: false, reason: 'its certificate names another MLS signature key than the sender\'s leaf' }
  if (certificate.createdAt <= knownCreatedAt) return { ok: false, reason: `its certificate (created ${certificate.createdAt}) is not newer than the one known (${knownCreatedAt}): replayed or stale` }
  return { ok: true, certificate }
}

/** What accepting a PROFILE adds to the batch that stores it, and the notices to announce after. */
export interface ProfileOutcome {
  readonly writes: Write[]
  readonly notices: MessageView[]
}

/** This account's profile, and the profiles of the accounts it talks to. */
export class Profiles {
  constructor (private readonly engine: Engine, private readonly views: Views, private readonly sender: Sender) {}

  /**
   * Changes this account's display name: stores the re-issued certificate, announces it in every
   * conversation that has other members, and adds "You are now …" to each. Returns the name.
   */
  async setDisplayName (name: string): Promise<string> {
    const { engine } = this
    const displayName = validateDisplayName(name)
    // One at a time: two renames issued from the same certificate could get the same `createdAt`,
    // and receivers would keep whichever arrived first.
    const renamed = await engine.withLock(PROFILE_LOCK, async () => {
      if (displayName === engine.account.certificate.displayName) return undefined
      const reissued = await renameAccount(engine.account, displayName, engine.clock.now())
      await engine.commit(reissued.writes)
      engine.replaceAccount(reissued.account)
      return reissued
    })
    if (renamed === undefined) return displayName
    engine.log(`display name changed; announcing the new device certificate (created ${renamed.account.certificate.createdAt})`)
    for (const row of await engine.store.listGroups()) {
      if (!row.active) continue
      let notice: MessageView | undefined
      await engine.withLock(row.id, async () => {
        const group = await engine.load(row.id)
        if (group === undefined || !group.row.active) return
        await this.announceLocked(row.id)
        const now = (await engine.load(row.id))!.row
        notice = profileNotice({ groupId: row.id, actor: engine.identity, lamport: now.lamport, epoch: now.epoch, at: engine.clock.now() }, '', displayName)
        await engine.commit([{ kind: 'message', row: notice }])
      })
      if (notice !== undefined) await this.views.announceNotice(notice)
    }
    return displayName
  }

  /** Sends this device's certificate in a locked conversation, if it has anyone to send to. */
  async announceLocked (groupId: string): Promise<boolean> {
    const group = await this.engine.load(groupId)
    if (group === undefined || !group.row.active || this.engine.recipientsOf(group.state).length === 0) return false
    await this.sender.sendLocked(groupId, { kind: 'profile', text: '', certificate: encodeDeviceCertificate(this.engine.account.certificate) })
    return true
  }

  /**
   * After members were added to a locked conversation: if this device's leaf still holds an older
   * certificate than its current one, the newcomers would see the old name, so it is announced.
   */
  async reannounceLocked (groupId: string): Promise<void> {
    const group = await this.engine.load(groupId)
    if (group === undefined) return
    const own = listMembers(group.state).find((m) => m.leafIndex === ownLeafIndex(group.state))
    if (own === undefined || own.certificate.createdAt >= this.engine.account.certificate.createdAt) return
    if (await this.announceLocked(groupId)) this.engine.log(`re-announced the display name in ${groupId.slice(0, 12)} for new members`)
  }

  /**
   * A PROFILE from `sender` in a locked conversation (at `lamport`). Accepted: the device's stored
   * certificate and the contact's display name change, and every active conversation the account
   * is in gets a notice if the name changed. Refused: the reason.
   */
  async receiveLocked (groupId: string, lamport: number, sender: Member, certificate: Uint8Array): Promise<ProfileOutcome | { refused: string }> {
    const { engine } = this
    const { store } = engine
    const peerId = peerIdToString(sender.certificate.peerId)
    const device = await store.getDevice(peerId)
    let known = sender.certificate
    if (device !== undefined) {
      try {
        const stored = (await decodeInvite(device.certificate)).certificate
        if (stored.createdAt > known.createdAt) known = stored
      } catch { /* a damaged row: the leaf's certificate is what is known */ }
    }
    const check = await checkProfile(certificate, sender.certificate, known.createdAt)
    if (!check.ok) return { refused: check.reason }
    const cert = check.certificate
    const identity = toHex(cert.identityKey)
    const addrs = device?.addrs ?? []
    const writes: Write[] = [{
      kind: 'device', row: { peerId, identity, certificate: encodeInvite({ certificate: cert, addrs: [...addrs] }), addrs, updatedAt: engine.clock.now() }
    }]
    const contact = identity === engine.identity ? undefined : await store.getContact(identity)
    const previous = contact?.displayName ?? known.displayName
    if (contact !== undefined) writes.push({ kind: 'contact', row: { ...contact, displayName: cert.displayName } })
    const notices: MessageView[] = []
    if (previous !== cert.displayName && identity !== engine.identity) {
      for (const row of await store.listGroups()) {
        if (!row.active) continue
        const group = await engine.load(row.id)
        if (group === undefined || !listMembers(group.state).some((m) => toHex(m.certificate.identityKey) === identity)) continue
        const at = row.id === groupId ? lamport : group.row.lamport
        notices.push(profileNotice({ groupId: row.id, actor: identity, lamport: at, epoch: group.row.epoch, at: engine.clock.now() }, previous, cert.displayName))
      }
    }
    writes.push(...notices.map((n): Write => ({ kind: 'message', row: n })))
    engine.log(`${identity.slice(0, 12)} announced a new certificate for ${peerId} (created ${cert.createdAt})`)
    return { writes, notices }
  }
}
