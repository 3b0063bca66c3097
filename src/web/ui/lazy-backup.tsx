/**
 * The backup dialog and restore form, loaded on first use: few people open them, so their code
 * stays out of the JavaScript every page load fetches (the browser's 300 KB budget).
 */
import { useEffect, useState } from 'preact/hooks'
import type { JSX } from 'preact'
import { errorText } from './format.ts'

type BackupModule = typeof import('./backup.tsx')

let loading: Promise<BackupModule> | undefined

/** The backup module once it has loaded; an error sentence if it could not be. */
function useBackupModule (): BackupModule | string | null {
  const [loaded, setLoaded] = useState<BackupModule | string | null>(null)
  useEffect(() => {
    loading ??= import('./backup.tsx')
    loading.then(setLoaded, (err: unknown) => {
      loading = undefined
      setLoaded(`The backup screen could not load: ${errorText(err)}`)
    })
  }, [])
  return loaded
}

/** Settings → "Back up your account". */
export function LazyBackupDialog ({ onClose }: { onClose: () => void }): JSX.Element | null {
  const m = useBackupModule()
  if (typeof m === 'string') return <p class='field-error' role='alert'>{m}</p>
  return m === null ? null : <m.BackupDialog onClose={onClose} />
}

/** Onboarding → "Restore from a backup". */
export function LazyRestoreForm ({ onCancel }: { onCancel: () => void }): JSX.Element | null {
  const m = useBackupModule()
  if (typeof m === 'string') return <p class='field-error' role='alert'>{m}</p>
  return m === null ? <p class='field-hint'>Loading…</p> : <m.RestoreForm onCancel={onCancel} />
}
