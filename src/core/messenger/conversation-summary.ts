/**
 * What a conversation list shows of each conversation: the unread count and the newest message.
 * Folded from the latest rows once per conversation, then kept current as text and file messages
 * arrive, and folded again after anything that can lower the count or change the newest message
 * (an edit, a delete, a new read position, a call's history row).
 */
import { CALL_ROW_KIND } from '../calls/call-record.ts'
import { compareDisplayOrder, summarizeConversation } from '../conversation/message-fold.ts'
import { foldWindow } from './message-view.ts'
import type { ReadState } from './read-state.ts'
import type { MessageView, Store } from './store.ts'

/** Rows folded for a summary; unread messages older than this window are not counted. */
export const SUMMARY_WINDOW = 2000

/**
 * A conversation's unread messages (others' texts and files) and its newest undeleted text
 * message (its text as edited), file message or call.
 */
export interface Summary {
  /** Ids, so that counting one message twice is harmless. */
  readonly unread: ReadonlySet<string>
  readonly last: MessageView | null
}

interface MutableSummary {
  unread: Set<string>
  last: MessageView | null
}

/** Collaborators of a {@link SummaryCache}. */
export interface SummaryCacheComponents {
  readonly store: Store
  readonly reads: ReadState
  /** This account's identity key, hex. */
  readonly identity: string
}

/** Per-conversation summaries, cached in memory. */
export class SummaryCache {
  private readonly summaries = new Map<string, MutableSummary>()
  /** Moves on every change, so that a fold that raced a change is not cached. */
  private readonly generations = new Map<string, number>()

  constructor (private readonly components: SummaryCacheComponents) {}

  /** The summary of a conversation. */
  async get (groupId: string): Promise<Summary> {
    const cached = this.summaries.get(groupId)
    if (cached !== undefined) return cached
    const generation = this.generations.get(groupId) ?? 0
    const position = await this.components.reads.ownPosition(groupId)
    const rows = await this.components.store.listMessages(groupId, SUMMARY_WINDOW)
    const folded = foldWindow(groupId, rows)
    const shown = [...folded.values()].sort((a, b) => compareDisplayOrder(a.row, b.row))
    const s = summarizeConversation(shown, this.components.identity, position)
    let last = s.last === null ? null : { ...s.last.row, text: s.last.text }
    // A call's history row can be the newest entry, but it is never unread.
    for (const r of rows) if (r.kind === CALL_ROW_KIND && (last === null || compareDisplayOrder(r, last) > 0)) last = r
    const summary: MutableSummary = { unread: new Set(s.unread.map((m) => m.row.id)), last }
    if ((this.generations.get(groupId) ?? 0) === generation) {
      if (this.summaries.size > 10_000) this.summaries.clear()
      this.summaries.set(groupId, summary)
    }
    return summary
  }

  /** Forgets a summary; the next {@link get} folds again. */
  invalidate (groupId: string): void {
    this.summaries.delete(groupId)
    this.bump(groupId)
  }

  /** Counts a text or file message that was just stored. Call it right after the write. */
  async noteNewText (m: MessageView): Promise<void> {
    this.bump(m.groupId)
    const position = await this.components.reads.ownPosition(m.groupId)
    const summary = this.summaries.get(m.groupId)
    if (summary === undefined) return
    if (m.senderIdentity !== this.components.identity && m.lamport > position) summary.unread.add(m.id)
    if (summary.last === null || compareDisplayOrder(m, summary.last) > 0) summary.last = m
  }

  private bump (groupId: string): void {
    this.generations.set(groupId, (this.generations.get(groupId) ?? 0) + 1)
  }
}
