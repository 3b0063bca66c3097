/** Settings: my display name, read receipts, desktop notifications, the network (bootstrap nodes, STUN/TURN), my identity, and the theme. */
import type { ComponentChildren, JSX } from 'preact'
import type { Theme } from '../client/types.ts'
import { useKith } from './context.ts'
import { Dialog } from './dialog.tsx'
import { NetworkSettings } from './network-settings.tsx'
import { ProfileSettings } from './profile-settings.tsx'
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

/** Asks the browser for permission; resolves with a reason when it is refused. */
async function allowNotifications (): Promise<string | null> {
  if (!('Notification' in window)) return 'This browser can’t show notifications.'
  const permission = Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission()
  if (permission === 'granted') return null
  return 'Notifications are blocked for this site. Allow them in your browser’s site settings, then try again.'
}

const MIB = 1024 * 1024
/** The image auto-download limits offered (the default is 8 MiB). */
const AUTO_DOWNLOAD_CHOICES: ReadonlyArray<readonly [number, string]> = [[0, 'Never'], [2 * MIB, 'Up to 2 MB'], [8 * MIB, 'Up to 8 MB'], [32 * MIB, 'Up to 32 MB'], [128 * MIB, 'Up to 128 MB']]

/** The "Settings" dialog. */
export function SettingsDialog ({ onClose }: { onClose: () => void }): JSX.Element {
  const { client, ui } = useKith()
  const settings = client.settings.value
  const me = client.me.value
  const receipts = useAction((on: boolean) => client.updateSettings({ readReceipts: on }))
  const notifications = useAction(async (on: boolean) => {
    if (on) {
      const refusal = await allowNotifications()
      if (refusal !== null) throw new Error(refusal)
    }
    await client.updateSettings({ notifications: on })
  })

  return (
    <Dialog title='Settings' onClose={onClose} testId='settings-dialog'>
      <h3 class='section-title'>Profile</h3>
      <ProfileSettings />

      <h3 class='section-title'>Privacy</h3>
      <Toggle id='setting-read-receipts' label='Read receipts' checked={settings.readReceipts} disabled={receipts.busy}
        hint='Let people see when you’ve read their messages.' onChange={(on) => { void receipts.run(on) }} />
      {receipts.error !== null && <p class='field-error' role='alert'>{receipts.error}</p>}
      <Toggle id='setting-notifications' label='Desktop notifications' checked={settings.notifications} disabled={notifications.busy}
        hint='Show a notification when a message arrives while you’re looking elsewhere.' onChange={(on) => { void notifications.run(on) }} />
      {notifications.error !== null && <p class='field-error' role='alert' data-testid='notifications-error'>{notifications.error}</p>}

      <h3 class='section-title'>Files</h3>
      <div class='setting-row'>
        <div class='setting-text'>
          <label for='auto-download-select' class='setting-label'>Download images automatically</label>
          <p class='field-hint' id='auto-download-hint'>Images up to this size download as soon as they arrive. Other files wait for you.</p>
        </div>
        <select id='auto-download-select' data-testid='auto-download-select' class='input theme-select' value={String(settings.autoDownloadBytes)}
          aria-describedby='auto-download-hint' onChange={(e) => { void client.updateSettings({ autoDownloadBytes: Number(e.currentTarget.value) }) }}>
          {AUTO_DOWNLOAD_CHOICES.map(([bytes, label]) => <option key={bytes} value={String(bytes)}>{label}</option>)}
        </select>
      </div>

      <h3 class='section-title'>Network</h3>
      <NetworkSettings />

      <h3 class='section-title'>Your identity</h3>
      {me !== null && (
        <dl class='identity'>
          <dt>Name</dt><dd>{me.name}</dd>
          <dt>Identity fingerprint</dt><dd class='mono' data-testid='my-identity'>{me.identity}</dd>
          <dt>Device</dt><dd class='mono'>{me.peerId}</dd>
        </dl>
      )}
      <p class='field-hint'>Your keys exist only in this browser. Clearing this site’s data deletes your identity and your chats, unless you keep a backup.</p>
      <div class='dialog-actions dialog-actions-start'>
        <button type='button' class='button' data-testid='open-backup' onClick={() => { ui.dialog.value = { kind: 'backup' } }}>Back up your account</button>
      </div>

      <h3 class='section-title'>Appearance</h3>
      <div class='setting-row'>
        <div class='setting-text'>
          <label for='theme-select' class='setting-label'>Theme</label>
          <p class='field-hint' id='theme-select-hint'>“System” follows your device’s light or dark mode.</p>
        </div>
        <select id='theme-select' data-testid='theme-select' class='input theme-select' value={settings.theme} aria-describedby='theme-select-hint'
          onChange={(e) => { void client.updateSettings({ theme: e.currentTarget.value as Theme }) }}>
          <option value='system'>System</option>
          <option value='light'>Light</option>
          <option value='dark'>Dark</option>
        </select>
      </div>
    </Dialog>
  )
}
