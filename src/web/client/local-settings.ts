/**
 * Settings that belong to this browser rather than the account: desktop notifications and extra
 * bootstrap nodes, plus relays learned from served pages. Kept in localStorage; read receipts
 * live with the account in the worker's store.
 */
const KEY = 'kith.settings'

export interface LocalSettings {
  readonly notifications: boolean
  readonly bootstrap: readonly string[]
}

/** Reads the saved settings; damaged or missing values fall back to defaults. */
export function loadLocalSettings (): LocalSettings {
  try {
    const raw = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<Record<keyof LocalSettings, unknown>>
    return {
      notifications: raw.notifications === true,
      bootstrap: Array.isArray(raw.bootstrap) ? raw.bootstrap.filter((a): a is string => typeof a === 'string' && a.startsWith('/')) : []
    }
  } catch {
    return { notifications: false, bootstrap: [] }
  }
}

/** Saves the settings. */
export function saveLocalSettings (settings: LocalSettings): void {
  localStorage.setItem(KEY, JSON.stringify(settings))
}
