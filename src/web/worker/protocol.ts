/**
 * The calls between the page and the messenger worker. The worker owns the account, the MLS state
 * and the IndexedDB store; the page owns libp2p (WebRTC exists only on the main thread) and the UI.
 */
import type { Deliver } from '../../core/codec/envelope.ts'
import type { Messenger, MessengerEvent } from '../../core/messenger/messenger.ts'
import type { OfferedFrame } from '../client/offered-frames.ts'
import type { OwnMailbox, PeerMailbox } from '../../core/messenger/mailboxes.ts'
import type { SignedDirectoryRecord } from '../../core/messenger/directory-record.ts'

/** Who this browser is, once onboarded. */
export interface WorkerIdentity {
  readonly name: string
  readonly identity: string
  readonly peerId: string
  /** The libp2p device key (protobuf), which the page's libp2p node needs. */
  readonly libp2pKey: Uint8Array
}

/** Messenger methods the UI may call through the worker. */
export type UiMethod =
  | 'contacts' | 'conversations' | 'messages' | 'safetyNumber' | 'markVerified'
  | 'createGroup' | 'addMember' | 'removeMember' | 'leave'
  | 'send' | 'edit' | 'deleteMessage' | 'react' | 'markRead' | 'typing'
  | 'settings' | 'setReadReceipts' | 'inviteLink' | 'search' | 'renameGroup' | 'setMuted' | 'setArchived' | 'setDisplayName'
  | 'fileOffer' | 'mayFetchFile' | 'fileSources' | 'fileWithdrawn'
  | 'startCall' | 'answerCall' | 'declineCall' | 'hangUp' | 'sendCallSignal' | 'activeCalls' | 'callHistory' | 'callKeys'

/** Call timings a test sets (`client/test-hooks.ts`), for the worker's messenger. */
export interface WorkerTimings {
  readonly callRingTimeoutMs?: number
  readonly callAliveIntervalMs?: number
}

/** What the worker serves. */
export interface WorkerApi {
  /** Opens the store; says whether an account exists. `timings` come from test hooks only, checked by the page. */
  open (webBase: string, timings: WorkerTimings): Promise<WorkerIdentity | null>
  /** Creates the account and device key. */
  onboard (displayName: string): Promise<WorkerIdentity>
  /**
   * Restores an encrypted backup into this browser's empty storage as a new device of the same
   * identity (new device key); its conversations rejoin once the messenger starts. Reports KDF
   * progress through {@link PageApi.progress}.
   */
  restoreBackup (file: Uint8Array, passphrase: string): Promise<WorkerIdentity>
  /** Exports the account (and, if asked, history) into an encrypted backup file; reports KDF progress. */
  exportBackup (passphrase: string, history: boolean): Promise<Uint8Array>
  /** The page's libp2p node is up: resume queued work. */
  startMessenger (addrs: string[]): Promise<void>
  /** The node's own addresses changed. */
  setAddrs (addrs: string[]): void
  /** Parses and adds an invite; returns the contact's alias, the 1:1's id, and whether they were a contact already. */
  addContact (link: string): Promise<{ alias: string, conversationId: string, existing: boolean }>
  /** Parses an invite; the warning to show before adding it (a namesake under another key), or null. */
  checkInvite (link: string): Promise<string | null>
  invoke<M extends UiMethod> (method: M, args: Parameters<Messenger[M]>): Promise<Awaited<ReturnType<Messenger[M]>>>
  receive (fromPeer: string, frame: Deliver): Promise<'stored' | 'rejected'>
  nextFrames (peerId: string, afterRowId: number, limit: number): Promise<Array<{ rowId: number, frame: Uint8Array, ephemeral?: boolean }>>
  settleFrames (peerId: string, outcomes: ReadonlyArray<{ rowId: number, status: 'stored' | 'rejected' }>): Promise<void>
  provideKeyPackage (): Promise<{ keyPackage: Uint8Array, card: Uint8Array }>
  /** This device's mailboxes (the page's MailboxKeeper keeps them). */
  ownMailboxes (): Promise<OwnMailbox[]>
  /** Stores this device's mailboxes and tells its conversations. */
  setOwnMailboxes (list: OwnMailbox[]): Promise<void>
  /** Where a peer device's mailboxes are (for the page's MailboxCourier). */
  mailboxesOf (peerId: string): Promise<PeerMailbox[]>
  /** Mailboxes of `peerId` hold copies of these queued frames. */
  framesDeposited (peerId: string, rowIds: number[]): Promise<void>
  peerConnected (peerId: string): void
  /** This device's directory record, signed, listing `addrs` (core/messenger/directory-record.ts). */
  signDirectoryRecord (addrs: string[], issuedAt: number, lifetimeMs: number): Promise<SignedDirectoryRecord>
  /** The hex identity key of the account a known device belongs to. */
  identityOfDevice (peerId: string): Promise<string | undefined>
  /**
   * Seals a file the person attached (read in slices from the `File`, encrypted into the chunk
   * store the page serves from; an image gets a thumbnail, or `preview` is used for one) and offers
   * it in a conversation. The bytes never cross back to the page.
   */
  sendFile (conversationId: string, file: File, caption: string, preview: Blob | null): Promise<void>
  /** Writes group states and closes the store (page hide). */
  flush (): Promise<void>
}

/** What the page serves to the worker. */
export interface PageApi {
  addAddresses (peerId: string, addrs: string[]): Promise<void>
  fetchKeyPackage (peerId: string): Promise<{ keyPackage: Uint8Array, card: Uint8Array }>
  notify (peerId: string): void
  /** Frames just queued for a peer, durable, in row order (see client/offered-frames.ts). */
  offer (peerId: string, frames: OfferedFrame[]): void
  /** A message's queued frames left the outbox: they must not be sent. */
  withdraw (messageId: string): void
  event (event: MessengerEvent): void
  log (line: string): void
  /** Progress (0 to 1) of the backup KDF running in the worker. */
  progress (fraction: number): void
}
