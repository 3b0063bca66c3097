/**
 * Terminal formatting of messages and conversations for the `kith` commands.
 */
import { messageSnippet } from '../../core/messenger/message-snippet.ts'

/** A message as the API returns it. */
export interface MessageJson {
  id: string
  conversation: string
  senderName: string
  own: boolean
  text: string
  sentAt: number
  state: string
  gapBefore: boolean
  replyTo: { id: string, text: string, senderName: string, file?: { name: string, mimeType: string } } | null
  edited: boolean
  deleted: boolean
  reactions: Array<{ emoji: string, identities: string[], names: string[] }>
  /** Set on a timeline notice ("alice added bob"), whose `text` is its sentence. */
  notice?: { type: string }
  /** Set on a file offer, whose `text` is its caption. */
  file?: { fileId: string, name: string, size: number, mimeType: string }
}

/** A call as the API and its events carry it (core/calls/call-view.ts). */
export interface CallJson {
  id: string
  conversation: string
  direction: 'incoming' | 'outgoing'
  caller: { name: string }
  media: { audio: boolean, video: boolean }
  phase: string
  startedAt: number
}

/** A call history entry as `GET /v1/calls` returns it. */
export interface CallHistoryJson {
  id: string
  conversation: string
  conversationName: string
  direction: 'incoming' | 'outgoing'
  outcome: string
  video: boolean
  startedAt: number
  durationMs: number
  text: string
}

/** The line `kith chat` shows while a call to this conversation rings; undefined for other calls. */
export function incomingCallLine (call: CallJson, conversation: string): MessageJson | undefined {
  if (call.conversation !== conversation || call.phase !== 'ringing' || call.direction !== 'incoming') return undefined
  return {
    id: `ring-${call.id}`,
    conversation,
    senderName: call.caller.name,
    own: false,
    text: `Incoming ${call.media.video ? 'video' : 'voice'} call from ${call.caller.name} (answer it in the browser app)`,
    sentAt: call.startedAt,
    state: 'received',
    gapBefore: false,
    replyTo: null,
    edited: false,
    deleted: false,
    reactions: [],
    notice: { type: 'call' }
  }
}

/** One line of `kith calls`: when, where, and how it went. */
export function formatCallLine (c: CallHistoryJson): string {
  const when = new Date(c.startedAt)
  return `${when.toISOString().slice(0, 10)} ${when.toTimeString().slice(0, 5)}  ${c.conversationName}  ${c.text}`
}

/** A conversation as the API returns it. */
export interface ConversationJson {
  id: string
  name: string
  kind: string
  active: boolean
  members: Array<{ name: string }>
  unread: number
}

const TICKS: Record<string, string> = { pending: '…', sending: '·', sent: '✓', stored: '✓⌂', delivered: '✓✓', read: '✓✓', received: '' }
/** Digits of a message id shown; any unique prefix of at least 6 is accepted back. */
const SHORT_ID = 8
const QUOTE_LENGTH = 32

/** The short form of a message id that the commands show and accept. */
export function shortId (id: string): string {
  return id.slice(0, SHORT_ID)
}

function quote (q: NonNullable<MessageJson['replyTo']>): string {
  const said = messageSnippet(q.text, q.file)
  const text = said === '' ? '(deleted)' : `"${said.length > QUOTE_LENGTH ? said.slice(0, QUOTE_LENGTH - 1) + '…' : said}"`
  return `↪ ${q.senderName} ${text.replace(/\s+/g, ' ')} · `
}

/**
 * One line: time, short id, sender, reply quote, text, "(edited)", reactions and, for your own
 * messages, the delivery state. A deleted message shows as "(message deleted)".
 */
export function formatMessageLine (m: MessageJson, fileState?: string): string {
  const time = new Date(m.sentAt).toTimeString().slice(0, 5)
  if (m.notice !== undefined) {
    // A new device is the moment to compare safety numbers again: say how.
    const hint = m.notice.type === 'new-device' ? `  compare safety numbers: kith contact verify ${m.senderName}` : ''
    return formatNoticeLine(time, m.text) + hint
  }
  const who = m.own ? 'you' : m.senderName
  const gap = m.gapBefore ? '(earlier messages missing) ' : ''
  const reply = m.replyTo === null ? '' : quote(m.replyTo)
  const body = m.deleted ? '(message deleted)' : m.file !== undefined ? fileBody(m.file, m.text, fileState) : `${m.text}${m.edited ? ' (edited)' : ''}`
  const reactions = m.reactions.length === 0 ? '' : '  ' + m.reactions.map((r) => `${r.emoji} ${r.identities.length}`).join('  ')
  const tick = TICKS[m.state]
  const state = m.own ? `  [${m.state}${tick !== undefined && tick !== '' ? ' ' + tick : ''}]` : ''
  return `${time} ${shortId(m.id)} ${who}: ${gap}${reply}${body}${reactions}${state}`
}

/** A file offer's line body: short file id (for /get), name, size, this device's transfer state, caption. */
function fileBody (file: NonNullable<MessageJson['file']>, caption: string, state: string | undefined): string {
  return `[file ${file.fileId.slice(0, 8)}] ${file.name} (${formatBytes(file.size)}${state !== undefined ? `, ${state}` : ''})${caption !== '' ? ` ${caption}` : ''}`
}

/** Bytes as a person reads them. */
export function formatBytes (n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`
}

/** A notice ("alice added bob") as a dim line on a terminal, set off by dashes when piped. */
function formatNoticeLine (time: string, text: string): string {
  const line = `${time} -- ${text} --`
  return process.stdout.isTTY === true ? `\x1b[2m${line}\x1b[22m` : line
}

/** This account, as `GET /v1/profile` returns it. */
export interface ProfileJson {
  displayName: string
  identity: string
  peerId: string
  inviteLink: string
}

/** `kith profile`: the display name, then the keys and the invite link that carries the name. */
export function formatProfile (p: ProfileJson): string {
  return [`name      ${p.displayName}`, `identity  ${p.identity}`, `device    ${p.peerId}`, `invite    ${p.inviteLink}`].join('\n')
}

/** One line of `kith groups`: kind, name, members, unread count, and whether you left. */
export function formatConversationLine (c: ConversationJson): string {
  const unread = c.unread > 0 ? `  ${c.unread} unread` : ''
  return `${c.kind === 'direct' ? '1:1  ' : 'group'} ${c.name}  (${c.members.map((m) => m.name).join(', ')})${unread}${c.active ? '' : '  [left]'}`
}

/** Whether a chat line being typed tells the others "is typing": text does, a /command does not. */
export function announcesTyping (line: string): boolean {
  const t = line.trimStart()
  return t.length > 0 && !t.startsWith('/')
}

/** The DHT part of `/v1/status`. */
export interface DirectoryStatusJson {
  readonly routingTable: number
  readonly record?: { readonly seq: number, readonly expiresAt: number, readonly publishedAt: number, readonly storedOn: number }
}

/** `kith status` lines about the DHT: its routing table, and whether this account's record is published. */
export function describeDirectory (d: DirectoryStatusJson): string[] {
  const lines = [`DHT: ${d.routingTable} peer(s) in the routing table`]
  const r = d.record
  lines.push(r === undefined
    ? 'directory record: not published yet (no DHT peer has taken it)'
    : `directory record: seq ${r.seq}, published ${new Date(r.publishedAt).toISOString()} on ${r.storedOn} DHT peer(s), expires ${new Date(r.expiresAt).toISOString()}`)
  return lines
}
