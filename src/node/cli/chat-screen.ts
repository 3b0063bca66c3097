/**
 * What `kith chat` shows on a terminal, as a value: the conversation's messages in order, one entry
 * per message however often its state changes (sending → delivered → read update it in place), a
 * status line for who is typing and for errors, and the frame that fills the screen above the
 * prompt. Pure: the caller draws frames and feeds in events and the clock.
 */
import { formatMessageLine, type MessageJson } from './format.ts'

/** How long a typing notice stays without a new one (the sender repeats it every 3 s while typing). */
export const TYPING_SHOWN_MS = 6_000

/** Text cut to `width` terminal columns (one column per code point; an ellipsis marks a cut). */
function fit (text: string, width: number): string {
  const chars = [...text]
  return chars.length <= width ? text : chars.slice(0, Math.max(0, width - 1)).join('') + '…'
}

/** The screen of one chat. */
export class ChatScreen {
  private readonly order: string[] = []
  private readonly messages = new Map<string, MessageJson>()
  private readonly typing = new Map<string, number>()
  private notice: { text: string, until: number } | undefined

  constructor (readonly title: string, readonly help: string) {}

  /** Adds a message, or replaces the one with its id; returns whether anything shown changed. */
  upsert (m: MessageJson): boolean {
    const before = this.messages.get(m.id)
    this.messages.set(m.id, m)
    if (before === undefined) {
      this.order.push(m.id)
      // Messages arrive in order almost always; an older one is put in its place.
      const previous = this.order[this.order.length - 2]
      if (previous !== undefined && this.messages.get(previous)!.sentAt > m.sentAt) {
        this.order.sort((a, b) => this.messages.get(a)!.sentAt - this.messages.get(b)!.sentAt)
      }
      // A message from someone ends their "is typing".
      if (!m.own) this.typing.delete(m.senderName)
    }
    return before === undefined || formatMessageLine(before) !== formatMessageLine(m)
  }

  /** Sets a message's delivery state; returns whether it changed. */
  setState (id: string, state: string): boolean {
    const m = this.messages.get(id)
    if (m === undefined || m.state === state) return false
    this.messages.set(id, { ...m, state })
    return true
  }

  /** Whether a message with this id is shown. */
  has (id: string): boolean {
    return this.messages.has(id)
  }

  /** Notes that `name` is typing, as of `now`. */
  typingFrom (name: string, now: number): void {
    this.typing.set(name, now + TYPING_SHOWN_MS)
  }

  /** Shows `text` in the status line for a while (an error, say). */
  flash (text: string, now: number, ms = 8_000): void {
    this.notice = { text, until: now + ms }
  }

  /** The status line: a notice, else who is typing, else the commands. */
  status (now: number): string {
    if (this.notice !== undefined && this.notice.until > now) return this.notice.text
    const names = [...this.typing].filter(([, until]) => until > now).map(([name]) => name)
    if (names.length === 1) return `${names[0]!} is typing…`
    if (names.length > 1) return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]!} are typing…`
    return this.help
  }

  /** When the status line next changes by itself (a notice or typing running out), if ever. */
  nextExpiry (now: number): number | undefined {
    const times = [...this.typing.values(), ...(this.notice === undefined ? [] : [this.notice.until])].filter((t) => t > now)
    return times.length === 0 ? undefined : Math.min(...times)
  }

  /** The line of one message, if it is shown. */
  lineOf (id: string): string | undefined {
    const m = this.messages.get(id)
    return m === undefined ? undefined : formatMessageLine(m)
  }

  /** Every message line, oldest first. */
  lines (): string[] {
    return this.order.map((id) => formatMessageLine(this.messages.get(id)!))
  }

  /**
   * The rows above the prompt for a terminal of `rows` × `cols`: the title, the newest messages that
   * fit, then the status line. Each row fits in `cols` columns.
   */
  frame (rows: number, cols: number, now: number): { title: string, body: string[], status: string } {
    const room = Math.max(0, rows - 3)
    const all = this.lines()
    const shown = all.slice(Math.max(0, all.length - room)).map((l) => fit(l, cols))
    return { title: fit(this.title, cols), body: [...Array<string>(room - shown.length).fill(''), ...shown], status: fit(this.status(now), cols) }
  }
}
