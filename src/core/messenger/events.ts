/**
 * What the messenger shows the CLI and UI: contacts, conversations, settings and the events that
 * keep live views current. Messages themselves are in message-view.ts.
 */
import type { DeliveryState } from '../conversation/delivery-state.ts'
import type { MessageOut } from './message-view.ts'
import type { CallSignalOut, CallView } from '../calls/call-view.ts'
import type { CallRecordBody } from '../calls/call-record.ts'

/** A contact as the CLI and UI show it. */
export interface ContactView {
  readonly alias: string
  readonly displayName: string
  readonly identity: string
  readonly verified: boolean
  readonly devices: readonly string[]
}

/** This account as the CLI and UI show it. */
export interface ProfileView {
  readonly displayName: string
  readonly identity: string
  readonly peerId: string
  readonly inviteLink: string
}

/** A contact just added, with what the person adding should compare or be warned about. */
export interface AddContactResult {
  readonly contact: ContactView
  readonly safetyNumber: string
  /**
   * Set when another contact already has this display name under a different identity key: the
   * sentence to show before the person trusts the new one.
   */
  readonly warning?: string
}

/** A conversation's newest entry, as its preview line in a conversation list shows it. */
export interface LastMessageView {
  /** The text as edited; a file message's caption (often empty); empty for a call. */
  readonly text: string
  readonly senderName: string
  readonly own: boolean
  readonly sentAt: number
  /** Set when it is a file message: what the file is. */
  readonly file?: { readonly name: string, readonly mimeType: string }
  /** Set when it is a call: how it went (the sender is the caller). */
  readonly call?: CallRecordBody
}

/** A conversation as the CLI and UI show it. */
export interface ConversationView {
  readonly id: string
  readonly kind: 'direct' | 'group'
  readonly name: string
  readonly epoch: number
  readonly active: boolean
  readonly members: ReadonlyArray<{ identity: string, name: string, peerId: string }>
  /** For a 1:1: the other account's identity key (hex). */
  readonly peerIdentity: string | null
  /** Others' undeleted text messages after this account's read position. */
  readonly unread: number
  /** The newest undeleted text message, file message or call, for the list's preview line. */
  readonly lastMessage: LastMessageView | null
  /** When this device created or joined it (ms since 1970): where a conversation with no message yet sorts. */
  readonly since: number
  /** This account muted it: no desktop notification for it. */
  readonly muted: boolean
  /** This account archived it: shown apart from the main list. */
  readonly archived: boolean
  /**
   * Restored from a backup and waiting to be put back in: the names of the members who can do it
   * (any one of them, once online). Absent once rejoined; history is read-only until then.
   */
  readonly rejoining?: readonly string[]
}

/**
 * Something that happened, for live views. `message` comes for a new message and again whenever
 * its view changes (edit, delete, reaction, read state): consumers upsert by id.
 */
export type MessengerEvent =
  | { type: 'message', message: MessageOut }
  | { type: 'message-state', id: string, conversation: string, state: DeliveryState }
  | { type: 'conversation', conversation: ConversationView }
  | { type: 'typing', conversation: string, identity: string, name: string }
  /** A call started ringing here, or changed: who is in it, whether it ended. */
  | { type: 'call', call: CallView }
  /** A call signal from another device, for the app's peer connections (sdp and ice only name this device). */
  | { type: 'call-signal', conversation: string, from: { identity: string, device: string }, signal: CallSignalOut }
  /**
   * A file's offer was withdrawn (its FILE message deleted for everyone) and its key forgotten:
   * the app stops fetching and serving the file and deletes its chunks.
   */
  | { type: 'file-withdrawn', conversation: string, fileId: string }
  /** A call ended on this device and its history row was written. */
  | { type: 'call-ended', conversation: string, callId: string, outcome: 'missed' | 'declined' | 'answered' }

/** Options of a text send. */
export interface SendOptions {
  /** Id (or a unique prefix of at least 6 hex digits) of the message this one replies to. */
  readonly replyTo?: string
  /**
   * The message's id, chosen by the client (hex, MESSAGE_ID_LENGTH bytes): a send repeated with the
   * same id, after a lost response, returns the message the first one stored instead of a second.
   */
  readonly id?: string
}

/** Per-account settings. */
export interface MessengerSettings {
  /** Send READs, and show others' (default true). */
  readonly readReceipts: boolean
}
