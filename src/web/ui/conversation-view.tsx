/**
 * The open conversation: header (who, how linked, verified, safety number or group info), the
 * message list, who is typing, and the composer. Marks the conversation read while it is visible.
 */
import { useEffect, useMemo, useState } from 'preact/hooks'
import type { JSX } from 'preact'
import type { Contact, Conversation, Message } from '../client/types.ts'
import { Avatar } from './avatar.tsx'
import { Composer } from './composer.tsx'
import { useKith } from './context.ts'
import { errorText, formatLink, formatMemberCount, formatRejoining, formatTyping, unreadElsewhere } from './format.ts'
import { IconArchive, IconBack, IconBell, IconBellOff, IconInfo, IconShield, IconUnarchive, IconVerified } from './icons.tsx'
import { MessageList } from './message-list.tsx'
import { CallButtons } from './lazy-calls.tsx'
import { HeaderMenu, type HeaderMenuItem } from './header-menu.tsx'

/** Mute and archive, this account's own choices for the conversation, and opening its details: buttons, or on a phone a menu. */
function HeaderActions ({ conversation, openDetails }: { conversation: Conversation, openDetails: (() => void) | undefined }): JSX.Element {
  const { client, ui } = useKith()
  const fail = (what: string) => (err: unknown) => ui.notify('error', `Couldn’t ${what}: ${errorText(err)}`)
  const { muted, archived } = conversation
  const group = conversation.kind === 'group'
  const mute = { label: muted ? 'Unmute' : 'Mute notifications', run: () => { client.setMuted(conversation.id, !muted).catch(fail(muted ? 'unmute' : 'mute')) } }
  const archive = {
    label: archived ? 'Unarchive' : 'Archive',
    run: () => {
      client.setArchived(conversation.id, !archived)
        .then(() => { if (!archived) ui.notify('info', `${conversation.name} is archived.`) })
        .catch(fail(archived ? 'unarchive' : 'archive'))
    }
  }
  const details = openDetails === undefined ? undefined : { label: group ? 'Group info' : 'Safety number', run: openDetails }
  const items: HeaderMenuItem[] = [
    { ...mute, icon: muted ? <IconBell /> : <IconBellOff />, testId: 'menu-mute' },
    { ...archive, icon: archived ? <IconUnarchive /> : <IconArchive />, testId: 'menu-archive' },
    ...(details !== undefined ? [{ ...details, icon: group ? <IconInfo /> : <IconShield />, testId: 'menu-details' }] : [])
  ]
  return (
    <>
      <button type='button' class='icon-button header-wide' aria-pressed={muted} aria-label={mute.label} title={mute.label} data-testid='mute-toggle' onClick={mute.run}>
        {muted ? <IconBellOff /> : <IconBell />}
      </button>
      <button type='button' class='icon-button header-wide' aria-pressed={archived} aria-label={archive.label} title={archive.label} data-testid='archive-toggle' onClick={archive.run}>
        {archived ? <IconUnarchive /> : <IconArchive />}
      </button>
      {details !== undefined && (
        <button type='button' class='icon-button header-wide' aria-label={details.label} title={details.label} data-testid={group ? 'open-group-info' : 'open-safety-number'} onClick={details.run}>
          {group ? <IconInfo /> : <IconShield />}
        </button>
      )}
      <HeaderMenu items={items} />
    </>
  )
}

function ConversationHeader ({ conversation, contact }: { conversation: Conversation, contact: Contact | undefined }): JSX.Element {
  const { client, ui } = useKith()
  // On a phone the list is behind Back: it says when other chats have news (muted and archived ones keep quiet, as in the list).
  const elsewhere = unreadElsewhere(client.conversations.value, conversation.id)
  const group = conversation.kind === 'group'
  const openDetails = group
    ? () => { ui.dialog.value = { kind: 'group-info', conversationId: conversation.id } }
    : contact !== undefined ? () => { ui.dialog.value = { kind: 'safety-number', alias: contact.alias } } : undefined
  return (
    <header class='conversation-header'>
      <button type='button' class='icon-button back-button' aria-label={elsewhere > 0 ? `Back to conversations, ${elsewhere} unread` : 'Back to conversations'}
        data-testid='back' onClick={() => ui.back()}>
        <IconBack />
        {elsewhere > 0 && <span class='badge back-badge' data-testid='back-unread' aria-hidden='true'>{elsewhere > 99 ? '99+' : elsewhere}</span>}
      </button>
      <button type='button' class='conversation-title' onClick={openDetails} disabled={openDetails === undefined}>
        <Avatar name={conversation.name} seed={conversation.peerIdentity ?? conversation.id} group={group} />
        <span class='conversation-title-text'>
          <span class='conversation-title-name'>
            <span class='truncate' data-testid='conversation-name'>{conversation.name}</span>
            {contact?.verified === true && <span class='verified' title='Verified' data-testid='verified-badge'><IconVerified size={17} /><span class='sr-only'>Verified</span></span>}
          </span>
          <span class='conversation-subtitle'>
            {group
              ? formatMemberCount(conversation.members.length)
              : contact !== undefined && <span class={`link-pill link-${contact.link}`} data-testid='link-kind' data-link={contact.link}>{formatLink(contact.link)}</span>}
          </span>
        </span>
      </button>
      <CallButtons conversation={conversation} />
      <HeaderActions conversation={conversation} openDetails={openDetails} />
    </header>
  )
}

/** The conversation pane; keyed by conversation id so each one starts fresh. */
export function ConversationView ({ conversation }: { conversation: Conversation }): JSX.Element {
  const { client, ui } = useKith()
  const id = conversation.id
  const messagesSignal = useMemo(() => client.messages(id), [id])
  const messages = messagesSignal.value
  const me = client.me.value
  const contact = conversation.kind === 'direct'
    ? client.contacts.value.find((c) => c.identity === conversation.peerIdentity)
    : undefined
  const typing = formatTyping(client.typing.value[id] ?? [])
  // Only others' messages can be unread: your own sends need no markRead (a worker round trip and
  // a store read per message sent).
  const lastFromOthers = useMemo(() => messages.findLast((m) => !m.own)?.id, [messages])
  const [dragging, setDragging] = useState(false)
  const canAttach = conversation.active && conversation.rejoining === null

  useEffect(() => {
    const markRead = (): void => {
      if (document.visibilityState === 'visible') client.markRead(id).catch(() => {})
    }
    markRead()
    document.addEventListener('visibilitychange', markRead)
    return () => document.removeEventListener('visibilitychange', markRead)
  }, [id, lastFromOthers])

  const lastOwn = useMemo(() => messages.findLast((m) => m.own && !m.deleted), [messages])
  const report = (what: string) => (err: unknown) => ui.notify('error', `Couldn’t ${what}: ${errorText(err)}`)
  const revealing = ui.revealing.value
  const reveal = useMemo(() => revealing?.conversationId !== id ? undefined : {
    messageId: revealing.messageId,
    done: (found: boolean) => {
      ui.revealing.value = null
      if (!found) ui.notify('info', 'That message is older than what this chat shows here.')
    }
  }, [revealing, id])
  const handlers = {
    onReply: (message: Message) => { ui.composerMode.value = { kind: 'reply', message } },
    onEdit: (message: Message) => { ui.composerMode.value = { kind: 'edit', message } },
    onReact: (message: Message, emoji: string) => { client.react(id, message.id, emoji).catch(report('react')) },
    onDelete: (message: Message) => {
      void ui.confirm({
        title: 'Delete for everyone?',
        body: message.file !== undefined
          ? `The message will be replaced with “This message was deleted” for everyone in this conversation, and ${message.file.name} with it: their devices delete it and stop sharing it. A copy someone already saved stays theirs.`
          : 'The message will be replaced with “This message was deleted” for everyone in this conversation.',
        confirmLabel: 'Delete',
        danger: true
      }).then((ok) => { if (ok) return client.deleteMessage(id, message.id) }).catch(report('delete the message'))
    }
  }

  return (
    <section class={dragging ? 'conversation dropping' : 'conversation'} aria-label={conversation.name} data-testid='conversation-view' data-id={id}
      onDragOver={(e) => {
        if (!canAttach || !(e.dataTransfer?.types.includes('Files') ?? false)) return
        e.preventDefault()
        if (e.dataTransfer !== null) e.dataTransfer.dropEffect = 'copy'
        setDragging(true)
      }}
      onDragLeave={(e) => { if (e.currentTarget === e.target || !e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false) }}
      onDrop={(e) => {
        setDragging(false)
        const files = [...(e.dataTransfer?.files ?? [])]
        if (!canAttach || files.length === 0) return
        e.preventDefault()
        ui.attach(id, files)
      }}>
      {dragging && <div class='drop-overlay' aria-hidden='true'><p>Drop files to send them to {conversation.name}</p></div>}
      <ConversationHeader conversation={conversation} contact={contact} />
      <div class='conversation-body'>
        <MessageList conversation={conversation} messages={messages} myIdentity={me?.identity ?? ''} handlers={handlers}
          onMissingQuote={() => ui.notify('info', 'The original message isn’t available on this device.')} reveal={reveal} />
        {typing !== null && <p class='typing' data-testid='typing' aria-live='polite'><span class='typing-dots' aria-hidden='true'><i /><i /><i /></span>{typing}</p>}
      </div>
      {conversation.rejoining !== null
        ? <p class='rejoin-banner' role='status' data-testid='rejoin-banner'><span class='rejoin-dot' aria-hidden='true' />{formatRejoining(conversation.rejoining)}</p>
        : conversation.active
          ? <Composer conversation={conversation} lastOwn={lastOwn} />
          : <p class='composer-closed'>You’re no longer a member of this group.</p>}
    </section>
  )
}
