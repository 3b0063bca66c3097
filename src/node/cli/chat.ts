/**
 * `kith chat TARGET`: an interactive terminal chat. On a terminal it takes the screen: the
 * conversation above, a status line (who is typing, errors, the commands) and the composer, which
 * keeps what you were typing. A message changes in place when it is delivered, read, edited,
 * deleted or reacted to. Slash commands reply, edit, delete and react by short id. The conversation
 * is marked read while the chat is open, and your typing is announced (not while you type a
 * /command). Piped, it prints each new message and each change of content as a line.
 */
import { createInterface } from 'node:readline'
import { resolve as resolvePath } from 'node:path'
import { validateText } from '../../core/conversation/payload.ts'
import { describeError } from '../../core/errors.ts'
import type { ApiClient } from '../api/client.ts'
import { ChatScreen } from './chat-screen.ts'
import { announcesTyping, incomingCallLine, type CallJson, type MessageJson } from './format.ts'
import { resolveFile } from './files.ts'
import type { TransferView } from '../file-transfers.ts'

const COMMANDS = '/reply ID TEXT · /edit ID TEXT · /delete ID · /react ID EMOJI (no EMOJI: remove) · /send PATH · /get FILE_ID · /quit'
/** Your own typing is sent at most this often (the daemon throttles too). */
const TYPING_SEND_MS = 3_000
/** Lines of history loaded when the chat opens. */
const HISTORY = 200

/** Runs the chat until the user types /quit or closes stdin. */
export async function runChat (client: ApiClient, target: string): Promise<void> {
  const { conversation } = await client.call<{ conversation: { id: string, name: string, kind: string, members: unknown[] } }>('GET', `/v1/groups/${encodeURIComponent(target)}`)
  const { messages } = await client.call<{ messages: MessageJson[] }>('GET', `/v1/messages?target=${encodeURIComponent(target)}&limit=${HISTORY}`)
  const out = process.stdout
  const tty = process.stdin.isTTY === true && out.isTTY === true
  const title = `${conversation.name}  (${conversation.kind === 'direct' ? '1:1' : `group of ${conversation.members.length}`})`
  const screen = new ChatScreen(title, COMMANDS)
  for (const m of messages) screen.upsert(m)
  const rl = createInterface({ input: process.stdin, output: out, prompt: '> ', terminal: tty })
  const view = tty ? new TerminalView(screen, out, rl) : new LineView(screen, out)
  view.start()
  const markRead = (): void => { void client.call('POST', `/v1/groups/${encodeURIComponent(target)}/read`).catch(() => {}) }
  markRead()

  const abort = new AbortController()
  void client.events((event) => {
    if (event.conversation === conversation.id && event.type === 'typing') {
      screen.typingFrom(String(event.name), Date.now())
      view.changed()
      return
    }
    if (event.type === 'message-state') {
      if (screen.setState(String(event.id), String(event.state))) view.changed(String(event.id), 'state')
      return
    }
    if (event.type === 'file') {
      // A download this chat (or another command) started finished or stopped: say so.
      const f = event.file as TransferView
      if (f.conversation !== conversation.id || f.own || f.state === 'downloading') return
      screen.flash(f.state === 'done' ? `${f.name}: saved to ${f.path ?? '?'}` : `${f.name}: ${f.state}${f.error !== undefined ? ` (${f.error})` : ''}`, Date.now())
      view.changed(undefined, 'error')
      return
    }
    if (event.type === 'call') {
      // Node has no media stack: the call is shown as a line, to be answered in the browser app.
      const line = incomingCallLine(event.call as CallJson, conversation.id)
      if (line !== undefined && screen.upsert(line)) view.changed(line.id, 'new')
      return
    }
    if (event.type !== 'message') return
    const m = event.message as MessageJson
    if (m.conversation !== conversation.id) return
    // Your own new messages show when the daemon answers the send; their changes show here.
    if (m.own && !screen.has(m.id)) return
    const isNew = !screen.has(m.id)
    if (screen.upsert(m)) view.changed(m.id, isNew ? 'new' : 'content')
    if (isNew && !m.own) markRead()
  }, abort.signal).catch((err: unknown) => { screen.flash(`lost the daemon's events: ${describeError(err)}`, Date.now()); view.changed() })

  let typingSent = 0
  if (tty) {
    process.stdin.on('keypress', () => {
      // readline has already added the key to rl.line; a /command is not a message being typed.
      if (!announcesTyping(rl.line)) return
      if (Date.now() - typingSent < TYPING_SEND_MS) return
      typingSent = Date.now()
      void client.call('POST', `/v1/groups/${encodeURIComponent(target)}/typing`).catch(() => {})
    })
  }

  for await (const line of rl) {
    const text = line.trim()
    if (text === '/quit' || text === '/exit') break
    if (text.length > 0) {
      try {
        const message = await runLine(client, target, text)
        if (message === undefined) {
          screen.flash(`downloading ${text.slice(5)}; a line says when it is saved`, Date.now())
          view.changed(undefined, 'error')
          view.prompt()
          continue
        }
        const isNew = !screen.has(message.id)
        if (screen.upsert(message)) view.changed(message.id, isNew ? 'new' : 'content')
      } catch (err) {
        screen.flash(describeError(err), Date.now())
        view.changed(undefined, 'error')
      }
    }
    view.prompt()
  }
  abort.abort()
  rl.close()
  view.stop()
}

/** How a chat is drawn. */
interface ChatView {
  start (): void
  /** Something shown changed: a message (new, new content or new state), the status line, or an error. */
  changed (id?: string, what?: 'new' | 'content' | 'state' | 'error'): void
  prompt (): void
  stop (): void
}

/** The full-screen view on a terminal: redraws the frame above the composer when anything changes. */
class TerminalView implements ChatView {
  private scheduled: ReturnType<typeof setTimeout> | undefined
  private expiry: ReturnType<typeof setTimeout> | undefined
  private readonly onResize = (): void => { this.changed() }

  constructor (private readonly screen: ChatScreen, private readonly out: NodeJS.WriteStream, private readonly rl: ReturnType<typeof createInterface>) {}

  start (): void {
    this.out.write('\x1b[?1049h')
    this.out.on('resize', this.onResize)
    this.draw()
  }

  changed (): void {
    // Changes that come together (a burst of messages, states) are drawn once.
    this.scheduled ??= setTimeout(() => { this.scheduled = undefined; this.draw() }, 16)
  }

  prompt (): void {
    this.draw()
  }

  stop (): void {
    clearTimeout(this.scheduled)
    clearTimeout(this.expiry)
    this.out.off('resize', this.onResize)
    // Leave the screen as it was, with the end of the conversation printed for context.
    this.out.write('\x1b[?1049l')
    const rows = this.out.rows ?? 24
    for (const line of this.screen.lines().slice(-Math.max(1, rows - 2))) this.out.write(line + '\n')
  }

  private draw (): void {
    const now = Date.now()
    const rows = this.out.rows ?? 24
    const cols = this.out.columns ?? 80
    const frame = this.screen.frame(rows, cols, now)
    let text = `\x1b[H\x1b[1m${frame.title}\x1b[0m\x1b[K\r\n`
    for (const line of frame.body) text += `${line}\x1b[K\r\n`
    text += `\x1b[2m${frame.status}\x1b[0m\x1b[K\r\n\x1b[K`
    this.out.write(text)
    this.rl.prompt(true)
    clearTimeout(this.expiry)
    const next = this.screen.nextExpiry(now)
    if (next !== undefined) this.expiry = setTimeout(() => { this.draw() }, next - now + 5)
  }
}

/** Piped output: a line per new message, and one per change of content (not of delivery state). */
class LineView implements ChatView {
  constructor (private readonly screen: ChatScreen, private readonly out: NodeJS.WriteStream) {}

  start (): void {
    this.out.write(`${this.screen.title}  (${this.screen.help})\n`)
    for (const line of this.screen.lines()) this.out.write(line + '\n')
  }

  changed (id?: string, what?: 'new' | 'content' | 'state' | 'error'): void {
    if (what === 'error') {
      this.out.write(this.screen.status(Date.now()) + '\n')
      return
    }
    if (id === undefined || what === 'state') return
    const line = this.screen.lineOf(id)
    if (line !== undefined) this.out.write(what === 'new' ? line + '\n' : `↻ ${line}\n`)
  }

  prompt (): void {}
  stop (): void {}
}

/** Sends a line: a message, a file, or a slash command acting on a message or a file by id; undefined for a download started. */
async function runLine (client: ApiClient, target: string, line: string): Promise<MessageJson | undefined> {
  const call = async (method: string, path: string, body?: unknown): Promise<MessageJson> =>
    (await client.call<{ message: MessageJson }>(method, path, body)).message
  if (!line.startsWith('/')) return (await client.sendMessage<{ message: MessageJson }>({ target, text: validateText(line) })).message
  if (line.startsWith('/send ')) {
    const r = await client.call<{ messages: MessageJson[] }>('POST', '/v1/files', { target, paths: [resolvePath(line.slice(6).trim())] })
    return r.messages[0]
  }
  if (line.startsWith('/get ')) {
    const file = await resolveFile(client, target, line.slice(5).trim())
    await client.call('POST', `/v1/files/${file.fileId}/get`, {})
    return undefined
  }
  const [command = '', id = '', ...rest] = line.slice(1).split(/\s+/)
  const text = rest.join(' ')
  const path = `/v1/messages/${encodeURIComponent(id)}`
  if (id === '') throw new Error(`usage: ${COMMANDS}`)
  switch (command) {
    case 'reply': return (await client.sendMessage<{ message: MessageJson }>({ target, text: validateText(text), replyTo: id })).message
    case 'edit': return await call('POST', `${path}/edit`, { target, text: validateText(text) })
    case 'delete': return await call('DELETE', `${path}?target=${encodeURIComponent(target)}`)
    case 'react': return await call('POST', `${path}/reactions`, { target, emoji: text })
    default: throw new Error(`unknown command /${command}; ${COMMANDS}`)
  }
}

