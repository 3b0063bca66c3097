/**
 * Search across every conversation's local history: a message matches when the text it shows now
 * (after edits; never once deleted) contains the query, compared case-insensitively. History never
 * leaves the device to be searched.
 */
import { ValidationError } from '../errors.ts'
import type { Engine } from './engine.ts'
import type { MessageOut } from './message-view.ts'
import type { Views } from './views.ts'

/** Longest query accepted. */
export const MAX_QUERY_LENGTH = 200
/** Most hits returned by default. */
export const DEFAULT_SEARCH_LIMIT = 50

/** One message found, with the conversation it is in. */
export interface SearchHit {
  readonly conversationId: string
  readonly conversationName: string
  readonly message: MessageOut
}

/** Searches this device's history. */
export class Search {
  constructor (private readonly engine: Engine, private readonly views: Views) {}

  /** Messages whose current text contains `query`, newest first, at most `limit`. */
  async find (query: string, limit = DEFAULT_SEARCH_LIMIT): Promise<SearchHit[]> {
    const q = query.trim()
    if (q.length === 0) throw new ValidationError('type something to search for')
    if (q.length > MAX_QUERY_LENGTH) throw new ValidationError(`a search can be at most ${MAX_QUERY_LENGTH} characters`)
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new ValidationError('a search returns from 1 to 1000 results')
    const needle = q.toLocaleLowerCase()
    // Edits match through the message they change; a message edited away from the query no longer
    // matches, so candidates are checked against what each message shows now.
    const rows = await this.engine.store.findTextRows(q, limit * 4)
    const seen = new Set<string>()
    const names = new Map<string, string>()
    const hits: SearchHit[] = []
    for (const row of rows) {
      const id = row.kind === 'edit' ? row.target : row.id
      if (id === null || seen.has(id)) continue
      seen.add(id)
      const m = await this.engine.store.getMessage(id)
      if (m === undefined || m.kind !== 'text') continue
      const view = await this.views.messageOut(m.groupId, m)
      if (view.deleted || !view.text.toLocaleLowerCase().includes(needle)) continue
      let name = names.get(m.groupId)
      if (name === undefined) {
        const group = await this.engine.load(m.groupId)
        name = group === undefined ? 'a conversation that is gone' : (await this.views.conversationView(group)).name
        names.set(m.groupId, name)
      }
      hits.push({ conversationId: m.groupId, conversationName: name, message: view })
      if (hits.length >= limit) break
    }
    return hits.sort((a, b) => b.message.sentAt - a.message.sentAt)
  }
}
