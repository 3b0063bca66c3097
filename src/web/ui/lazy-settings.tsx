/**
 * The Settings dialog (with its profile and network sections), loaded when first opened: its code
 * stays out of the JavaScript every page load fetches (the browser's 300 KB budget).
 */
import { useEffect, useState } from 'preact/hooks'
import type { JSX } from 'preact'
import { errorText } from './format.ts'

type SettingsModule = typeof import('./settings-dialog.tsx')

let loading: Promise<SettingsModule> | undefined

/** Settings, once its module has loaded. */
export function LazySettingsDialog ({ onClose }: { onClose: () => void }): JSX.Element | null {
  const [loaded, setLoaded] = useState<SettingsModule | string | null>(null)
  useEffect(() => {
    loading ??= import('./settings-dialog.tsx')
    loading.then(setLoaded, (err: unknown) => {
      loading = undefined
      setLoaded(`Settings could not load: ${errorText(err)}`)
    })
  }, [])
  if (typeof loaded === 'string') return <p class='field-error' role='alert'>{loaded}</p>
  return loaded === null ? null : <loaded.SettingsDialog onClose={onClose} />
}
