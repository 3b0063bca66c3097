/**
 * Folding a conversation's stored rows into what a person sees: each TEXT or FILE message with the
 * EDITs, DELETEs and REACTIONs that act on it applied (PROTOCOL.md §7.2; a FILE's text is its
 * caption). Pure: rows in, views out.
 *
 * Every action is sent after its target, so its Lamport clock is higher; the rows of any suffix
 * of the display order therefore hold every action on every message in that suffix.
 */

/** The kinds of message that actions act on. */
export const ACTION_TARGET_KINDS: ReadonlySet<string> = new Set(['text', 'file'])

/** The fields of a stored message the fold reads. */
export interface FoldableRow {
  readonly id: string
  readonly kind: string
  readonly senderIdentity: string
  readonly text: string
  readonly target: string | null
  readonly lamport: number
}

/** One emoji on a message and who reacted with it, in the order they did. */
export interface FoldedReaction {
  readonly emoji: string
  readonly identities: readonly string[]
}

/** A text or file message with the actions on it applied. */
export interface FoldedMessage<R extends FoldableRow> {
  readonly row: R
  /** The latest edit's text, the original text, or '' once deleted. */
  readonly text: string
  readonly edited: boolean
  readonly deleted: boolean
  /** Empty once deleted. */
  readonly reactions: readonly FoldedReaction[]
}

/** Display order: Lamport clock, then sender identity, then id (PROTOCOL.md §7). */
export function compareDisplayOrder (a: FoldableRow, b: FoldableRow): number {
  if (a.lamport !== b.lamport) return a.lamport - b.lamport
  if (a.senderIdentity !== b.senderIdentity) return a.senderIdentity < b.senderIdentity ? -1 : 1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

interface Working<R extends FoldableRow> {
  row: R
  edit: FoldableRow | undefined
  deleted: boolean
  /** Per reacting identity: its latest reaction row. */
  reactions: Map<string, FoldableRow>
}

/**
 * Whether `action` may act on `target`: it names it, comes after it, and, for an edit or a delete,
 * comes from its author. Receivers check this before storing; the fold checks it again so that it
 * is correct for any rows it is given.
 */
export function actsOn (action: FoldableRow, target: FoldableRow): boolean {
  if (action.target !== target.id || !ACTION_TARGET_KINDS.has(target.kind) || action.lamport <= target.lamport) return false
  if (action.kind === 'edit' || action.kind === 'delete') return action.senderIdentity === target.senderIdentity
  return action.kind === 'reaction'
}

/**
 * Folds rows (any order, any kinds) into their text and file messages in display order. An edit or a delete
 * counts only from the author; the latest edit and each identity's latest reaction win by display
 * order; a delete wins over everything; an empty reaction removes that identity's reaction.
 */
export function foldMessages<R extends FoldableRow> (rows: readonly R[]): Array<FoldedMessage<R>> {
  const texts = new Map<string, Working<R>>()
  for (const row of rows) {
    if (ACTION_TARGET_KINDS.has(row.kind)) texts.set(row.id, { row, edit: undefined, deleted: false, reactions: new Map() })
  }
  for (const action of [...rows].sort(compareDisplayOrder)) {
    if (action.target === null) continue
    const w = texts.get(action.target)
    if (w === undefined || !actsOn(action, w.row)) continue
    if (action.kind === 'delete') w.deleted = true
    else if (action.kind === 'edit') w.edit = action
    else w.reactions.set(action.senderIdentity, action)
  }
  return [...texts.values()].sort((a, b) => compareDisplayOrder(a.row, b.row)).map((w) => ({
    row: w.row,
    text: w.deleted ? '' : w.edit?.text ?? w.row.text,
    edited: !w.deleted && w.edit !== undefined,
    deleted: w.deleted,
    reactions: w.deleted ? [] : groupReactions([...w.reactions.values()])
  }))
}

/** Groups each identity's current reaction by emoji, first-come first. */
function groupReactions (latest: FoldableRow[]): FoldedReaction[] {
  const byEmoji = new Map<string, string[]>()
  for (const r of latest.sort(compareDisplayOrder)) {
    if (r.text === '') continue
    const list = byEmoji.get(r.text)
    if (list === undefined) byEmoji.set(r.text, [r.senderIdentity])
    else list.push(r.senderIdentity)
  }
  return [...byEmoji].map(([emoji, identities]) => ({ emoji, identities }))
}

/** What a conversation list shows: the unread count and the newest message. */
export interface ConversationSummary<R extends FoldableRow> {
  /** Others' undeleted text and file messages after the read position, in display order. */
  readonly unread: ReadonlyArray<FoldedMessage<R>>
  /** The newest undeleted text or file message, if any. */
  readonly last: FoldedMessage<R> | null
}

/** Summarises folded messages for an account whose read position is `readPosition` (a Lamport clock). */
export function summarizeConversation<R extends FoldableRow> (folded: ReadonlyArray<FoldedMessage<R>>, ownIdentity: string, readPosition: number): ConversationSummary<R> {
  const unread: Array<FoldedMessage<R>> = []
  let last: FoldedMessage<R> | null = null
  for (const m of folded) {
    if (m.deleted) continue
    last = m
    if (m.row.senderIdentity !== ownIdentity && m.row.lamport > readPosition) unread.push(m)
  }
  return { unread, last }
}

/**
 * Whether every other member account has read a message at Lamport clock `lamport`: each one's
 * read position (the Lamport clock of the newest message its READ named) is at or after it.
 */
export function readByAll (lamport: number, positions: readonly number[]): boolean {
  return positions.length > 0 && positions.every((p) => p >= lamport)
}
