/**
 * State that belongs to the interface rather than the peer: which conversation is open, which
 * dialog is showing, the composer's reply/edit mode, drafts, UI-side notices and confirmations.
 * The open conversation is mirrored in `location.hash` (`#/c/<id>`) so the browser's Back button
 * returns from a conversation to the list on phones.
 */
import { signal } from '@preact/signals'
import type { Message, Notice } from '../client/types.ts'

/** Which dialog is open. */
export type DialogState =
  | { readonly kind: 'invite' }
  | { readonly kind: 'add-contact' }
  | { readonly kind: 'new-group' }
  | { readonly kind: 'settings' }
  | { readonly kind: 'connection' }
  | { readonly kind: 'backup' }
  | { readonly kind: 'safety-number', readonly alias: string }
  | { readonly kind: 'group-info', readonly conversationId: string }

/** What the composer is doing besides writing a new message. */
export type ComposerMode =
  | { readonly kind: 'reply', readonly message: Message }
  | { readonly kind: 'edit', readonly message: Message }

/** A question waiting for the user's yes or no. */
export interface ConfirmRequest {
  readonly title: string
  readonly body: string
  readonly confirmLabel: string
  readonly danger: boolean
  readonly resolve: (confirmed: boolean) => void
}

const CONVERSATION_HASH = '#/c/'

/** The conversation id named by a `#/c/<id>` hash, or null. */
export function conversationFromHash (hash: string): string | null {
  if (!hash.startsWith(CONVERSATION_HASH)) return null
  try {
    const id = decodeURIComponent(hash.slice(CONVERSATION_HASH.length))
    return id.length > 0 ? id : null
  } catch {
    return null
  }
}

interface HistoryMark { readonly kith?: 'conversation' }

/** The interface's own state and navigation. */
export class UiState {
  readonly selected = signal<string | null>(conversationFromHash(location.hash))
  readonly dialog = signal<DialogState | null>(null)
  readonly composerMode = signal<ComposerMode | null>(null)
  readonly confirmation = signal<ConfirmRequest | null>(null)
  readonly localNotices = signal<readonly Notice[]>([])
  /** A message to bring into view when its conversation shows it (a search result that was opened). */
  readonly revealing = signal<{ readonly conversationId: string, readonly messageId: string } | null>(null)
  /** Unsent text per conversation, kept while switching between them. */
  readonly drafts = new Map<string, string>()
  /** Files attached and not yet sent, per conversation. */
  readonly attachments = signal<Readonly<Record<string, readonly File[]>>>({})
  private nextNoticeId = -1

  /** Opens a conversation, adding one history entry when coming from the list; at `messageId`, if given. */
  open (conversationId: string, messageId?: string): void {
    if (this.selected.peek() !== conversationId) this.composerMode.value = null
    this.revealing.value = messageId === undefined ? null : { conversationId, messageId }
    this.selected.value = conversationId
    const hash = CONVERSATION_HASH + encodeURIComponent(conversationId)
    if (location.hash === hash) return
    if (conversationFromHash(location.hash) !== null) history.replaceState(history.state, '', hash)
    else history.pushState({ kith: 'conversation' } satisfies HistoryMark, '', hash)
  }

  /** Returns to the conversation list (the phone layout's Back). */
  back (): void {
    if ((history.state as HistoryMark | null)?.kith === 'conversation') {
      history.back()
      return
    }
    history.replaceState(null, '', location.pathname + location.search)
    this.revealing.value = null
    this.selected.value = null
    this.composerMode.value = null
  }

  /** Follows Back/Forward and hand-edited hashes. Returns the unsubscribe function. */
  followHistory (): () => void {
    const sync = (): void => {
      const id = conversationFromHash(location.hash)
      if (id !== this.selected.peek()) {
        this.composerMode.value = null
        this.revealing.value = null
      }
      this.selected.value = id
    }
    window.addEventListener('popstate', sync)
    return () => window.removeEventListener('popstate', sync)
  }

  /** Adds files to a conversation's attachments (paperclip, drop, paste). */
  attach (conversationId: string, files: readonly File[]): void {
    if (files.length === 0) return
    const all = this.attachments.value
    this.attachments.value = { ...all, [conversationId]: [...(all[conversationId] ?? []), ...files] }
  }

  /** Removes one attachment, or all of a conversation's when `index` is undefined. */
  detach (conversationId: string, index?: number): void {
    const all = { ...this.attachments.value }
    const list = all[conversationId] ?? []
    const rest = index === undefined ? [] : list.filter((_, i) => i !== index)
    if (rest.length === 0) delete all[conversationId]
    else all[conversationId] = rest
    this.attachments.value = all
  }

  /** Shows a toast that did not come from the client (e.g. an invite link that failed). */
  notify (kind: Notice['kind'], text: string): void {
    this.localNotices.value = [...this.localNotices.value, { id: this.nextNoticeId--, kind, text, at: Date.now() }]
  }

  /** Removes a UI-side toast. */
  dismissNotice (id: number): void {
    this.localNotices.value = this.localNotices.value.filter((n) => n.id !== id)
  }

  /** Asks the user to confirm a destructive action; resolves false when dismissed. */
  confirm (request: Omit<ConfirmRequest, 'resolve'>): Promise<boolean> {
    this.confirmation.peek()?.resolve(false)
    return new Promise((resolve) => {
      this.confirmation.value = {
        ...request,
        resolve: (confirmed) => {
          this.confirmation.value = null
          resolve(confirmed)
        }
      }
    })
  }
}
