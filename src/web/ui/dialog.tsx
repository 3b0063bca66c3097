/**
 * Modal dialogs on the native `<dialog>` element: `showModal()` makes the page behind inert (so
 * focus stays inside), Esc closes it, and a click on the backdrop closes it too.
 */
import { useId, useLayoutEffect, useRef } from 'preact/hooks'
import type { ComponentChildren, JSX } from 'preact'
import { useKith } from './context.ts'
import { IconClose } from './icons.tsx'

/** Props of {@link Dialog}. */
export interface DialogProps {
  readonly title: string
  readonly onClose: () => void
  readonly children: ComponentChildren
  readonly testId?: string
  readonly wide?: boolean
}

/** Mount it to open it; it calls `onClose` when the user dismisses it. */
export function Dialog ({ title, onClose, children, testId, wide = false }: DialogProps): JSX.Element {
  const ref = useRef<HTMLDialogElement>(null)
  const onCloseRef = useRef(onClose)
  onCloseRef.current = onClose
  const pressedBackdrop = useRef(false)
  const titleId = useId()

  useLayoutEffect(() => {
    const dialog = ref.current
    if (dialog === null) return
    const handleClose = (): void => onCloseRef.current()
    dialog.addEventListener('close', handleClose)
    if (!dialog.open) dialog.showModal()
    return () => {
      // Unmounted by the parent: close silently so a stale `close` event cannot hit the next dialog.
      dialog.removeEventListener('close', handleClose)
      if (dialog.open) dialog.close()
    }
  }, [])

  return (
    <dialog ref={ref} class={wide ? 'dialog dialog-wide' : 'dialog'} aria-labelledby={titleId} data-testid={testId}
      onPointerDown={(e) => { pressedBackdrop.current = e.target === ref.current }}
      onClick={(e) => { if (pressedBackdrop.current && e.target === ref.current) ref.current?.close() }}>
      <div class='dialog-inner'>
        <header class='dialog-header'>
          <h2 id={titleId}>{title}</h2>
          <button type='button' class='icon-button' aria-label='Close' onClick={() => ref.current?.close()}>
            <IconClose />
          </button>
        </header>
        {children}
      </div>
    </dialog>
  )
}

/** Renders the pending `ui.confirm(...)` question, if any. */
export function ConfirmHost (): JSX.Element | null {
  const { ui } = useKith()
  const request = ui.confirmation.value
  if (request === null) return null
  return (
    <Dialog title={request.title} onClose={() => request.resolve(false)} testId='confirm-dialog'>
      <p class='dialog-text'>{request.body}</p>
      <div class='dialog-actions'>
        <button type='button' class='button' onClick={() => request.resolve(false)}>Cancel</button>
        <button type='button' class={request.danger ? 'button button-danger' : 'button button-primary'}
          data-testid='confirm-ok' onClick={() => request.resolve(true)}>{request.confirmLabel}</button>
      </div>
    </Dialog>
  )
}
