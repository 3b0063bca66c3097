/**
 * The state of one call as one device sees it, and the pure transitions that move it:
 * `advanceCall(state, event) -> { state, ended? }`. Nothing here knows the topology: a participant
 * is a device in the call, whether media reaches it over a full mesh (today) or through a
 * member-hosted forwarder (later). Who sends the SDP offer between two participants is
 * {@link offersTo}; how many may join is {@link canJoin}.
 */
import { MAX_MESH_PARTICIPANTS } from './constants.ts'
import type { CallMedia } from './signal.ts'

/** A device taking part in a call, with its account. */
export interface CallParticipant {
  /** The account's identity key, hex. */
  readonly identity: string
  /** The device's peer id, text form. */
  readonly device: string
  readonly media: CallMedia
}

/**
 * Where a call is for this device. `running`: the call goes on among others without this device
 * (its ring ran out, it declined or it left), and it may join.
 */
export type CallPhase = 'ringing' | 'calling' | 'joined' | 'running' | 'ended'

/** How a call ended for this device: the one history entry it leaves. */
export type CallOutcome = 'missed' | 'declined' | 'answered'

/** One call as one device sees it. */
export interface CallState {
  /** The call id, hex. */
  readonly id: string
  readonly conversation: string
  readonly direction: 'incoming' | 'outgoing'
  /** Who started it. */
  readonly caller: { readonly identity: string, readonly device: string }
  /** What the caller offered. */
  readonly media: CallMedia
  /** `ringing`: incoming, not answered; `calling`: own, nobody joined yet; `joined`: this device is in; `running`: going on without it. */
  readonly phase: CallPhase
  /** The other devices in the call now (the caller counts from the invite until it hangs up). */
  readonly participants: readonly CallParticipant[]
  /** Member devices other than this one when the call started, or when this device learnt of it. */
  readonly invited: number
  /** Devices that declined. */
  readonly declined: readonly string[]
  /** Someone other than the caller has joined: from then on a participant left alone ends the call. */
  readonly answered: boolean
  readonly startedAt: number
  /** When this device and at least one other were first both in the call (a device that rejoins keeps it: the call timer goes on). */
  readonly connectedAt?: number
  /** When this device's present part in the call began; it may leave a call that goes on and join again. */
  readonly joinedAt?: number
  /** Time this device spent in the call in the parts it left: its history entry counts them all. */
  readonly spentMs?: number
  readonly endedAt?: number
  readonly outcome?: CallOutcome
}

/** What can happen to a call. `from` is the device a remote signal came from. */
export type CallEvent =
  | { readonly kind: 'accepted', readonly from: CallParticipant, readonly at: number }
  | { readonly kind: 'declined', readonly from: string, readonly at: number }
  | { readonly kind: 'hung-up', readonly from: string, readonly at: number }
  | { readonly kind: 'answer', readonly at: number }
  | { readonly kind: 'decline', readonly at: number }
  | { readonly kind: 'hang-up', readonly at: number }
  | { readonly kind: 'timeout', readonly at: number }
  | { readonly kind: 'member-removed', readonly device: string, readonly at: number }
  /** A participant not heard from for a while (no ALIVE, no signal): gone without a HANGUP. */
  | { readonly kind: 'went-silent', readonly device: string, readonly at: number }
  | { readonly kind: 'removed', readonly at: number }

/** A transition's result: the new state, and the entry for history when this event ended the call. */
export interface CallTransition {
  readonly state: CallState
  readonly ended?: CallRecord
}

/** The history entry a call leaves on one device. */
export interface CallRecord {
  readonly id: string
  readonly conversation: string
  readonly direction: 'incoming' | 'outgoing'
  readonly callerIdentity: string
  readonly video: boolean
  readonly outcome: CallOutcome
  readonly startedAt: number
  /** Time this device spent in the call, all its parts together, for `answered`; 0 otherwise. */
  readonly durationMs: number
}

/** A call this device starts: it is `calling` until someone joins. */
export function startOutgoingCall (fields: { id: string, conversation: string, self: { identity: string, device: string }, media: CallMedia, invited: number, at: number }): CallState {
  return {
    id: fields.id,
    conversation: fields.conversation,
    direction: 'outgoing',
    caller: fields.self,
    media: fields.media,
    phase: 'calling',
    participants: [],
    invited: fields.invited,
    declined: [],
    answered: false,
    startedAt: fields.at
  }
}

/** A call another device started: it rings here until answered, declined or stopped. */
export function startIncomingCall (fields: { id: string, conversation: string, caller: CallParticipant, invited: number, at: number }): CallState {
  return {
    id: fields.id,
    conversation: fields.conversation,
    direction: 'incoming',
    caller: { identity: fields.caller.identity, device: fields.caller.device },
    media: fields.caller.media,
    phase: 'ringing',
    participants: [fields.caller],
    invited: fields.invited,
    declined: [],
    answered: false,
    startedAt: fields.at
  }
}

/** Whether this device may (still or again) join: the call is not over and has room. */
export function canJoin (state: CallState): boolean {
  return (state.phase === 'ringing' || state.phase === 'running') && state.participants.length + 1 <= MAX_MESH_PARTICIPANTS
}

/** Whether the others are still in a call once this device is out of it. */
function goesOn (state: CallState): boolean {
  // Once someone has answered, a participant left alone ends the call on its side (below); before
  // that, the caller alone is still ringing the others.
  return state.answered ? state.participants.length >= 2 : state.participants.length >= 1
}

/**
 * This device's part in the call ends with `outcome` (its one history entry). If the others go on,
 * the call stays `running` here, so this device may join it later.
 */
function end (state: CallState, outcome: CallOutcome, at: number, mayGoOn = true): CallTransition {
  const over = !mayGoOn || !goesOn(state)
  // A call restored from before joinedAt was kept has only connectedAt.
  const since = state.joinedAt ?? state.connectedAt
  const spentMs = outcome === 'answered' && since !== undefined ? (state.spentMs ?? 0) + Math.max(0, at - since) : (state.spentMs ?? 0)
  const { joinedAt: _left, ...out } = state
  const ended: CallState = over ? { ...out, phase: 'ended', outcome, endedAt: at, spentMs } : { ...out, phase: 'running', outcome, spentMs }
  return {
    state: ended,
    ended: {
      id: state.id,
      conversation: state.conversation,
      direction: state.direction,
      callerIdentity: state.caller.identity,
      video: state.media.video,
      outcome,
      startedAt: state.startedAt,
      durationMs: outcome === 'answered' ? spentMs : 0
    }
  }
}

function without (list: readonly CallParticipant[], device: string): CallParticipant[] {
  return list.filter((p) => p.device !== device)
}

/** Moves a call by one event. An ended call stays ended; events that do not apply change nothing. */
export function advanceCall (state: CallState, event: CallEvent): CallTransition {
  if (state.phase === 'ended') return { state }
  if (state.phase === 'running') return advanceRunning(state, event)
  switch (event.kind) {
    case 'accepted': {
      const participants = [...without(state.participants, event.from.device), event.from]
      if (state.phase === 'calling') return { state: { ...state, phase: 'joined', participants, answered: true, connectedAt: event.at, joinedAt: event.at } }
      return { state: { ...state, participants, answered: true } }
    }
    case 'declined': {
      if (state.declined.includes(event.from)) return { state }
      const next = { ...state, declined: [...state.declined, event.from] }
      // Everyone asked said no before anyone joined: the call is over.
      if (state.phase === 'calling' && next.declined.length >= state.invited) return end(next, 'declined', event.at, false)
      return { state: next }
    }
    case 'hung-up':
    case 'member-removed':
    case 'went-silent': {
      const from = event.kind === 'hung-up' ? event.from : event.device
      if (!state.participants.some((p) => p.device === from)) return { state }
      const next = { ...state, participants: without(state.participants, from) }
      // Ringing, with only someone left alone (who ends the call on their side): missed.
      if (state.phase === 'ringing' && !goesOn(next)) return end(next, 'missed', event.at, false)
      if (next.participants.length > 0) return { state: next }
      // The last other participant left.
      if (state.phase === 'joined') return end(next, 'answered', event.at)
      return { state: next }
    }
    case 'answer':
      if (state.phase !== 'ringing') return { state }
      return { state: { ...state, phase: 'joined', answered: true, connectedAt: event.at, joinedAt: event.at } }
    case 'decline':
      if (state.phase !== 'ringing') return { state }
      return end(state, 'declined', event.at)
    case 'hang-up':
      if (state.phase === 'ringing') return end(state, 'declined', event.at)
      if (state.phase === 'calling') return end(state, 'missed', event.at, false)
      return end(state, 'answered', event.at)
    case 'removed':
      // Removed from the group: out of the call for good.
      return end(state, state.phase === 'joined' ? 'answered' : 'missed', event.at, false)
    case 'timeout':
      if (state.phase === 'ringing') return end(state, 'missed', event.at)
      if (state.phase === 'calling') return end(state, 'missed', event.at, false)
      return { state }
  }
}

/**
 * A call going on without this device: it follows who is in it, and this device may join again.
 * Its history entry is already written, so nothing here writes another.
 */
function advanceRunning (state: CallState, event: CallEvent): CallTransition {
  const over = (): CallTransition => ({ state: { ...state, phase: 'ended', endedAt: event.at } })
  switch (event.kind) {
    case 'accepted':
      return { state: { ...state, participants: [...without(state.participants, event.from.device), event.from], answered: true } }
    case 'hung-up':
    case 'member-removed':
    case 'went-silent': {
      const from = event.kind === 'hung-up' ? event.from : event.device
      if (!state.participants.some((p) => p.device === from)) return { state }
      const next = { ...state, participants: without(state.participants, from) }
      return goesOn(next) ? { state: next } : { state: { ...next, phase: 'ended', endedAt: event.at } }
    }
    case 'answer':
      // Joins (again): connected once someone else is there (always, while it runs). The timer
      // goes on from the first time this device was connected.
      return { state: { ...state, phase: 'joined', answered: true, connectedAt: state.connectedAt ?? event.at, joinedAt: event.at } }
    case 'removed':
      return over()
    case 'declined':
    case 'decline':
    case 'hang-up':
    case 'timeout':
      return { state }
  }
}
