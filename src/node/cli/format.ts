/**
 * Terminal formatting of messages and conversations for the `kith` commands.
 */

/** A message as the API returns it. */
export interface MessageJson {
  id: string
  conversation: string
  senderName: string
  own: boolean
  text: string
  sentAt: number
  state: string
  gapBefore: boolean
}

const TICKS: Record<string, string> = { pending: '…', sending: '·', sent: '✓', delivered: '✓✓', received: '' }

/** One line: time, sender, text and delivery state. */
export function formatMessageLine (m: MessageJson): string {
  const time = new Date(m.sentAt).toTimeString().slice(0, 5)
  const who = m.own ? 'you' : m.senderName
  const state = m.own ? `  [${m.state}${TICKS[m.state] !== undefined && TICKS[m.state] !== '' ? ' ' + TICKS[m.state] : ''}]` : ''
  const gap = m.gapBefore ? '(earlier messages missing) ' : ''
  return `${time} ${who}: ${gap}${m.text}${state}`
}
