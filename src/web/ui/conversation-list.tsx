/** The list of conversations, most recent first, with previews, times and unread badges. */
import type { JSX } from 'preact'
import type { Conversation } from '../client/types.ts'
import { Avatar } from './avatar.tsx'
import { now } from './clock.ts'
import { useKith } from './context.ts'
import { formatPreview, formatRelative } from './format.ts'
import { IconQr, IconUserPlus, IconUsers } from './icons.tsx'

function ConversationItem ({ conversation, selected }: { conversation: Conversation, selected: boolean }): JSX.Element {
  const { ui } = useKith()
  const last = conversation.lastMessage
  const group = conversation.kind === 'group'
  const unread = conversation.unread
  return (
    <li>
      <button type='button' class={unread > 0 ? 'conversation-item unread' : 'conversation-item'} data-testid='conversation'
        data-id={conversation.id} aria-current={selected ? 'page' : undefined} onClick={() => ui.open(conversation.id)}>
        <Avatar name={conversation.name} seed={conversation.peerIdentity ?? conversation.id} group={group} />
        <span class='conversation-main'>
          <span class='conversation-top'>
            <span class='conversation-name'>{conversation.name}</span>
            {group && <IconUsers size={14} class='conversation-kind' />}
            {last !== null && <time class='conversation-time' dateTime={new Date(last.sentAt).toISOString()}>{formatRelative(last.sentAt, now.value)}</time>}
          </span>
          <span class='conversation-bottom'>
            <span class='conversation-preview'>{formatPreview(conversation)}</span>
            {unread > 0 && <span class='badge' aria-label={`${unread} unread`}>{unread > 99 ? '99+' : unread}</span>}
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
  if (conversations.length === 0) return <EmptyList />
  return (
    <nav class='conversation-list' aria-label='Conversations'>
      <ul>
        {conversations.map((c) => <ConversationItem key={c.id} conversation={c} selected={c.id === selected} />)}
      </ul>
    </nav>
  )
}
