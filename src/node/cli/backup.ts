/**
 * `kith backup export FILE [--history]` and `kith backup import FILE`. The export goes through the
 * running daemon's local API (it holds the store); the import works on a data directory with no
 * account and no running node. The passphrase comes from the terminal without echo (asked twice
 * for an export), or from `--passphrase-file PATH` for scripts.
 */
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs'
import { checkNewPassphrase } from '../../core/backup/backup-file.ts'
import { KithError, UsageError } from '../../core/errors.ts'
import { ApiClient } from '../api/client.ts'
import { importBackupIntoDataDir } from '../kith-node.ts'
import type { DataPaths } from '../paths.ts'

/** How `kith backup` was called. */
export interface BackupCommandOptions {
  readonly paths: DataPaths
  readonly args: readonly string[]
  readonly history: boolean
  readonly passphraseFile: string | undefined
  readonly print: (human: string, data: unknown) => void
}

/** Largest backup file read. */
const MAX_FILE_BYTES = 512 * 1024 * 1024

/** Reads one line from the terminal without echoing it. */
async function askHidden (prompt: string): Promise<string> {
  const input = process.stdin
  if (!input.isTTY) throw new UsageError('no terminal to ask the passphrase on; pass --passphrase-file PATH')
  process.stderr.write(prompt)
  input.setRawMode(true)
  input.resume()
  let text = ''
  try {
    return await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        for (const ch of chunk.toString('utf8')) {
          if (ch === '\r' || ch === '\n') { input.off('data', onData); resolve(text); return }
          if (ch === '\u0003') { input.off('data', onData); reject(new KithError('cancelled')); return }
          if (ch === '\u007f' || ch === '\b') text = [...text].slice(0, -1).join('')
          else if (ch >= ' ') text += ch
        }
      }
      input.on('data', onData)
    })
  } finally {
    input.setRawMode(false)
    input.pause()
    process.stderr.write('\n')
  }
}

async function passphrase (options: BackupCommandOptions, confirm: boolean): Promise<string> {
  if (options.passphraseFile !== undefined) {
    let text: string
    try { text = readFileSync(options.passphraseFile, 'utf8') } catch { throw new UsageError(`cannot read the passphrase file ${options.passphraseFile}`) }
    return text.replace(/\r?\n$/, '')
  }
  const first = await askHidden('Backup passphrase: ')
  if (!confirm) return first
  checkNewPassphrase(first)
  if (await askHidden('Repeat it: ') !== first) throw new UsageError('the two passphrases differ; nothing was written')
  return first
}

/** Runs `kith backup export|import`. */
export async function runBackup (sub: string | undefined, options: BackupCommandOptions): Promise<void> {
  const file = options.args[0]
  if (file === undefined || file.length === 0) throw new UsageError('missing FILE; see `kith --help`')
  if (sub === 'export') {
    if (existsSync(file)) throw new UsageError(`${file} already exists; choose a new file name`)
    const client = ApiClient.forDataDir(options.paths)
    const secret = await passphrase(options, true)
    checkNewPassphrase(secret)
    const r = await client.call<{ file: string, bytes: number, history: boolean }>('POST', '/v1/backup', { passphrase: secret, history: options.history })
    const fd = openSync(file, 'wx', 0o600)
    try { writeSync(fd, Buffer.from(r.file, 'base64')) } finally { closeSync(fd) }
    options.print(`wrote ${file} (${r.bytes} bytes${r.history ? ', with message history' : ''}); keep it and its passphrase apart`, { file, bytes: r.bytes, history: r.history })
    return
  }
  if (sub === 'import') {
    let bytes: Buffer
    try { bytes = readFileSync(file) } catch { throw new UsageError(`cannot read ${file}`) }
    if (bytes.length > MAX_FILE_BYTES) throw new UsageError(`${file} is too large to be a Kith backup`)
    const secret = await passphrase(options, false)
    if (options.passphraseFile === undefined) process.stderr.write('Deriving the key (a few seconds)…\n')
    const r = await importBackupIntoDataDir(options.paths, new Uint8Array(bytes), secret)
    options.print(
      `restored "${r.account.certificate.displayName}" into ${options.paths.dir} as a new device; ` +
      `${r.rejoining} conversation(s) will rejoin once a member is online (start it with \`kith serve --data ${options.paths.dir}\`)`,
      { dir: options.paths.dir, identity: r.account.identityHex, peerId: r.account.peerId, rejoining: r.rejoining })
    return
  }
  throw new UsageError('use `kith backup export FILE [--history]` or `kith backup import FILE`')
}
