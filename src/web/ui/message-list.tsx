/**
 * The scrolling list of one conversation's messages: day separators, notices, runs by the same sender,
 * "earlier messages missing" hints, sticking to the bottom as messages arrive, and jumping to the
 * message a reply quotes.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks'
import { Component, type JSX } from 'preact'
import type { Conversation, Message } from '../client/types.ts'
import { now } from './clock.ts'
import { formatDay, isSameDay } from './format.ts'
import { IconArrowDown, IconLock } from './icons.tsx'
import { MessageItem, type MessageHandlers, type MessageItemProps } from './message-item.tsx'
import { TimelineNotice } from './timeline-notice.tsx'

/** Messages closer together than this, from one sender, form a run. */
const RUN_GAP_MS = 5 * 60_000
/** Distance from the bottom that still counts as "at the bottom". */
const STICKY_PX = 64
/** The newest rows watched for growing (a card, an image, reactions) while the list is pinned to the bottom. */
const PINNED_ROWS = 4

/** Props of {@link MessageList}. */
export interface MessageListProps {
  readonly conversation: Conversation
  readonly messages: readonly Message[]
  readonly myIdentity: string
  readonly handlers: Omit<MessageHandlers, 'onShowQuoted' | 'onActivate' | 'onTogglePicker'>
  readonly onMissingQuote: () => void
  /** A message to scroll to and highlight once it is loaded (a search result): done tells whether it was found. */
  readonly reveal?: { readonly messageId: string, readonly done: (found: boolean) => void }
}

/**
 * A message row that renders again only when one of its props changed: a new message in a long
 * conversation then costs one row's render, not every row's. Message objects are replaced, never
 * changed in place, so comparing them by identity is enough.
 */
class MessageRow extends Component<MessageItemProps> {
  override shouldComponentUpdate (next: MessageItemProps): boolean {
    const p = this.props
    return p.message !== next.message || p.myIdentity !== next.myIdentity || p.showSender !== next.showSender ||
      p.continued !== next.continued || p.active !== next.active || p.pickerOpen !== next.pickerOpen || p.tabStop !== next.tabStop || p.handlers !== next.handlers
  }

  override render (props: MessageItemProps): JSX.Element {
    return <MessageItem {...props} />
  }
}

/**
 * Scrolls a message into view and briefly highlights it; false when it is not loaded. `focus`
 * moves the keyboard focus to it (a quote was clicked; a search result leaves it in the composer).
 */
function revealMessage (list: HTMLElement, messageId: string, focus = true): boolean {
  const target = list.querySelector<HTMLElement>(`[data-testid="message"][data-id="${CSS.escape(messageId)}"]`)
  if (target === null) return false
  target.scrollIntoView({ block: 'center', behavior: focus ? 'smooth' : 'instant' })
  if (focus) target.focus({ preventScroll: true })
  target.classList.remove('flash')
  void target.offsetWidth // restart the animation
  target.classList.add('flash')
  return true
}

/** ↑ ↓ Home End on a focused message move the focus to the one before, after, first or last. */
function moveBetweenMessages (list: HTMLElement, e: KeyboardEvent): void {
  const row = e.target as HTMLElement
  if (row.dataset.testid !== 'message') return
  const all = [...list.querySelectorAll<HTMLElement>('[data-testid="message"]')]
  const at = all.indexOf(row)
  const next = { ArrowUp: all[at - 1], ArrowDown: all[at + 1], Home: all[0], End: all.at(-1) }[e.key]
  if (next === undefined) return
  e.preventDefault()
  next.focus({ preventScroll: true })
  next.scrollIntoView({ block: 'nearest' })
}

/** The message log of the open conversation. */
export function MessageList ({ conversation, messages, myIdentity, handlers, onMissingQuote, reveal }: MessageListProps): JSX.Element {
  const listRef = useRef<HTMLDivElement>(null)
  const atBottom = useRef(true)
  const lastSeenId = useRef<string | undefined>(undefined)
  const [showJump, setShowJump] = useState(false)
  const [active, setActive] = useState<string | null>(null)
  const [picker, setPicker] = useState<string | null>(null)
  // One Tab stop for the whole log (the message last focused, else the newest), not one per
  // message: Tab goes on to the composer, and ↑ ↓ Home End move between messages.
  const [focused, setFocused] = useState<string | null>(null)
  const group = conversation.kind === 'group'

  const last = messages.at(-1)
  useLayoutEffect(() => {
    const list = listRef.current
    if (list === null) return
    const isNew = last !== undefined && last.id !== lastSeenId.current
    // Stay pinned when the reader was at the bottom, and always follow my own new message.
    if (atBottom.current || (isNew && last.own)) list.scrollTop = list.scrollHeight
    lastSeenId.current = last?.id
  }, [messages])

  // What grows after it is drawn (a card whose download starts, an image that loads, the reply bar
  // or a taller composer shrinking the list) would push the newest message out of sight: stay pinned.
  useLayoutEffect(() => {
    const list = listRef.current
    if (list === null || typeof ResizeObserver === 'undefined') return
    const observer = new ResizeObserver(() => { if (atBottom.current) list.scrollTop = list.scrollHeight })
    observer.observe(list)
    for (const row of [...list.children].slice(-PINNED_ROWS)) observer.observe(row)
    return () => { observer.disconnect() }
  }, [messages])

  const onScroll = (): void => {
    const list = listRef.current
    if (list === null) return
    atBottom.current = list.scrollHeight - list.scrollTop - list.clientHeight < STICKY_PX
    setShowJump(!atBottom.current)
  }

  // A search result: revealed once the conversation's messages are here (they load after it opens).
  useEffect(() => {
    const list = listRef.current
    if (reveal === undefined || list === null || messages.length === 0) return
    if (!messages.some((m) => m.id === reveal.messageId)) {
      reveal.done(false)
      return
    }
    const found = revealMessage(list, reveal.messageId, false)
    // The instant scroll has moved the list (or not, for one of the newest): where it is now decides pinning.
    onScroll()
    reveal.done(found)
  }, [messages, reveal])

  // One handlers object for the list's life, calling whatever this render was given: rows whose
  // message did not change need not render again for new closures.
  const latest = useRef({ handlers, onMissingQuote })
  latest.current = { handlers, onMissingQuote }
  const allHandlers = useMemo((): MessageHandlers => ({
    onReply: (m) => { latest.current.handlers.onReply(m) },
    onEdit: (m) => { latest.current.handlers.onEdit(m) },
    onDelete: (m) => { latest.current.handlers.onDelete(m) },
    onReact: (m, emoji) => { latest.current.handlers.onReact(m, emoji) },
    onShowQuoted: (id) => { if (listRef.current !== null && !revealMessage(listRef.current, id)) latest.current.onMissingQuote() },
    onActivate: setActive,
    onTogglePicker: setPicker
  }), [])

  const tabStop = focused !== null && messages.some((m) => m.id === focused) ? focused : messages.findLast((m) => m.notice === undefined)?.id
  const rows: JSX.Element[] = []
  let previous: Message | undefined
  let previousDay: number | undefined
  for (const m of messages) {
    const newDay = previousDay === undefined || !isSameDay(previousDay, m.sentAt)
    if (newDay) {
      rows.push(<div key={`day-${m.id}`} class='day-separator' role='separator'><span>{formatDay(m.sentAt, now.value)}</span></div>)
    }
    if (m.notice !== undefined) {
      // A notice stands alone: the next message starts a new run, with its sender's name.
      rows.push(<TimelineNotice key={m.id} message={m} myIdentity={myIdentity} />)
      previous = undefined
      previousDay = m.sentAt
      continue
    }
    if (m.gapBefore) {
      rows.push(<p key={`gap-${m.id}`} class='gap-hint' data-testid='gap-hint'>Some earlier messages haven’t arrived yet.</p>)
    }
    const continued = previous !== undefined && !newDay && !m.gapBefore && previous.sender === m.sender &&
      m.sentAt - previous.sentAt < RUN_GAP_MS
    rows.push(
      <MessageRow key={m.id} message={m} myIdentity={myIdentity} showSender={group && !m.own && !continued} continued={continued}
        active={active === m.id} pickerOpen={picker === m.id} tabStop={tabStop === m.id} handlers={allHandlers} />
    )
    previous = m
    previousDay = m.sentAt
  }

  return (
    <div class='message-area'>
      <div ref={listRef} class='messages' role='log' aria-label={`Messages with ${conversation.name}`} onScroll={onScroll}
        onPointerDown={(e) => {
          // A tap outside the message whose actions are showing hides them.
          if ((active !== null || picker !== null) && (e.target as Element).closest('.message.active') === null) { setActive(null); setPicker(null) }
        }}
        onFocusIn={(e) => {
          const row = e.target as HTMLElement
          if (row.dataset.testid === 'message' && row.dataset.id !== undefined) setFocused(row.dataset.id)
        }}
        onKeyDown={(e) => { if (listRef.current !== null) moveBetweenMessages(listRef.current, e) }}>
        <p class='e2ee-note'><IconLock size={14} /> Messages are end-to-end encrypted: only the people in this chat can read them, even while they wait in a mailbox.</p>
        {rows}
      </div>
      {showJump && (
        <button type='button' class='jump-button' aria-label='Jump to latest messages'
          onClick={() => listRef.current?.scrollTo({ top: listRef.current.scrollHeight, behavior: 'smooth' })}>
          <IconArrowDown size={20} />
        </button>
      )}
    </div>
  )
}
