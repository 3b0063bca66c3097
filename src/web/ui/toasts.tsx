/** Notices from the client and from the UI, as dismissable toasts in one live region. */
import { useEffect } from 'preact/hooks'
import type { JSX } from 'preact'
import type { Notice } from '../client/types.ts'
import { useKith } from './context.ts'
import { IconClose, IconInfo } from './icons.tsx'

/** How long a toast stays: errors long enough to read twice, information briefly. */
export const TOAST_LIFETIME_MS: Readonly<Record<Notice['kind'], number>> = { error: 8_000, info: 4_000 }
/** Most toasts on screen at once; a newer one pushes the oldest out. */
export const MAX_TOASTS = 3

/** A notice and how to dismiss it, whichever side it came from. */
interface Shown { readonly key: string, readonly notice: Notice, readonly dismiss: () => void }

/** The toasts to keep (newest {@link MAX_TOASTS}, oldest first) and the ones pushed out. */
export function stackToasts<T extends { readonly notice: Notice }> (all: readonly T[]): { readonly kept: readonly T[], readonly dropped: readonly T[] } {
  const ordered = [...all].sort((a, b) => a.notice.at - b.notice.at)
  const cut = Math.max(0, ordered.length - MAX_TOASTS)
  return { kept: ordered.slice(cut), dropped: ordered.slice(0, cut) }
}

function Toast ({ notice, onDismiss }: { notice: Notice, onDismiss: () => void }): JSX.Element {
  useEffect(() => {
    const timer = setTimeout(onDismiss, TOAST_LIFETIME_MS[notice.kind])
    return () => clearTimeout(timer)
  }, [notice.id])
  return (
    <div class={`toast toast-${notice.kind}`} data-testid='notice' data-kind={notice.kind}>
      <IconInfo class='toast-icon' />
      <p class='toast-text'>{notice.text}</p>
      <button type='button' class='icon-button' aria-label='Dismiss' data-testid='toast-dismiss' onClick={onDismiss}><IconClose size={18} /></button>
    </div>
  )
}

/** Fixed to the top of the window; announced politely to screen readers. */
export function Toasts (): JSX.Element {
  const { client, ui } = useKith()
  const all: Shown[] = [
    ...client.notices.value.map((n) => ({ key: `c${n.id}`, notice: n, dismiss: () => client.dismissNotice(n.id) })),
    ...ui.localNotices.value.map((n) => ({ key: `u${n.id}`, notice: n, dismiss: () => ui.dismissNotice(n.id) }))
  ]
  const { kept, dropped } = stackToasts(all)
  useEffect(() => { for (const d of dropped) d.dismiss() })
  return (
    <div class='toasts' role='status' aria-live='polite'>
      {kept.map((t) => <Toast key={t.key} notice={t.notice} onDismiss={t.dismiss} />)}
    </div>
  )
}
