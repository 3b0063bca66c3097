/**
 * A file in the timeline: its thumbnail (decrypted from the offer) or type icon, name and size,
 * and what can be done with it now: Download; while it moves a progress bar with bytes, speed and
 * time left, Pause/Resume and Cancel; once here, Open and Save. Images up to the size set in
 * Settings download by themselves, and open in a viewer.
 */
import { useContext, useEffect, useState } from 'preact/hooks'
import type { JSX } from 'preact'
import type { Message } from '../../client/types.ts'
import type { TransferView } from '../../client/file-transfers.ts'
import { useKith } from '../context.ts'
import { InTabOrder } from '../tab-stop.ts'
import { errorText } from '../format.ts'
import { FileIcon, IconCancel, IconOpen, IconPause, IconRemove, IconResume, IconSave } from './file-icon.tsx'
import { FileName } from './file-name.tsx'
import { formatBytes, formatSpeed, formatTimeLeft } from './format-files.ts'
import { ImageViewer } from './image-viewer.tsx'
import { useObjectUrl, useTransfers } from './use-transfers.ts'

/** The offer a FILE message carries. */
export type FileInfo = NonNullable<Message['file']>

const INITIAL: TransferView = { state: 'offered', bytes: 0, total: 0, speed: 0, secondsLeft: null, error: null, known: false, removed: false, upload: null }

/** An error message as a sentence on its own: capitalised. */
function sentence (text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/** The card of a FILE message. */
export function FileCard ({ message }: { message: Message }): JSX.Element {
  const { client, ui } = useKith()
  const file = message.file as FileInfo
  const transfers = useTransfers()
  const [view, setView] = useState<TransferView>({ ...INITIAL, total: file.size })
  const [viewing, setViewing] = useState(false)
  const isImage = file.mimeType.startsWith('image/')
  // Out of the Tab order unless its message is the log's stop (tab-stop.ts).
  const tab = useContext(InTabOrder) ? undefined : -1

  useEffect(() => {
    if (transfers === null) return
    const signal = transfers.view(file.fileId, file.size)
    return signal.subscribe(setView)
  }, [transfers, file.fileId])

  // Images small enough download by themselves (the sender's copy is here already).
  const limit = client.settings.value.autoDownloadBytes
  useEffect(() => {
    if (transfers === null || !view.known || view.removed || message.own || !isImage || file.size > limit || view.state !== 'offered') return
    transfers.download(file.fileId).catch(() => {})
  }, [transfers, view.known && view.state === 'offered'])

  const thumbnail = useObjectUrl(transfers !== null && file.thumbnailType !== undefined ? async () => await transfers.thumbnail(file.fileId) : null, [transfers, file.fileId])
  const done = view.state === 'done'
  const full = useObjectUrl(transfers !== null && done && isImage ? async () => await transfers.plaintext(file.fileId) : null, [transfers, done])
  const picture = full ?? thumbnail

  const act = (what: string, run: (t: NonNullable<typeof transfers>) => Promise<void>) => (): void => {
    if (transfers === null) return
    run(transfers).catch((err: unknown) => {
      // A full storage pauses the transfer, and the card says why: no toast on top.
      if ((err as Error).name === 'QuotaExceededError') return
      ui.notify('error', `Couldn’t ${what} ${file.name}: ${errorText(err)}`)
    })
  }
  const open = act('open', async (t) => {
    if (isImage) {
      setViewing(true)
      return
    }
    const url = URL.createObjectURL(await t.plaintext(file.fileId))
    window.open(url, '_blank', 'noopener')
    setTimeout(() => { URL.revokeObjectURL(url) }, 60_000)
  })

  const moving = view.state === 'downloading' || view.state === 'paused'
  const percent = view.total > 0 ? Math.min(100, Math.floor(view.bytes * 100 / view.total)) : 0
  const left = formatTimeLeft(view.secondsLeft)
  return (
    <div class={`file-card file-${view.state}`} data-testid='file-card' data-state={view.state} data-file-id={file.fileId} data-bytes={view.bytes}>
      {picture !== null && (
        <button type='button' tabIndex={tab} class={file.mimeType.startsWith('video/') ? 'file-picture file-picture-video' : 'file-picture'} data-testid='file-thumbnail' aria-label={`View ${file.name}`}
          onClick={done ? open : act('download', async (t) => { await t.download(file.fileId) })}>
          <img src={picture} alt={file.name} class={full === null ? 'blurred' : ''} />
        </button>
      )}
      <div class='file-row'>
        {/* A picture shows what kind of file it is; the icon is for the others. */}
        {picture === null && <FileIcon mimeType={file.mimeType} name={file.name} />}
        <div class='file-text'>
          <FileName name={file.name} cls='file-name' />
          <p class='file-detail'>
            {formatBytes(file.size)}{view.state === 'paused' && <> · Paused</>}{view.state === 'failed' && <> · Failed</>}
          </p>
        </div>
        <div class='file-actions'>
          {/* Pause, Resume and Cancel sit where Download was, and the card keeps its height as a transfer pauses and resumes. */}
          {moving && (
            <>
              {/* One button that turns from Pause to Resume and back, so that keyboard focus stays on it. */}
              {view.state === 'downloading'
                ? <button type='button' tabIndex={tab} class='icon-button file-icon-button' data-testid='file-pause' aria-label={`Pause ${file.name}`} title='Pause' onClick={act('pause', async (t) => { await t.pause(file.fileId) })}><IconPause /></button>
                : <button type='button' tabIndex={tab} class='icon-button file-icon-button file-icon-button-go' data-testid='file-resume' aria-label={`Resume ${file.name}`} title='Resume' onClick={act('resume', async (t) => { await t.resume(file.fileId) })}><IconResume /></button>}
              <button type='button' tabIndex={tab} class='icon-button file-icon-button file-icon-button-stop' data-testid='file-cancel' aria-label={`Cancel ${file.name}`} title='Cancel' onClick={act('cancel', async (t) => { await t.cancel(file.fileId) })}><IconCancel /></button>
            </>
          )}
          {view.state === 'offered' && (
            <button type='button' tabIndex={tab} class='button button-primary file-button' data-testid='file-download' onClick={act('download', async (t) => { await t.download(file.fileId) })}>Download</button>
          )}
          {done && (
            <>
              <button type='button' tabIndex={tab} class='icon-button file-icon-button' data-testid='file-open' aria-label={`Open ${file.name}`} title='Open' onClick={open}><IconOpen /></button>
              <button type='button' tabIndex={tab} class='icon-button file-icon-button' data-testid='file-save' aria-label={`Save ${file.name}`} title='Save' onClick={act('save', async (t) => { await t.save(file.fileId) })}><IconSave /></button>
              {!message.own && (
                <button type='button' tabIndex={tab} class='icon-button file-icon-button' data-testid='file-remove' aria-label={`Remove ${file.name} from this browser`} title='Remove from this browser'
                  onClick={() => {
                    void ui.confirm({
                      title: `Remove ${file.name} from this browser?`,
                      body: `This frees ${formatBytes(file.size)} here. You can download it again while someone in the conversation still has it.`,
                      confirmLabel: 'Remove',
                      danger: true
                    }).then((ok) => { if (ok) act('remove', async (t) => { await t.remove(file.fileId) })() })
                  }}><IconRemove /></button>
              )}
            </>
          )}
        </div>
      </div>
      {moving && (
        <div class='file-progress' data-testid='file-progress' role='progressbar' aria-label={`${file.name}: ${percent}%`}
          aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
          <span style={`width:${percent}%`} />
        </div>
      )}
      {moving && (
        <p class='file-stats' data-testid='file-stats'>
          <span>{formatBytes(view.bytes)} of {formatBytes(view.total)}</span>
          {view.state === 'downloading' && view.speed > 0 && <span>{formatSpeed(view.speed)}</span>}
          {view.state === 'downloading' && left !== null && <span>{left}</span>}
        </p>
      )}
      {view.state === 'failed' && (
        <div class='file-controls'>
          <p class='file-stats'><span class='file-error'>{view.error ?? 'Failed'}</span></p>
          <button type='button' tabIndex={tab} class='button button-primary file-button file-small' data-testid='file-resume' onClick={act('retry', async (t) => { await t.resume(file.fileId) })}>Retry</button>
        </div>
      )}
      {view.upload !== null && !moving && (
        <>
          <div class='file-progress file-upload' data-testid='file-upload' role='progressbar' aria-label={`${file.name}: sending`}
            aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.min(100, Math.floor(view.upload.bytes * 100 / Math.max(1, file.size)))}>
            <span style={`width:${Math.min(100, view.upload.bytes * 100 / Math.max(1, file.size))}%`} />
          </div>
          <p class='file-stats'>
            <span>Sent {formatBytes(view.upload.bytes)}</span>
            {view.upload.speed > 0 && <span>{formatSpeed(view.upload.speed)}</span>}
          </p>
        </>
      )}
      {view.error !== null && view.state === 'paused' && <p class='file-error-text' role='alert'>{sentence(view.error)}</p>}
      {view.error !== null && view.state === 'downloading' && <p class='file-note' role='status'>{view.error}</p>}
      {viewing && full !== null && <ImageViewer name={file.name} src={full} onClose={() => setViewing(false)} onSave={act('save', async (t) => { await t.save(file.fileId) })} />}
    </div>
  )
}
