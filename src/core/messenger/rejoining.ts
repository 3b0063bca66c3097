/**
 * Rejoining after a restore (docs/PROTOCOL.md §Rejoin). A device restored from a backup is a new
 * device of the same identity; it never continues the old device's MLS states. For every restored
 * conversation it asks the other member devices, in a REJOIN frame, to put it back: the frame's card
 * is its certificate (signed by the identity key that is already a member) and the request carries
 * a fresh KeyPackage under that certificate. A member that gets a valid request commits
 * Remove(the old device's leaves named in it) + Add(the KeyPackage) and sends the Welcome; if two
 * members do so at once, fork choice keeps one commit and the new device keeps its Welcome.
 */
import { fromHex, randomBytes, toHex } from '../bytes.ts'
import { Deliver, DeliverKind, RejoinRequest } from '../codec/envelope.ts'
import { decodeInvite, encodeInvite, type Invite } from '../identity/invite.ts'
import { peerIdFromText, peerIdToString } from '../identity/peer-id.ts'
import { listMembers } from '../mls/group.ts'
import { createKeyPackage, MAX_KEY_PACKAGE_BYTES, readPeerKeyPackage } from '../mls/key-package.ts'
import type { Contacts } from './contacts.ts'
import type { Conversations } from './conversations.ts'
import { describeError, type Engine, type Outcome } from './engine.ts'
import { rejoinMarkWrite, rejoinOutboxId } from './rejoin-marks.ts'
import type { Write } from './store.ts'

/** Largest encoded request accepted. */
const MAX_REQUEST_BYTES = MAX_KEY_PACKAGE_BYTES + 1024
/** Old devices one request may name. */
const MAX_OLD_DEVICES = 16

/** Both sides of rejoining: asking to be put back, and putting others back. */
export class Rejoining {
  constructor (private readonly engine: Engine, private readonly contacts: Contacts, private readonly conversations: Conversations) {}

  /**
   * Queues a REJOIN to every other member device of each restored conversation not asked yet.
   * Each request gets a KeyPackage of its own, so the Welcome of whichever member commits finds it.
   */
  async requestPending (): Promise<number> {
    const { engine } = this
    let asked = 0
    for (const row of await engine.store.listGroups()) {
      const mark = await engine.rejoins.get(row.id)
      if (mark === undefined || mark.requested) continue
      await engine.withLock(row.id, async () => {
        const writes: Write[] = []
        const card = encodeInvite(engine.invite()) as Uint8Array<ArrayBuffer>
        const now = engine.clock.now()
        const refs: string[] = []
        for (const peerId of new Set(mark.members.map((m) => m.peerId))) {
          const kp = await createKeyPackage(engine.account.certificate, engine.account.mlsKey)
          refs.push(toHex(kp.ref))
          writes.push({
            kind: 'key-package',
            row: { ref: toHex(kp.ref), publicPackage: kp.encoded, initPrivateKey: kp.privatePackage.initPrivateKey, hpkePrivateKey: kp.privatePackage.hpkePrivateKey, createdAt: now }
          })
          const request = RejoinRequest.encode({
            version: 1,
            groupId: fromHex(row.id) as Uint8Array<ArrayBuffer>,
            keyPackage: kp.encoded as Uint8Array<ArrayBuffer>,
            oldDevices: mark.oldDevices.map((d) => peerIdFromText(d) as Uint8Array<ArrayBuffer>)
          })
          const frame = Deliver.encode({ id: randomBytes(16) as Uint8Array<ArrayBuffer>, kind: DeliverKind.REJOIN, message: request, card, hints: [], commitHash: new Uint8Array() })
          writes.push({ kind: 'outbox', peerId, groupId: row.id, messageId: rejoinOutboxId(row.id), frame, createdAt: now })
        }
        writes.push(rejoinMarkWrite(row.id, { ...mark, requested: true, keyPackages: refs }))
        await engine.commit(writes)
        engine.log(`asked ${mark.members.length} member device(s) to put this device back into ${row.id.slice(0, 12)}`)
        asked++
      })
    }
    return asked
  }

  /**
   * Handles a REJOIN from `fromPeer`. Refused (and logged) unless the card is a device certificate
   * of `fromPeer` whose identity key is a member of the conversation here, and the KeyPackage is
   * that same device's. Valid: removes the named old devices of that identity, adds the new one.
   */
  async receiveRequest (fromPeer: string, frame: Deliver): Promise<Outcome> {
    const { engine } = this
    const refuse = (why: string): Outcome => {
      engine.log(`refused rejoin request from ${fromPeer}: ${why}`)
      return 'rejected'
    }
    let request: RejoinRequest
    let card: Invite
    try {
      if (frame.message.length > MAX_REQUEST_BYTES) return refuse(`it is ${frame.message.length} bytes, more than ${MAX_REQUEST_BYTES}`)
      request = RejoinRequest.decode(frame.message, { limits: { oldDevices: MAX_OLD_DEVICES } })
      card = await decodeInvite(frame.card)
    } catch (err) {
      return refuse(describeError(err))
    }
    if (request.version !== 1) return refuse(`request version ${request.version} is not supported`)
    if (peerIdToString(card.certificate.peerId) !== fromPeer) return refuse('its card names another device')
    const identity = toHex(card.certificate.identityKey)
    const groupId = toHex(request.groupId)
    let keyPackage
    try {
      keyPackage = (await readPeerKeyPackage(request.keyPackage, { identityKey: card.certificate.identityKey, peerId: card.certificate.peerId })).keyPackage
    } catch (err) {
      return refuse(`bad key package: ${describeError(err)}`)
    }
    let oldDevices: string[]
    try {
      oldDevices = request.oldDevices.map((d) => peerIdToString(d))
    } catch (err) {
      return refuse(`bad old device id: ${describeError(err)}`)
    }
    return await engine.withLock(groupId, async (): Promise<Outcome> => {
      const group = await engine.load(groupId)
      if (group === undefined || !group.row.active) return refuse(`this device is not a member of ${groupId.slice(0, 12)}`)
      if (await engine.rejoins.get(groupId) !== undefined) return refuse(`this device is itself rejoining ${groupId.slice(0, 12)}`)
      const members = listMembers(group.state)
      if (!members.some((m) => toHex(m.certificate.identityKey) === identity)) {
        return refuse(`its certificate does not chain to a member identity of ${groupId.slice(0, 12)} (identity ${identity.slice(0, 16)})`)
      }
      if (members.some((m) => peerIdToString(m.certificate.peerId) === fromPeer)) return 'stored'
      const removeDevices = oldDevices.filter((d) => d !== fromPeer && members.some((m) => peerIdToString(m.certificate.peerId) === d && toHex(m.certificate.identityKey) === identity))
      await engine.commit(this.contacts.deviceWrites(card))
      await engine.transport.addAddresses(fromPeer, card.addrs).catch(() => {})
      await this.conversations.commitLocked(groupId, { add: [fromPeer], remove: [], removeDevices }, [keyPackage])
      // The identity replaced these devices: forget them, so adding the account elsewhere asks only the new one.
      const replaced = oldDevices.filter((d) => d !== fromPeer)
      const known = await Promise.all(replaced.map(async (d) => await engine.store.getDevice(d)))
      const drops = replaced.filter((_, i) => known[i]?.identity === identity).map((peerId): Write => ({ kind: 'device-drop', peerId }))
      if (drops.length > 0) await engine.commit(drops)
      engine.log(`put ${identity.slice(0, 12)} back into ${groupId.slice(0, 12)}: removed ${removeDevices.length} old device(s), added ${fromPeer}`)
      return 'stored'
    })
  }
}
