/** The left column: who I am, how I'm connected, the three ways to start a chat, search, and the list. */
import { useState } from 'preact/hooks'
import type { JSX } from 'preact'
import { Avatar } from './avatar.tsx'
import { ConnectionStatus } from './connection-status.tsx'
import { useKith } from './context.ts'
import { ConversationList } from './conversation-list.tsx'
import { IconQr, IconSettings, IconUserPlus, IconUsers } from './icons.tsx'
import { isSearchable, SearchField, SearchResults } from './search-results.tsx'
import type { DialogState } from './ui-state.ts'

/** The sidebar; on phones it is the whole screen until a conversation opens. */
export function Sidebar (): JSX.Element {
  const { client, ui } = useKith()
  const me = client.me.value
  const [query, setQuery] = useState('')
  const show = (dialog: DialogState) => () => { ui.dialog.value = dialog }
  return (
    <aside class='sidebar'>
      <header class='sidebar-header'>
        {me !== null && <Avatar name={me.name} seed={me.identity} />}
        <div class='me'>
          <p class='me-name' data-testid='my-name'>{me?.name ?? ''}</p>
          <ConnectionStatus />
        </div>
        <button type='button' class='icon-button' aria-label='Settings' data-testid='open-settings' onClick={show({ kind: 'settings' })}>
          <IconSettings />
        </button>
      </header>
      <div class='quick-actions'>
        <button type='button' class='quick-action' data-testid='open-invite' onClick={show({ kind: 'invite' })}>
          <IconQr /> <span>Invite</span>
        </button>
        <button type='button' class='quick-action' data-testid='open-add-contact' onClick={show({ kind: 'add-contact' })}>
          <IconUserPlus /> <span>Add contact</span>
        </button>
        <button type='button' class='quick-action' data-testid='open-new-group' onClick={show({ kind: 'new-group' })}>
          <IconUsers /> <span>New group</span>
        </button>
      </div>
      {client.conversations.value.length > 0 && <SearchField query={query} onQuery={setQuery} />}
      {isSearchable(query) ? <SearchResults query={query} onOpen={(id, messageId) => ui.open(id, messageId)} /> : <ConversationList />}
    </aside>
  )
}
