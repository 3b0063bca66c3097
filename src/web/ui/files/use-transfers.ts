/** The page's file transfers, for components: null until they have started. */
import { useEffect, useState } from 'preact/hooks'
import type { FileTransfers } from '../../client/file-transfers.ts'
import { useKith } from '../context.ts'
import { errorText } from '../format.ts'

/** The running {@link FileTransfers}, or null while they start. */
export function useTransfers (): FileTransfers | null {
  const { client, ui } = useKith()
  const [transfers, setTransfers] = useState<FileTransfers | null>(null)
  useEffect(() => {
    let live = true
    client.fileTransfers().then((t) => { if (live) setTransfers(t) }, (err: unknown) => {
      ui.notify('error', `Files are unavailable: ${errorText(err)}`)
    })
    return () => { live = false }
  }, [client])
  return transfers
}

/** An object URL for a blob while the component shows it; revoked when it changes or unmounts. */
export function useObjectUrl (load: (() => Promise<Blob | null>) | null, deps: readonly unknown[]): string | null {
  const [url, setUrl] = useState<string | null>(null)
  useEffect(() => {
    if (load === null) return
    let made: string | null = null
    let live = true
    load().then((blob) => {
      if (!live || blob === null) return
      made = URL.createObjectURL(blob)
      setUrl(made)
    }, () => {})
    return () => {
      live = false
      if (made !== null) URL.revokeObjectURL(made)
    }
  }, deps)
  return url
}
