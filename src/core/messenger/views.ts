/**
 * Conversations and messages as the CLI and UI show them, built from stored rows, and the events
 * that announce a change to one: history folded with its edits, deletes and reactions, read state,
 * and conversation summaries.
 */
import { toHex } from '../bytes.ts'
import { strictAssert } from '../errors.ts'
import type { FoldedMessage } from '../conversation/message-fold.ts'
import { peerIdToString } from '../identity/peer-id.ts'
import { listMembers } from '../mls/group.ts'
import type { ConversationPrefsStore } from './conversation-prefs.ts'
import type { CachedGroup, Engine } from './engine.ts'
import type { ConversationView, LastMessageView } from './events.ts'
import { CALL_ROW_KIND, decodeCallRecordBody } from '../calls/call-record.ts'
import { foldWindow, missingQuotes, toMessageOut, toNoticeOut, unfolded, type MessageOut, type MessageViewContext } from './message-view.ts'
import { compareDisplayOrder } from '../conversation/message-fold.ts'
import { isNoticeRow } from './notices.ts'
import type { MessageView } from './store.ts'
import type { FileOut } from './file-offer-record.ts'

/** Rows read to fold one message's view for an event; actions older than them are not reflected. */
const EVENT_WINDOW = 1000
/** `messages(groupId, limit)` reads this many rows per text message wanted: actions share the table. */
const HISTORY_ROWS_PER_MESSAGE = 4

/** Views of one device's conversations and messages. */
export class Views {
  constructor (private readonly engine: Engine, private readonly prefs: ConversationPrefsStore) {}

  async conversationView (group: CachedGroup): Promise<ConversationView> {
    const { names, summaries } = this.engine
    const members = await Promise.all(listMembers(group.state).map(async (m) => {
      const identity = toHex(m.certificate.identityKey)
      return { identity, name: await names.nameOf(identity), peerId: peerIdToString(m.certificate.peerId) }
    }))
    const mark = await this.engine.rejoins.get(group.row.id)
    const rejoining = mark === undefined ? undefined : [...new Set(await Promise.all(mark.members.map(async (m) => await names.nameOf(m.identity))))]
    // Until rejoined, the members are those of the backup (the placeholder state holds only this device).
    if (mark !== undefined) {
      for (const m of mark.members) members.push({ identity: m.identity, name: await names.nameOf(m.identity), peerId: m.peerId })
    }
    let name = group.row.name
    if (group.row.kind === 'direct' && group.row.peerIdentity !== null) name = await names.nameOf(group.row.peerIdentity)
    const summary = await summaries.get(group.row.id)
    const last = summary.last
    const prefs = await this.prefs.get(group.row.id)
    return {
      id: group.row.id,
      kind: group.row.kind,
      name,
      epoch: group.row.epoch,
      active: group.row.active,
      members,
      peerIdentity: group.row.kind === 'direct' ? group.row.peerIdentity : null,
      unread: summary.unread.size,
      lastMessage: last === null ? null : await this.lastMessageView(last),
      since: group.row.createdAt,
      muted: prefs.muted,
      archived: prefs.archived,
      ...(rejoining !== undefined ? { rejoining } : {})
    }
  }

  /** The preview of a conversation's newest entry: a text, a file message (what file), or a call (how it went). */
  private async lastMessageView (last: MessageView): Promise<LastMessageView> {
    const base = { text: last.text, senderName: await this.engine.names.nameOf(last.senderIdentity), own: last.own, sentAt: last.sentAt }
    if (last.kind === CALL_ROW_KIND) {
      const call = decodeCallRecordBody(last.text)
      return { ...base, text: '', ...(call !== undefined ? { call } : {}) }
    }
    if (last.kind !== 'file') return base
    const file = await this.fileOf(last.id)
    return file === undefined ? base : { ...base, file: { name: file.name, mimeType: file.mimeType } }
  }

  /** Emits a conversation's new view. */
  async announceConversation (group: CachedGroup): Promise<ConversationView> {
    this.engine.groupChanged(group.row.id, group.row.active, listMembers(group.state).map((m) => peerIdToString(m.certificate.peerId)))
    const view = await this.conversationView(group)
    this.engine.emit({ type: 'conversation', conversation: view })
    return view
  }

  /**
   * Read positions of every other member account of a conversation, for the `read` state; none
   * while read receipts are off, since then others' receipts are not shown either.
   */
  async readPositions (groupId: string): Promise<number[]> {
    const { reads } = this.engine
    const group = await this.engine.load(groupId)
    if (group === undefined || !await reads.readReceipts()) return []
    const others = new Set(listMembers(group.state).map((m) => toHex(m.certificate.identityKey)))
    others.delete(this.engine.identity)
    return await Promise.all([...others].map(async (identity) => await reads.peerPosition(groupId, identity)))
  }

  private async viewContext (groupId: string): Promise<MessageViewContext> {
    return { nameOf: this.engine.names.nameOf, readPositions: await this.readPositions(groupId), self: this.engine.identity, fileOf: this.fileOf }
  }

  /** The file a FILE message offers, as history shows it. */
  private readonly fileOf = async (messageId: string): Promise<FileOut | undefined> => {
    // Loaded only for a file message: the offer codec stays out of the browser's start-up JS.
    const { describeFile, readFileOfferOfMessage } = await import('./file-offer-record.ts')
    const record = await readFileOfferOfMessage(this.engine.store, messageId)
    return record === undefined ? undefined : describeFile(record.manifest)
  }

  /** Rows that replies in `window` quote but the window does not hold. */
  private async quotedRows (window: readonly MessageView[]): Promise<MessageView[]> {
    const rows = await Promise.all(missingQuotes(window).map(async (id) => await this.engine.store.getMessage(id)))
    return rows.filter((r) => r !== undefined)
  }

  /**
   * A conversation's text messages in display order, with edits, deletes, reactions and read
   * state folded in: one read of the latest rows (up to {@link HISTORY_ROWS_PER_MESSAGE} per message
   * wanted, since actions share the table) plus one lookup per quoted message outside them.
   */
  async messages (groupId: string, limit?: number): Promise<MessageOut[]> {
    const window = await this.engine.store.listMessages(groupId, limit === undefined ? undefined : Math.min(limit * HISTORY_ROWS_PER_MESSAGE, 100_000))
    const folded = foldWindow(groupId, window, await this.quotedRows(window))
    const inWindow = new Set(window.map((r) => r.id))
    const texts = [...folded.values()].filter((f) => inWindow.has(f.row.id))
    // Notices take their place among the texts by display order.
    type Shown = { row: MessageView, folded?: FoldedMessage<MessageView> }
    let shown: Shown[] = [...texts.map((f) => ({ row: f.row, folded: f })), ...window.filter(isNoticeRow).map((row) => ({ row }))]
    shown.sort((a, b) => compareDisplayOrder(a.row, b.row))
    if (limit !== undefined) shown = shown.slice(-limit)
    const ctx = await this.viewContext(groupId)
    const out = await Promise.all(shown.map(async (s) => s.folded !== undefined ? await toMessageOut(s.folded, folded, ctx) : await toNoticeOut(s.row, ctx)))
    return out.filter((m) => m !== undefined)
  }

  /** Emits the view of a notice row just stored. */
  async announceNotice (row: MessageView): Promise<void> {
    const view = await toNoticeOut(row, await this.viewContext(row.groupId))
    if (view !== undefined) this.engine.emit({ type: 'message', message: view })
  }

  /** The folded view of one message, from the latest rows (and the message itself if older). */
  async viewOf (groupId: string, m: MessageView): Promise<FoldedMessage<MessageView>> {
    return (await this.foldAround(groupId, m)).get(m.id) ?? unfolded(m)
  }

  /** The current view of one stored message, as `messages` shows it (no event). */
  async messageOut (groupId: string, m: MessageView): Promise<MessageOut> {
    const folded = await this.foldAround(groupId, m)
    return await toMessageOut(folded.get(m.id) ?? unfolded(m), folded, await this.viewContext(groupId))
  }

  /** Folds the latest rows, plus `m` and the message it quotes when they are older. */
  private async foldAround (groupId: string, m: MessageView): Promise<Map<string, FoldedMessage<MessageView>>> {
    const window = await this.engine.store.listMessages(groupId, EVENT_WINDOW)
    const ids = new Set(window.map((r) => r.id))
    const context = ids.has(m.id) ? [] : [m]
    if (m.target !== null && !ids.has(m.target)) {
      const quoted = await this.engine.store.getMessage(m.target)
      if (quoted !== undefined) context.push(quoted)
    }
    return foldWindow(groupId, window, context)
  }

  /** Builds and emits the view of a text or file message just stored (own or received). */
  async announceNewText (row: MessageView): Promise<MessageOut> {
    // Read positions only mark own messages read, and none can be at a message just stored: a
    // position is the clock of a message this device holds, and an own new message's clock is past
    // every one of those.
    const ctx: MessageViewContext = { nameOf: this.engine.names.nameOf, readPositions: [], fileOf: this.fileOf }
    // A reply's quote may have been edited or deleted: fold around it. A plain message needs no fold.
    const view = row.target === null
      ? await toMessageOut(unfolded(row), new Map(), ctx)
      : await toMessageOut(unfolded(row), await this.foldAround(row.groupId, row), ctx)
    this.engine.emit({ type: 'message', message: view })
    const unarchived = !row.own && await this.prefs.noteIncoming(row.groupId)
    const group = this.engine.cached(row.groupId)
    if (group !== undefined && (this.engine.watched || unarchived)) await this.announceConversation(group)
    return view
  }

  /**
   * Emits the new view of a message an edit, delete or reaction changed; with `summary` (an edit
   * or a delete), also the replies that quote it and the conversation, whose last message or unread
   * count may have changed.
   */
  async announceChange (groupId: string, messageId: string, summary: boolean): Promise<MessageOut> {
    const m = await this.engine.store.getMessage(messageId)
    strictAssert(m !== undefined, 'a message that was acted on is stored')
    const folded = await this.foldAround(groupId, m)
    const ctx = await this.viewContext(groupId)
    const view = await toMessageOut(folded.get(m.id) ?? unfolded(m), folded, ctx)
    this.engine.emit({ type: 'message', message: view })
    if (summary) {
      // An edit or a delete changes the quote of every reply to it (among the latest rows) too.
      for (const reply of folded.values()) {
        if (reply.row.target === m.id) this.engine.emit({ type: 'message', message: await toMessageOut(reply, folded, ctx) })
      }
      this.engine.summaries.invalidate(groupId)
      const group = this.engine.cached(groupId)
      if (group !== undefined) await this.announceConversation(group)
    }
    return view
  }

  /** Emits the own messages that a read position moving made `read` for everyone. */
  async announceReads (groupId: string, before: readonly number[]): Promise<void> {
    const after = await this.readPositions(groupId)
    if (after.length === 0) return
    const was = before.length === 0 ? 0 : Math.min(...before)
    const now = Math.min(...after)
    if (now <= was) return
    const rows = await this.engine.store.listMessages(groupId, EVENT_WINDOW)
    const changed = rows.filter((r) => r.own && (r.kind === 'text' || r.kind === 'file') && r.recipients > 0 && r.lamport > was && r.lamport <= now)
    if (changed.length === 0) return
    const folded = foldWindow(groupId, rows, await this.quotedRows(changed))
    // The same context as every other view: without `fileOf` a reply's quote of a file would lose it.
    const ctx: MessageViewContext = { nameOf: this.engine.names.nameOf, readPositions: after, self: this.engine.identity, fileOf: this.fileOf }
    for (const r of changed) {
      const view = await toMessageOut(folded.get(r.id) ?? unfolded(r), folded, ctx)
      this.engine.emit({ type: 'message', message: view })
      this.engine.emit({ type: 'message-state', id: view.id, conversation: groupId, state: view.state })
    }
  }
}
