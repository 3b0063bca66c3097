/**
 * What the browser UI sees of a running Kith peer: plain data in Preact signals, and async actions.
 * The peer itself (libp2p on the main thread, the messenger and its store in a Web Worker) sits
 * behind this interface; the UI never touches MLS, IndexedDB or libp2p directly.
 */
import type { ReadonlySignal } from '@preact/signals'
import type { DeliveryState } from '../../core/conversation/delivery-state.ts'
import type { MessageOut, ReactionOut } from '../../core/messenger/message-view.ts'
import type { IceServer } from './ice-servers.ts'
import type { FileTransfers } from './file-transfers.ts'
import type { CallView } from '../../core/messenger/messenger.ts'
import type { LastMessageView } from '../../core/messenger/events.ts'
import type { CallSignalling } from './call-signalling.ts'

/** Delivery state shown beside a message. `received` is for other people's messages. */
export type MessageState = DeliveryState

/** How this browser is attached to the network. */
export type ConnectionStatus =
  | { readonly kind: 'connecting' }
  /** Reachable through a relay reservation (`relay` is the relay's short name/address). */
  | { readonly kind: 'online', readonly relay: string | null, readonly direct: number }
  | { readonly kind: 'offline', readonly reason: string }

/** A mailbox this browser keeps at a node, for messages that arrive while it is closed. */
/** This device's directory record (PROTOCOL.md §10), as the Connection dialog shows it. */
export interface DirectoryInfo {
  /** DHT peers the serving node knows (0 before any answer). */
  readonly routingTable: number
  /** The last record that reached the DHT, if any. */
  readonly record: { readonly seq: number, readonly storedOn: number, readonly expiresAt: number } | null
  /** Why the last attempt to publish failed, if it did. */
  readonly error: string | null
}

export interface MailboxInfo {
  /** The node's peer id. */
  readonly node: string
  /** Where it is, as host:port. */
  readonly place: string
  /** Messages waiting there at the last look; null before the first. */
  readonly waiting: number | null
  /** Why the last look failed, if it did. */
  readonly error: string | null
}

/** How a contact's device is linked to this browser right now. */
export type LinkKind = 'direct' | 'relayed' | 'none'

export interface Me {
  readonly name: string
  readonly identity: string
  readonly peerId: string
  readonly inviteLink: string
}

export interface Contact {
  readonly alias: string
  readonly displayName: string
  readonly identity: string
  readonly verified: boolean
  readonly devices: readonly string[]
  /** The best link to any of the contact's devices. */
  readonly link: LinkKind
}

export interface Member { readonly identity: string, readonly name: string, readonly peerId: string }

export interface Conversation {
  readonly id: string
  readonly kind: 'direct' | 'group'
  readonly name: string
  readonly active: boolean
  /** The MLS epoch: it moves on every membership change (and the call media keys with it). */
  readonly epoch: number
  readonly members: readonly Member[]
  /** For a 1:1: the contact's identity. */
  readonly peerIdentity: string | null
  readonly unread: number
  /** The newest text, file message or call, for the preview line (`senderName` is "You" for own). */
  readonly lastMessage: LastMessageView | null
  /** When this device created or joined it: a conversation with no message yet sorts and shows by this. */
  readonly since: number
  /** Muted by this account: no desktop notification. */
  readonly muted: boolean
  /** Archived by this account: listed under "Archived" instead of the main list. */
  readonly archived: boolean
  /**
   * Restored from a backup and waiting to be put back in by one of these people (display names);
   * null once rejoined. History shows, but nothing can be sent until then.
   */
  readonly rejoining: readonly string[] | null
}

/** One emoji on a message, with who reacted. */
export type Reaction = ReactionOut

/** A message as the messenger folds it (edits, deletes, reactions, reply quote, delivery state). */
export type Message = MessageOut

/** The colour scheme the person chose; 'system' follows the device's light or dark mode. */
export type Theme = 'system' | 'light' | 'dark'

export interface Settings {
  readonly readReceipts: boolean
  readonly theme: Theme
  readonly notifications: boolean
  /** Extra bootstrap multiaddrs (with /p2p/) besides the node that served the page and the built-in ones. */
  readonly bootstrap: readonly string[]
  /** The person's STUN/TURN servers; null while the build's defaults apply. */
  readonly iceServers: readonly IceServer[] | null
  /** Images offered up to this many bytes download by themselves (0: never). */
  readonly autoDownloadBytes: number
}

/** A short notice for the user (an error from an action, or information). */
export interface Notice { readonly id: number, readonly kind: 'error' | 'info', readonly text: string, readonly at: number }

/** One message found by a search, with the conversation it is in. */
export interface SearchResult {
  readonly conversationId: string
  readonly conversationName: string
  readonly message: Message
}

export interface KithClient {
  /** 'elsewhere': another tab of this browser is this device right now. */
  readonly phase: ReadonlySignal<'loading' | 'onboarding' | 'ready' | 'failed' | 'elsewhere'>
  /** This tab had Kith open and let another tab take over. */
  readonly handedOver: ReadonlySignal<boolean>
  /** Asks the tab that has Kith open to let go, and starts here instead. */
  takeOver (): Promise<void>
  /** Why phase is 'failed' (e.g. storage unavailable). */
  readonly failure: ReadonlySignal<string | null>
  readonly me: ReadonlySignal<Me | null>
  readonly connection: ReadonlySignal<ConnectionStatus>
  /** The mailboxes this browser keeps (PROTOCOL.md §5.4), with what waits in them. */
  readonly mailboxes: ReadonlySignal<readonly MailboxInfo[]>
  /** Null until the directory link has started. */
  readonly directory: ReadonlySignal<DirectoryInfo | null>
  readonly contacts: ReadonlySignal<readonly Contact[]>
  /** Sorted, most recent activity first. */
  readonly conversations: ReadonlySignal<readonly Conversation[]>
  /** Messages of one conversation in display order; loaded on first call, then kept live. */
  messages (conversationId: string): ReadonlySignal<readonly Message[]>
  /** Names of people typing in each conversation right now. */
  readonly typing: ReadonlySignal<Readonly<Record<string, readonly string[]>>>
  readonly settings: ReadonlySignal<Settings>
  /** STUN/TURN servers built into this copy of the app (kith.config.json), used until the person saves their own. */
  readonly defaultIceServers: readonly IceServer[]
  readonly notices: ReadonlySignal<readonly Notice[]>
  dismissNotice (id: number): void
  /** Calls ringing or running on this device, as the worker sees them; an ended call leaves the list. */
  readonly calls: ReadonlySignal<readonly CallView[]>
  /** The last call that ended on this device (its `endedAt`: when the last other participant left or was last heard from). */
  readonly lastEndedCall: ReadonlySignal<CallView | null>
  /** Call signalling for the call code (src/web/calls/), which is loaded on first use. */
  readonly callSignalling: CallSignalling

  onboard (displayName: string): Promise<void>
  /** Accepts a full invite link or the bare code. Resolves with the 1:1's id and whether they were a contact already. */
  addContact (inviteLinkOrCode: string): Promise<{ contact: Contact, conversationId: string, existing: boolean }>
  /** The warning to show before adding an invite (a contact already has its name under another key), or null. */
  checkInvite (inviteLinkOrCode: string): Promise<string | null>
  /** Changes this account's display name; contacts and groups are told, and `me` and the invite update. */
  setDisplayName (name: string): Promise<void>
  safetyNumber (alias: string): Promise<string>
  setVerified (alias: string, verified: boolean): Promise<void>

  createGroup (name: string): Promise<string>
  /** Renames a group for every member. */
  renameGroup (conversationId: string, name: string): Promise<void>
  addMember (conversationId: string, alias: string): Promise<void>
  removeMember (conversationId: string, alias: string): Promise<void>
  leave (conversationId: string): Promise<void>
  /** Mutes or unmutes a conversation (no desktop notification while muted). */
  setMuted (conversationId: string, muted: boolean): Promise<void>
  /** Archives a conversation, or brings it back to the main list. */
  setArchived (conversationId: string, archived: boolean): Promise<void>

  send (conversationId: string, text: string, replyTo?: string): Promise<void>
  edit (conversationId: string, messageId: string, text: string): Promise<void>
  deleteMessage (conversationId: string, messageId: string): Promise<void>
  react (conversationId: string, messageId: string, emoji: string): Promise<void>
  /** The user is looking at this conversation: clears unread, sends a read receipt if enabled. */
  markRead (conversationId: string): Promise<void>
  /** Messages in any conversation containing `query` (case-insensitive), newest first. */
  search (query: string): Promise<readonly SearchResult[]>
  /** The user typed in the composer (throttled inside). */
  typed (conversationId: string): void
  /**
   * Offers files in a conversation, one FILE message each, the caption on the first. The worker
   * reads each `File` in slices and seals it; `previews` are frames drawn for videos, by index.
   */
  sendFiles (conversationId: string, files: readonly File[], caption: string, previews?: ReadonlyMap<number, Blob>): Promise<void>
  /** The page's file transfers (serving, downloads, progress), started once the messenger runs. */
  fileTransfers (): Promise<FileTransfers>

  updateSettings (patch: Partial<Settings>): Promise<void>

  /** Progress (0 to 1) of the passphrase KDF while a backup is made or restored; null otherwise. */
  readonly backupProgress: ReadonlySignal<number | null>
  /** The account (and history, if asked) as an encrypted backup file; the KDF runs in the worker. */
  exportBackup (passphrase: string, includeHistory: boolean): Promise<Uint8Array>
  /** Restores a backup file into this fresh browser (during onboarding) and goes online as a new device. */
  restoreBackup (file: Uint8Array, passphrase: string): Promise<void>
}
