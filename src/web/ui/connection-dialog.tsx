/**
 * How this browser is connected, opened from the status line: the network link, and the mailboxes
 * where messages wait while this browser is closed (PROTOCOL.md §5.4).
 */
import type { JSX } from 'preact'
import type { DirectoryInfo, MailboxInfo } from '../client/types.ts'
import { useKith } from './context.ts'
import { Dialog } from './dialog.tsx'
import { formatConnection } from './format.ts'

function mailboxState (m: MailboxInfo): string {
  if (m.error !== null) return 'Unreachable now'
  if (m.waiting === null) return 'Not checked yet'
  return m.waiting === 0 ? 'Empty' : `${m.waiting} waiting`
}

function directoryState (d: DirectoryInfo | null): string {
  if (d === null) return 'Starting…'
  if (d.record !== null) return `Published on ${d.record.storedOn} DHT ${d.record.storedOn === 1 ? 'peer' : 'peers'}; valid until ${new Date(d.record.expiresAt).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })}`
  return d.error === null ? 'Publishing…' : `Not published yet: ${d.error}`
}

/** Mount it to open it. */
export function ConnectionDialog ({ onClose }: { onClose: () => void }): JSX.Element {
  const { client } = useKith()
  const status = client.connection.value
  const mailboxes = client.mailboxes.value
  const directory = client.directory.value
  return (
    <Dialog title='Connection' onClose={onClose} testId='connection-dialog'>
      <h3 class='section-title'>Network</h3>
      <p data-testid='connection-detail'>{formatConnection(status)}</p>
      <h3 class='section-title'>Mailboxes</h3>
      <p class='field-hint'>Messages sent to you while this browser is closed wait here, still encrypted, until you are back.</p>
      {mailboxes.length === 0
        ? <p class='muted' data-testid='mailboxes-none'>None yet: no node you connect through keeps a mailbox for you.</p>
        : (
          <ul class='mailbox-list'>
            {mailboxes.map((m) => (
              <li key={m.node} class='mailbox-row' data-testid='mailbox-row' data-waiting={m.waiting ?? ''}>
                <span class='mailbox-node' title={`Node ${m.node}`}>{m.place}</span>
                <span class={m.error !== null ? 'mailbox-state mailbox-error' : 'mailbox-state'} title={m.error ?? undefined}>{mailboxState(m)}</span>
              </li>
            ))}
          </ul>
          )}
      <h3 class='section-title'>Directory</h3>
      <p class='field-hint'>Your signed record in the DHT tells contacts where to find you and lets people add you while you are away.</p>
      <dl class='directory-facts'>
        <dt>Your record</dt>
        <dd data-testid='directory-record' data-published={directory?.record !== null && directory !== null ? 'yes' : 'no'}>{directoryState(directory)}</dd>
        <dt>DHT</dt>
        <dd data-testid='directory-dht' data-size={directory?.routingTable ?? 0}>{directory === null || directory.routingTable === 0 ? 'Not reached yet' : `${directory.routingTable} ${directory.routingTable === 1 ? 'peer' : 'peers'} in the routing table of the node you ask`}</dd>
      </dl>
    </Dialog>
  )
}
