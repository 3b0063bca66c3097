import { describe, expect, it } from 'vitest'
import { extensionLabel, fileKind, formatBytes, formatSpeed, formatTimeLeft } from '../../../../src/web/ui/files/format-files.ts'

describe('file formatting', () => {
  it('shows sizes in binary multiples, with one decimal under ten', () => {
    expect(formatBytes(0)).toBe('0 B')
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(1536)).toBe('1.5 KB')
    expect(formatBytes(5 * 1024 * 1024 + 12_345)).toBe('5.0 MB')
    expect(formatBytes(96 * 1024 * 1024)).toBe('96 MB')
    expect(formatBytes(2.5 * 1024 ** 3)).toBe('2.5 GB')
    expect(formatBytes(-1)).toBe('?')
    expect(formatSpeed(3 * 1024 * 1024)).toBe('3.0 MB/s')
  })

  it('says how long is left, or nothing when it cannot know', () => {
    expect(formatTimeLeft(null)).toBeNull()
    expect(formatTimeLeft(Number.POSITIVE_INFINITY)).toBeNull()
    expect(formatTimeLeft(0.2)).toBe('1 s left')
    expect(formatTimeLeft(42)).toBe('42 s left')
    expect(formatTimeLeft(150)).toBe('3 min left')
    expect(formatTimeLeft(4800)).toBe('1 h 20 min left')
  })

  it('picks an icon family from the type, then the name', () => {
    expect(fileKind('image/png', 'a.png')).toBe('image')
    expect(fileKind('video/mp4', 'a.mp4')).toBe('video')
    expect(fileKind('', 'report.PDF')).toBe('pdf')
    expect(fileKind('application/octet-stream', 'backup.tar.gz')).toBe('archive')
    expect(fileKind('', 'notes.md')).toBe('text')
    expect(fileKind('application/octet-stream', 'blob')).toBe('other')
    expect(extensionLabel('archive.tar.gz')).toBe('GZ')
    expect(extensionLabel('.bashrc')).toBe('')
    expect(extensionLabel('movie.webm')).toBe('WEBM')
  })
})
