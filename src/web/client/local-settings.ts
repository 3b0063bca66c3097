/**
 * Settings that belong to this browser rather than the account: desktop notifications, extra
 * bootstrap nodes, STUN/TURN servers and the colour theme. Kept in localStorage; read receipts live with the
 * account in the worker's store.
 */
import { iceServersFromJson, type IceServer } from './ice-servers.ts'
import type { Theme } from './types.ts'

const KEY = 'kith.settings'

/** What this browser keeps. */
export interface LocalSettings {
  readonly notifications: boolean
  readonly bootstrap: readonly string[]
  /** The person's own STUN/TURN servers; null until they save some (the build's defaults apply). */
  readonly iceServers: readonly IceServer[] | null
  /** Light, dark, or following the system. */
  readonly theme: Theme
  /** Images offered up to this many bytes download by themselves (0: never). */
  readonly autoDownloadBytes: number
}

/** The default limit for images that download by themselves: 8 MiB. */
export const DEFAULT_AUTO_DOWNLOAD_BYTES = 8 * 1024 * 1024
/** The largest limit the setting takes: 1 GiB. */
const MAX_AUTO_DOWNLOAD_BYTES = 1024 * 1024 * 1024

const DEFAULTS: LocalSettings = { notifications: false, bootstrap: [], iceServers: null, theme: 'system', autoDownloadBytes: DEFAULT_AUTO_DOWNLOAD_BYTES }
const THEMES: readonly Theme[] = ['system', 'light', 'dark']

/** Reads the saved settings; damaged or missing values fall back to defaults. */
export function loadLocalSettings (): LocalSettings {
  try {
    const raw = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<Record<keyof LocalSettings, unknown>>
    const ice = raw.iceServers === undefined || raw.iceServers === null ? null : iceServersFromJson(raw.iceServers, 'saved ICE servers')
    return {
      notifications: raw.notifications === true,
      bootstrap: Array.isArray(raw.bootstrap) ? raw.bootstrap.filter((a): a is string => typeof a === 'string' && a.startsWith('/')) : [],
      iceServers: ice === null || ice.kind === 'invalid' ? null : ice.value,
      theme: THEMES.find((t) => t === raw.theme) ?? 'system',
      autoDownloadBytes: typeof raw.autoDownloadBytes === 'number' && Number.isSafeInteger(raw.autoDownloadBytes) && raw.autoDownloadBytes >= 0 && raw.autoDownloadBytes <= MAX_AUTO_DOWNLOAD_BYTES
        ? raw.autoDownloadBytes
        : DEFAULT_AUTO_DOWNLOAD_BYTES
    }
  } catch {
    return DEFAULTS
  }
}

/** Saves the settings. */
export function saveLocalSettings (settings: LocalSettings): void {
  localStorage.setItem(KEY, JSON.stringify(settings))
}
