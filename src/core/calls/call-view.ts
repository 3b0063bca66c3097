/**
 * Calls as the CLI and UI see them: a call's current state, the signals the app's peer
 * connections exchange (JSON-safe), history entries and drop counters. Types only.
 */
import type { CallParticipant, CallRecord, CallState } from './call-state.ts'
import type { CallMedia } from './signal.ts'

/** A call as the CLI and UI show it. */
export interface CallView {
  readonly id: string
  readonly conversation: string
  readonly direction: 'incoming' | 'outgoing'
  readonly caller: { readonly identity: string, readonly device: string, readonly name: string }
  readonly media: CallMedia
  readonly phase: CallState['phase']
  /** The other devices in the call now. */
  readonly participants: ReadonlyArray<CallParticipant & { readonly name: string }>
  readonly startedAt: number
  readonly connectedAt?: number
  readonly endedAt?: number
  readonly outcome?: CallRecord['outcome']
  /** Set while ringing when the call already has MAX_MESH_PARTICIPANTS people. */
  readonly full: boolean
  /** While this device rings: the caller's early offer to it, from the INVITE, to answer on Accept (PROTOCOL.md §11.5). */
  readonly offer?: string
}

/** An early offer as the app hands it to `startCall`: an SDP offer for one device the call rings. */
export interface EarlyOfferIn {
  readonly toDevice: string
  readonly sdp: string
}

/** A call signal as the app sees it (JSON-safe: ids as hex or text). */
export type CallSignalOut =
  | { readonly type: 'invite' | 'accept', readonly callId: string, readonly media: CallMedia }
  | { readonly type: 'decline' | 'hangup', readonly callId: string }
  | { readonly type: 'sdp', readonly callId: string, readonly toDevice: string, readonly sdpType: 'offer' | 'answer', readonly sdp: string }
  | { readonly type: 'ice', readonly callId: string, readonly toDevice: string, readonly candidate: string, readonly sdpMid: string, readonly sdpMLineIndex: number }

/** The media signals the app sends for a call: an SDP or ICE candidate for one device. */
export type MediaSignalIn =
  | { readonly type: 'sdp', readonly toDevice: string, readonly sdpType: 'offer' | 'answer', readonly sdp: string }
  | { readonly type: 'ice', readonly toDevice: string, readonly candidate: string, readonly sdpMid: string, readonly sdpMLineIndex: number }

/** A call history entry as the CLI and UI list it. */
export interface CallHistoryEntry {
  readonly id: string
  readonly conversation: string
  /** The group's name, or the other person's for a 1:1. */
  readonly conversationName: string
  readonly direction: 'incoming' | 'outgoing'
  readonly callerIdentity: string
  readonly callerName: string
  readonly video: boolean
  readonly outcome: CallRecord['outcome']
  readonly startedAt: number
  readonly durationMs: number
  /** The sentence the timeline shows. */
  readonly text: string
}

/** Why incoming call signals were dropped, counted since start. */
export interface CallDropCounts {
  readonly malformed: number
  readonly replayed: number
  readonly stale: number
  readonly unknownDevice: number
  readonly unknownCall: number
}

