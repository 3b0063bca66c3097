/**
 * A notice in a conversation's timeline ("Alice added Bob", "Bob left", "Carol renamed the group to
 * “Book club”", "Alice is now Alicia"): centred and muted like the end-to-end encryption note, with
 * people named by the browser's one rule (person-names.ts). Nothing replies to or reacts to a
 * notice; "Alice is using a new device" offers her safety number, the moment to compare it again.
 */
import type { JSX } from 'preact'
import type { CallRecordBody } from '../../core/calls/call-record.ts'
import { describeNotice } from '../../core/messenger/notices.ts'
import { personName } from '../client/person-names.ts'
import type { Message } from '../client/types.ts'
import { useKith } from './context.ts'
import { formatTime } from './format.ts'
import { IconPhone, IconVideo } from './icons.tsx'
import { startCallIn } from './lazy-calls.tsx'

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
  if (notice?.type === 'call' && notice.call !== undefined) return <CallNotice message={message} call={notice.call} text={text} />
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

/**
 * A call in the history: its kind's icon, how it went, the time (drawn by CSS, so the row's text
 * stays the sentence), red when it was missed, and Call back for a call that was not answered here.
 */
function CallNotice ({ message, call, text }: { message: Message, call: CallRecordBody, text: string }): JSX.Element {
  const kith = useKith()
  const conversation = kith.client.conversations.value.find((c) => c.id === message.conversation)
  const missed = call.direction === 'incoming' && call.outcome === 'missed'
  // Not while a call goes on in the conversation (a group's, missed here): the header offers Join.
  const running = kith.client.calls.value.some((c) => c.conversation === message.conversation && c.phase !== 'ended')
  const canCallBack = call.direction === 'incoming' && call.outcome !== 'answered' && !running &&
    conversation !== undefined && conversation.active && conversation.rejoining === null
  return (
    <div class='timeline-call-row'>
      <p class={missed ? 'e2ee-note timeline-notice timeline-call timeline-call-missed' : 'e2ee-note timeline-notice timeline-call'}
        data-testid='timeline-notice' data-id={message.id} data-time={formatTime(message.sentAt)} role='status'>
        {call.video ? <IconVideo size={15} /> : <IconPhone size={15} />}{text}
      </p>
      {canCallBack && (
        <button type='button' class='link-button' data-testid='call-back' aria-label={`Call back: ${text}, ${formatTime(message.sentAt)}`}
          onClick={() => { startCallIn(kith, message.conversation, call.video) }}>Call back</button>
      )}
    </div>
  )
}
