/**
 * Getting the user's attention: the unread count in the tab title, and a desktop notification for
 * a message that arrives while its conversation is not in front of the user (when enabled).
 */
import { effect } from '@preact/signals'
import type { KithClient } from '../client/types.ts'
import type { UiState } from './ui-state.ts'
import { formatLastMessage } from './format.ts'

const APP_TITLE = 'Kith'

/** Watches conversations; returns the stop function. */
export function watchAttention (client: KithClient, ui: UiState): () => void {
  const seenUnread = new Map<string, number>()
  return effect(() => {
    const conversations = client.conversations.value
    // Muted conversations count toward neither the title nor notifications.
    const total = conversations.reduce((sum, c) => sum + (c.muted ? 0 : c.unread), 0)
    document.title = total > 0 ? `(${total}) ${APP_TITLE}` : APP_TITLE

    const allowed = client.settings.value.notifications && 'Notification' in window && Notification.permission === 'granted'
    for (const c of conversations) {
      const before = seenUnread.get(c.id)
      seenUnread.set(c.id, c.unread)
      const last = c.lastMessage
      if (!allowed || c.muted || before === undefined || c.unread <= before || last === null || last.own) continue
      if (document.visibilityState === 'visible' && ui.selected.peek() === c.id) continue
      const notification = new Notification(c.name, {
        body: c.kind === 'group' ? `${last.senderName}: ${formatLastMessage(last)}` : formatLastMessage(last),
        tag: c.id,
        icon: '/icon.svg'
      })
      notification.onclick = () => {
        window.focus()
        ui.open(c.id)
        notification.close()
      }
    }
  })
}
