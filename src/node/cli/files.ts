/**
 * `kith file send|get|pause|resume|cancel` and `kith files`: file transfers through the daemon,
 * which keeps them going after the command exits. `get` follows the transfer until it is done, with
 * a progress bar on stderr when that is a terminal, or one JSON line per update with `--json`.
 */
import { resolve } from 'node:path'
import { KithError } from '../../core/errors.ts'
import type { ApiClient } from '../api/client.ts'
import type { TransferView } from '../file-transfers.ts'
import { formatBytes, formatMessageLine, type MessageJson } from './format.ts'

/** What the file commands need from `main`. */
export interface FileCommandContext {
  readonly client: ApiClient
  readonly json: boolean
  readonly print: (human: string, data: unknown) => void
  /** How often a followed transfer is polled (default 250 ms). */
  readonly pollMs?: number
}

function formatSeconds (s: number): string {
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`
}

/** One line of `kith files`: id, state, progress, name, size, sender. */
export function formatTransferLine (f: TransferView): string {
  const progress = f.state === 'downloading' || f.state === 'paused' ? ` ${percent(f)}%` : ''
  const from = f.own ? 'you' : f.sender.slice(0, 8)
  const extra = f.error !== undefined && f.state !== 'done' ? `  (${f.error})` : f.path !== undefined ? `  ${f.path}` : ''
  return `${f.fileId}  ${f.state.padEnd(11)}${progress}  ${f.name}  ${formatBytes(f.size)}  from ${from}${extra}`
}

function percent (f: TransferView): number {
  return f.size === 0 ? (f.state === 'done' ? 100 : 0) : Math.floor(f.bytes * 100 / f.size)
}

/** The progress bar: percent, bytes, speed and time left, fitting one terminal line. */
export function formatProgress (f: TransferView, width = 24): string {
  const p = percent(f)
  const filled = Math.round(width * p / 100)
  const speed = f.speed > 0 ? `  ${formatBytes(f.speed)}/s` : ''
  const eta = f.etaSeconds !== undefined ? `  ${formatSeconds(f.etaSeconds)} left` : ''
  return `${f.name}  [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(p).padStart(3)}%  ${formatBytes(f.bytes)} / ${formatBytes(f.size)}${speed}${eta}`
}

/** A file line of `kith messages` and `kith chat`: the message line, with the file and its state. */
export function formatFileMessageLine (m: MessageJson, states: ReadonlyMap<string, TransferView>): string {
  const t = m.file === undefined ? undefined : states.get(m.file.fileId)
  return formatMessageLine(m, t === undefined ? undefined : `${t.state}${t.state === 'downloading' || t.state === 'paused' ? ` ${percent(t)}%` : ''}`)
}

/** The transfers of a conversation, by file id (empty if the daemon has none to show). */
export async function transferStates (client: ApiClient, target: string): Promise<Map<string, TransferView>> {
  const r = await client.call<{ files: TransferView[] }>('GET', `/v1/files?target=${encodeURIComponent(target)}`)
  return new Map(r.files.map((f) => [f.fileId, f]))
}

/** A file of a conversation named by its id or a unique prefix of it (at least 6 hex digits). */
export async function resolveFile (client: ApiClient, target: string, wanted: string): Promise<TransferView> {
  const id = wanted.toLowerCase()
  if (!/^[0-9a-f]{6,32}$/.test(id)) throw new KithError(`a file id is 6 to 32 hex digits, got "${wanted.slice(0, 40)}"`)
  const files = [...(await transferStates(client, target)).values()]
  const matches = files.filter((f) => f.fileId.startsWith(id))
  if (matches.length === 0) throw new KithError(`no file ${id} in ${target}; \`kith files ${target}\` lists them`)
  if (matches.length > 1) throw new KithError(`file id ${id} matches ${matches.length} files; give more digits`)
  return matches[0]!
}

/** Follows a transfer until it is done, paused or failed; returns its last view. */
async function follow (ctx: FileCommandContext, fileId: string): Promise<TransferView> {
  const tty = !ctx.json && process.stderr.isTTY === true
  let last = ''
  for (;;) {
    const { file } = await ctx.client.call<{ file: TransferView }>('GET', `/v1/files/${fileId}`)
    if (ctx.json) {
      const line = JSON.stringify({ type: 'progress', fileId: file.fileId, state: file.state, bytes: file.bytes, size: file.size, speed: file.speed, ...(file.etaSeconds !== undefined ? { etaSeconds: file.etaSeconds } : {}) })
      if (line !== last) process.stdout.write(line + '\n')
      last = line
    } else if (tty) {
      process.stderr.write(`\r\x1b[2K${formatProgress(file)}`)
    }
    if (file.state !== 'downloading') {
      if (tty) process.stderr.write('\n')
      return file
    }
    await new Promise((resolve) => setTimeout(resolve, ctx.pollMs ?? 250))
  }
}

/** Ends a followed transfer: the saved path, or why it stopped. */
function finish (ctx: FileCommandContext, file: TransferView): void {
  if (file.state === 'done') {
    ctx.print(`${file.name}: done, ${formatBytes(file.size)} saved to ${file.path ?? '(unknown)'}`, { file })
    return
  }
  if (ctx.json) process.stdout.write(JSON.stringify({ file }) + '\n')
  throw new KithError(`${file.name}: ${file.state}${file.error !== undefined ? `: ${file.error}` : ''}`)
}

/** `kith files TARGET`. */
export async function listFiles (ctx: FileCommandContext, target: string): Promise<void> {
  const files = [...(await transferStates(ctx.client, target)).values()]
  ctx.print(files.length === 0 ? `no files in ${target} yet` : files.map(formatTransferLine).join('\n'), { files })
}

/** `kith file SUB ...`. */
export async function runFile (ctx: FileCommandContext, sub: string | undefined, args: readonly string[], options: { caption?: string, out?: string }): Promise<void> {
  const target = args[0]
  if (target === undefined || target === '') throw new KithError('missing target (contact alias or group name); see `kith --help`')
  switch (sub) {
    case 'send': {
      const paths = args.slice(1)
      if (paths.length === 0) throw new KithError('missing the file(s) to send: kith file send TARGET PATH...')
      const r = await ctx.client.call<{ messages: MessageJson[], files: TransferView[] }>('POST', '/v1/files', {
        target, paths: paths.map((p) => resolve(p)), ...(options.caption !== undefined ? { caption: options.caption } : {})
      })
      ctx.print(r.files.map((f) => `offered ${f.name} (${formatBytes(f.size)}) as ${f.fileId}`).join('\n'), r)
      return
    }
    case 'get':
    case 'resume': {
      const file = await resolveFile(ctx.client, target, args[1] ?? '')
      const body = sub === 'get' && options.out !== undefined ? { out: resolve(options.out) } : {}
      await ctx.client.call<{ file: TransferView }>('POST', `/v1/files/${file.fileId}/${sub}`, body)
      finish(ctx, await follow(ctx, file.fileId))
      return
    }
    case 'pause':
    case 'cancel': {
      const file = await resolveFile(ctx.client, target, args[1] ?? '')
      const r = await ctx.client.call<{ file: TransferView }>('POST', `/v1/files/${file.fileId}/${sub}`)
      ctx.print(`${r.file.name}: ${sub === 'pause' ? `paused at ${percent(r.file)}%` : 'cancelled; its chunks are deleted'}`, r)
      return
    }
    default:
      throw new KithError('use kith file send|get|pause|resume|cancel TARGET ...; see `kith --help`')
  }
}
