/** My invite link: as text to copy or share, and as a QR code to scan from another device. */
import { useEffect, useRef, useState } from 'preact/hooks'
import type { JSX } from 'preact'
import { useKith } from './context.ts'
import { Dialog } from './dialog.tsx'
import { IconCheck, IconCopy, IconSend } from './icons.tsx'
import { QrCode } from './qr-code.tsx'

type CopyState = 'idle' | 'copied' | 'selected'

/** Selects the text of an element, so Ctrl+C / the context menu can copy it. */
function selectText (element: HTMLElement): void {
  const range = document.createRange()
  range.selectNodeContents(element)
  const selection = window.getSelection()
  selection?.removeAllRanges()
  selection?.addRange(range)
}

/** The "Invite" dialog. */
export function InviteDialog ({ onClose }: { onClose: () => void }): JSX.Element {
  const { client, ui } = useKith()
  const link = client.me.value?.inviteLink ?? ''
  const linkRef = useRef<HTMLParagraphElement>(null)
  const [copy, setCopy] = useState<CopyState>('idle')

  useEffect(() => {
    if (copy !== 'copied') return
    const timer = setTimeout(() => setCopy('idle'), 2000)
    return () => clearTimeout(timer)
  }, [copy])

  const copyLink = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(link)
      setCopy('copied')
    } catch {
      // No clipboard permission (or an insecure context): select it for the user instead.
      if (linkRef.current !== null) selectText(linkRef.current)
      setCopy('selected')
    }
  }
  const canShare = typeof navigator.share === 'function'

  return (
    <Dialog title='Invite someone' onClose={onClose} testId='invite-dialog'>
      <p class='dialog-text'>
        Send this link to someone you trust, or let them scan the code. When they open it, you’ll appear in each other’s chats.
      </p>
      <div class='qr-frame'>
        <QrCode text={link} label='QR code of your invite link' />
      </div>
      <p class='invite-link' data-testid='invite-link' ref={linkRef} tabIndex={0}
        onFocus={(e) => selectText(e.currentTarget)}>{link}</p>
      <div class='dialog-actions'>
        {canShare && (
          <button type='button' class='button' onClick={() => { void navigator.share({ title: 'Chat with me on Kith', url: link }).catch(() => {}) }}>
            <IconSend size={18} /> Share…
          </button>
        )}
        <button type='button' class='button button-primary' data-testid='copy-invite' onClick={() => { void copyLink() }}>
          {copy === 'copied' ? <><IconCheck size={18} /> Copied</> : <><IconCopy size={18} /> Copy link</>}
        </button>
      </div>
      {copy === 'selected' && <p class='field-hint' role='status'>Couldn’t reach the clipboard — the link is selected, press Ctrl+C (⌘C) to copy it.</p>}
      <p class='dialog-footer'>
        Got their link instead? <button type='button' class='link-button' onClick={() => { ui.dialog.value = { kind: 'add-contact' } }}>Add a contact</button>
      </p>
    </Dialog>
  )
}
