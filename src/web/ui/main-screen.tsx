/**
 * The ready app: sidebar and conversation side by side on wide screens, one at a time on phones,
 * plus whichever dialog is open.
 */
import type { JSX } from 'preact'
import { LazyCallLayer } from './lazy-calls.tsx'
import { useKith } from './context.ts'
import { ConversationView } from './conversation-view.tsx'
import { IconLock, IconQr } from './icons.tsx'
import { lazyChunk, preloadWhenIdle, useLazyChunk } from './lazy-chunk.ts'
import { Logo } from './logo.tsx'
import { Sidebar } from './sidebar.tsx'

const dialogs = lazyChunk(async () => await import('./dialogs.tsx'))
preloadWhenIdle(dialogs)

/**
 * The dialog named by `ui.dialog`, if any. The dialogs live in their own chunk: they are opened
 * now and then, and their code stays out of what every page load fetches before it is usable.
 */
function OpenDialog (): JSX.Element | null {
  const { ui } = useKith()
  const open = ui.dialog.value !== null
  const m = useLazyChunk(dialogs, 'This dialog', open)
  if (!open) return null
  if (typeof m === 'string') return <p class='field-error dialog-load-error' role='alert'>{m}</p>
  return m === null ? null : <m.OpenDialog />
}

/** Shown beside the list on wide screens when no conversation is open. */
function NothingOpen (): JSX.Element {
  const { ui } = useKith()
  return (
    <div class='nothing-open'>
      <Logo size={72} />
      <h2>Kith</h2>
      <p class='muted'>Pick a conversation, or share your invite link to start one.</p>
      <button type='button' class='button' onClick={() => { ui.dialog.value = { kind: 'invite' } }}><IconQr size={18} /> Share invite link</button>
      <p class='nothing-open-foot'><IconLock size={14} /> End-to-end encrypted · peer to peer · no servers keep your messages</p>
    </div>
  )
}

/** The main screen of phase 'ready'. */
export function MainScreen (): JSX.Element {
  const { client, ui } = useKith()
  const selected = ui.selected.value
  const conversation = selected === null ? undefined : client.conversations.value.find((c) => c.id === selected)
  return (
    <div class={conversation === undefined ? 'layout' : 'layout showing-conversation'}>
      <Sidebar />
      <main class='pane'>
        {conversation === undefined ? <NothingOpen /> : <ConversationView key={conversation.id} conversation={conversation} />}
      </main>
      <OpenDialog />
      <LazyCallLayer />
    </div>
  )
}
