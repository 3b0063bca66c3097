/**
 * `kith chat TARGET`: an interactive terminal chat. New messages print above the composer, which
 * keeps what you were typing; a message prints again when it changes (an edit, a delete, a
 * reaction, delivered or read). Slash commands reply, edit, delete and react by short id. The
 * conversation is marked read while the chat is open, and typing is announced.
 */
import { createInterface } from 'node:readline'
import { validateText } from '../../core/conversation/payload.ts'
import type { ApiClient } from '../api/client.ts'
import { announcesTyping, formatMessageLine, type MessageJson } from './format.ts'
import { describeError } from '../../core/errors.ts'

const COMMANDS = '/reply ID TEXT · /edit ID TEXT · /delete ID · /react ID EMOJI (no EMOJI: remove) · /quit'
/** A typing notice for the same person is printed at most this often. */
const TYPING_NOTICE_MS = 10_000
/** Your own typing is sent at most this often (the daemon throttles too). */
const TYPING_SEND_MS = 3_000

/** Runs the chat until the user types /quit or closes stdin. */
export async function runChat (client: ApiClient, target: string): Promise<void> {
  const { conversation } = await client.call<{ conversation: { id: string, name: string, kind: string, members: unknown[] } }>('GET', `/v1/groups/${encodeURIComponent(target)}`)
  const { messages } = await client.call<{ messages: MessageJson[] }>('GET', `/v1/messages?target=${encodeURIComponent(target)}&limit=30`)
  const out = process.stdout
  const tty = process.stdin.isTTY === true
  out.write(`\x1b[1m${conversation.name}\x1b[0m  (${conversation.kind === 'direct' ? '1:1' : `group of ${conversation.members.length}`}; ${COMMANDS})\n`)
  /** The last line printed for each message, so that only real changes are printed again. */
  const printed = new Map<string, string>()
  const known = new Map<string, MessageJson>()
  for (const m of messages) {
    const line = formatMessageLine(m)
    printed.set(m.id, line)
    known.set(m.id, m)
    out.write(line + '\n')
  }
  const rl = createInterface({ input: process.stdin, output: out, prompt: '> ', terminal: tty })
  const printAbove = (line: string): void => {
    if (tty) {
      out.write('\r\x1b[K' + line + '\n')
      rl.prompt(true)
    } else {
      out.write(line + '\n')
    }
  }
  const markRead = (): void => { void client.call('POST', `/v1/groups/${encodeURIComponent(target)}/read`).catch(() => {}) }
  markRead()

  /** The line to print for a message, or undefined if it looks as it was last printed. */
  const render = (m: MessageJson): string | undefined => {
    known.set(m.id, m)
    const line = formatMessageLine(m)
    const before = printed.get(m.id)
    if (before === line) return undefined
    printed.set(m.id, line)
    return before === undefined ? line : `\x1b[2m↻\x1b[0m ${line}`
  }
  const typingNoticed = new Map<string, number>()
  const abort = new AbortController()
  void client.events((event) => {
    if (event.conversation === conversation.id && event.type === 'typing') {
      const name = String(event.name)
      if (Date.now() - (typingNoticed.get(name) ?? 0) < TYPING_NOTICE_MS) return
      typingNoticed.set(name, Date.now())
      printAbove(`\x1b[2m  ${name} is typing…\x1b[0m`)
      return
    }
    if (event.type === 'message-state' && event.state === 'delivered') {
      // Acknowledgements update only the state; 'sent' on the way there is not worth a line.
      const m = known.get(String(event.id))
      const line = m === undefined ? undefined : render({ ...m, state: 'delivered' })
      if (line !== undefined) printAbove(line)
      return
    }
    if (event.type !== 'message') return
    const m = event.message as MessageJson
    if (m.conversation !== conversation.id) return
    // Your own new messages print when the daemon answers the send; their changes print here.
    if (m.own && !printed.has(m.id)) return
    const isNew = !printed.has(m.id)
    const line = render(m)
    if (line !== undefined) printAbove(line)
    if (isNew && !m.own) markRead()
  }, abort.signal).catch(() => {})

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

  rl.prompt()
  for await (const line of rl) {
    const text = line.trim()
    if (text === '/quit' || text === '/exit') break
    if (text.length > 0) {
      try {
        const message = await runLine(client, target, text)
        if (tty) out.write('\x1b[1A\r\x1b[K')
        const rendered = render(message)
        if (rendered !== undefined) out.write(rendered + '\n')
      } catch (err) {
        out.write(`\x1b[31m${describeError(err)}\x1b[0m\n`)
      }
    }
    rl.prompt()
  }
  abort.abort()
  rl.close()
}

/** Sends a line: a message, or a slash command acting on a message by id. */
async function runLine (client: ApiClient, target: string, line: string): Promise<MessageJson> {
  const call = async (method: string, path: string, body?: unknown): Promise<MessageJson> =>
    (await client.call<{ message: MessageJson }>(method, path, body)).message
  if (!line.startsWith('/')) return (await client.sendMessage<{ message: MessageJson }>({ target, text: validateText(line) })).message
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
