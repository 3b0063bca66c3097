import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DEFAULT_AUTO_DOWNLOAD_BYTES, loadLocalSettings, saveLocalSettings } from '../../../../src/web/client/local-settings.ts'

const store = new Map<string, string>()
beforeEach(() => {
  (globalThis as { localStorage?: unknown }).localStorage = {
    getItem: (k: string) => store.get(k) ?? null,
    setItem: (k: string, v: string) => { store.set(k, v) }
  }
})
afterEach(() => { store.clear() })

describe('local settings: the image auto-download limit', () => {
  it('is 8 MiB until the person picks another, and keeps what they pick', () => {
    expect(loadLocalSettings().autoDownloadBytes).toBe(DEFAULT_AUTO_DOWNLOAD_BYTES)
    expect(DEFAULT_AUTO_DOWNLOAD_BYTES).toBe(8 * 1024 * 1024)
    saveLocalSettings({ ...loadLocalSettings(), autoDownloadBytes: 0 })
    expect(loadLocalSettings().autoDownloadBytes).toBe(0)
  })

  it('falls back to the default for a damaged or absurd saved value', () => {
    for (const bad of [-1, 1.5, 'big', 2 ** 40]) {
      store.set('kith.settings', JSON.stringify({ autoDownloadBytes: bad }))
      expect(loadLocalSettings().autoDownloadBytes).toBe(DEFAULT_AUTO_DOWNLOAD_BYTES)
    }
  })
})
