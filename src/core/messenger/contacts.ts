/**
 * Contacts and the devices the messenger knows: contacts added from invites, devices learned from
 * invites, cards and group members, and the addresses that frames hint at for reaching them.
 */
import { equalBytes, fromHex, toHex } from '../bytes.ts'
import type { Deliver } from '../codec/envelope.ts'
import { NotFoundError, UsageError, ValidationError } from '../errors.ts'
import type { DeviceCertificate } from '../identity/device-certificate.ts'
import { decodeInvite, encodeInvite, type Invite } from '../identity/invite.ts'
import { peerIdToString } from '../identity/peer-id.ts'
import { computeSafetyNumber } from '../identity/safety-number.ts'
import type { Member } from '../mls/group.ts'
import type { Engine } from './engine.ts'
import type { ContactView } from './events.ts'
import type { ContactRow, Write } from './store.ts'

/** Devices whose hinted addresses are remembered, at most. */
const MAX_HINTED = 1000

/** One device's contacts and known devices. */
export class Contacts {
  /** Addresses frames hinted at, by device, for devices not yet recorded. */
  private readonly hintedAddrs = new Map<string, string[]>()

  constructor (private readonly engine: Engine) {}

  /** `wanted`, or `wanted-2`, `wanted-3`…: the first alias no other contact has. */
  async uniqueAlias (wanted: string, identity: string): Promise<string> {
    const base = wanted.trim().length > 0 ? wanted.trim() : 'contact'
    for (let i = 1; ; i++) {
      const alias = i === 1 ? base : `${base}-${i}`
      const existing = await this.engine.store.findContactByAlias(alias)
      if (existing === undefined || existing.identity === identity) return alias
    }
  }

  /** The write that records the device an invite or card describes. */
  deviceWrites (invite: Invite): Write[] {
    const cert = invite.certificate
    return [{
      kind: 'device',
      row: { peerId: peerIdToString(cert.peerId), identity: toHex(cert.identityKey), certificate: encodeInvite(invite), addrs: [...invite.addrs], updatedAt: this.engine.clock.now() }
    }]
  }

  /** Adds (or renames) a contact from a verified invite and records its device; returns its row. */
  async add (invite: Invite, alias?: string): Promise<ContactRow> {
    const { store, clock } = this.engine
    const identity = toHex(invite.certificate.identityKey)
    if (identity === this.engine.identity) throw new UsageError('that invite is your own')
    if (alias !== undefined) {
      if (alias.trim().length === 0 || alias.length > 64 || /\s/.test(alias.trim())) throw new ValidationError('alias must be 1-64 characters without spaces')
      const taken = await store.findContactByAlias(alias)
      if (taken !== undefined && taken.identity !== identity) throw new UsageError(`alias "${alias}" already names another contact`)
    }
    const existing = await store.getContact(identity)
    const certificate = await this.newestCertificate(invite.certificate)
    const row: ContactRow = {
      identity,
      alias: alias ?? existing?.alias ?? await this.uniqueAlias(certificate.displayName.replace(/\s+/g, '-').toLowerCase(), identity),
      displayName: certificate.displayName,
      verified: existing?.verified ?? false,
      createdAt: existing?.createdAt ?? clock.now()
    }
    await this.engine.commit([{ kind: 'contact', row }, ...this.deviceWrites({ ...invite, certificate })])
    await this.engine.transport.addAddresses(peerIdToString(invite.certificate.peerId), invite.addrs).catch(() => {})
    return row
  }

  /**
   * The warning for an invite whose display name is already a contact's under another identity
   * key: the same name on a new key is a different person, or the same person with a new account.
   */
  async sameNameWarning (invite: Invite): Promise<string | undefined> {
    const identity = toHex(invite.certificate.identityKey)
    const name = invite.certificate.displayName
    const folded = name.toLocaleLowerCase()
    const namesake = (await this.engine.store.listContacts()).find((c) => c.identity !== identity && c.displayName.toLocaleLowerCase() === folded)
    if (namesake === undefined) return undefined
    return `You already have a contact called ${namesake.displayName} with a different key — this is a different person or a new account. Compare safety numbers before you trust ${name}.`
  }

  /**
   * `certificate`, unless this device already holds a newer one for the same device: an old invite
   * link, added again, must not bring back the name its owner has since changed (profiles.ts).
   */
  private async newestCertificate (certificate: DeviceCertificate): Promise<DeviceCertificate> {
    const stored = await this.engine.store.getDevice(peerIdToString(certificate.peerId))
    if (stored === undefined) return certificate
    try {
      const known = (await decodeInvite(stored.certificate)).certificate
      const same = equalBytes(known.identityKey, certificate.identityKey) && equalBytes(known.mlsSignatureKey, certificate.mlsSignatureKey)
      return same && known.createdAt > certificate.createdAt ? known : certificate
    } catch {
      return certificate
    }
  }

  /** A contact as the CLI and UI show it, with its devices. */
  async view (row: ContactRow): Promise<ContactView> {
    const devices = await this.engine.store.devicesOf(row.identity)
    return { alias: row.alias, displayName: row.displayName, identity: row.identity, verified: row.verified, devices: devices.map((d) => d.peerId) }
  }

  /** All contacts. */
  async list (): Promise<ContactView[]> {
    return await Promise.all((await this.engine.store.listContacts()).map(async (c) => await this.view(c)))
  }

  /** Finds a contact by alias, or throws a {@link NotFoundError} naming it. */
  async require (alias: string): Promise<ContactRow> {
    const c = await this.engine.store.findContactByAlias(alias)
    if (c === undefined) throw new NotFoundError(`no contact named "${alias}"; see \`kith contacts\``)
    return c
  }

  /** The safety number this account shares with the account whose identity key (hex) is given. */
  async safetyNumberWith (identity: string): Promise<string> {
    return await computeSafetyNumber(this.engine.account.identity.publicKey, fromHex(identity))
  }

  /** Marks a contact verified after the safety numbers were compared. */
  async markVerified (alias: string, verified: boolean): Promise<ContactView> {
    const row = { ...await this.require(alias), verified }
    await this.engine.commit([{ kind: 'contact', row }])
    return await this.view(row)
  }

  /** Remembers addresses a frame carries for member devices, so they can be reached. */
  async learnHints (frame: Deliver): Promise<void> {
    for (const hint of frame.hints) {
      let peerId: string
      try { peerId = peerIdToString(hint.peerId) } catch { continue }
      if (peerId === this.engine.account.peerId || !hint.addrs.every((a) => a.startsWith('/') && a.length <= 256)) continue
      this.hintedAddrs.set(peerId, [...hint.addrs])
      if (this.hintedAddrs.size > MAX_HINTED) this.hintedAddrs.delete(this.hintedAddrs.keys().next().value!)
      await this.engine.transport.addAddresses(peerId, hint.addrs).catch(() => {})
    }
  }

  /** Adds to `writes` the record of a member's device, if this device does not know it yet. */
  async rememberMember (m: Member, writes: Write[]): Promise<void> {
    const peerId = peerIdToString(m.certificate.peerId)
    if (peerId === this.engine.account.peerId) return
    const known = await this.engine.store.getDevice(peerId)
    if (known !== undefined) return
    const addrs = this.hintedAddrs.get(peerId) ?? []
    const card = encodeInvite({ certificate: m.certificate, addrs })
    writes.push({ kind: 'device', row: { peerId, identity: toHex(m.certificate.identityKey), certificate: card, addrs, updatedAt: this.engine.clock.now() } })
  }
}
