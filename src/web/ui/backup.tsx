/**
 * Encrypted backups in the browser: the "Back up your account" dialog (Settings) and the "Restore
 * from a backup" form (onboarding). The passphrase KDF and the encryption run in the messenger
 * worker; these only collect input, show the KDF's progress and hand over the file.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import type { JSX } from 'preact'
import { useKith } from './context.ts'
import { Dialog } from './dialog.tsx'
import { errorText } from './format.ts'
import { useAction } from './use-action.ts'

/** Shortest passphrase a backup may use (the worker checks it too). */
export const MIN_PASSPHRASE = 8

/** A rough strength hint: length and variety, no dictionary. Not a promise, a nudge. */
export function passphraseStrength (passphrase: string): { readonly level: 0 | 1 | 2 | 3, readonly text: string } {
  const length = [...passphrase].length
  if (length === 0) return { level: 0, text: 'Choose a passphrase of at least 8 characters; a few unrelated words work well.' }
  if (length < MIN_PASSPHRASE) return { level: 0, text: `Too short: at least ${MIN_PASSPHRASE} characters.` }
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(passphrase)).length
  const words = passphrase.trim().split(/\s+/).length
  if (length >= 20 || (words >= 4 && length >= 16)) return { level: 3, text: 'Strong.' }
  if (length >= 12 && kinds >= 2) return { level: 2, text: 'Good. Longer is stronger: anyone with the file can keep guessing.' }
  return { level: 1, text: 'Weak: anyone with the file can keep guessing. Add a few more words.' }
}

/** The file name a backup downloads as, dated in local time. */
export function backupFileName (now: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `kith-backup-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}.kith`
}

/** The worker's one-line reason ("wrong passphrase, or the file is damaged") as a sentence for the page. */
export function asSentence (err: unknown): Error {
  const text = errorText(err)
  return new Error(text.charAt(0).toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? '' : '.'))
}

/** A progress bar for the KDF, shown while `fraction` is not null. */
function KdfProgress ({ fraction, label }: { fraction: number | null, label: string }): JSX.Element | null {
  if (fraction === null) return null
  const percent = Math.round(fraction * 100)
  return (
    <div class='kdf-progress' data-testid='backup-progress'>
      <div class='kdf-progress-track' role='progressbar' aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
        <div class='kdf-progress-bar' style={{ width: `${percent}%` }} />
      </div>
      <p class='field-hint'>{label} {percent}%</p>
    </div>
  )
}

function download (bytes: Uint8Array, name: string): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }))
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

/** Settings → "Back up your account". */
export function BackupDialog ({ onClose }: { onClose: () => void }): JSX.Element {
  const { client, ui } = useKith()
  const [passphrase, setPassphrase] = useState('')
  const [repeat, setRepeat] = useState('')
  const [history, setHistory] = useState(true)
  const strength = passphraseStrength(passphrase)
  const first = useRef<HTMLInputElement>(null)
  useEffect(() => first.current?.focus(), [])
  const action = useAction(async () => {
    const bytes = await client.exportBackup(passphrase, history).catch((err: unknown) => { throw asSentence(err) })
    const name = backupFileName(new Date())
    download(bytes, name)
    ui.notify('info', `Saved ${name}. Keep it somewhere safe, and the passphrase somewhere else.`)
    onClose()
  })
  const submit = (e: Event): void => {
    e.preventDefault()
    if ([...passphrase].length < MIN_PASSPHRASE) return action.setError(`The passphrase needs at least ${MIN_PASSPHRASE} characters.`)
    if (repeat !== passphrase) return action.setError('The two passphrases differ.')
    void action.run()
  }
  return (
    <Dialog title='Back up your account' onClose={onClose} testId='backup-dialog'>
      <p class='dialog-text'>
        Saves your identity, contacts and groups to a file encrypted with a passphrase. Restore it in a new browser or
        after clearing this site’s data; your conversations then continue once someone in them is online.
      </p>
      <form onSubmit={submit} noValidate>
        <label for='backup-passphrase' class='field-label'>Passphrase</label>
        <input ref={first} id='backup-passphrase' data-testid='backup-passphrase' class='input' type='password' autoComplete='new-password'
          value={passphrase} aria-describedby='backup-strength' onInput={(e) => setPassphrase(e.currentTarget.value)} />
        <p id='backup-strength' class={`field-hint strength strength-${strength.level}`} data-testid='backup-strength'>
          <span class='strength-meter' aria-hidden='true'><i /><i /><i /></span>{strength.text}
        </p>
        <label for='backup-repeat' class='field-label field-label-spaced'>Repeat the passphrase</label>
        <input id='backup-repeat' data-testid='backup-repeat' class='input' type='password' autoComplete='new-password'
          value={repeat} onInput={(e) => setRepeat(e.currentTarget.value)} />
        <div class='setting-row'>
          <div class='setting-text'>
            <label for='backup-history' class='setting-label'>Include message history</label>
            <p class='field-hint' id='backup-history-hint'>Without it, the backup holds who you talk to, not what was said.</p>
          </div>
          <input id='backup-history' data-testid='backup-history' type='checkbox' role='switch' class='switch' checked={history}
            aria-describedby='backup-history-hint' onChange={(e) => setHistory(e.currentTarget.checked)} />
        </div>
        <KdfProgress fraction={client.backupProgress.value} label='Encrypting…' />
        {action.error !== null && <p class='field-error' role='alert' data-testid='backup-error'>{action.error}</p>}
        <div class='dialog-actions'>
          <button type='button' class='button' onClick={onClose}>Cancel</button>
          <button type='submit' class='button button-primary' data-testid='backup-download' disabled={action.busy}>
            {action.busy ? 'Encrypting…' : 'Download backup'}
          </button>
        </div>
      </form>
    </Dialog>
  )
}

/** Onboarding → "Restore from a backup": a file and its passphrase. */
export function RestoreForm ({ onCancel }: { onCancel: () => void }): JSX.Element {
  const { client } = useKith()
  const [file, setFile] = useState<File | null>(null)
  const [passphrase, setPassphrase] = useState('')
  const action = useAction(async (chosen: File, secret: string) => {
    await client.restoreBackup(new Uint8Array(await chosen.arrayBuffer()), secret).catch((err: unknown) => { throw asSentence(err) })
  })
  const submit = (e: Event): void => {
    e.preventDefault()
    if (file === null) return action.setError('Choose your backup file (kith-backup-….kith).')
    if (passphrase.length === 0) return action.setError('Enter the backup’s passphrase.')
    void action.run(file, passphrase)
  }
  return (
    <form class='onboarding-form' onSubmit={submit} noValidate data-testid='restore-form'>
      <label for='restore-file' class='field-label'>Backup file</label>
      <input id='restore-file' data-testid='restore-file' class='input input-file' type='file' accept='.kith,application/octet-stream'
        onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
      <label for='restore-passphrase' class='field-label field-label-spaced'>Passphrase</label>
      <input id='restore-passphrase' data-testid='restore-passphrase' class='input' type='password' autoComplete='current-password'
        value={passphrase} onInput={(e) => setPassphrase(e.currentTarget.value)} />
      <p class='field-hint'>This browser becomes a new device of your account. Your conversations reopen once someone in each is online.</p>
      <KdfProgress fraction={client.backupProgress.value} label='Unlocking your backup…' />
      {action.error !== null && <p class='field-error' role='alert' data-testid='restore-error'>{action.error}</p>}
      <button type='submit' class='button button-primary button-block' data-testid='restore-submit' disabled={action.busy}>
        {action.busy ? 'Restoring…' : 'Restore'}
      </button>
      <button type='button' class='link-button restore-switch' onClick={onCancel} disabled={action.busy}>Start fresh instead</button>
    </form>
  )
}
