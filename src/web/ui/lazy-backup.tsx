/**
 * The backup dialog and restore form, loaded on first use: few people open them, so their code
 * stays out of the JavaScript every page load fetches (the browser's 300 KB budget).
 */
import type { JSX } from 'preact'
import { lazyChunk, useLazyChunk } from './lazy-chunk.ts'

const backup = lazyChunk(async () => await import('./backup.tsx'))

/** Settings → "Back up your account". */
export function LazyBackupDialog ({ onClose }: { onClose: () => void }): JSX.Element | null {
  const m = useLazyChunk(backup, 'The backup screen')
  if (typeof m === 'string') return <p class='field-error' role='alert'>{m}</p>
  return m === null ? null : <m.BackupDialog onClose={onClose} />
}

/** Onboarding → "Restore from a backup". */
export function LazyRestoreForm ({ onCancel }: { onCancel: () => void }): JSX.Element | null {
  const m = useLazyChunk(backup, 'The backup screen')
  if (typeof m === 'string') return <p class='field-error' role='alert'>{m}</p>
  return m === null ? <p class='field-hint'>Loading…</p> : <m.RestoreForm onCancel={onCancel} />
}
