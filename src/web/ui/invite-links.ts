/**
 * Invite links opened in the app (`…/#/invite/<payload>`): once the peer is ready — right after
 * onboarding for a new user — add the contact, drop the payload from the address bar and open the
 * 1:1. A failure becomes a visible notice.
 */
import { effect } from '@preact/signals'
import type { KithClient } from '../client/types.ts'
import { errorText } from './format.ts'
import type { UiState } from './ui-state.ts'

/** The hash prefix of an invite link. */
export const INVITE_HASH = '#/invite/'

/** Watches phase and hash; returns the stop function. */
export function watchInviteLinks (client: KithClient, ui: UiState): () => void {
  let busy = false
  const accept = async (): Promise<void> => {
    if (busy || client.phase.peek() !== 'ready' || !location.hash.startsWith(INVITE_HASH)) return
    busy = true
    const link = location.href
    // Drop the payload first, so a reload cannot replay it; `open` then sets `#/c/<id>`.
    history.replaceState(null, '', location.pathname + location.search)
    try {
      const { conversationId } = await client.addContact(link)
      ui.open(conversationId)
    } catch (err) {
      ui.notify('error', `Couldn’t use that invite link: ${errorText(err)}`)
    } finally {
      busy = false
    }
  }
  const stopEffect = effect(() => {
    if (client.phase.value === 'ready') void accept()
  })
  const onHashChange = (): void => { void accept() }
  window.addEventListener('hashchange', onHashChange)
  return () => {
    stopEffect()
    window.removeEventListener('hashchange', onHashChange)
  }
}
