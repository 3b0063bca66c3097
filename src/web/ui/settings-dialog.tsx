/** Settings: read receipts, desktop notifications, extra bootstrap nodes, and my identity. */
import { useState } from 'preact/hooks'
import type { ComponentChildren, JSX } from 'preact'
import { useKith } from './context.ts'
import { Dialog } from './dialog.tsx'
import { useAction } from './use-action.ts'

/** A checkbox drawn as a switch, with its label and a line of explanation. */
function Toggle ({ id, label, hint, checked, disabled, onChange }: {
  id: string
  label: string
  hint: ComponentChildren
  checked: boolean
  disabled: boolean
  onChange: (checked: boolean) => void
}): JSX.Element {
  return (
    <div class='setting-row'>
      <div class='setting-text'>
        <label for={id} class='setting-label'>{label}</label>
        <p class='field-hint' id={`${id}-hint`}>{hint}</p>
      </div>
      <input id={id} data-testid={id} type='checkbox' role='switch' class='switch' checked={checked} disabled={disabled}
        aria-describedby={`${id}-hint`} onChange={(e) => onChange(e.currentTarget.checked)} />
    </div>
  )
}

/** Non-empty lines of the textarea; each must look like a multiaddr that names its peer. */
function parseBootstrap (text: string): { addrs: string[], invalid: string | null } {
  const addrs = text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0)
  const invalid = addrs.find((a) => !a.startsWith('/') || !a.includes('/p2p/')) ?? null
  return { addrs, invalid }
}

/** Asks the browser for permission; resolves with a reason when it is refused. */
async function allowNotifications (): Promise<string | null> {
  if (!('Notification' in window)) return 'This browser can’t show notifications.'
  const permission = Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission()
  if (permission === 'granted') return null
  return 'Notifications are blocked for this site. Allow them in your browser’s site settings, then try again.'
}

/** The "Settings" dialog. */
export function SettingsDialog ({ onClose }: { onClose: () => void }): JSX.Element {
  const { client } = useKith()
  const settings = client.settings.value
  const me = client.me.value
  const saved = settings.bootstrap.join('\n')
  const [bootstrap, setBootstrap] = useState(saved)
  const [savedOnce, setSavedOnce] = useState(false)
  const receipts = useAction((on: boolean) => client.updateSettings({ readReceipts: on }))
  const notifications = useAction(async (on: boolean) => {
    if (on) {
      const refusal = await allowNotifications()
      if (refusal !== null) throw new Error(refusal)
    }
    await client.updateSettings({ notifications: on })
  })
  const save = useAction(async (addrs: string[]) => {
    await client.updateSettings({ bootstrap: addrs })
    setSavedOnce(true)
  })
  const submitBootstrap = (e: Event): void => {
    e.preventDefault()
    const { addrs, invalid } = parseBootstrap(bootstrap)
    if (invalid !== null) return save.setError(`“${invalid}” isn’t a multiaddr with /p2p/<peer id>.`)
    void save.run(addrs)
  }

  return (
    <Dialog title='Settings' onClose={onClose} testId='settings-dialog'>
      <h3 class='section-title'>Privacy</h3>
      <Toggle id='setting-read-receipts' label='Read receipts' checked={settings.readReceipts} disabled={receipts.busy}
        hint='Let people see when you’ve read their messages.' onChange={(on) => { void receipts.run(on) }} />
      {receipts.error !== null && <p class='field-error' role='alert'>{receipts.error}</p>}
      <Toggle id='setting-notifications' label='Desktop notifications' checked={settings.notifications} disabled={notifications.busy}
        hint='Show a notification when a message arrives while you’re looking elsewhere.' onChange={(on) => { void notifications.run(on) }} />
      {notifications.error !== null && <p class='field-error' role='alert' data-testid='notifications-error'>{notifications.error}</p>}

      <h3 class='section-title'>Network</h3>
      <form onSubmit={submitBootstrap} noValidate>
        <label for='setting-bootstrap' class='setting-label'>Extra bootstrap nodes</label>
        <p class='field-hint' id='bootstrap-hint'>One multiaddr per line, ending in /p2p/&lt;peer id&gt;. The node that served this page is always used.</p>
        <textarea id='setting-bootstrap' data-testid='setting-bootstrap' class='input mono' rows={3} spellcheck={false}
          aria-describedby='bootstrap-hint' placeholder='/dns4/relay.example.org/tcp/443/wss/p2p/12D3Koo…' value={bootstrap}
          onInput={(e) => { setBootstrap(e.currentTarget.value); setSavedOnce(false); save.setError(null) }} />
        {save.error !== null && <p class='field-error' role='alert'>{save.error}</p>}
        <div class='dialog-actions'>
          {savedOnce && bootstrap === saved && <span class='muted small' role='status'>Saved</span>}
          <button type='submit' class='button' data-testid='save-bootstrap' disabled={save.busy || bootstrap.trim() === saved}>Save nodes</button>
        </div>
      </form>

      <h3 class='section-title'>Your identity</h3>
      {me !== null && (
        <dl class='identity'>
          <dt>Name</dt><dd>{me.name}</dd>
          <dt>Identity fingerprint</dt><dd class='mono' data-testid='my-identity'>{me.identity}</dd>
          <dt>Device</dt><dd class='mono'>{me.peerId}</dd>
        </dl>
      )}
      <p class='field-hint'>Your keys exist only in this browser. Clearing this site’s data deletes your identity and your chats.</p>

      <h3 class='section-title'>Appearance</h3>
      <p class='field-hint'>Kith follows your system’s light or dark mode.</p>
    </Dialog>
  )
}
