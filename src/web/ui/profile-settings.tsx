/**
 * Settings → Profile: the display name people see. Saving re-issues this device's certificate and
 * tells every conversation (profiles.ts); the header, avatar and invite take the new name at once.
 */
import { useEffect, useState } from 'preact/hooks'
import type { JSX } from 'preact'
import { validateDisplayName } from '../../core/identity/device-certificate.ts'
import { useKith } from './context.ts'
import { errorText } from './format.ts'
import { useAction } from './use-action.ts'

/** Why a typed name cannot be saved, as one sentence, or null. */
function problemWith (name: string): string | null {
  try {
    validateDisplayName(name)
    return null
  } catch (err) {
    const text = errorText(err)
    return text.charAt(0).toUpperCase() + text.slice(1) + '.'
  }
}

/** The "Profile" part of Settings. */
export function ProfileSettings (): JSX.Element | null {
  const { client } = useKith()
  const saved = client.me.value?.name ?? ''
  const [name, setName] = useState(saved)
  const [done, setDone] = useState(false)
  useEffect(() => { if (done) setName(saved) }, [saved, done])
  const save = useAction(async (value: string) => {
    await client.setDisplayName(value)
    setDone(true)
  })
  if (client.me.value === null) return null
  const submit = (e: Event): void => {
    e.preventDefault()
    const problem = problemWith(name)
    if (problem !== null) return save.setError(problem)
    void save.run(name)
  }
  const unchanged = name.trim() === saved
  return (
    <form class='setting-form' onSubmit={submit} noValidate data-testid='profile-settings'>
      <label for='setting-display-name' class='setting-label'>Display name</label>
      <p class='field-hint' id='setting-display-name-hint'>What your contacts and groups see. They are told when you change it; their own names for you stay theirs.</p>
      <input id='setting-display-name' data-testid='display-name-input' class='input' type='text' value={name} maxLength={256}
        autoComplete='nickname' aria-describedby='setting-display-name-hint setting-display-name-error' aria-invalid={save.error !== null}
        onInput={(e) => { setName(e.currentTarget.value); setDone(false); save.setError(null) }} />
      {save.error !== null && <p class='field-error' id='setting-display-name-error' role='alert' data-testid='display-name-error'>{save.error}</p>}
      <div class='dialog-actions'>
        {done && unchanged && <span class='muted small' role='status' data-testid='display-name-saved'>Saved</span>}
        <button type='submit' class='button' data-testid='display-name-save' disabled={save.busy || unchanged}>{save.busy ? 'Saving…' : 'Save name'}</button>
      </div>
    </form>
  )
}
