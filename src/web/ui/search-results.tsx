/** The sidebar's search: a field that searches every conversation's history, and the results in place of the list. */
import { useEffect, useState } from 'preact/hooks'
import type { JSX } from 'preact'
import type { SearchResult } from '../client/types.ts'
import { now } from './clock.ts'
import { useKith } from './context.ts'
import { errorText, formatRelative } from './format.ts'
import { IconClose } from './icons.tsx'
import { highlightParts, MIN_QUERY_LENGTH, snippetAround } from './search-text.ts'

/** Wait after the last key press before searching, so typing a word is one search. */
const DEBOUNCE_MS = 150

/** What the results area shows. */
type Outcome =
  | { readonly kind: 'idle' }
  | { readonly kind: 'done', readonly query: string, readonly results: readonly SearchResult[] }
  | { readonly kind: 'failed', readonly reason: string }

/** Whether `query` is long enough to search for. */
export function isSearchable (query: string): boolean {
  return query.trim().length >= MIN_QUERY_LENGTH
}

/** The search field; `onQuery` gets every change. */
export function SearchField ({ query, onQuery }: { query: string, onQuery: (query: string) => void }): JSX.Element {
  return (
    <div class='search-field'>
      <input type='search' class='input search-input' data-testid='search-input' value={query} placeholder='Search messages'
        aria-label='Search messages' autoComplete='off' spellcheck={false}
        onInput={(e) => onQuery(e.currentTarget.value)}
        onKeyDown={(e) => { if (e.key === 'Escape') onQuery('') }} />
      {query.length > 0 && (
        <button type='button' class='icon-button search-clear' aria-label='Clear search' onClick={() => onQuery('')}>
          <IconClose size={16} />
        </button>
      )}
    </div>
  )
}

function ResultItem ({ result, query, onOpen }: { result: SearchResult, query: string, onOpen: () => void }): JSX.Element {
  const m = result.message
  return (
    <li>
      <button type='button' class='conversation-item search-result' data-testid='search-result' data-conversation={result.conversationId} onClick={onOpen}>
        <span class='conversation-main'>
          <span class='conversation-top'>
            <span class='conversation-name'>{result.conversationName}</span>
            <time class='conversation-time' dateTime={new Date(m.sentAt).toISOString()}>{formatRelative(m.sentAt, now.value)}</time>
          </span>
          <span class='search-sender'>{m.own ? 'You' : m.senderName}</span>
          <span class='search-text' dir='auto'>
            {highlightParts(snippetAround(m.text, query), query).map((p, i) => p.match ? <mark key={i}>{p.text}</mark> : p.text)}
          </span>
        </span>
      </button>
    </li>
  )
}

/** Results for `query` (already long enough), searched once typing pauses; a click opens the conversation at the message. */
export function SearchResults ({ query, onOpen }: { query: string, onOpen: (conversationId: string, messageId: string) => void }): JSX.Element {
  const { client } = useKith()
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' })
  useEffect(() => {
    let current = true
    const timer = setTimeout(() => {
      client.search(query.trim())
        .then((results) => { if (current) setOutcome({ kind: 'done', query: query.trim(), results }) })
        .catch((err: unknown) => { if (current) setOutcome({ kind: 'failed', reason: errorText(err) }) })
    }, DEBOUNCE_MS)
    return () => { current = false; clearTimeout(timer) }
  }, [query])
  return (
    <nav class='conversation-list search-results' aria-label='Search results' data-testid='search-results'>
      {outcome.kind === 'failed' && <p class='search-empty field-error' role='alert'>Couldn’t search: {outcome.reason}</p>}
      {outcome.kind === 'done' && outcome.results.length === 0 && <p class='search-empty muted' data-testid='search-empty'>No messages match “{outcome.query}”</p>}
      {outcome.kind === 'done' && outcome.results.length > 0 && (
        <ul>
          {outcome.results.map((r) => <ResultItem key={r.message.id} result={r} query={outcome.query} onOpen={() => onOpen(r.conversationId, r.message.id)} />)}
        </ul>
      )}
    </nav>
  )
}
