/** Notices from the client and from the UI, as dismissable toasts in one live region. */
import { useEffect } from 'preact/hooks'
import type { JSX } from 'preact'
import type { Notice } from '../client/types.ts'
import { useKith } from './context.ts'
import { IconClose, IconInfo } from './icons.tsx'

const INFO_LIFETIME_MS = 6000

function Toast ({ notice, onDismiss }: { notice: Notice, onDismiss: () => void }): JSX.Element {
  useEffect(() => {
    // Information fades on its own; errors wait until the user has read them.
    if (notice.kind !== 'info') return
    const timer = setTimeout(onDismiss, INFO_LIFETIME_MS)
    return () => clearTimeout(timer)
  }, [notice.id])
  return (
    <div class={`toast toast-${notice.kind}`} data-testid='notice' data-kind={notice.kind}>
      <IconInfo class='toast-icon' />
      <p class='toast-text'>{notice.text}</p>
      <button type='button' class='icon-button' aria-label='Dismiss' onClick={onDismiss}><IconClose size={18} /></button>
    </div>
  )
}

/** Fixed to the top of the window; announced politely to screen readers. */
export function Toasts (): JSX.Element {
  const { client, ui } = useKith()
  const fromClient = client.notices.value
  const fromUi = ui.localNotices.value
  return (
    <div class='toasts' role='status' aria-live='polite'>
      {fromClient.map((n) => <Toast key={`c${n.id}`} notice={n} onDismiss={() => client.dismissNotice(n.id)} />)}
      {fromUi.map((n) => <Toast key={`u${n.id}`} notice={n} onDismiss={() => ui.dismissNotice(n.id)} />)}
    </div>
  )
}
