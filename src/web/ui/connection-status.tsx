/** The coloured dot and words saying how this browser is attached to the network. */
import type { JSX } from 'preact'
import { useKith } from './context.ts'
import { formatConnection } from './format.ts'

/** Live; `data-state` mirrors `connection.kind` for tests and styling. Opens the connection details. */
export function ConnectionStatus (): JSX.Element {
  const { client, ui } = useKith()
  const status = client.connection.value
  const text = formatConnection(status)
  const tone = status.kind === 'online' && status.direct > 0 ? 'direct' : status.kind
  return (
    <button type='button' class={`connection connection-${tone}`} data-testid='connection-status' data-state={status.kind} title={`${text} — details`}
      onClick={() => { ui.dialog.value = { kind: 'connection' } }}>
      <span class='connection-dot' aria-hidden='true' />
      <span class='connection-text'>{text}</span>
    </button>
  )
}
