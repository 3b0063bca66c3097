/**
 * Adding a contact from the invite link (or bare code) they shared; opens the 1:1, new or existing.
 * An invite whose name a contact already has under another key is shown with a warning first, and
 * added only when the person confirms.
 */
import { useState } from 'preact/hooks'
import type { JSX } from 'preact'
import { useKith } from './context.ts'
import { Dialog } from './dialog.tsx'
import { useAction } from './use-action.ts'

/** The "Add contact" dialog. */
export function AddContactDialog ({ onClose }: { onClose: () => void }): JSX.Element {
  const { client, ui } = useKith()
  const [value, setValue] = useState('')
  /** The warning shown for the link as typed; adding it then needs a second press. */
  const [warning, setWarning] = useState<{ link: string, text: string } | null>(null)
  const action = useAction(async (link: string) => {
    if (warning?.link !== link) {
      const text = await client.checkInvite(link)
      if (text !== null) {
        setWarning({ link, text })
        return
      }
    }
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
          onInput={(e) => { setValue(e.currentTarget.value); setWarning(null); action.setError(null) }} />
        {action.error !== null
          ? <p id='add-contact-error' class='field-error' role='alert' data-testid='add-contact-error'>{action.error}</p>
          : warning === null && <p class='field-hint'>Ask them to open “Invite” in their Kith and send you the link.</p>}
        {warning !== null && action.error === null && (
          <p class='field-warning' role='alert' data-testid='add-contact-warning'>{warning.text}</p>
        )}
        <div class='dialog-actions'>
          <button type='button' class='button' onClick={onClose}>Cancel</button>
          <button type='submit' class='button button-primary' data-testid='add-contact-submit' disabled={action.busy}>
            {action.busy ? 'Connecting…' : warning !== null ? 'Add anyway' : 'Add contact'}
          </button>
        </div>
      </form>
      <p class='dialog-footer'>
        Don’t have one? <button type='button' class='link-button' onClick={() => { ui.dialog.value = { kind: 'invite' } }}>Share your own link</button>
      </p>
    </Dialog>
  )
}
