/**
 * Every dialog of the main screen, in one chunk that main-screen.tsx loads on first use (or once
 * the page is idle).
 */
import type { JSX } from 'preact'
import { AddContactDialog } from './add-contact-dialog.tsx'
import { ConnectionDialog } from './connection-dialog.tsx'
import { useKith } from './context.ts'
import { GroupInfoDialog } from './group-info-dialog.tsx'
import { InviteDialog } from './invite-dialog.tsx'
import { LazyBackupDialog } from './lazy-backup.tsx'
import { NewGroupDialog } from './new-group-dialog.tsx'
import { SafetyNumberDialog } from './safety-number-dialog.tsx'
import { SettingsDialog } from './settings-dialog.tsx'

/** The dialog named by `ui.dialog`, if any. */
export function OpenDialog (): JSX.Element | null {
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
