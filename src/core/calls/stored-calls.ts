/**
 * The calls a device is ringing for, in, or could join, kept in the store's meta table so that a
 * page reload (or a restarted daemon) still rings for a live call, leaves a missed one in history,
 * and can join a call that goes on (docs/PROTOCOL.md §11.3). Read back with checks: a damaged entry
 * is skipped, never trusted.
 */
import { fromUtf8, utf8 } from '../bytes.ts'
import type { CallParticipant, CallPhase, CallState } from './call-state.ts'
import { CALL_ID_LENGTH } from './constants.ts'

export { STORED_CALLS_META } from './constants.ts'

const PHASES: ReadonlySet<CallPhase> = new Set(['ringing', 'calling', 'joined', 'running'])
const CALL_ID = new RegExp(`^[0-9a-f]{${CALL_ID_LENGTH * 2}}$`)

/** Encodes the calls to keep (those not ended). */
export function encodeStoredCalls (calls: readonly CallState[]): Uint8Array {
  return utf8(JSON.stringify(calls.filter((c) => c.phase !== 'ended')))
}

function isString (x: unknown): x is string {
  return typeof x === 'string' && x.length > 0 && x.length <= 200
}

function isMedia (x: unknown): x is { audio: boolean, video: boolean } {
  return typeof x === 'object' && x !== null && typeof (x as { audio?: unknown }).audio === 'boolean' && typeof (x as { video?: unknown }).video === 'boolean'
}

function isParticipant (x: unknown): x is CallParticipant {
  const p = x as Partial<CallParticipant> | null
  return typeof p === 'object' && p !== null && isString(p.identity) && isString(p.device) && isMedia(p.media)
}

function isCall (x: unknown): x is CallState {
  const c = x as Partial<CallState> | null
  return typeof c === 'object' && c !== null && typeof c.id === 'string' && CALL_ID.test(c.id) && isString(c.conversation) &&
    (c.direction === 'incoming' || c.direction === 'outgoing') && isString(c.caller?.identity) && isString(c.caller?.device) &&
    isMedia(c.media) && c.phase !== undefined && PHASES.has(c.phase) && Array.isArray(c.participants) && c.participants.every(isParticipant) &&
    Number.isSafeInteger(c.invited) && Array.isArray(c.declined) && c.declined.every(isString) && typeof c.answered === 'boolean' &&
    Number.isFinite(c.startedAt) && (c.connectedAt === undefined || Number.isFinite(c.connectedAt)) &&
    (c.joinedAt === undefined || Number.isFinite(c.joinedAt)) && (c.spentMs === undefined || (Number.isFinite(c.spentMs) && c.spentMs >= 0))
}

/** Reads the kept calls; entries that do not have the shape of a call are skipped. */
export function parseStoredCalls (bytes: Uint8Array | undefined): CallState[] {
  if (bytes === undefined || bytes.length === 0) return []
  let raw: unknown
  try {
    raw = JSON.parse(fromUtf8(bytes))
  } catch {
    return []
  }
  return Array.isArray(raw) ? raw.filter(isCall) : []
}
