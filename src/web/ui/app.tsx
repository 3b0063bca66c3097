/**
 * Entry point of the browser UI: `mountApp` renders the screen for the client's phase and starts
 * the watchers (history, invite links, unread title and notifications, the clock, the theme).
 */
import { render, type JSX } from 'preact'
import type { KithClient } from '../client/types.ts'
import { watchAttention } from './attention.ts'
import { startClock } from './clock.ts'
import { followTheme } from './theme.ts'
import { KithContext, useKith } from './context.ts'
import { ConfirmHost } from './dialog.tsx'
import { watchInviteLinks } from './invite-links.ts'
import { MainScreen } from './main-screen.tsx'
import { Onboarding } from './onboarding.tsx'
import { ElsewhereScreen, FailedScreen, LoadingScreen } from './splash.tsx'
import { Toasts } from './toasts.tsx'
import { UiState } from './ui-state.ts'
import './styles/base.css'
import './styles/layout.css'
import './styles/conversation.css'

function Screen (): JSX.Element {
  const { client } = useKith()
  switch (client.phase.value) {
    case 'loading': return <LoadingScreen />
    case 'failed': return <FailedScreen />
    case 'elsewhere': return <ElsewhereScreen />
    case 'onboarding': return <Onboarding />
    case 'ready': return <MainScreen />
  }
}

/** Renders Kith into `root` (replacing the boot splash) and keeps it in step with `client`. */
export function mountApp (root: HTMLElement, client: KithClient): void {
  const ui = new UiState()
  followTheme(client)
  root.replaceChildren()
  render(
    <KithContext.Provider value={{ client, ui }}>
      <Screen />
      <Toasts />
      <ConfirmHost />
    </KithContext.Provider>,
    root
  )
  ui.followHistory()
  watchInviteLinks(client, ui)
  watchAttention(client, ui)
  startClock()
}
