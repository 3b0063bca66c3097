/**
 * A notice in a conversation's timeline ("Alice added Bob", "Bob left", "Carol renamed the group to
 * “Book club”"): centred and muted like the end-to-end encryption note, with people named by the
 * browser's one rule (person-names.ts). It has no actions: nothing replies to or reacts to a notice.
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
  const { client } = useKith()
  const notice = message.notice
  const names = { contacts: client.contacts.value, myIdentity }
  // The sender's name is already the page's (KithClient names it); the subjects' are the messenger's.
  const text = notice === undefined
    ? message.text
    : describeNotice(message.senderName, notice, notice.subjects.map((s) => personName(names, s.identity, s.name)))
  return (
    <p class='e2ee-note timeline-notice' data-testid='timeline-notice' data-id={message.id} role='status'>{text}</p>
  )
}
