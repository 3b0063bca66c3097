/**
 * One message: its bubble (sender, reply quote, text, time, edited mark, delivery state), its
 * reaction chips, and the actions shown on hover, focus or long-press.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import type { JSX } from 'preact'
import type { Message } from '../client/types.ts'
import { messageSnippet } from '../../core/messenger/message-snippet.ts'
import { DeliveryState } from './delivery-state.tsx'
import { avatarHue, formatFullTime, formatTime } from './format.ts'
import { LazyEmojiPicker as EmojiPicker } from './lazy-emoji-picker.tsx'
import { IconClose, IconEdit, IconPlus, IconReply, IconSmile, IconTrash } from './icons.tsx'
import { LazyFileCard } from './lazy-files.tsx'
import { InTabOrder } from './tab-stop.ts'

/** The quick reactions offered by the picker. */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏', '🎉', '🔥'] as const

const LONG_PRESS_MS = 450

/** What a message can ask its list to do. */
export interface MessageHandlers {
  readonly onReply: (message: Message) => void
  readonly onEdit: (message: Message) => void
  readonly onDelete: (message: Message) => void
  readonly onReact: (message: Message, emoji: string) => void
  readonly onShowQuoted: (messageId: string) => void
  readonly onActivate: (messageId: string | null) => void
  readonly onTogglePicker: (messageId: string | null) => void
}

/** Props of {@link MessageItem}. */
export interface MessageItemProps {
  readonly message: Message
  readonly myIdentity: string
  /** Show the sender's name (first message of a run in a group). */
  readonly showSender: boolean
  /** Continues a run of messages from the same sender. */
  readonly continued: boolean
  readonly active: boolean
  readonly pickerOpen: boolean
  /** The list's one Tab stop (message-list.tsx): the others are reached with the arrow keys. */
  readonly tabStop: boolean
  readonly handlers: MessageHandlers
}

function Reactions ({ message, myIdentity, onReact, tabIndex }: { message: Message, myIdentity: string, onReact: (emoji: string) => void, tabIndex: number | undefined }): JSX.Element {
  return (
    <div class='reactions'>
      {message.reactions.map((r) => {
        const mine = r.identities.includes(myIdentity)
        const count = r.identities.length
        return (
          <button key={r.emoji} type='button' tabIndex={tabIndex} class={mine ? 'reaction mine' : 'reaction'} title={r.names.join(', ')} aria-pressed={mine}
            aria-label={`${r.emoji} ${count}: ${r.names.join(', ')}`} data-testid='reaction' onClick={() => onReact(r.emoji)}>
            <span class='reaction-emoji'>{r.emoji}</span>{count > 1 && <span class='reaction-count'>{count}</span>}
          </button>
        )
      })}
    </div>
  )
}

/** The quick reactions, and "+" for any emoji from the full picker. */
function ReactionMenu ({ onPick, onClose }: { onPick: (emoji: string) => void, onClose: () => void }): JSX.Element {
  const menu = useRef<HTMLDivElement>(null)
  const [more, setMore] = useState(false)
  useEffect(() => { if (!more) menu.current?.querySelector('button')?.focus() }, [more])
  if (more) return <EmojiPicker label='React with any emoji' class='reaction-picker' onPick={onPick} onClose={onClose} />
  return (
    <div ref={menu} class='emoji-picker' role='group' aria-label='Pick a reaction'
      onKeyDown={(e) => { if (e.key === 'Escape') { e.stopPropagation(); onClose() } }}>
      {QUICK_REACTIONS.map((emoji) => (
        <button key={emoji} type='button' class='emoji-option' data-testid='emoji-option' onClick={() => onPick(emoji)}>{emoji}</button>
      ))}
      <button type='button' class='emoji-option emoji-more' data-testid='reaction-more' aria-label='More reactions' title='More reactions'
        onClick={() => setMore(true)}><IconPlus size={18} /></button>
    </div>
  )
}

/** A message row; focusable so its actions are reachable from the keyboard. */
export function MessageItem ({ message: m, myIdentity, showSender, continued, active, pickerOpen, tabStop, handlers }: MessageItemProps): JSX.Element {
  const row = useRef<HTMLDivElement>(null)
  const pressTimer = useRef<ReturnType<typeof setTimeout> | null>(null)
  const lastPointer = useRef('mouse')
  const cancelPress = (): void => {
    if (pressTimer.current !== null) clearTimeout(pressTimer.current)
    pressTimer.current = null
  }
  const classes = ['message', m.own ? 'own' : 'theirs']
  if (continued) classes.push('continued')
  if (active || pickerOpen) classes.push('active')
  const canAct = !m.deleted
  // A message's own buttons (its quote, reactions and actions, even shown by a hovering mouse) are
  // in the Tab order only while it is the list's stop.
  const inner = tabStop ? undefined : -1

  return (
    <div ref={row} class={classes.join(' ')} data-testid='message' data-state={m.state} data-id={m.id} tabIndex={tabStop ? 0 : -1}
      onPointerDown={(e) => {
        lastPointer.current = e.pointerType
        if (e.pointerType !== 'touch' || !canAct) return
        cancelPress()
        pressTimer.current = setTimeout(() => handlers.onActivate(m.id), LONG_PRESS_MS)
      }}
      onPointerUp={cancelPress} onPointerCancel={cancelPress} onPointerLeave={cancelPress}
      onContextMenu={(e) => { if (lastPointer.current === 'touch') e.preventDefault() }}
      onKeyDown={(e) => { if (e.key === 'Escape' && (active || pickerOpen)) { handlers.onTogglePicker(null); handlers.onActivate(null) } }}>
      <div class='bubble'>
        {showSender && <p class='sender' style={`--hue:${avatarHue(m.sender)}`}>{m.senderName}</p>}
        {m.replyTo !== null && !m.deleted && (
          <button type='button' tabIndex={inner} class='quote' data-testid='reply-quote' onClick={() => { if (m.replyTo !== null) handlers.onShowQuoted(m.replyTo.id) }}>
            <span class='quote-name'>{m.replyTo.senderName}</span>
            {m.replyTo.text === '' && m.replyTo.file === undefined
              ? <span class='quote-text deleted'>This message was deleted</span>
              : <span class='quote-text'>{messageSnippet(m.replyTo.text, m.replyTo.file)}</span>}
          </button>
        )}
        {m.deleted
          ? <p class='text deleted'>This message was deleted</p>
          : m.file !== undefined
            ? <><InTabOrder.Provider value={tabStop}><LazyFileCard message={m} /></InTabOrder.Provider>{m.text !== '' && <p class='text' dir='auto'>{m.text}</p>}</>
            : <p class='text' dir='auto'>{m.text}</p>}
        <span class='meta'>
          {m.edited && !m.deleted && <span class='edited'>(edited)</span>}
          <time dateTime={new Date(m.sentAt).toISOString()} title={formatFullTime(m.sentAt)}>{formatTime(m.sentAt)}</time>
          {m.own && <DeliveryState state={m.state} />}
        </span>
      </div>
      {m.reactions.length > 0 && <Reactions message={m} myIdentity={myIdentity} tabIndex={inner} onReact={(emoji) => handlers.onReact(m, emoji)} />}
      {canAct && (
        <div class='message-actions' role='toolbar' aria-label='Message actions'>
          {/* On a touch screen the actions cover the header (conversation.css): this closes them. */}
          <button type='button' tabIndex={inner} class='action action-close' aria-label='Close' title='Close' data-testid='action-close'
            onClick={() => { handlers.onTogglePicker(null); handlers.onActivate(null) }}><IconClose size={20} /></button>
          <button type='button' tabIndex={inner} class='action' aria-label='React' title='React' aria-expanded={pickerOpen} data-testid='action-react'
            onClick={() => handlers.onTogglePicker(pickerOpen ? null : m.id)}><IconSmile size={18} /></button>
          <button type='button' tabIndex={inner} class='action' aria-label='Reply' title='Reply' data-testid='action-reply'
            onClick={() => handlers.onReply(m)}><IconReply size={18} /></button>
          {m.own && (
            <>
              {/* A file's caption can be edited; a file sent without one has nothing to edit. */}
              {(m.file === undefined || m.text !== '') && (
                <button type='button' tabIndex={inner} class='action' aria-label='Edit' title='Edit' data-testid='action-edit'
                  onClick={() => handlers.onEdit(m)}><IconEdit size={18} /></button>
              )}
              <button type='button' tabIndex={inner} class='action' aria-label='Delete for everyone' title='Delete for everyone' data-testid='action-delete'
                onClick={() => handlers.onDelete(m)}><IconTrash size={18} /></button>
            </>
          )}
        </div>
      )}
      {pickerOpen && <ReactionMenu onPick={(emoji) => { handlers.onTogglePicker(null); handlers.onReact(m, emoji) }} onClose={() => { handlers.onTogglePicker(null); row.current?.focus() }} />}
    </div>
  )
}
