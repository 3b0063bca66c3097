/**
 * The messenger: Kith's conversation engine. It turns user intents (add a contact, send, add a
 * member) into MLS operations, durable writes and outbox frames, and turns incoming frames into
 * stored messages. All I/O goes through the injected {@link Store} and {@link Transport}; every
 * group's operations run one at a time, and nothing is sent or acknowledged before it is stored.
 *
 * This class is the front: each concept lives in its own module, all sharing one {@link Engine}.
 *
 * | module | what it does |
 * |---|---|
 * | engine.ts | group cache, per-conversation locks, the write path, events |
 * | views.ts | conversations and history as shown, and the events that update them |
 * | contacts.ts | contacts, known devices, hinted addresses |
 * | sender.ts | encrypt, store and queue a message; the outbox side of delivery |
 * | profiles.ts | this account's display name, and the PROFILEs members announce |
 * | conversations.ts | groups, the 1:1 with each contact, membership commits |
 * | message-actions.ts | send, reply, edit, delete, react, read, typing, leave |
 * | receiver.ts | incoming application data and commits, fork choice, held frames |
 * | joining.ts | KeyPackages handed out and the Welcomes that use them |
 * | files.ts | file offers (FILE payloads), who may fetch a file, who may serve it |
 * | calls.ts | call signalling: invites, answers, SDP and ICE, and the history row each call leaves |
 */
import type { Deliver } from '../codec/envelope.ts'
import { toHex } from '../bytes.ts'
import { KithError, ValidationError } from '../errors.ts'
import { formatInviteLink, type Invite } from '../identity/invite.ts'
import { encodeState, readMlsMessage, type IncomingMls } from '../mls/group.ts'
import type { Calls } from './calls.ts'
import { Contacts } from './contacts.ts'
import { ConversationPrefsStore } from './conversation-prefs.ts'
import { Conversations } from './conversations.ts'
import { describeError, Engine, messageHash, type MessengerComponents, type MessengerOptions, type Outcome } from './engine.ts'
import type { AddContactResult, ContactView, ConversationView, MessengerEvent, MessengerSettings, ProfileView, SendOptions } from './events.ts'
import type { SignedDirectoryRecord } from './directory-record.ts'
import { Joining, WELCOME_LOCK } from './joining.ts'
import { MessageActions } from './message-actions.ts'
import type { MessageOut } from './message-view.ts'
import { Mailboxes, type OwnMailbox, type PeerMailbox } from './mailboxes.ts'
import { isApplication, Receiver } from './receiver.ts'
import { Profiles } from './profiles.ts'
import { Sender } from './sender.ts'
import type { ContactRow } from './store.ts'
import { Views } from './views.ts'
import { Search, type SearchHit } from './search.ts'
import { Rejoining } from './rejoining.ts'
import { DeliverKind } from '../codec/envelope.ts'
import { FileOffers, type FileOfferRecord } from './files.ts'
import type { FileManifest } from '../files/manifest.ts'
import type { CallDropCounts, CallHistoryEntry, CallView, EarlyOfferIn, MediaSignalIn } from '../calls/call-view.ts'
import type { CallMedia } from '../calls/signal.ts'
import { STORED_CALLS_META } from '../calls/constants.ts'
import type { EpochKeys } from '../sframe/mls-keys.ts'

export type { MessageOut, QuoteOut, ReactionOut } from './message-view.ts'
export type { CallDropCounts, CallHistoryEntry, CallSignalOut, CallView, EarlyOfferIn, MediaSignalIn } from '../calls/call-view.ts'
export type { CallMedia } from '../calls/signal.ts'
export type { AddContactResult, ContactView, ConversationView, MessengerEvent, MessengerSettings, ProfileView, SendOptions } from './events.ts'
export type { MessengerComponents, MessengerOptions } from './engine.ts'
export type { FileOut, FileOfferRecord } from './files.ts'

/** The conversation engine of one device. */
export class Messenger {
  private readonly engine: Engine
  private readonly views: Views
  private readonly contactBook: Contacts
  private readonly sender: Sender
  private readonly profiles: Profiles
  private readonly groups: Conversations
  private readonly actions: MessageActions
  private readonly receiver: Receiver
  private readonly joining: Joining
  private readonly searcher: Search
  private readonly prefs: ConversationPrefsStore
  private readonly mailboxBook: Mailboxes
  private readonly rejoining: Rejoining
  private readonly files: FileOffers
  /** calls.ts, loaded with the first call (it is not needed to start: browser JS budget). */
  private callBook: Promise<Calls> | undefined

  constructor (components: MessengerComponents, options: MessengerOptions = {}) {
    this.engine = new Engine(components, options)
    this.prefs = new ConversationPrefsStore({ store: components.store, log: components.log })
    this.views = new Views(this.engine, this.prefs)
    this.contactBook = new Contacts(this.engine)
    this.sender = new Sender(this.engine, this.views)
    this.profiles = new Profiles(this.engine, this.views, this.sender)
    this.groups = new Conversations(this.engine, this.views, this.sender, this.contactBook, this.profiles)
    this.files = new FileOffers(this.engine, this.views, this.sender, this.groups)
    this.actions = new MessageActions(this.engine, this.views, this.sender, this.groups, this.files)
    this.mailboxBook = new Mailboxes(this.engine, this.sender)
    this.receiver = new Receiver(this.engine, this.views, this.sender, this.contactBook, this.groups, this.profiles, this.mailboxBook, this.files,
      async (groupId, state, sender, payload) => { await (await this.calls()).receivedLocked(groupId, state, sender, payload) })
    this.joining = new Joining(this.engine, this.views, this.sender, this.contactBook, this.groups, this.receiver)
    this.searcher = new Search(this.engine, this.views)
    this.rejoining = new Rejoining(this.engine, this.contactBook, this.groups)
  }

  /** This device's identity key, hex. */
  get identity (): string {
    return this.engine.identity
  }

  /** Resumes work left from a previous run: queued frames, unfinished 1:1 set-ups, pending sends. */
  async start (): Promise<void> {
    const { store, transport } = this.engine
    for (const device of await store.listDevices()) {
      if (device.addrs.length > 0) await transport.addAddresses(device.peerId, device.addrs).catch(() => {})
    }
    for (const peer of await store.outboxPeers()) transport.notify(peer)
    await this.groups.resume()
    await this.rejoining.requestPending()
    await this.mailboxBook.watch()
    // Calls kept before a restart ring again, or are recorded as missed (calls.ts loads only then).
    const kept = await store.getMeta(STORED_CALLS_META)
    if (kept !== undefined && kept.length > 2) await (await this.calls()).restore()
  }

  /** The call module, loaded and started on first use. */
  private async calls (): Promise<Calls> {
    this.callBook ??= import('./calls.ts').then(({ Calls }) => {
      const calls = new Calls(this.engine, this.sender, this.groups)
      calls.onRecorded = (row) => {
        // The call is now the conversation's newest entry, which its list preview shows.
        this.engine.summaries.invalidate(row.groupId)
        this.engine.announceWhenDurable(async () => {
          await this.views.announceNotice(row)
          const group = this.engine.cached(row.groupId)
          if (group !== undefined) await this.views.announceConversation(group)
        })
      }
      calls.watch()
      return calls
    })
    return await this.callBook
  }

  /**
   * Exports this account into a file encrypted under `passphrase` (Argon2id, AES-256-GCM): identity,
   * contacts, conversations and preferences, and message history if `history` is set.
   */
  async exportBackup (passphrase: string, options: { history: boolean, onProgress?: (fraction: number) => void }): Promise<Uint8Array> {
    const { engine } = this
    await this.flush()
    // Loaded when asked for: the KDF and backup codec are not needed to start (browser JS budget).
    const { exportBackupFile } = await import('./account-backup.ts')
    return await exportBackupFile(engine.store, engine.account, passphrase, { history: options.history, now: engine.clock.now(), ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}) })
  }

  /** Writes group states that have decrypted messages since they were last written. */
  async flush (): Promise<void> {
    const { engine } = this
    for (const [id, group] of engine.cachedGroups()) {
      if ((group.unsaved ?? 0) === 0) continue
      await engine.withLock(id, async () => {
        const current = engine.cached(id)
        if (current === undefined || (current.unsaved ?? 0) === 0) return
        const row = { ...current.row, state: encodeState(current.state) }
        await engine.commit([{ kind: 'group', row }], [{ row, state: current.state, unsaved: 0 }])
      })
    }
  }

  /** Stops timers; the store and transport are closed by their owners. */
  stop (): void {
    this.engine.stopped = true
    this.mailboxBook.stop()
    void this.callBook?.then((c) => { c.stop() })
    this.groups.stop()
  }

  /** Subscribes to events; returns the unsubscribe function. */
  subscribe (listener: (e: MessengerEvent) => void): () => void {
    return this.engine.subscribe(listener)
  }

  // ---------------------------------------------------------------- identity and contacts

  /** This device's invite. */
  invite (): Invite {
    return this.engine.invite()
  }

  /** This device's invite link. */
  inviteLink (): string {
    return formatInviteLink(this.invite(), this.engine.options.webBase)
  }

  /** Adds (or renames) a contact from a verified invite, and sets up the 1:1 conversation. */
  async addContact (invite: Invite, alias?: string): Promise<AddContactResult> {
    const warning = await this.contactBook.sameNameWarning(invite)
    const row = await this.contactBook.add(invite, alias)
    await this.groups.ensureDirect(row.identity)
    return {
      contact: await this.contactBook.view(row), safetyNumber: await this.contactBook.safetyNumberWith(row.identity), ...(warning !== undefined ? { warning } : {})
    }
  }

  /** The warning {@link addContact} would give for an invite, before adding it (undefined if none). */
  async checkInvite (invite: Invite): Promise<string | undefined> {
    return await this.contactBook.sameNameWarning(invite)
  }

  /** This account's profile: its display name, identity key, peer id and invite link. */
  profile (): ProfileView {
    const { account } = this.engine
    return { displayName: account.certificate.displayName, identity: account.identityHex, peerId: account.peerId, inviteLink: this.inviteLink() }
  }

  /**
   * Changes this account's display name: re-issues the device certificate and announces it in
   * every conversation; contacts see the new name and a notice. Returns the new profile.
   */
  async setDisplayName (name: string): Promise<ProfileView> {
    await this.profiles.setDisplayName(name)
    return this.profile()
  }

  /** All contacts. */
  async contacts (): Promise<ContactView[]> {
    return await this.contactBook.list()
  }

  /** Finds a contact by alias, or throws a NotFoundError naming it. */
  async requireContact (alias: string): Promise<ContactRow> {
    return await this.contactBook.require(alias)
  }

  /** The safety number shared with a contact. */
  async safetyNumber (alias: string): Promise<{ contact: ContactView, safetyNumber: string }> {
    const c = await this.contactBook.require(alias)
    return { contact: await this.contactBook.view(c), safetyNumber: await this.contactBook.safetyNumberWith(c.identity) }
  }

  /** Marks a contact verified after the safety numbers were compared. */
  async markVerified (alias: string, verified: boolean): Promise<ContactView> {
    return await this.contactBook.markVerified(alias, verified)
  }

  /** A peer connected: if a 1:1 with its account is waiting to be set up, try now. */
  peerConnected (peerId: string): void {
    this.groups.peerConnected(peerId)
  }

  // ---------------------------------------------------------------- conversations

  /** Creates a group conversation. */
  async createGroup (name: string): Promise<ConversationView> {
    return await this.groups.createGroup(name)
  }

  /** Renames a group for every member. */
  async renameGroup (target: string, name: string): Promise<ConversationView> {
    return await this.groups.renameGroup(target, name)
  }

  /** Resolves a contact alias (its 1:1), a group name, or a conversation id prefix. */
  async resolveTarget (target: string): Promise<string> {
    return await this.groups.resolveTarget(target)
  }

  /** All conversations. */
  async conversations (): Promise<ConversationView[]> {
    return await this.groups.list()
  }

  /** One conversation, by target. */
  async conversation (target: string): Promise<ConversationView> {
    return await this.views.conversationView(await this.groups.requireGroup(target))
  }

  /** Mutes or unmutes a conversation for this account: a muted one raises no desktop notification. */
  async setMuted (target: string, muted: boolean): Promise<ConversationView> {
    if (typeof muted !== 'boolean') throw new ValidationError('a conversation is muted or unmuted with true or false')
    const group = await this.groups.requireGroup(target)
    await this.prefs.set(group.row.id, { muted })
    return await this.views.announceConversation(group)
  }

  /**
   * Archives or unarchives a conversation for this account. A new message from someone else brings
   * an archived conversation back, unless it is muted too.
   */
  async setArchived (target: string, archived: boolean): Promise<ConversationView> {
    if (typeof archived !== 'boolean') throw new ValidationError('a conversation is archived or unarchived with true or false')
    const group = await this.groups.requireGroup(target)
    await this.prefs.set(group.row.id, { archived })
    return await this.views.announceConversation(group)
  }

  /** Adds a contact's devices to a group. */
  async addMember (target: string, alias: string): Promise<ConversationView> {
    return await this.groups.addMember(target, alias)
  }

  /** Removes every device of a contact from a group. */
  async removeMember (target: string, alias: string): Promise<ConversationView> {
    return await this.groups.removeMember(target, alias)
  }

  /** Rotates this device's keys in a conversation (an MLS update commit), for post-compromise security. */
  async rekey (target: string): Promise<ConversationView> {
    return await this.groups.rekey(target)
  }

  /** Leaves a group: tells the members (a LEAVE), one of whom commits your removal, and stops taking part. */
  async leave (target: string): Promise<ConversationView> {
    return await this.actions.leave(target)
  }

  // ---------------------------------------------------------------- messages

  /** Sends a text message (or a reply); resolves once it is stored and queued for every recipient. */
  async send (target: string, text: string, options: SendOptions = {}): Promise<MessageOut> {
    return await this.actions.send(target, text, options)
  }

  /** Replaces the text of one of your own messages for everyone (an EDIT); returns its new view. */
  async edit (target: string, messageId: string, text: string): Promise<MessageOut> {
    return await this.actions.edit(target, messageId, text)
  }

  /** Deletes one of your own messages for everyone (a DELETE); returns its new view. */
  async deleteMessage (target: string, messageId: string): Promise<MessageOut> {
    return await this.actions.deleteMessage(target, messageId)
  }

  /** Sets your reaction to a message (one per account; '' removes it); returns the message's new view. */
  async react (target: string, messageId: string, emoji: string): Promise<MessageOut> {
    return await this.actions.react(target, messageId, emoji)
  }

  /** Marks a conversation read up to its newest message, telling the others when read receipts are on. */
  async markRead (target: string): Promise<ConversationView> {
    return await this.actions.markRead(target)
  }

  /** Tells the others you are typing; false when throttled or there is nobody to tell. */
  async typing (target: string): Promise<boolean> {
    return await this.actions.typing(target)
  }

  // ---------------------------------------------------------------- files

  /** Offers a sealed file in a conversation (a FILE message), with an optional caption. */
  async sendFile (target: string, manifest: FileManifest, caption?: string): Promise<MessageOut> {
    return await this.files.send(target, manifest, caption)
  }

  /** Every file offered in a conversation, oldest first, with its key: for this device's own use. */
  async fileOffers (target: string): Promise<FileOfferRecord[]> {
    return await this.files.list(target)
  }

  /** The offer of a file by its hex id; throws NotFoundError if none is held. */
  async fileOffer (fileId: string): Promise<FileOfferRecord> {
    return await this.files.offer(fileId)
  }

  /**
   * Whether a file's offer was withdrawn here (its message deleted for everyone): its chunks, and
   * any transfer of it, are to go (PROTOCOL.md §9.6).
   */
  async fileWithdrawn (fileId: string): Promise<boolean> {
    return await this.files.withdrawn(fileId)
  }

  /** Whether a device may fetch a file's chunks: a device of a current member of the conversation it was offered in. */
  async mayFetchFile (peerId: string, fileId: string): Promise<boolean> {
    return await this.files.mayFetch(peerId, fileId)
  }

  /** Devices that may serve a file: the conversation's member devices but this one, the sender's first. */
  async fileSources (fileId: string): Promise<string[]> {
    return await this.files.sourcesOf(fileId)
  }

  /** {@link fileSources}, and whether the file's conversation is still rejoining after a restore. */
  async fileSourcesState (fileId: string): Promise<{ sources: string[], rejoining: boolean }> {
    return await this.files.sourcesState(fileId)
  }

  /** A conversation's text and file messages in display order, the newest `limit` of them if given. */
  async messages (target: string, limit?: number): Promise<MessageOut[]> {
    return await this.views.messages(await this.groups.resolveTarget(target), limit)
  }

  /** Messages in any conversation whose current text contains `query`, newest first. */
  async search (query: string, limit?: number): Promise<SearchHit[]> {
    return await this.searcher.find(query, limit)
  }

  /** This account's settings. */
  async settings (): Promise<MessengerSettings> {
    return await this.actions.settings()
  }

  /** Turns read receipts on or off: when off, no READ is sent and others' are not shown. */
  async setReadReceipts (enabled: boolean): Promise<MessengerSettings> {
    return await this.actions.setReadReceipts(enabled)
  }

  // ---------------------------------------------------------------- calls

  /** Starts a call in a conversation: every other member device rings; the INVITE carries the app's early `offers` to them. */
  async startCall (target: string, media: CallMedia, offers?: readonly EarlyOfferIn[]): Promise<CallView> {
    return await (await this.calls()).start(target, media, offers)
  }

  /** Joins a ringing call. */
  async answerCall (callId: string, media: CallMedia): Promise<CallView> {
    return await (await this.calls()).answer(callId, media)
  }

  /** Declines a ringing call. */
  async declineCall (callId: string): Promise<CallView> {
    return await (await this.calls()).decline(callId)
  }

  /** Leaves a call, or stops ringing one this device started. */
  async hangUp (callId: string): Promise<CallView> {
    return await (await this.calls()).hangUp(callId)
  }

  /** Sends an SDP or ICE candidate to one device in a call. */
  async sendCallSignal (callId: string, signal: MediaSignalIn): Promise<void> {
    await (await this.calls()).sendMedia(callId, signal)
  }

  /** The SFrame keys of a conversation's current epoch, for a call this device is in. */
  async callKeys (conversationId: string): Promise<EpochKeys> {
    return await (await this.calls()).mediaKeys(conversationId)
  }

  /** Calls ringing or running on this device. */
  async activeCalls (): Promise<CallView[]> {
    return this.callBook === undefined ? [] : await (await this.callBook).list()
  }

  /** Call history, newest first: of one conversation (by target), or of all. */
  async callHistory (target?: string): Promise<CallHistoryEntry[]> {
    return await (await this.calls()).history(target === undefined ? undefined : await this.groups.resolveTarget(target))
  }

  /** Incoming call signals dropped since start, by reason. */
  async callDrops (): Promise<CallDropCounts> {
    return (await this.calls()).dropCounts()
  }

  // ---------------------------------------------------------------- the delivery service's side

  /** Next queued frames for a peer. */
  async nextFrames (peerId: string, afterRowId: number, limit: number): Promise<Array<{ rowId: number, frame: Uint8Array, ephemeral?: boolean }>> {
    return await this.sender.nextFrames(peerId, afterRowId, limit)
  }

  /** A peer acknowledged (or rejected) queued frames. */
  async settleFrames (peerId: string, outcomes: ReadonlyArray<{ rowId: number, status: Outcome }>): Promise<void> {
    await this.sender.settleFrames(peerId, outcomes)
  }

  /** Mailboxes of `peerId` hold copies of these queued frames (see Sender.markDeposited). */
  async framesDeposited (peerId: string, rowIds: readonly number[]): Promise<void> {
    await this.sender.markDeposited(peerId, rowIds)
  }

  /** A peer device's mailboxes, where frames for it can wait while it is offline. */
  async mailboxesOf (peerId: string): Promise<PeerMailbox[]> {
    return await this.mailboxBook.of(peerId)
  }

  /** This device's own mailboxes. */
  async ownMailboxes (): Promise<OwnMailbox[]> {
    return await this.mailboxBook.own()
  }

  /** Records this device's mailboxes and tells every conversation where they are. */
  async setOwnMailboxes (list: readonly OwnMailbox[]): Promise<void> {
    await this.mailboxBook.setOwn(list)
  }

  /** Tells one conversation where this device's mailboxes are (a member joined it, say). */
  async announceMailboxes (conversationId: string): Promise<void> {
    await this.mailboxBook.announce(conversationId)
  }

  /** Makes a one-time KeyPackage for a peer that wants to add this device, and stores its private half. */
  async provideKeyPackage (): Promise<{ keyPackage: Uint8Array, card: Uint8Array }> {
    return await this.joining.provideKeyPackage()
  }

  /** The KeyPackages this device's directory record lists now (published-key-packages.ts). */
  async publishedKeyPackages (): Promise<{ oneTime: Uint8Array[], lastResort: Uint8Array }> {
    return await this.joining.publishedKeyPackages()
  }

  /**
   * This device's directory record, signed, listing `addrs`, its mailboxes and its published
   * KeyPackages (directory-record.ts).
   */
  async signDirectoryRecord (addrs: readonly string[], issuedAt: number, lifetimeMs: number): Promise<SignedDirectoryRecord> {
    // Loaded on first use: the browser's worker has no need of the record code before it is online.
    const { directoryDevice, ownCertificate, signDirectoryRecord } = await import('./directory-record.ts')
    const device = directoryDevice(ownCertificate(this.engine), addrs, await this.ownMailboxes(), await this.publishedKeyPackages())
    return await signDirectoryRecord(this.engine, device, issuedAt, lifetimeMs)
  }

  /** The hex identity key of the account a known device belongs to, for looking its record up. */
  async identityOfDevice (peerId: string): Promise<string | undefined> {
    return (await this.engine.store.getDevice(peerId))?.identity
  }

  /**
   * Handles one incoming frame; resolves once its outcome is durable. Never throws for bad input.
   * Frames of one conversation are handled in the order this is called: its lock is taken before
   * the first await. Frames that arrive together share one commit (see {@link Store.stage}).
   */
  async receive (fromPeer: string, frame: Deliver): Promise<Outcome> {
    const { engine } = this
    if (engine.stopped) throw new KithError('messenger stopped')
    if (frame.kind === DeliverKind.REJOIN) {
      const outcome = await this.rejoining.receiveRequest(fromPeer, frame).catch((err: unknown) => {
        if (!(err instanceof KithError)) throw err
        engine.log(`dropped rejoin request from ${fromPeer}: ${describeError(err)}`)
        return 'rejected' as const
      })
      await engine.store.durable()
      return outcome
    }
    let incoming: IncomingMls
    try {
      incoming = readMlsMessage(frame.message)
    } catch (err) {
      engine.log(`dropped malformed message from ${fromPeer}: ${describeError(err)}`)
      return 'rejected'
    }
    const key = incoming.kind === 'welcome' ? WELCOME_LOCK : toHex(incoming.groupId)
    const message = incoming
    const outcome = await engine.withLock(key, async () => await this.receiveLocked(fromPeer, frame, message))
    await engine.store.durable()
    return outcome
  }

  private async receiveLocked (fromPeer: string, frame: Deliver, incoming: IncomingMls): Promise<Outcome> {
    const { engine } = this
    const hash = await messageHash(frame.message)
    // Application data is checked for a repeat only if it is refused (see Receiver.receivePrivate):
    // a repeat no longer decrypts, since its key was deleted when it was first read.
    if (!isApplication(incoming) && await engine.store.hasSeen(hash)) {
      engine.log(`dropped replayed message ${hash.slice(0, 12)} from ${fromPeer}`)
      return 'stored'
    }
    await this.contactBook.learnHints(frame)
    try {
      if (incoming.kind === 'welcome') return await this.joining.receiveWelcome(fromPeer, frame, incoming.welcome, hash)
      const outcome = await this.receiver.receivePrivate(fromPeer, toHex(incoming.groupId), frame, incoming, hash, true)
      return outcome === 'held' ? 'stored' : outcome
    } catch (err) {
      if (err instanceof KithError) {
        engine.log(`dropped message from ${fromPeer}: ${describeError(err)}`)
        return 'rejected'
      }
      throw err
    }
  }
}
