/** Adding a contact from the invite link (or bare code) they shared; opens the 1:1, new or existing. */
import { useState } from 'preact/hooks'
import type { JSX } from 'preact'
import { useKith } from './context.ts'
import { Dialog } from './dialog.tsx'
import { useAction } from './use-action.ts'

/** The "Add contact" dialog. */
export function AddContactDialog ({ onClose }: { onClose: () => void }): JSX.Element {
  const { client, ui } = useKith()
  const [value, setValue] = useState('')
  const action = useAction(async (link: string) => {
    const { contact, conversationId, existing } = await client.addContact(link)
    // Adding someone twice is harmless, but closing without a word looks like nothing happened.
    if (existing) ui.notify('info', `${contact.displayName} is already in your contacts`)
    ui.dialog.value = null
    ui.open(conversationId)
  })

  const submit = (e: Event): void => {
    e.preventDefault()
    const link = value.trim()
    if (link.length === 0) return action.setError('Paste the link or code they shared with you.')
    void action.run(link)
  }

  return (
    <Dialog title='Add a contact' onClose={onClose} testId='add-contact-dialog'>
      <form onSubmit={submit} noValidate>
        <label for='add-contact-input' class='field-label'>Their invite link or code</label>
        <input id='add-contact-input' data-testid='add-contact-input' class='input mono' type='text' value={value}
          autoFocus autoComplete='off' spellcheck={false} placeholder='https://…/#/invite/…'
          aria-invalid={action.error !== null} aria-describedby='add-contact-error'
          onInput={(e) => { setValue(e.currentTarget.value); action.setError(null) }} />
        {action.error !== null
          ? <p id='add-contact-error' class='field-error' role='alert' data-testid='add-contact-error'>{action.error}</p>
          : <p class='field-hint'>Ask them to open “Invite” in their Kith and send you the link.</p>}
        <div class='dialog-actions'>
          <button type='button' class='button' onClick={onClose}>Cancel</button>
          <button type='submit' class='button button-primary' data-testid='add-contact-submit' disabled={action.busy}>
            {action.busy ? 'Connecting…' : 'Add contact'}
          </button>
        </div>
      </form>
      <p class='dialog-footer'>
        Don’t have one? <button type='button' class='link-button' onClick={() => { ui.dialog.value = { kind: 'invite' } }}>Share your own link</button>
      </p>
    </Dialog>
  )
}
