/**
 * The files UI (ui/files/), loaded the first time a file shows or is attached: its code and
 * styles stay out of the JavaScript every page load fetches (the browser's 300 KB budget).
 */
import { useEffect, useState } from 'preact/hooks'
import type { JSX } from 'preact'
import type { Message } from '../client/types.ts'
import { errorText } from './format.ts'

type FilesModule = typeof import('./files/files.tsx')

let loading: Promise<FilesModule> | undefined

function useFilesModule (): FilesModule | string | null {
  const [loaded, setLoaded] = useState<FilesModule | string | null>(null)
  useEffect(() => {
    loading ??= import('./files/files.tsx')
    loading.then(setLoaded, (err: unknown) => {
      loading = undefined
      setLoaded(`Files could not load: ${errorText(err)}`)
    })
  }, [])
  return loaded
}

/** A FILE message's card; a placeholder of the same size while it loads. */
export function LazyFileCard ({ message }: { message: Message }): JSX.Element {
  const m = useFilesModule()
  if (typeof m === 'string') return <p class='field-error' role='alert'>{m}</p>
  return m === null ? <div class='file-card-placeholder' data-testid='file-card-loading' /> : <m.FileCard message={message} />
}

/** The chips of files attached in the composer. */
export function LazyAttachmentTray ({ files, onRemove }: { files: readonly File[], onRemove: (index: number) => void }): JSX.Element | null {
  const m = useFilesModule()
  if (typeof m === 'string') return <p class='field-error' role='alert'>{m}</p>
  return m === null ? null : <m.AttachmentTray files={files} onRemove={onRemove} />
}
