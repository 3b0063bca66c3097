/**
 * Timeline notices: "Alice added Bob", "Bob left", "Carol renamed the group to “Book club”", "Alice
 * is now Alicia", "Alice is using a new device". They are local rows of the messages table (kind
 * `notice`, never sent, `seq` 0, no sender device), written when this device applies or makes a
 * membership commit, a rename or a profile change, or is added to a group ("Alice added you",
 * from the Welcome); a LEAVE row shows as "left".
 * Ordered with messages by their Lamport clock; not text, so never unread, searched or acted on.
 */
import { randomBytes, toHex } from '../bytes.ts'
import { MESSAGE_ID_LENGTH } from '../conversation/limits.ts'
import { peerIdToString } from '../identity/peer-id.ts'
import type { Member } from '../mls/group.ts'
import type { MessageView, Store } from './store.ts'
import { CALL_ROW_KIND, decodeCallRecordBody, describeCall, type CallRecordBody } from '../calls/call-record.ts'

/** The `kind` of a stored notice row. */
export const NOTICE_KIND = 'notice'
/** Rows read to find whether a removed member had left (then "left" already says it). */
const LEAVE_WINDOW = 1000

/** What a notice says happened; the actor is the row's sender. */
export type NoticeType = 'added' | 'removed' | 'left' | 'renamed' | 'profile' | 'new-device' | 'call'

const STORED_TYPES: ReadonlySet<string> = new Set(['added', 'removed', 'renamed', 'profile', 'new-device'])

/** A notice as the CLI and UI show it, inside its {@link MessageOut}. */
export interface NoticeOut {
  readonly type: NoticeType
  /** Who was added or removed (identity keys, hex), with the messenger's names for them. */
  readonly subjects: ReadonlyArray<{ identity: string, name: string }>
  /** For `renamed`: the new group name; for `profile`: the actor's new display name. */
  readonly name: string
  /** For `profile`: the display name the actor had before. */
  readonly previous?: string
  /** For `call`: how the call went (the actor is the caller). */
  readonly call?: CallRecordBody
}

/** A notice's stored body (the row's text, as JSON). */
interface NoticeBody {
  readonly type: Exclude<NoticeType, 'left' | 'call'>
  readonly subjects: readonly string[]
  readonly name: string
  readonly previous?: string
}

/** Whether a stored row is shown as a notice. */
export function isNoticeRow (row: { kind: string }): boolean {
  return row.kind === NOTICE_KIND || row.kind === 'leave' || row.kind === CALL_ROW_KIND
}

/** The notice a row stands for, subjects still unnamed; undefined if it is not one (or is malformed). */
export function readNotice (row: { kind: string, text: string }): NoticeBody | { type: 'left', subjects: [], name: '' } | { type: 'call', subjects: [], name: '', call: CallRecordBody } | undefined {
  if (row.kind === 'leave') return { type: 'left', subjects: [], name: '' }
  if (row.kind === CALL_ROW_KIND) {
    const call = decodeCallRecordBody(row.text)
    return call === undefined ? undefined : { type: 'call', subjects: [], name: '', call }
  }
  if (row.kind !== NOTICE_KIND) return undefined
  try {
    const body = JSON.parse(row.text) as Partial<NoticeBody>
    if (typeof body.type !== 'string' || !STORED_TYPES.has(body.type)) return undefined
    const subjects = Array.isArray(body.subjects) ? body.subjects.filter((s): s is string => typeof s === 'string') : []
    return {
      type: body.type, subjects, name: typeof body.name === 'string' ? body.name : '', ...(typeof body.previous === 'string' ? { previous: body.previous } : {})
    }
  } catch {
    return undefined
  }
}

/** Where a notice row goes and who caused it. */
export interface NoticeFields {
  readonly groupId: string
  readonly actor: string
  readonly lamport: number
  readonly epoch: number
  readonly at: number
}

/** A notice row, ready for a `message` write. */
export function noticeRow (fields: NoticeFields, body: NoticeBody): MessageView {
  return {
    id: toHex(randomBytes(MESSAGE_ID_LENGTH)),
    groupId: fields.groupId,
    senderIdentity: fields.actor,
    // No device: the notice never takes part in a sender's sequence or in re-sending.
    senderDevice: '',
    own: false,
    kind: NOTICE_KIND,
    text: JSON.stringify(body),
    target: null,
    seq: 0,
    lamport: fields.lamport,
    sentAt: fields.at,
    receivedAt: fields.at,
    epoch: fields.epoch,
    recipients: 0,
    needsSend: false,
    gap: false,
    acknowledged: 0
  }
}

/** A rename notice. */
export function renameNotice (fields: NoticeFields, name: string): MessageView {
  return noticeRow(fields, { type: 'renamed', subjects: [], name })
}

/** "Alice is now Alicia": the actor's display name changed from `previous` to `name`. */
export function profileNotice (fields: NoticeFields, previous: string, name: string): MessageView {
  return noticeRow(fields, { type: 'profile', subjects: [], name, previous })
}

/**
 * "Alice is using a new device", for each leaf a commit adds whose account is already a member
 * through another device, or is a contact this device knows other devices of (not this account).
 */
export async function newDeviceNotices (store: Store, fields: Omit<NoticeFields, 'actor'>, self: string, before: readonly Member[], after: readonly Member[]): Promise<MessageView[]> {
  const peersBefore = new Set(before.map((m) => toHex(m.certificate.peerId)))
  const accountsBefore = new Set(before.map((m) => toHex(m.certificate.identityKey)))
  const noticed = new Set<string>()
  const out: MessageView[] = []
  for (const m of after) {
    const identity = toHex(m.certificate.identityKey)
    if (identity === self || noticed.has(identity) || peersBefore.has(toHex(m.certificate.peerId))) continue
    let fresh = accountsBefore.has(identity)
    if (!fresh && await store.getContact(identity) !== undefined) {
      const known = await store.devicesOf(identity)
      const peerId = peerIdToString(m.certificate.peerId)
      fresh = known.length > 0 && !known.some((d) => d.peerId === peerId)
    }
    if (!fresh) continue
    noticed.add(identity)
    out.push(noticeRow({ ...fields, actor: identity }, { type: 'new-device', subjects: [], name: '' }))
  }
  return out
}

/**
 * The notices for a membership commit: accounts that gained or lost every device. A removed
 * account that sent LEAVE gets none, since its "left" notice already says so.
 */
export async function membershipNotices (store: Store, fields: NoticeFields, before: readonly Member[], after: readonly Member[]): Promise<MessageView[]> {
  const accounts = (members: readonly Member[]): Set<string> => new Set(members.map((m) => toHex(m.certificate.identityKey)))
  const was = accounts(before)
  const is = accounts(after)
  const added = [...is].filter((i) => !was.has(i))
  let removed = [...was].filter((i) => !is.has(i))
  if (removed.length > 0) {
    const leavers = new Set((await store.listMessages(fields.groupId, LEAVE_WINDOW)).filter((r) => r.kind === 'leave').map((r) => r.senderIdentity))
    removed = removed.filter((i) => !leavers.has(i))
  }
  const out: MessageView[] = []
  if (added.length > 0) out.push(noticeRow(fields, { type: 'added', subjects: added, name: '' }))
  if (removed.length > 0) out.push(noticeRow(fields, { type: 'removed', subjects: removed, name: '' }))
  return out
}

/** Names joined as people say them: "Bob", "Bob and Carol", "Bob, Carol and Dan". */
function joinNames (names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? 'someone'
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`
}

/** "You" as the object of a sentence: "Alice added you". */
function asObject (name: string): string {
  return name === 'You' ? 'you' : name
}

/** The sentence of a notice, given the names to use for its actor and subjects. */
export function describeNotice (actorName: string, notice: { type: NoticeType, name: string, previous?: string, call?: CallRecordBody }, subjectNames: readonly string[]): string {
  switch (notice.type) {
    case 'added': return `${actorName} added ${joinNames(subjectNames.map(asObject))}`
    case 'removed': return `${actorName} removed ${joinNames(subjectNames.map(asObject))}`
    case 'left': return `${actorName} left`
    case 'renamed': return `${actorName} renamed the group to “${notice.name}”`
    case 'profile': return actorName === 'You' ? `You are now ${notice.name}` : `${notice.previous ?? actorName} is now ${notice.name}`
    case 'new-device': return `${actorName} is using a new device`
    case 'call': return notice.call === undefined ? 'Call' : describeCall(actorName, notice.call)
  }
}
