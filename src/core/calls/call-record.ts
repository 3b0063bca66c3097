/**
 * A call's history entry as stored: a local row of the messages table (kind `call`, id = the call
 * id, never sent), whose text is this JSON body. One row per call: the store keeps the first row
 * written under an id.
 */
import type { CallOutcome, CallRecord } from './call-state.ts'

/** The `kind` of a stored call row. */
export const CALL_ROW_KIND = 'call'

/** The stored body of a call row. */
export interface CallRecordBody {
  readonly direction: 'incoming' | 'outgoing'
  readonly video: boolean
  readonly outcome: CallOutcome
  readonly durationMs: number
}

const OUTCOMES: ReadonlySet<string> = new Set(['missed', 'declined', 'answered'])

/** The text of the row a call record is stored as. */
export function encodeCallRecordBody (record: CallRecord): string {
  const body: CallRecordBody = { direction: record.direction, video: record.video, outcome: record.outcome, durationMs: record.durationMs }
  return JSON.stringify(body)
}

/** Reads a call row's text back; undefined if it is malformed. */
export function decodeCallRecordBody (text: string): CallRecordBody | undefined {
  try {
    const body = JSON.parse(text) as Partial<CallRecordBody>
    if (body.direction !== 'incoming' && body.direction !== 'outgoing') return undefined
    if (typeof body.outcome !== 'string' || !OUTCOMES.has(body.outcome)) return undefined
    const durationMs = typeof body.durationMs === 'number' && Number.isFinite(body.durationMs) && body.durationMs >= 0 ? body.durationMs : 0
    return { direction: body.direction, video: body.video === true, outcome: body.outcome, durationMs }
  } catch {
    return undefined
  }
}

/** "1:05", "12:00", "1:02:03": a call's length as a person reads it. */
export function formatCallDuration (ms: number): string {
  const total = Math.round(ms / 1000)
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = String(total % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`
}

/** The sentence a call row shows as, with the caller named as the messenger names them ("You" for this account). */
export function describeCall (callerName: string, body: CallRecordBody): string {
  const what = body.video ? 'Video call' : 'Voice call'
  switch (body.outcome) {
    case 'answered':
      return `${body.direction === 'outgoing' ? what : `${what} from ${callerName}`} · ${formatCallDuration(body.durationMs)}`
    case 'declined':
      return body.direction === 'outgoing' ? `${what} declined` : `${what} from ${callerName} declined`
    case 'missed':
      return body.direction === 'outgoing' ? `${what} not answered` : `Missed ${what.toLowerCase()} from ${callerName}`
  }
}
