/**
 * The list of conversations, most recent first, with previews, times, unread badges and a muted
 * mark; archived ones wait behind an "Archived (N)" row that opens their own list.
 */
import { useEffect, useState } from 'preact/hooks'
import type { JSX } from 'preact'
import type { Conversation } from '../client/types.ts'
import { Avatar } from './avatar.tsx'
import { now } from './clock.ts'
import { useKith } from './context.ts'
import { formatPreview, formatRelative } from './format.ts'
import { IconArchive, IconBack, IconBellOff, IconPhone, IconQr, IconUserPlus, IconUsers } from './icons.tsx'

function ConversationItem ({ conversation, selected }: { conversation: Conversation, selected: boolean }): JSX.Element {
  const { client, ui } = useKith()
  const last = conversation.lastMessage
  // A call going on here (with or without this device): a green phone in the row.
  const call = client.calls.value.some((c) => c.conversation === conversation.id && (c.phase === 'running' || c.phase === 'joined'))
  const group = conversation.kind === 'group'
  const unread = conversation.unread
  return (
    <li>
      <button type='button' class={unread > 0 ? 'conversation-item unread' : 'conversation-item'} data-testid='conversation'
        data-id={conversation.id} data-muted={conversation.muted} data-archived={conversation.archived}
        aria-current={selected ? 'page' : undefined} onClick={() => ui.open(conversation.id)}>
        <Avatar name={conversation.name} seed={conversation.peerIdentity ?? conversation.id} group={group} />
        <span class='conversation-main'>
          <span class='conversation-top'>
            <span class='conversation-name'>{conversation.name}</span>
            {group && <IconUsers size={14} class='conversation-kind' />}
            <time class='conversation-time' dateTime={new Date(last?.sentAt ?? conversation.since).toISOString()}>{formatRelative(last?.sentAt ?? conversation.since, now.value)}</time>
          </span>
          <span class='conversation-bottom'>
            {call && <span class='conversation-call' title='Call in progress' data-testid='conversation-call'><IconPhone size={14} /> Call</span>}
            <span class='conversation-preview'>{formatPreview(conversation)}</span>
            {conversation.muted && <span class='conversation-muted' title='Muted' data-testid='muted-icon'><IconBellOff size={15} /><span class='sr-only'>Muted</span></span>}
            {unread > 0 && <span class={conversation.muted ? 'badge badge-muted' : 'badge'} aria-label={`${unread} unread`}>{unread > 99 ? '99+' : unread}</span>}
          </span>
        </span>
      </button>
    </li>
  )
}

/** What a new user sees instead of an empty list: the two ways to start. */
function EmptyList (): JSX.Element {
  const { ui } = useKith()
  return (
    <div class='empty-list'>
      <p class='empty-title'>No conversations yet</p>
      <p class='muted'>Share your invite link or add a contact to start chatting.</p>
      <div class='empty-actions'>
        <button type='button' class='button button-primary' onClick={() => { ui.dialog.value = { kind: 'invite' } }}>
          <IconQr size={18} /> Share invite link
        </button>
        <button type='button' class='button' onClick={() => { ui.dialog.value = { kind: 'add-contact' } }}>
          <IconUserPlus size={18} /> Add contact
        </button>
      </div>
    </div>
  )
}

/** Live list; the open conversation is marked `aria-current`. */
export function ConversationList (): JSX.Element {
  const { client, ui } = useKith()
  const conversations = client.conversations.value
  const selected = ui.selected.value
  const [showArchived, setShowArchived] = useState(false)
  const archived = conversations.filter((c) => c.archived)
  // The last one unarchived: the next archive should not reopen this list by itself.
  useEffect(() => { if (archived.length === 0) setShowArchived(false) }, [archived.length])
  if (conversations.length === 0) return <EmptyList />
  if (showArchived && archived.length > 0) {
    return (
      <nav class='conversation-list' aria-label='Archived conversations' data-testid='archived-list'>
        <button type='button' class='archived-header' data-testid='archived-close' onClick={() => setShowArchived(false)}>
          <IconBack size={18} /> <span>Archived</span>
        </button>
        <ul>
          {archived.map((c) => <ConversationItem key={c.id} conversation={c} selected={c.id === selected} />)}
        </ul>
      </nav>
    )
  }
  const unreadArchived = archived.reduce((n, c) => n + (c.muted ? 0 : c.unread), 0)
  return (
    <nav class='conversation-list' aria-label='Conversations'>
      {archived.length > 0 && (
        <button type='button' class='archived-row' data-testid='archived-open' onClick={() => setShowArchived(true)}>
          <span class='archived-icon'><IconArchive size={20} /></span>
          <span class='archived-label'>Archived ({archived.length})</span>
          {unreadArchived > 0 && <span class='badge badge-muted' aria-label={`${unreadArchived} unread`}>{unreadArchived}</span>}
        </button>
      )}
      <ul>
        {conversations.filter((c) => !c.archived).map((c) => <ConversationItem key={c.id} conversation={c} selected={c.id === selected} />)}
      </ul>
    </nav>
  )
}
