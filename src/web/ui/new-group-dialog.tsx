/** Creating a group in two steps: name it, then pick members from my contacts. */
import { useEffect, useRef, useState } from 'preact/hooks'
import type { JSX } from 'preact'
import { Avatar } from './avatar.tsx'
import { useKith } from './context.ts'
import { Dialog } from './dialog.tsx'
import { useAction } from './use-action.ts'

const MAX_GROUP_NAME = 64

function NameStep ({ onCreated }: { onCreated: (id: string) => void }): JSX.Element {
  const { client } = useKith()
  const [name, setName] = useState('')
  const action = useAction(async (groupName: string) => onCreated(await client.createGroup(groupName)))
  const submit = (e: Event): void => {
    e.preventDefault()
    const trimmed = name.trim()
    if (trimmed.length === 0) return action.setError('Give the group a name.')
    if (trimmed.length > MAX_GROUP_NAME) return action.setError(`Group names can be at most ${MAX_GROUP_NAME} characters.`)
    void action.run(trimmed)
  }
  return (
    <form onSubmit={submit} noValidate>
      <label for='group-name' class='field-label'>Group name</label>
      <input id='group-name' data-testid='group-name' class='input' type='text' value={name} autoFocus autoComplete='off'
        placeholder='e.g. Climbing crew' aria-invalid={action.error !== null}
        onInput={(e) => { setName(e.currentTarget.value); action.setError(null) }} />
      {action.error !== null && <p class='field-error' role='alert'>{action.error}</p>}
      <div class='dialog-actions'>
        <button type='submit' class='button button-primary' data-testid='group-create' disabled={action.busy}>
          {action.busy ? 'Creating…' : 'Next'}
        </button>
      </div>
    </form>
  )
}

function MembersStep ({ conversationId, onDone }: { conversationId: string, onDone: () => void }): JSX.Element {
  const { client } = useKith()
  const contacts = client.contacts.value
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set())
  const [added, setAdded] = useState(0)
  // The name step's field is gone: focus goes to the first choice here, not back to the page.
  const step = useRef<HTMLDivElement>(null)
  useEffect(() => { step.current?.querySelector<HTMLElement>('input, button')?.focus() }, [])
  const action = useAction(async (aliases: readonly string[]) => {
    for (const alias of aliases) {
      await client.addMember(conversationId, alias)
      setAdded((n) => n + 1)
    }
    onDone()
  })
  const toggle = (alias: string): void => {
    const next = new Set(picked)
    if (!next.delete(alias)) next.add(alias)
    setPicked(next)
  }
  if (contacts.length === 0) {
    return (
      <div ref={step}>
        <p class='dialog-text'>You don’t have any contacts yet. Add people later from the group’s info once they’re in your chats.</p>
        <div class='dialog-actions'><button type='button' class='button button-primary' onClick={onDone}>Open group</button></div>
      </div>
    )
  }
  return (
    <div ref={step}>
      <p class='dialog-text'>Who should be in it? Everyone you add can read new messages.</p>
      <ul class='pick-list'>
        {contacts.map((c) => (
          <li key={c.alias}>
            <label class='pick-item'>
              <input type='checkbox' data-testid='member-option' data-alias={c.alias} checked={picked.has(c.alias)}
                disabled={action.busy} onChange={() => toggle(c.alias)} />
              <Avatar name={c.displayName} seed={c.identity} size='sm' />
              <span class='pick-name'>{c.displayName}</span>
            </label>
          </li>
        ))}
      </ul>
      {action.error !== null && <p class='field-error' role='alert'>{action.error}</p>}
      <div class='dialog-actions'>
        <button type='button' class='button' onClick={onDone} disabled={action.busy}>Skip for now</button>
        <button type='button' class='button button-primary' data-testid='group-add-members' disabled={action.busy || picked.size === 0}
          onClick={() => { void action.run([...picked]) }}>
          {action.busy ? `Adding ${added + 1} of ${picked.size}…` : picked.size > 1 ? `Add ${picked.size} people` : 'Add'}
        </button>
      </div>
    </div>
  )
}

/** The "New group" dialog. */
export function NewGroupDialog ({ onClose }: { onClose: () => void }): JSX.Element {
  const { ui } = useKith()
  const [groupId, setGroupId] = useState<string | null>(null)
  const finish = (): void => {
    if (groupId === null) return onClose()
    ui.dialog.value = null
    ui.open(groupId)
  }
  return (
    <Dialog title={groupId === null ? 'New group' : 'Add members'} onClose={finish} testId='new-group-dialog'>
      {groupId === null ? <NameStep onCreated={setGroupId} /> : <MembersStep conversationId={groupId} onDone={finish} />}
    </Dialog>
  )
}
