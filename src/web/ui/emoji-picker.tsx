/**
 * The emoji picker shared by the composer and the reaction menu: a search-by-name field, a tab per
 * category and a grid of emoji. Arrow keys move through the grid, Enter picks, Escape closes.
 */
import { useLayoutEffect, useRef, useState } from 'preact/hooks'
import type { JSX } from 'preact'
import { EMOJI_CATEGORIES, searchEmoji, type EmojiEntry } from './emoji-data.ts'

/** Emoji per grid row, for ↑ and ↓. */
const COLUMNS = 8

/** Props of {@link EmojiPicker}. */
export interface EmojiPickerProps {
  /** What the picker is for, read out by screen readers. */
  readonly label: string
  readonly onPick: (emoji: string) => void
  readonly onClose: () => void
  readonly class?: string
}

/** The nearest ancestor of `el` that scrolls vertically, or null. */
function scrollerOf (el: HTMLElement): HTMLElement | null {
  for (let p = el.parentElement; p !== null; p = p.parentElement) {
    const overflow = getComputedStyle(p).overflowY
    if (overflow === 'auto' || overflow === 'scroll') return p
  }
  return null
}

/**
 * Whether a picker opened inside a scrolling list (the reaction menu of a message) should open
 * upwards: there is not room below it, and more above.
 */
function opensUp (panel: HTMLElement): boolean {
  const scroller = scrollerOf(panel)
  if (scroller === null) return false
  const box = panel.getBoundingClientRect()
  const view = scroller.getBoundingClientRect()
  return box.bottom > view.bottom && box.top - view.top > view.bottom - box.top
}

/** The full emoji picker; the search field has focus when it opens. */
export function EmojiPicker ({ label, onPick, onClose, class: cls }: EmojiPickerProps): JSX.Element {
  const [query, setQuery] = useState('')
  const [category, setCategory] = useState(EMOJI_CATEGORIES[0]!.id)
  const search = useRef<HTMLInputElement>(null)
  const grid = useRef<HTMLDivElement>(null)
  const panel = useRef<HTMLDivElement>(null)
  const [up, setUp] = useState(false)
  // Before paint, so that a key pressed right after opening already reaches it.
  useLayoutEffect(() => { search.current?.focus({ preventScroll: true }) }, [])
  // Where it opens; inside a list, the list then scrolls to show what is still cut off.
  useLayoutEffect(() => {
    const el = panel.current
    if (el === null) return
    if (!up && opensUp(el)) {
      setUp(true)
      return
    }
    if (scrollerOf(el) !== null) el.scrollIntoView({ block: 'nearest' })
  }, [up])

  const searching = query.trim().length > 0
  const entries: readonly EmojiEntry[] = searching ? searchEmoji(query) : (EMOJI_CATEGORIES.find((c) => c.id === category)?.entries ?? [])

  const moveFocus = (e: KeyboardEvent): void => {
    const buttons = [...(grid.current?.querySelectorAll<HTMLButtonElement>('button') ?? [])]
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement)
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLUMNS, ArrowUp: -COLUMNS }[e.key]
    if (step === undefined || buttons.length === 0) return
    e.preventDefault()
    const next = at < 0 ? 0 : Math.max(0, Math.min(buttons.length - 1, at + step))
    buttons[next]?.focus()
  }

  return (
    <div ref={panel} class={['emoji-panel', cls, up ? 'emoji-panel-up' : undefined].filter(Boolean).join(' ')} data-testid='emoji-picker' role='dialog' aria-label={label}
      onKeyDown={(e) => { if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); onClose() } }}>
      <input ref={search} type='search' class='emoji-search' placeholder='Search emoji' aria-label='Search emoji' data-testid='emoji-search'
        value={query} onInput={(e) => setQuery(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') { e.preventDefault(); grid.current?.querySelector('button')?.focus() }
          if (e.key === 'Enter') { e.preventDefault(); const first = entries[0]; if (first !== undefined) onPick(first.emoji) }
        }} />
      {!searching && (
        <div class='emoji-tabs' role='tablist' aria-label='Emoji categories'>
          {EMOJI_CATEGORIES.map((c) => (
            <button key={c.id} type='button' role='tab' class='emoji-tab' aria-selected={c.id === category} title={c.label} aria-label={c.label}
              data-testid='emoji-category' data-category={c.id} onClick={() => setCategory(c.id)}>{c.icon}</button>
          ))}
        </div>
      )}
      <div ref={grid} class='emoji-grid' role='group' aria-label={searching ? 'Search results' : EMOJI_CATEGORIES.find((c) => c.id === category)?.label}
        onKeyDown={moveFocus}>
        {entries.map((e) => (
          <button key={e.emoji} type='button' class='emoji-option' title={e.name} aria-label={e.name} data-testid='emoji-choice'
            data-emoji={e.emoji} onClick={() => onPick(e.emoji)}>{e.emoji}</button>
        ))}
        {entries.length === 0 && <p class='emoji-none'>No emoji match “{query.trim()}”</p>}
      </div>
    </div>
  )
}
