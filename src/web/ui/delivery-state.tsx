/** The small mark beside my own messages: clock, one tick, a tick over a tray (in their mailbox), two ticks, two accent ticks, or "waiting". */
import type { JSX } from 'preact'
import type { MessageState } from '../client/types.ts'
import { IconCheck, IconChecks, IconClock, IconStored } from './icons.tsx'

const LABELS: Record<MessageState, string> = {
  pending: 'Waiting for contact',
  sending: 'Sending',
  sent: 'Sent',
  stored: 'Waiting in their mailbox',
  delivered: 'Delivered',
  read: 'Read',
  received: 'Received'
}

/** Nothing for other people's messages (`received`). */
export function DeliveryState ({ state }: { state: MessageState }): JSX.Element | null {
  if (state === 'received') return null
  const label = LABELS[state]
  if (state === 'pending') {
    return <span class='delivery delivery-pending' title='They’ll get it as soon as one of their devices comes online.'><IconClock size={13} /> {label}</span>
  }
  const Icon = state === 'sending' ? IconClock : state === 'sent' ? IconCheck : state === 'stored' ? IconStored : IconChecks
  return (
    <span class={`delivery delivery-${state}`} role='img' aria-label={label} title={label}>
      <Icon size={state === 'sending' ? 13 : 16} />
    </span>
  )
}
