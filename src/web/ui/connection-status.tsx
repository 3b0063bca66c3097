/** The coloured dot and words saying how this browser is attached to the network. */
import type { JSX } from 'preact'
import { useKith } from './context.ts'
import { formatConnection } from './format.ts'

/** Live; `data-state` mirrors `connection.kind` for tests and styling. */
export function ConnectionStatus (): JSX.Element {
  const { client } = useKith()
  const status = client.connection.value
  const text = formatConnection(status)
  const tone = status.kind === 'online' && status.direct > 0 ? 'direct' : status.kind
  return (
    <p class={`connection connection-${tone}`} data-testid='connection-status' data-state={status.kind} title={text}>
      <span class='connection-dot' aria-hidden='true' />
      <span class='connection-text'>{text}</span>
    </p>
  )
}
