/**
 * A notice in a conversation's timeline ("Alice added Bob", "Bob left", "Carol renamed the group to
 * “Book club”", "Alice is now Alicia"): centred and muted like the end-to-end encryption note, with
 * people named by the browser's one rule (person-names.ts). Nothing replies to or reacts to a
 * notice; "Alice is using a new device" offers her safety number, the moment to compare it again.
 */
import type { JSX } from 'preact'
import { describeNotice } from '../../core/messenger/notices.ts'
import { personName } from '../client/person-names.ts'
import type { Message } from '../client/types.ts'
import { useKith } from './context.ts'

/** Props of {@link TimelineNotice}. */
export interface TimelineNoticeProps {
  readonly message: Message
  readonly myIdentity: string
}

/** One notice row; `message.notice` must be set. */
export function TimelineNotice ({ message, myIdentity }: TimelineNoticeProps): JSX.Element {
  const { client, ui } = useKith()
  const notice = message.notice
  const names = { contacts: client.contacts.value, myIdentity }
  // The sender's name is already the page's (KithClient names it); the subjects' are the messenger's.
  const text = notice === undefined
    ? message.text
    : describeNotice(message.senderName, notice, notice.subjects.map((s) => personName(names, s.identity, s.name)))
  const contact = notice?.type === 'new-device' ? client.contacts.value.find((c) => c.identity === message.sender) : undefined
  return (
    <p class='e2ee-note timeline-notice' data-testid='timeline-notice' data-id={message.id} role='status'>
      {text}
      {contact !== undefined && (
        <button type='button' class='link-button' data-testid='notice-safety-number'
          onClick={() => { ui.dialog.value = { kind: 'safety-number', alias: contact.alias } }}>
          {contact.verified ? 'Check safety number' : 'Verify safety number'}
        </button>
      )}
    </p>
  )
}
