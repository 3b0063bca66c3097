/** The pure parts of the backup screens: strength hint, file name, error sentence, rejoin banner text. */
import { describe, expect, it } from 'vitest'
import { asSentence, backupFileName, passphraseStrength } from '../../../../src/web/ui/backup.tsx'
import { formatRejoining } from '../../../../src/web/ui/format.ts'

describe('backup screens', () => {
  it('rates passphrases by length and variety, refusing short ones', () => {
    expect(passphraseStrength('').level).toBe(0)
    expect(passphraseStrength('abc123').text).toMatch(/Too short/)
    expect(passphraseStrength('abcdefgh').level).toBe(1)
    expect(passphraseStrength('abcdefgh1234').level).toBe(2)
    expect(passphraseStrength('paper lantern quietly orbits').level).toBe(3)
  })

  it('names the file after the local date', () => {
    expect(backupFileName(new Date(2026, 0, 5, 23, 59))).toBe('kith-backup-2026-01-05.kith')
  })

  it('shows the worker\'s reason as a sentence', () => {
    expect(asSentence(new Error('wrong passphrase, or the file is damaged')).message).toBe('Wrong passphrase, or the file is damaged.')
  })

  it('says whom a rejoining conversation waits for', () => {
    expect(formatRejoining(['Bob'])).toBe('Rejoining — waiting for Bob to come online')
    expect(formatRejoining(['Bob', 'Carol', 'Dan'])).toBe('Rejoining — waiting for Bob, Carol or Dan to come online')
    expect(formatRejoining([])).toBe('Rejoining — waiting for someone in it to come online')
  })
})
