/** A group's name and members: rename it, add people from my contacts, remove them, or leave the group. */
import { useState } from 'preact/hooks'
import type { JSX } from 'preact'
import type { Contact, Conversation, Member } from '../client/types.ts'
import { Avatar } from './avatar.tsx'
import { useKith } from './context.ts'
import { Dialog } from './dialog.tsx'
import { formatMemberCount } from './format.ts'
import { IconLeave, IconPlus, IconVerified } from './icons.tsx'
import { useAction } from './use-action.ts'

function MemberRow ({ conversation, member, contact }: { conversation: Conversation, member: Member, contact: Contact | undefined }): JSX.Element {
  const { client, ui } = useKith()
  const isMe = member.identity === client.me.value?.identity
  const remove = useAction(async (alias: string) => {
    const ok = await ui.confirm({
      title: `Remove ${member.name}?`,
      body: `${member.name} won’t receive new messages in “${conversation.name}”.`,
      confirmLabel: 'Remove',
      danger: true
    })
    if (ok) await client.removeMember(conversation.id, alias)
  })
  return (
    <li class='member-row' data-testid='member' data-identity={member.identity}>
      <Avatar name={member.name} seed={member.identity} size='sm' />
      <span class='member-name'>
        {isMe ? `${member.name} (you)` : member.name}
        {contact?.verified === true && <IconVerified size={16} class='verified-icon' />}
      </span>
      {!isMe && contact !== undefined && conversation.active && (
        <button type='button' class='button button-small' data-testid='remove-member' disabled={remove.busy}
          onClick={() => { void remove.run(contact.alias) }}>Remove</button>
      )}
      {remove.error !== null && <p class='field-error' role='alert'>{remove.error}</p>}
    </li>
  )
}

function AddRow ({ conversation, contact }: { conversation: Conversation, contact: Contact }): JSX.Element {
  const { client } = useKith()
  const add = useAction(() => client.addMember(conversation.id, contact.alias))
  return (
    <li class='member-row'>
      <Avatar name={contact.displayName} seed={contact.identity} size='sm' />
      <span class='member-name'>{contact.displayName}</span>
      <button type='button' class='button button-small' data-testid='add-member' data-alias={contact.alias} disabled={add.busy}
        onClick={() => { void add.run() }}><IconPlus size={16} /> {add.busy ? 'Adding…' : 'Add'}</button>
      {add.error !== null && <p class='field-error' role='alert'>{add.error}</p>}
    </li>
  )
}

/** The group's name as an editable field; saving renames it for every member. */
function RenameForm ({ conversation }: { conversation: Conversation }): JSX.Element {
  const { client } = useKith()
  const [name, setName] = useState(conversation.name)
  const rename = useAction((next: string) => client.renameGroup(conversation.id, next))
  const trimmed = name.trim()
  const submit = (e: Event): void => {
    e.preventDefault()
    if (trimmed.length === 0) return rename.setError('A group needs a name.')
    if (trimmed !== conversation.name) void rename.run(trimmed)
  }
  return (
    <form class='rename-form' onSubmit={submit} noValidate>
      <label for='group-rename' class='field-label'>Group name</label>
      <div class='rename-row'>
        <input id='group-rename' data-testid='group-rename' class='input' type='text' value={name} maxLength={64} autoComplete='off'
          aria-invalid={rename.error !== null} onInput={(e) => { setName(e.currentTarget.value); rename.setError(null) }} />
        <button type='submit' class='button' data-testid='group-rename-save' disabled={rename.busy || trimmed === conversation.name}>
          {rename.busy ? 'Saving…' : 'Save'}
        </button>
      </div>
      {rename.error !== null && <p class='field-error' role='alert'>{rename.error}</p>}
    </form>
  )
}

/** The "Group info" dialog for one group conversation. */
export function GroupInfoDialog ({ conversationId, onClose }: { conversationId: string, onClose: () => void }): JSX.Element | null {
  const { client, ui } = useKith()
  const conversation = client.conversations.value.find((c) => c.id === conversationId)
  const contacts = client.contacts.value
  const leave = useAction(async () => {
    if (conversation === undefined) return
    const ok = await ui.confirm({
      title: 'Leave this group?',
      body: `You’ll stop receiving messages from “${conversation.name}”. Someone in the group has to add you back to rejoin.`,
      confirmLabel: 'Leave group',
      danger: true
    })
    if (!ok) return
    await client.leave(conversation.id)
    ui.dialog.value = null
  })
  if (conversation === undefined) return null
  const memberIdentities = new Set(conversation.members.map((m) => m.identity))
  const candidates = contacts.filter((c) => !memberIdentities.has(c.identity))
  const byIdentity = new Map(contacts.map((c) => [c.identity, c]))

  return (
    <Dialog title='Group info' onClose={onClose} testId='group-info-dialog'>
      <div class='profile'>
        <Avatar name={conversation.name} seed={conversation.id} size='lg' group />
        <p class='profile-name'>{conversation.name}</p>
        <p class='muted'>{formatMemberCount(conversation.members.length)}</p>
      </div>
      {!conversation.active && <p class='banner'>You’re no longer a member of this group.</p>}
      {conversation.active && <RenameForm conversation={conversation} />}
      <h3 class='section-title'>Members</h3>
      <ul class='member-list'>
        {conversation.members.map((m) => <MemberRow key={m.identity} conversation={conversation} member={m} contact={byIdentity.get(m.identity)} />)}
      </ul>
      {conversation.active && (
        <>
          <h3 class='section-title'>Add from your contacts</h3>
          {candidates.length === 0
            ? <p class='muted small'>Everyone in your contacts is already here. Add contacts with an invite link first.</p>
            : <ul class='member-list'>{candidates.map((c) => <AddRow key={c.alias} conversation={conversation} contact={c} />)}</ul>}
          <div class='dialog-actions dialog-actions-start'>
            <button type='button' class='button button-danger-quiet' data-testid='leave-group' disabled={leave.busy} onClick={() => { void leave.run() }}>
              <IconLeave size={18} /> Leave group
            </button>
          </div>
          {leave.error !== null && <p class='field-error' role='alert'>{leave.error}</p>}
        </>
      )}
    </Dialog>
  )
}
