import { describe, expect, it } from 'vitest'
import { formatFileMessageLine, formatProgress, formatTransferLine } from '../../../../src/node/cli/files.ts'
import type { MessageJson } from '../../../../src/node/cli/format.ts'
import type { TransferView } from '../../../../src/node/file-transfers.ts'

const MiB = 1024 * 1024
const view: TransferView = {
  fileId: 'ab'.repeat(16),
  conversation: 'c1',
  messageId: 'm1',
  name: 'holiday.mp4',
  size: 100 * MiB,
  mimeType: 'video/mp4',
  caption: '',
  sender: 'cd'.repeat(32),
  own: false,
  sentAt: 0,
  state: 'downloading',
  bytes: 25 * MiB,
  speed: 5 * MiB,
  etaSeconds: 15
}

describe('file transfer lines', () => {
  it('draws a progress bar with percent, bytes, speed and time left', () => {
    expect(formatProgress(view, 8)).toBe('holiday.mp4  [##------]  25%  25.0 MiB / 100.0 MiB  5.0 MiB/s  15s left')
    expect(formatProgress({ ...view, bytes: 100 * MiB, speed: 0, etaSeconds: undefined, state: 'done' } as TransferView, 8)).toBe('holiday.mp4  [########] 100%  100.0 MiB / 100.0 MiB')
  })

  it('lists a transfer with its state, progress and why it stopped', () => {
    expect(formatTransferLine({ ...view, state: 'paused', error: 'the disk or the file quota is full' })).toBe(
      `${'ab'.repeat(16)}  paused      25%  holiday.mp4  100.0 MiB  from cdcdcdcd  (the disk or the file quota is full)`)
    expect(formatTransferLine({ ...view, state: 'done', bytes: view.size, own: true, path: '/tmp/holiday.mp4' })).toBe(
      `${'ab'.repeat(16)}  done         holiday.mp4  100.0 MiB  from you  /tmp/holiday.mp4`)
  })

  it('shows a file message with its short id, size, state and caption', () => {
    const m: MessageJson = {
      id: '12345678aa', conversation: 'c1', senderName: 'alice', own: false, text: 'our trip', sentAt: 0, state: 'received', gapBefore: false,
      replyTo: null, edited: false, deleted: false, reactions: [], file: { fileId: view.fileId, name: 'holiday.mp4', size: 100 * MiB, mimeType: 'video/mp4' }
    }
    expect(formatFileMessageLine(m, new Map([[view.fileId, view]]))).toMatch(/ 12345678 alice: \[file abababab\] holiday\.mp4 \(100\.0 MiB, downloading 25%\) our trip$/)
    expect(formatFileMessageLine(m, new Map())).toMatch(/alice: \[file abababab\] holiday\.mp4 \(100\.0 MiB\) our trip$/)
  })
})
