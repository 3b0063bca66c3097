/**
 * Per-conversation preferences of this account: muted (no desktop notification) and archived (out
 * of the main list). Local to the account, never sent: one JSON map in the store's `meta` table.
 *
 * | key | value |
 * |---|---|
 * | `conversation-prefs` | UTF-8 JSON `{ "<groupId hex>": { "muted"?: true, "archived"?: true } }` |
 *
 * A conversation with neither flag has no entry. A damaged value (not JSON, or not that shape) is
 * ignored with a log line: every conversation then shows unmuted and unarchived until the next
 * change writes a fresh map.
 */
import { fromUtf8, utf8 } from '../bytes.ts'
import type { Store, Write } from './store.ts'

/** The `meta` key the map is kept under. */
export const CONVERSATION_PREFS_KEY = 'conversation-prefs'

/** One conversation's preferences. */
export interface ConversationPrefs {
  readonly muted: boolean
  readonly archived: boolean
}

/** What a conversation has until the person changes it. */
export const DEFAULT_PREFS: ConversationPrefs = { muted: false, archived: false }

/** Preferences by conversation id; conversations at the default are absent. */
export type PrefsMap = ReadonlyMap<string, ConversationPrefs>

/** The outcome of reading the stored map. */
export type ParsedPrefs = { readonly kind: 'ok', readonly prefs: PrefsMap } | { readonly kind: 'damaged', readonly reason: string }

const GROUP_ID = /^[0-9a-f]{2,128}$/

/** Reads the stored map, checking its shape; an absent value is an empty map. */
export function parsePrefs (value: Uint8Array | undefined): ParsedPrefs {
  if (value === undefined) return { kind: 'ok', prefs: new Map() }
  let raw: unknown
  try {
    raw = JSON.parse(fromUtf8(value))
  } catch {
    return { kind: 'damaged', reason: 'it is not JSON' }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { kind: 'damaged', reason: 'it is not a JSON object' }
  const prefs = new Map<string, ConversationPrefs>()
  for (const [id, entry] of Object.entries(raw)) {
    if (!GROUP_ID.test(id)) return { kind: 'damaged', reason: `${JSON.stringify(id.slice(0, 40))} is not a conversation id` }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return { kind: 'damaged', reason: `the entry of ${id.slice(0, 12)} is not an object` }
    const { muted = false, archived = false, ...rest } = entry as Record<string, unknown>
    if (typeof muted !== 'boolean' || typeof archived !== 'boolean' || Object.keys(rest).length > 0) {
      return { kind: 'damaged', reason: `the entry of ${id.slice(0, 12)} holds something other than muted and archived flags` }
    }
    if (muted || archived) prefs.set(id, { muted, archived })
  }
  return { kind: 'ok', prefs }
}

/** The map with one conversation's preferences changed (dropped when back at the default). */
export function withPrefs (prefs: PrefsMap, groupId: string, patch: Partial<ConversationPrefs>): Map<string, ConversationPrefs> {
  const next = new Map(prefs)
  const merged = { ...(prefs.get(groupId) ?? DEFAULT_PREFS), ...patch }
  if (merged.muted || merged.archived) next.set(groupId, merged)
  else next.delete(groupId)
  return next
}

/** The `meta` write that stores the map. */
export function prefsWrite (prefs: PrefsMap): Write {
  const json: Record<string, { muted?: true, archived?: true }> = {}
  for (const [id, p] of prefs) json[id] = { ...(p.muted ? { muted: true } : {}), ...(p.archived ? { archived: true } : {}) }
  return { kind: 'meta', key: CONVERSATION_PREFS_KEY, value: utf8(JSON.stringify(json)) }
}

/** Collaborators of a {@link ConversationPrefsStore}. */
export interface ConversationPrefsComponents {
  readonly store: Store
  readonly log: (line: string) => void
}

/** The stored map, cached after the first read; changes are written one at a time. */
export class ConversationPrefsStore {
  private cached: PrefsMap | undefined
  private writing: Promise<unknown> = Promise.resolve()

  constructor (private readonly components: ConversationPrefsComponents) {}

  private async load (): Promise<PrefsMap> {
    if (this.cached !== undefined) return this.cached
    const parsed = parsePrefs(await this.components.store.getMeta(CONVERSATION_PREFS_KEY))
    if (parsed.kind === 'damaged') this.components.log(`ignored damaged conversation preferences (${parsed.reason}); every conversation shows unmuted and unarchived`)
    this.cached ??= parsed.kind === 'ok' ? parsed.prefs : new Map()
    return this.cached
  }

  /** One conversation's preferences. */
  async get (groupId: string): Promise<ConversationPrefs> {
    return (await this.load()).get(groupId) ?? DEFAULT_PREFS
  }

  /** Changes one conversation's preferences; resolves with them once they are stored. */
  async set (groupId: string, patch: Partial<ConversationPrefs>): Promise<ConversationPrefs> {
    const run = this.writing.then(async () => {
      const next = withPrefs(await this.load(), groupId, patch)
      await this.components.store.apply([prefsWrite(next)])
      this.cached = next
      return next.get(groupId) ?? DEFAULT_PREFS
    })
    this.writing = run.catch(() => {})
    return await run
  }

  /**
   * Another account's new message arrived: an archived conversation comes back to the main list,
   * unless it is also muted (as WhatsApp does). Says whether it came back.
   */
  async noteIncoming (groupId: string): Promise<boolean> {
    const prefs = await this.get(groupId)
    if (!prefs.archived || prefs.muted) return false
    await this.set(groupId, { archived: false })
    return true
  }
}
