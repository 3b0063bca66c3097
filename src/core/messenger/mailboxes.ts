/**
 * Mailboxes (docs/PROTOCOL.md §5.4): where this device's frames wait while it is offline, and
 * where each peer device's do. Local to the device, kept in the store's `meta` table:
 *
 * | key | value |
 * |---|---|
 * | `mailboxes.own` | UTF-8 JSON `[{ node, addrs, mailboxId, fetchToken, depositToken }]`, byte fields in hex |
 * | `mailboxes.peer.<peer id>` | UTF-8 JSON `{ sentAt, mailboxes: [{ node, addrs, mailboxId, depositToken }] }` |
 *
 * This device tells every conversation it is in where its mailboxes are with a MAILBOXES control
 * payload, inside MLS, so only members learn the deposit tokens. A peer's newer MAILBOXES
 * (by its `sent_at`) replaces the older one.
 */
import { fromHex, fromUtf8, toHex, utf8 } from '../bytes.ts'
import { peerIdFromText, peerIdToString } from '../identity/peer-id.ts'
import type { MailboxAddress, Payload } from '../conversation/payload.ts'
import type { Engine } from './engine.ts'
import type { Sender } from './sender.ts'
import type { Write } from './store.ts'
import { describeError } from '../errors.ts'

/** The `meta` key of this device's own mailboxes. */
export const OWN_MAILBOXES_KEY = 'mailboxes.own'
/** The `meta` key of a peer device's mailboxes. */
export const peerMailboxesKey = (peerId: string): string => `mailboxes.peer.${peerId}`

/** A mailbox this device owns at one node. */
export interface OwnMailbox {
  /** The node's peer id (text form). */
  readonly node: string
  readonly addrs: readonly string[]
  readonly mailboxId: Uint8Array
  readonly fetchToken: Uint8Array
  readonly depositToken: Uint8Array
  /**
   * A second mailbox at the same node whose deposit token is public (in the directory record), for
   * first messages from people not yet in a conversation with this device.
   */
  readonly intro?: { readonly mailboxId: Uint8Array, readonly fetchToken: Uint8Array, readonly depositToken: Uint8Array }
}

/** A mailbox of a peer device: where to deposit frames for it. */
export interface PeerMailbox {
  readonly node: string
  readonly addrs: readonly string[]
  readonly mailboxId: Uint8Array
  readonly depositToken: Uint8Array
}

interface StoredPeer { sentAt: number, mailboxes: Array<{ node: string, addrs: string[], mailboxId: string, depositToken: string }> }

function parseJson<T> (value: Uint8Array | undefined): T | undefined {
  if (value === undefined) return undefined
  try {
    return JSON.parse(fromUtf8(value)) as T
  } catch {
    return undefined
  }
}

/** Decodes a payload's mailbox entries into peer mailboxes; entries whose node id is not a peer id are skipped. */
function fromPayload (list: readonly MailboxAddress[]): PeerMailbox[] {
  const out: PeerMailbox[] = []
  for (const m of list) {
    const node = peerIdToString(m.node)
    try {
      peerIdFromText(node)
    } catch {
      continue
    }
    out.push({ node, addrs: [...m.addrs], mailboxId: m.mailboxId, depositToken: m.depositToken })
  }
  return out
}

/** This device's mailboxes and its peers'. */
export class Mailboxes {
  private unwatch: (() => void) | undefined

  constructor (private readonly engine: Engine, private readonly sender: Sender) {}

  /**
   * From now on, tells a conversation where this device's mailboxes are whenever someone new is in
   * it: a conversation that did not exist when this was called, or a member device not seen in it
   * since. (A conversation that existed is first seen without announcing: its members heard at the
   * last change of the mailboxes, or when they joined.)
   */
  async watch (): Promise<void> {
    this.unwatch?.()
    const existing = new Set((await this.engine.store.listGroups()).map((g) => g.id))
    const members = new Map<string, Set<string>>()
    this.unwatch = this.engine.onGroupChanged((id, active, devices) => {
      if (!active) return
      const known = members.get(id)
      members.set(id, new Set(devices))
      if (known === undefined ? existing.has(id) : devices.every((p) => known.has(p))) return
      void this.announce(id)
    })
  }

  stop (): void {
    this.unwatch?.()
    this.unwatch = undefined
  }

  /** This device's mailboxes. */
  async own (): Promise<OwnMailbox[]> {
    const raw = parseJson<Array<Record<string, unknown>>>(await this.engine.store.getMeta(OWN_MAILBOXES_KEY))
    if (!Array.isArray(raw)) return []
    return raw.map((m) => {
      const intro = m.intro as Record<string, unknown> | undefined
      return {
        node: String(m.node), addrs: Array.isArray(m.addrs) ? m.addrs.map(String) : [],
        mailboxId: fromHex(String(m.mailboxId)), fetchToken: fromHex(String(m.fetchToken)), depositToken: fromHex(String(m.depositToken)),
        ...(intro !== undefined && intro !== null
          ? { intro: { mailboxId: fromHex(String(intro.mailboxId)), fetchToken: fromHex(String(intro.fetchToken)), depositToken: fromHex(String(intro.depositToken)) } }
          : {})
      }
    })
  }

  /** Stores this device's mailboxes and tells every active conversation. */
  async setOwn (list: readonly OwnMailbox[]): Promise<void> {
    const json = list.map((m) => ({
      node: m.node, addrs: m.addrs, mailboxId: toHex(m.mailboxId), fetchToken: toHex(m.fetchToken), depositToken: toHex(m.depositToken),
      ...(m.intro !== undefined ? { intro: { mailboxId: toHex(m.intro.mailboxId), fetchToken: toHex(m.intro.fetchToken), depositToken: toHex(m.intro.depositToken) } } : {})
    }))
    await this.engine.store.apply([{ kind: 'meta', key: OWN_MAILBOXES_KEY, value: utf8(JSON.stringify(json)) }])
    for (const g of await this.engine.store.listGroups()) {
      if (g.active) await this.announce(g.id)
    }
  }

  /** Sends this device's mailboxes to one conversation (a MAILBOXES), if it has any. */
  async announce (groupId: string): Promise<void> {
    const own = await this.own()
    if (own.length === 0) return
    const mailboxes: MailboxAddress[] = own.map((m) => ({ node: peerIdFromText(m.node), addrs: m.addrs, mailboxId: m.mailboxId, depositToken: m.depositToken }))
    try {
      await this.engine.withLock(groupId, async () => { await this.sender.sendControlLocked(groupId, 'mailboxes', undefined, [], false, { mailboxes }) })
    } catch (err) {
      this.engine.log(`could not tell ${groupId.slice(0, 12)} where this device's mailboxes are: ${describeError(err)}`)
    }
  }

  /** Where to deposit frames for a peer device; empty if it named none. */
  async of (peerId: string): Promise<PeerMailbox[]> {
    const stored = parseJson<StoredPeer>(await this.engine.store.getMeta(peerMailboxesKey(peerId)))
    if (stored === undefined || !Array.isArray(stored.mailboxes)) return []
    return stored.mailboxes.map((m) => ({ node: m.node, addrs: m.addrs, mailboxId: fromHex(m.mailboxId), depositToken: fromHex(m.depositToken) }))
  }

  /** A MAILBOXES from `senderDevice`: the write that records it, unless an equally new one is stored. */
  async received (senderDevice: string, payload: Payload): Promise<Write | undefined> {
    if (payload.mailboxes === undefined || senderDevice === this.engine.account.peerId) return undefined
    const stored = parseJson<StoredPeer>(await this.engine.store.getMeta(peerMailboxesKey(senderDevice)))
    if (stored !== undefined && stored.sentAt >= payload.sentAt) return undefined
    const json: StoredPeer = {
      sentAt: payload.sentAt,
      mailboxes: fromPayload(payload.mailboxes).map((m) => ({ node: m.node, addrs: [...m.addrs], mailboxId: toHex(m.mailboxId), depositToken: toHex(m.depositToken) }))
    }
    return { kind: 'meta', key: peerMailboxesKey(senderDevice), value: utf8(JSON.stringify(json)) }
  }
}
