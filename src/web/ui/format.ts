/**
 * Pure formatting for the UI: times, initials, avatar hues, previews and status lines. No DOM, so
 * every string a user reads is decided here and can be unit-tested.
 */
import { messageSnippet } from '../../core/messenger/message-snippet.ts'
import { formatCallDuration } from '../../core/calls/call-record.ts'
import type { LastMessageView } from '../../core/messenger/events.ts'
import type { ConnectionStatus, Conversation, LinkKind } from '../client/types.ts'

const MINUTE = 60_000
const DAY = 86_400_000

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' })
const weekdayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long' })
const shortWeekdayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short' })
const dateFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' })
const fullDateFormat = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' })
const longDateFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' })

/** Midnight (local time) of the day holding `ts`. */
function startOfDay (ts: number): number {
  const d = new Date(ts)
  d.setHours(0, 0, 0, 0)
  return d.getTime()
}

/** Whole calendar days between two instants, in local time. */
function daysBetween (earlier: number, later: number): number {
  return Math.round((startOfDay(later) - startOfDay(earlier)) / DAY)
}

/** Clock time of a message, e.g. "14:05" or "2:05 PM" depending on locale. */
export function formatTime (ts: number): string {
  return timeFormat.format(ts)
}

/** Full date and time, for tooltips. */
export function formatFullTime (ts: number): string {
  return `${longDateFormat.format(ts)}, ${timeFormat.format(ts)}`
}

/** Label of a day separator in the message list: "Today", "Yesterday", a weekday or a date. */
export function formatDay (ts: number, now: number): string {
  const days = daysBetween(ts, now)
  if (days <= 0) return 'Today'
  if (days === 1) return 'Yesterday'
  if (days < 7) return weekdayFormat.format(ts)
  return new Date(ts).getFullYear() === new Date(now).getFullYear() ? dateFormat.format(ts) : fullDateFormat.format(ts)
}

/** Compact time for the conversation list: "now", "5m", a clock time, "Yesterday", "Tue", "Mar 4". */
export function formatRelative (ts: number, now: number): string {
  const age = now - ts
  if (age < MINUTE) return 'now'
  if (age < 60 * MINUTE) return `${Math.floor(age / MINUTE)}m`
  const days = daysBetween(ts, now)
  if (days <= 0) return formatTime(ts)
  if (days === 1) return 'Yesterday'
  if (days < 7) return shortWeekdayFormat.format(ts)
  return new Date(ts).getFullYear() === new Date(now).getFullYear() ? dateFormat.format(ts) : fullDateFormat.format(ts)
}

/** True when two instants fall on the same local calendar day. */
export function isSameDay (a: number, b: number): boolean {
  return startOfDay(a) === startOfDay(b)
}

/** One or two letters standing for a name ("Ada Lovelace" → "AL"); emoji-safe. */
export function initials (name: string): string {
  const words = name.trim().split(/\s+/).filter((w) => w.length > 0)
  const letters = words.slice(0, 2).map((w) => Array.from(w)[0] ?? '')
  return letters.join('').toUpperCase() || '?'
}

/** Hues that read well as soft avatar backgrounds in both colour schemes. */
const AVATAR_HUES = [212, 248, 276, 318, 348, 14, 32, 152, 172, 192] as const

/** A stable hue for an identity (FNV-1a over its text), so a person keeps their colour everywhere. */
export function avatarHue (seed: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < seed.length; i++) {
    hash ^= seed.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return AVATAR_HUES[(hash >>> 0) % AVATAR_HUES.length] ?? AVATAR_HUES[0]
}

/**
 * What a conversation's newest entry says, without who sent it: its text; for a file "🖼 Photo",
 * "🎬 Video" (or their caption), "📎 report.pdf" (with its caption after a dot); for a call
 * "📞 Missed call" and the like.
 */
export function formatLastMessage (last: LastMessageView): string {
  if (last.call !== undefined) {
    const { call } = last
    const icon = call.video ? '📹' : '📞'
    const what = call.video ? 'Video call' : 'Voice call'
    switch (call.outcome) {
      case 'answered': return `${icon} ${what} · ${formatCallDuration(call.durationMs)}`
      case 'declined': return `${icon} Declined call`
      case 'missed': return call.direction === 'incoming' ? `${icon} Missed call` : `${icon} No answer`
    }
  }
  return messageSnippet(last.text, last.file)
}

/** The line under a conversation's name in the list. */
export function formatPreview (conversation: Conversation): string {
  const last = conversation.lastMessage
  if (last === null) return conversation.kind === 'group' ? 'New group' : 'Say hello 👋'
  const text = formatLastMessage(last)
  // A call's line says which way it went; who called is the conversation's business.
  if (last.call !== undefined) return text
  if (last.own) return `You: ${text}`
  return conversation.kind === 'group' ? `${last.senderName}: ${text}` : text
}

/** "Bob is typing…", "Bob and Carol are typing…", "4 people are typing…". */
export function formatTyping (names: readonly string[]): string | null {
  const [first, second] = names
  if (first === undefined) return null
  if (second === undefined) return `${first} is typing…`
  if (names.length === 2) return `${first} and ${second} are typing…`
  return `${names.length} people are typing…`
}

/** Human text for the connection indicator. */
export function formatConnection (status: ConnectionStatus): string {
  switch (status.kind) {
    case 'connecting': return 'Connecting…'
    case 'offline': return `Offline — ${status.reason}`
    case 'online':
      if (status.direct > 0) return `Direct to ${status.direct} ${status.direct === 1 ? 'peer' : 'peers'}`
      return status.relay === null ? 'Online' : `Online via relay ${status.relay}`
  }
}

/** Words for how a contact is linked right now. */
export function formatLink (link: LinkKind): string {
  switch (link) {
    case 'direct': return 'Direct'
    case 'relayed': return 'Relayed'
    case 'none': return 'Offline'
  }
}

/**
 * Unread messages in every conversation but `openId` that the list counts: muted and archived
 * ones keep quiet (a phone's Back shows the sum).
 */
export function unreadElsewhere (conversations: readonly Conversation[], openId: string): number {
  return conversations.reduce((n, c) => c.id === openId || c.muted || c.archived ? n : n + c.unread, 0)
}

/** "1 member", "3 members". */
export function formatMemberCount (count: number): string {
  return `${count} ${count === 1 ? 'member' : 'members'}`
}

/** The message of any thrown value, for showing to the user. */
export function errorText (err: unknown): string {
  if (err instanceof Error && err.message.length > 0) return err.message
  return typeof err === 'string' && err.length > 0 ? err : 'Something went wrong'
}

/** Characters left before the composer shows how many remain. */
const COUNTER_FROM_LEFT = 1_384
const countFormat = new Intl.NumberFormat()

/** "1,384 left" once a message nears `max` characters, "384 over" past it; null while far from it. */
export function formatLengthLeft (length: number, max: number): { readonly text: string, readonly over: boolean } | null {
  const left = max - length
  if (left > COUNTER_FROM_LEFT) return null
  return left < 0 ? { text: `${countFormat.format(-left)} over`, over: true } : { text: `${countFormat.format(left)} left`, over: false }
}

/** The banner of a conversation restored from a backup: "Rejoining — waiting for Bob to come online". */
export function formatRejoining (names: readonly string[]): string {
  const who = names.length === 0
    ? 'someone in it'
    : names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} or ${names.at(-1)!}`
  return `Rejoining — waiting for ${who} to come online`
}
