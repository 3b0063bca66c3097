/** First run: a short pitch and the one thing Kith needs — a display name. */
import { useEffect, useRef, useState } from 'preact/hooks'
import type { JSX } from 'preact'
import { useKith } from './context.ts'
import { IconLock, IconShield, IconUsers } from './icons.tsx'
import { Logo } from './logo.tsx'
import { useAction } from './use-action.ts'
import { INVITE_HASH } from './invite-links.ts'
import { LazyRestoreForm } from './lazy-backup.tsx'

/** Longest display name accepted, after trimming. */
export const MAX_NAME_LENGTH = 64

/** The welcome screen shown while `phase` is 'onboarding'. */
export function Onboarding (): JSX.Element {
  const { client } = useKith()
  const [name, setName] = useState('')
  const [restoring, setRestoring] = useState(false)
  const action = useAction((displayName: string) => client.onboard(displayName))
  const invited = location.hash.startsWith(INVITE_HASH)
  const input = useRef<HTMLInputElement>(null)
  // `autofocus` only works on page load; this screen usually appears after the loading one.
  useEffect(() => input.current?.focus(), [])

  const submit = (e: Event): void => {
    e.preventDefault()
    const trimmed = name.trim()
    if (trimmed.length === 0) return action.setError('Please enter a name.')
    if (trimmed.length > MAX_NAME_LENGTH) return action.setError(`Names can be at most ${MAX_NAME_LENGTH} characters.`)
    void action.run(trimmed)
  }

  return (
    <main class='onboarding'>
      <div class='onboarding-card'>
        <Logo size={64} />
        <h1>Welcome to Kith</h1>
        <p class='onboarding-lead'>Private messaging that runs right here in your browser.</p>
        <ul class='pitch'>
          <li><IconUsers /> <span><strong>No account, no phone number.</strong> Just pick a name.</span></li>
          <li><IconLock /> <span><strong>Your keys stay on this device.</strong> Nobody else holds a copy.</span></li>
          <li><IconShield /> <span><strong>End-to-end encrypted,</strong> sent peer to peer — no server reads or stores your messages.</span></li>
        </ul>
        {invited && !restoring && <p class='invited-note'>You’ve been invited. Pick a name and you’ll be connected right away.</p>}
        {restoring
          ? <LazyRestoreForm onCancel={() => setRestoring(false)} />
          : <>
            <form class='onboarding-form' onSubmit={submit} noValidate>
              <label for='onboard-name' class='field-label'>Your name</label>
              <input ref={input} id='onboard-name' data-testid='onboard-name' class='input' type='text' autoComplete='nickname'
                placeholder='e.g. Ada' value={name} aria-describedby='onboard-hint onboard-error'
                aria-invalid={action.error !== null} onInput={(e) => setName(e.currentTarget.value)} />
              <p id='onboard-hint' class='field-hint'>Only the people you talk to will see it.</p>
              {action.error !== null && <p id='onboard-error' class='field-error' role='alert'>{action.error}</p>}
              <button type='submit' class='button button-primary button-block' data-testid='onboard-submit' disabled={action.busy}>
                {action.busy ? 'Creating your keys…' : 'Get started'}
              </button>
            </form>
            <p class='onboarding-alt'>
              Used Kith before? <button type='button' class='link-button' data-testid='open-restore' onClick={() => setRestoring(true)}>Restore from a backup</button>
            </p>
            </>}
      </div>
    </main>
  )
}
