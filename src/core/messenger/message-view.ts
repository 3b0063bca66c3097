/**
 * Messages as the CLI and UI show them: stored rows folded with the edits, deletes and reactions on
 * them (conversation/message-fold.ts), with sender names, reply quotes and delivery state.
 */
import { deliveryState, type DeliveryState } from '../conversation/delivery-state.ts'
import { ACTION_TARGET_KINDS, foldMessages, readByAll, type FoldedMessage } from '../conversation/message-fold.ts'
import { describeNotice, readNotice, type NoticeOut } from './notices.ts'
import type { MessageView } from './store.ts'
import type { FileOut } from './file-offer-record.ts'

/** One emoji on a message, with who reacted (identity keys, hex) and their names. */
export interface ReactionOut {
  readonly emoji: string
  readonly identities: readonly string[]
  readonly names: readonly string[]
}

/** The message a reply quotes, as it looks now ('' text once deleted). */
export interface QuoteOut {
  readonly id: string
  /** Its text, or a file's caption; '' once deleted. */
  readonly text: string
  readonly senderName: string
  /** Set when it offers a file that is still there: what the quote names. */
  readonly file?: { readonly name: string, readonly mimeType: string }
}

/** A message as the CLI and UI show it. */
export interface MessageOut {
  readonly id: string
  readonly conversation: string
  readonly sender: string
  readonly senderName: string
  readonly own: boolean
  /** The latest edit's text; '' once deleted. */
  readonly text: string
  readonly sentAt: number
  readonly receivedAt: number
  readonly lamport: number
  readonly seq: number
  readonly state: DeliveryState
  readonly gapBefore: boolean
  /** The quoted message, or null if this is not a reply or the quoted message is not here. */
  readonly replyTo: QuoteOut | null
  readonly edited: boolean
  readonly deleted: boolean
  readonly reactions: readonly ReactionOut[]
  /** Set on a timeline notice ("Alice added Bob"), whose `text` is its sentence in the messenger's names. */
  readonly notice?: NoticeOut
  /** Set on a file offer (kind FILE), whose `text` is its caption. */
  readonly file?: FileOut
}

/** What turning folded rows into {@link MessageOut}s needs. */
export interface MessageViewContext {
  /** A display name for an identity; cached by the caller. */
  readonly nameOf: (identity: string) => Promise<string>
  /** Read positions of every other member account, or none when read receipts are off. */
  readonly readPositions: readonly number[]
  /** This account's identity, named "You" in notices. */
  readonly self?: string
  /** The file a FILE message offers (files.ts); without it, file messages show no file. */
  readonly fileOf?: (messageId: string) => Promise<FileOut | undefined>
}

/** A freshly stored text or file message, which nothing has acted on yet. */
export function unfolded (row: MessageView): FoldedMessage<MessageView> {
  return { row, text: row.text, edited: false, deleted: false, reactions: [] }
}

/** The delivery state of a stored message, read receipts included. */
export function stateOf (row: MessageView, readPositions: readonly number[]): DeliveryState {
  // Own messages restored from a backup (account-backup.ts) went out from the device that made it,
  // and the backup carries no acknowledgements: neither waiting to be sent nor known delivered.
  if (row.own && row.recipients === 0 && !row.needsSend) return 'sent'
  return deliveryState(row.own, row.recipients, row.acknowledged, row.own && readByAll(row.lamport, readPositions), row.stored ?? 0)
}

/** Builds the view of one folded message; `quotes` holds folded messages by id, for reply quotes. */
export async function toMessageOut (m: FoldedMessage<MessageView>, quotes: ReadonlyMap<string, FoldedMessage<MessageView>>, ctx: MessageViewContext): Promise<MessageOut> {
  const row = m.row
  const quoted = row.target === null ? undefined : quotes.get(row.target)
  // A deleted file message shows no file (the delete withdrew it, PROTOCOL.md §9.6).
  const file = row.kind === 'file' && !m.deleted ? await ctx.fileOf?.(row.id) : undefined
  const quotedFile = quoted?.row.kind === 'file' && !quoted.deleted ? await ctx.fileOf?.(quoted.row.id) : undefined
  return {
    id: row.id,
    conversation: row.groupId,
    sender: row.senderIdentity,
    senderName: await ctx.nameOf(row.senderIdentity),
    own: row.own,
    text: m.text,
    sentAt: row.sentAt,
    receivedAt: row.receivedAt,
    lamport: row.lamport,
    seq: row.seq,
    state: stateOf(row, ctx.readPositions),
    gapBefore: row.gap,
    replyTo: quoted === undefined || quoted.row.groupId !== row.groupId
      ? null
      : {
          id: quoted.row.id,
          text: quoted.text,
          senderName: await ctx.nameOf(quoted.row.senderIdentity),
          ...(quotedFile !== undefined ? { file: { name: quotedFile.name, mimeType: quotedFile.mimeType } } : {})
        },
    edited: m.edited,
    deleted: m.deleted,
    reactions: await Promise.all(m.reactions.map(async (r) => ({
      emoji: r.emoji, identities: r.identities, names: await Promise.all(r.identities.map(ctx.nameOf))
    }))),
    ...(file !== undefined ? { file } : {})
  }
}

/** Builds the view of a notice row (notices.ts), or undefined if the row is not a readable notice. */
export async function toNoticeOut (row: MessageView, ctx: MessageViewContext): Promise<MessageOut | undefined> {
  const body = readNotice(row)
  if (body === undefined) return undefined
  const nameOf = async (identity: string): Promise<string> => identity === ctx.self ? 'You' : await ctx.nameOf(identity)
  const subjects = await Promise.all(body.subjects.map(async (identity) => ({ identity, name: await nameOf(identity) })))
  const senderName = await nameOf(row.senderIdentity)
  return {
    id: row.id,
    conversation: row.groupId,
    sender: row.senderIdentity,
    senderName,
    own: row.own,
    text: describeNotice(senderName, body, subjects.map((s) => s.name)),
    sentAt: row.sentAt,
    receivedAt: row.receivedAt,
    lamport: row.lamport,
    seq: row.seq,
    state: 'received',
    gapBefore: false,
    replyTo: null,
    edited: false,
    deleted: false,
    reactions: [],
    notice: {
      type: body.type, subjects, name: body.name,
      ...('previous' in body && body.previous !== undefined ? { previous: body.previous } : {}),
      ...('call' in body ? { call: body.call } : {})
    }
  }
}

/**
 * Folds a window of rows (a suffix of the display order, so it holds every action on the texts in
 * it) together with `context` rows from outside it (messages that replies in the window quote), and
 * returns the folded messages by id. Context rows from another conversation are ignored.
 */
export function foldWindow (groupId: string, window: readonly MessageView[], context: readonly MessageView[] = []): Map<string, FoldedMessage<MessageView>> {
  const inWindow = new Set(window.map((r) => r.id))
  const extra = context.filter((r) => r.groupId === groupId && ACTION_TARGET_KINDS.has(r.kind) && !inWindow.has(r.id))
  return new Map(foldMessages([...extra, ...window]).map((f) => [f.row.id, f]))
}

/** Reply targets that rows in `window` name but that the window does not hold. */
export function missingQuotes (window: readonly MessageView[]): string[] {
  const inWindow = new Set(window.map((r) => r.id))
  const missing = new Set<string>()
  for (const r of window) {
    if (r.kind === 'text' && r.target !== null && !inWindow.has(r.target)) missing.add(r.target)
  }
  return [...missing]
}
