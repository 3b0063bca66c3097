/**
 * Pure text helpers for search results: cut a long message down to the part around the match, and
 * split it into plain and matching runs, compared case-insensitively as the messenger's search is.
 */

/** Characters kept before the first match when a message is cut short. */
const LEAD = 30
/** Characters a result shows at most. */
const SNIPPET = 160

/** One run of a result's text; `match` runs are highlighted. */
export interface TextPart { readonly text: string, readonly match: boolean }

/** Shortest query the sidebar searches for. */
export const MIN_QUERY_LENGTH = 2

/** The part of `text` around the first match of `query`, with "…" where it was cut. */
export function snippetAround (text: string, query: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  if (flat.length <= SNIPPET) return flat
  const at = flat.toLocaleLowerCase().indexOf(query.trim().toLocaleLowerCase())
  const start = at <= LEAD ? 0 : at - LEAD
  const end = Math.min(flat.length, start + SNIPPET)
  return `${start > 0 ? '…' : ''}${flat.slice(start, end)}${end < flat.length ? '…' : ''}`
}

/** `text` split into runs, each occurrence of `query` (any case) a match. */
export function highlightParts (text: string, query: string): TextPart[] {
  const needle = query.trim().toLocaleLowerCase()
  if (needle.length === 0) return [{ text, match: false }]
  const haystack = text.toLocaleLowerCase()
  const parts: TextPart[] = []
  let from = 0
  // Lower-casing can change lengths for a few scripts; fall back to no highlight rather than misplace one.
  if (haystack.length !== text.length) return [{ text, match: false }]
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, from)) {
    if (at > from) parts.push({ text: text.slice(from, at), match: false })
    parts.push({ text: text.slice(at, at + needle.length), match: true })
    from = at + needle.length
  }
  if (from < text.length) parts.push({ text: text.slice(from), match: false })
  return parts
}
