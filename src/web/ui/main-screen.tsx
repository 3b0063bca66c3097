/**
 * The ready app: sidebar and conversation side by side on wide screens, one at a time on phones,
 * plus whichever dialog is open.
 */
import type { JSX } from 'preact'
import { AddContactDialog } from './add-contact-dialog.tsx'
import { LazyBackupDialog } from './lazy-backup.tsx'
import { LazyCallLayer } from './lazy-calls.tsx'
import { useKith } from './context.ts'
import { ConversationView } from './conversation-view.tsx'
import { GroupInfoDialog } from './group-info-dialog.tsx'
import { IconLock, IconQr } from './icons.tsx'
import { InviteDialog } from './invite-dialog.tsx'
import { Logo } from './logo.tsx'
import { NewGroupDialog } from './new-group-dialog.tsx'
import { SafetyNumberDialog } from './safety-number-dialog.tsx'
import { SettingsDialog } from './settings-dialog.tsx'
import { ConnectionDialog } from './connection-dialog.tsx'
import { Sidebar } from './sidebar.tsx'

/** The dialog named by `ui.dialog`, if any. */
function OpenDialog (): JSX.Element | null {
  const { ui } = useKith()
  const dialog = ui.dialog.value
  const close = (): void => { ui.dialog.value = null }
  switch (dialog?.kind) {
    case undefined: return null
    case 'invite': return <InviteDialog onClose={close} />
    case 'add-contact': return <AddContactDialog onClose={close} />
    case 'new-group': return <NewGroupDialog onClose={close} />
    case 'settings': return <SettingsDialog onClose={close} />
    case 'connection': return <ConnectionDialog onClose={close} />
    case 'backup': return <LazyBackupDialog onClose={close} />
    case 'safety-number': return <SafetyNumberDialog alias={dialog.alias} onClose={close} />
    case 'group-info': return <GroupInfoDialog conversationId={dialog.conversationId} onClose={close} />
  }
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
