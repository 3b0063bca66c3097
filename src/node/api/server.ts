/**
 * The local API that `kith` commands use to talk to the daemon of their data directory. It binds
 * to 127.0.0.1 only and requires `Authorization: Bearer <token>`, the token kept in the directory.
 * JSON in and out; `GET /v1/events` is a server-sent event stream of new and changed messages,
 * conversations and typing. The endpoints are listed in docs/ARCHITECTURE.md ("Local API").
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { timingSafeEqual } from 'node:crypto'
import { KithError, NotFoundError, UsageError, ValidationError, describeError } from '../../core/errors.ts'
import { parseInviteLink } from '../../core/identity/invite.ts'
import { formatSafetyNumber } from '../../core/identity/safety-number.ts'
import type { Messenger } from '../../core/messenger/messenger.ts'
import type { Log } from '../../core/messenger/ports.ts'
import type { FileTransfers } from '../file-transfers.ts'

/** A listening API server. */
export interface ApiServer {
  readonly port: number
  close (): Promise<void>
}

/** What the API serves from. */
export interface ApiServerOptions {
  readonly messenger: Messenger
  /** File transfers (`/v1/files`); absent, those endpoints answer 404. */
  readonly files?: FileTransfers
  readonly token: string
  readonly log: Log
  readonly status: () => Record<string, unknown>
  readonly port?: number
}

/** Room for a message of MAX_TEXT_LENGTH characters even if every one is JSON-escaped (6 bytes). */
const MAX_BODY = 128 * 1024

async function readBody (req: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0
  const chunks: Buffer[] = []
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) throw new ValidationError(`request body exceeds ${MAX_BODY} bytes`)
    chunks.push(chunk as Buffer)
  }
  if (size === 0) return {}
  let parsed: unknown
  try { parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) } catch { throw new ValidationError('request body is not JSON') }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ValidationError('request body must be a JSON object')
  return parsed as Record<string, unknown>
}

function field (body: Record<string, unknown>, name: string, optional = false): string {
  const v = body[name]
  if (v === undefined && optional) return ''
  if (typeof v !== 'string' || (v.length === 0 && !optional)) throw new ValidationError(`"${name}" must be a non-empty string`)
  return v
}

function optionalField (body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string' || v.length === 0) throw new ValidationError(`"${name}" must be a non-empty string when given`)
  return v
}

function booleanField (body: Record<string, unknown>, name: string): boolean {
  const v = body[name]
  if (typeof v !== 'boolean') throw new ValidationError(`"${name}" must be true or false`)
  return v
}

function send (res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

function statusOf (err: unknown): number {
  if (err instanceof ValidationError) return 400
  if (err instanceof NotFoundError) return 404
  if (err instanceof UsageError) return 409
  if (err instanceof KithError) return 422
  return 500
}

/** Starts the API on 127.0.0.1. */
export async function startApiServer (options: ApiServerOptions): Promise<ApiServer> {
  const { messenger } = options
  const expected = Buffer.from(`Bearer ${options.token}`)
  const authorized = (req: IncomingMessage): boolean => {
    const got = Buffer.from(req.headers.authorization ?? '')
    return got.length === expected.length && timingSafeEqual(got, expected)
  }

  const requireFiles = (): FileTransfers => {
    if (options.files === undefined) throw new NotFoundError('this node does not transfer files')
    return options.files
  }

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const parts = url.pathname.split('/').filter((p) => p.length > 0).map(decodeURIComponent)
    const method = req.method ?? 'GET'
    const key = `${method} /${parts.slice(0, 2).join('/')}`
    switch (key) {
      case 'GET /v1/status': return send(res, 200, { identity: messenger.identity, ...options.status() })
      case 'GET /v1/invite': return send(res, 200, { link: messenger.inviteLink(), name: messenger.invite().certificate.displayName })
      case 'GET /v1/contacts': {
        const alias = parts[2]
        if (alias !== undefined && parts[3] === 'safety-number') {
          const r = await messenger.safetyNumber(alias)
          return send(res, 200, { contact: r.contact, safetyNumber: r.safetyNumber, formatted: formatSafetyNumber(r.safetyNumber) })
        }
        return send(res, 200, { contacts: await messenger.contacts() })
      }
      case 'POST /v1/contacts': {
        const alias = parts[2]
        if (alias !== undefined && parts[3] === 'verified') {
          const body = await readBody(req)
          return send(res, 200, { contact: await messenger.markVerified(alias, body.verified !== false) })
        }
        const body = await readBody(req)
        const invite = await parseInviteLink(field(body, 'link')).catch((err: unknown) => {
          // The person reads the sentence; the technical reason goes to the log.
          options.log(`invite refused: ${describeError(err)}`)
          throw err
        })
        const name = field(body, 'name', true)
        const r = await messenger.addContact(invite, name === '' ? undefined : name)
        return send(res, 200, {
          contact: r.contact, safetyNumber: r.safetyNumber, formatted: formatSafetyNumber(r.safetyNumber), ...(r.warning !== undefined ? { warning: r.warning } : {})
        })
      }
      case 'GET /v1/profile': return send(res, 200, { profile: messenger.profile() })
      case 'POST /v1/profile': {
        const body = await readBody(req)
        return send(res, 200, { profile: await messenger.setDisplayName(field(body, 'name')) })
      }
      case 'GET /v1/groups': {
        if (parts[2] !== undefined) return send(res, 200, { conversation: await messenger.conversation(parts[2]) })
        return send(res, 200, { conversations: await messenger.conversations() })
      }
      case 'POST /v1/groups': {
        const target = parts[2]
        if (target !== undefined) {
          switch (parts[3]) {
            case 'rekey': return send(res, 200, { conversation: await messenger.rekey(target) })
            case 'read': return send(res, 200, { conversation: await messenger.markRead(target) })
            case 'typing': return send(res, 200, { sent: await messenger.typing(target) })
            case 'leave': return send(res, 200, { conversation: await messenger.leave(target) })
          }
        }
        const body = await readBody(req)
        if (parts[2] !== undefined && parts[3] === 'mute') {
          return send(res, 200, { conversation: await messenger.setMuted(parts[2], body.muted as boolean) })
        }
        if (parts[2] !== undefined && parts[3] === 'archive') {
          return send(res, 200, { conversation: await messenger.setArchived(parts[2], body.archived as boolean) })
        }
        if (parts[2] !== undefined && parts[3] === 'rename') {
          return send(res, 200, { conversation: await messenger.renameGroup(parts[2], field(body, 'name')) })
        }
        if (parts[2] !== undefined && parts[3] === 'members') {
          return send(res, 200, { conversation: await messenger.addMember(parts[2], field(body, 'contact')) })
        }
        return send(res, 200, { conversation: await messenger.createGroup(field(body, 'name')) })
      }
      case 'DELETE /v1/groups': {
        if (parts[2] === undefined || parts[3] !== 'members' || parts[4] === undefined) throw new NotFoundError('use DELETE /v1/groups/GROUP/members/CONTACT')
        return send(res, 200, { conversation: await messenger.removeMember(parts[2], parts[4]) })
      }
      case 'POST /v1/messages': {
        const body = await readBody(req)
        const id = parts[2]
        if (id === undefined) {
          const replyTo = optionalField(body, 'replyTo')
          const clientId = optionalField(body, 'id')
          return send(res, 200, { message: await messenger.send(field(body, 'target'), field(body, 'text'), { ...(replyTo !== undefined ? { replyTo } : {}), ...(clientId !== undefined ? { id: clientId } : {}) }) })
        }
        if (parts[3] === 'edit') return send(res, 200, { message: await messenger.edit(field(body, 'target'), id, field(body, 'text')) })
        if (parts[3] === 'reactions') {
          if (typeof body.emoji !== 'string') throw new ValidationError('"emoji" must be a string ("" removes your reaction)')
          return send(res, 200, { message: await messenger.react(field(body, 'target'), id, body.emoji) })
        }
        throw new NotFoundError('use POST /v1/messages, POST /v1/messages/ID/edit or POST /v1/messages/ID/reactions')
      }
      case 'DELETE /v1/messages': {
        const target = url.searchParams.get('target')
        if (parts[2] === undefined || parts.length > 3) throw new NotFoundError('use DELETE /v1/messages/ID?target=CONVERSATION')
        if (target === null || target === '') throw new ValidationError('"target" query parameter is required')
        return send(res, 200, { message: await messenger.deleteMessage(target, parts[2]) })
      }
      case 'GET /v1/settings': return send(res, 200, { settings: await messenger.settings() })
      case 'POST /v1/settings': {
        const body = await readBody(req)
        return send(res, 200, { settings: await messenger.setReadReceipts(booleanField(body, 'readReceipts')) })
      }
      case 'POST /v1/backup': {
        // The passphrase crosses only this loopback, token-guarded connection, and is never logged.
        const body = await readBody(req)
        const history = body.history === undefined ? false : booleanField(body, 'history')
        const file = await messenger.exportBackup(field(body, 'passphrase'), { history })
        return send(res, 200, { file: Buffer.from(file).toString('base64'), bytes: file.length, history })
      }
      case 'GET /v1/search': {
        const limit = Number(url.searchParams.get('limit') ?? '50')
        return send(res, 200, { results: await messenger.search(url.searchParams.get('q') ?? '', limit) })
      }
      case 'GET /v1/messages': {
        const target = url.searchParams.get('target')
        if (target === null || target === '') throw new ValidationError('"target" query parameter is required')
        const limit = Number(url.searchParams.get('limit') ?? '10000')
        if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new ValidationError('"limit" must be an integer from 1 to 100000')
        return send(res, 200, { messages: await messenger.messages(target, limit) })
      }
      case 'GET /v1/calls': {
        const target = url.searchParams.get('target')
        return send(res, 200, { calls: await messenger.callHistory(target === null || target === '' ? undefined : target), active: await messenger.activeCalls(), drops: await messenger.callDrops() })
      }
      case 'GET /v1/events': {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' })
        res.write(': connected\n\n')
        const unsubscribe = messenger.subscribe((event) => { res.write(`data: ${JSON.stringify(event)}\n\n`) })
        const unsubscribeFiles = options.files?.subscribe((file) => { res.write(`data: ${JSON.stringify({ type: 'file', file })}\n\n`) })
        const keepAlive = setInterval(() => res.write(': ping\n\n'), 15_000)
        req.on('close', () => { clearInterval(keepAlive); unsubscribe(); unsubscribeFiles?.() })
        return
      }
      case 'GET /v1/files': {
        const files = requireFiles()
        if (parts[2] !== undefined) return send(res, 200, { file: await files.view(parts[2]) })
        const target = url.searchParams.get('target')
        if (target === null || target === '') throw new ValidationError('"target" query parameter is required')
        return send(res, 200, { files: await files.list(target) })
      }
      case 'POST /v1/files': {
        const files = requireFiles()
        const body = await readBody(req)
        const id = parts[2]
        if (id === undefined) {
          const paths = body.paths
          if (!Array.isArray(paths) || paths.length === 0 || paths.some((p) => typeof p !== 'string' || p.length === 0)) throw new ValidationError('"paths" must be a non-empty list of file paths')
          const messages = await files.send(field(body, 'target'), paths as string[], optionalField(body, 'caption'))
          return send(res, 200, { messages, files: await Promise.all(messages.map(async (m) => await files.view(m.file!.fileId))) })
        }
        switch (parts[3]) {
          case 'get': return send(res, 200, { file: await files.get(id, optionalField(body, 'out')) })
          case 'pause': return send(res, 200, { file: await files.pause(id) })
          case 'resume': return send(res, 200, { file: await files.resume(id) })
          case 'cancel': return send(res, 200, { file: await files.cancel(id) })
        }
        throw new NotFoundError('use POST /v1/files, or POST /v1/files/ID/get|pause|resume|cancel')
      }
      default:
        throw new NotFoundError(`no such API endpoint: ${method} ${url.pathname}`)
    }
  }

  const server = createServer((req, res) => {
    if (!authorized(req)) {
      send(res, 401, { error: 'missing or wrong API token' })
      return
    }
    route(req, res).catch((err: unknown) => {
      const status = statusOf(err)
      if (status === 500) options.log(`API error: ${(err as Error).stack ?? String(err)}`)
      if (!res.headersSent) send(res, status, { error: err instanceof Error ? err.message : String(err), kind: err instanceof Error ? err.name : 'Error' })
      else res.end()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return {
    port,
    close: async () => await new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()) })
  }
}
