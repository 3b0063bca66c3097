/**
 * Files from the command line, with two `kith serve` processes: `kith file send`, `kith files`, a
 * file line in `kith messages`, `kith file get` with JSON progress, and a transfer that survives
 * `kill -9` of the receiver and then of the sender, arriving byte for byte.
 */
import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { describe, expect, it } from 'vitest'
import { kith, kithFails, kithJson, root, until, useDaemons } from './cli-harness.ts'
import { KITH_CLI } from '../kith-cli.ts'

const { dir, serve, daemons } = useDaemons('files')
const MiB = 1024 * 1024
const ARGS = KITH_CLI

interface File { fileId: string, name: string, size: number, state: string, bytes: number, own: boolean, path?: string }

async function sha256 (path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Starts `kith --json file get …` and calls `onProgress` with each JSON line until it exits. */
function follow (data: string, args: string[], onProgress: (line: { state?: string, bytes?: number, file?: File }) => void): { exited: Promise<number | null>, kill: () => void } {
  const child = spawn(process.execPath, [...ARGS, '--data', data, '--json', 'file', 'get', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  createInterface({ input: child.stdout }).on('line', (line) => { onProgress(JSON.parse(line) as { state?: string, bytes?: number }) })
  return { exited: new Promise((resolve) => child.once('exit', resolve)), kill: () => { child.kill('SIGKILL') } }
}

/** Calls the local API of a data directory's daemon straight from this process. */
async function api<T> (data: string, method: string, path: string): Promise<T> {
  const { api: base } = JSON.parse(readFileSync(join(data, 'daemon.json'), 'utf8')) as { api: string }
  const token = readFileSync(join(data, 'api-token'), 'utf8').trim()
  const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}` } })
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
  return await res.json() as T
}

/** `kith chat TARGET` with piped input and output: type lines, wait for output lines. */
function chat (data: string, target: string): { type: (line: string) => void, waitFor: (pattern: RegExp) => Promise<string>, exited: Promise<number | null> } {
  const child = spawn(process.execPath, [...ARGS, '--data', data, 'chat', target], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] })
  const lines: string[] = []
  const waiters = new Set<() => void>()
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line)
    for (const w of waiters) w()
  })
  return {
    type: (line) => { child.stdin.write(line + '\n') },
    waitFor: async (pattern) => await new Promise<string>((resolve, reject) => {
      const check = (): void => {
        const found = lines.find((l) => pattern.test(l))
        if (found === undefined) return
        waiters.delete(check)
        clearTimeout(timer)
        resolve(found)
      }
      const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`the chat never printed ${pattern}; it printed:\n${lines.join('\n')}`)) }, 60_000)
      waiters.add(check)
      check()
    }),
    exited: new Promise((resolve) => child.once('exit', resolve))
  }
}

async function killDaemon (index: number): Promise<void> {
  const d = daemons[index]!
  d.kill('SIGKILL')
  await new Promise((r) => d.once('exit', r))
}

describe('kith file', () => {
  const alice = dir('alice')
  const bob = dir('bob')
  const work = dir('work')

  it('sends a file with a caption; the other side lists it, sees it in history, and gets it byte-identical', async () => {
    await serve(alice, 'Alice')
    await serve(bob, 'Bob')
    await kith(alice, 'contact', 'add', await kith(bob, 'invite'), '--name', 'bob')
    await kith(alice, 'send', 'bob', 'hello')
    await until(async () => (await kith(bob, 'messages', 'alice')).includes('hello') ? true : undefined, 'the 1:1 at bob')

    const original = join(work, 'notes.txt')
    writeFileSync(original, randomBytes(3 * MiB + 7))
    const sent = await kith(alice, 'file', 'send', 'bob', original, '--caption', 'read this')
    const fileId = sent.match(/offered notes\.txt \(3\.0 MiB\) as ([0-9a-f]{32})/)![1]!

    const listed = await until(async () => {
      const { files } = await kithJson<{ files: File[] }>(bob, 'files', 'alice')
      return files.length > 0 ? files : undefined
    }, 'the offer at bob')
    expect(listed).toMatchObject([{ fileId, name: 'notes.txt', size: 3 * MiB + 7, state: 'offered', own: false }])
    expect(await kith(bob, 'files', 'alice')).toMatch(new RegExp(`^${fileId}  offered +notes\\.txt  3\\.0 MiB  from [0-9a-f]{8}$`))
    expect(await kith(bob, 'messages', 'alice')).toMatch(new RegExp(`alice: \\[file ${fileId.slice(0, 8)}\\] notes\\.txt \\(3\\.0 MiB, offered\\) read this`))
    expect(await kith(alice, 'messages', 'bob')).toMatch(/you: \[file [0-9a-f]{8}\] notes\.txt \(3\.0 MiB, done\) read this/)

    const out = join(work, 'copy.txt')
    const lines: Array<{ state?: string }> = []
    const done = await kith(bob, '--json', 'file', 'get', 'alice', fileId.slice(0, 8), '--out', out)
    for (const l of done.split('\n')) lines.push(JSON.parse(l) as { state?: string })
    expect(lines.some((l) => 'file' in l && (l as { file: File }).file.state === 'done')).toBe(true)
    expect(await sha256(out)).toBe(await sha256(original))
    expect(await kith(bob, 'files', 'alice')).toMatch(/ done +notes\.txt/)

    expect(await kithFails(bob, 'file', 'get', 'alice', 'zz')).toMatch(/a file id is 6 to 32 hex digits/)
    expect(await kithFails(bob, 'file', 'get', 'alice', 'abcdef0')).toMatch(/no file abcdef0 in alice/)
    expect(await kithFails(alice, 'file', 'send', 'bob', join(work, 'missing.bin'))).toMatch(/missing\.bin is not a readable file/)
  }, 120_000)

  it('resumes after kill -9 of the receiver and again after kill -9 of the sender', async () => {
    const original = join(work, 'big.bin')
    const size = 160 * MiB
    writeFileSync(original, randomBytes(size))
    const sent = await kith(alice, 'file', 'send', 'bob', original)
    const fileId = sent.match(/as ([0-9a-f]{32})/)![1]!
    await until(async () => (await kithJson<{ files: File[] }>(bob, 'files', 'alice')).files.some((f) => f.fileId === fileId) || undefined, 'the offer at bob')
    const out = join(work, 'big-copy.bin')

    // The receiver dies part way.
    let bytes = 0
    const first = follow(bob, ['alice', fileId, '--out', out], (l) => { bytes = Math.max(bytes, l.bytes ?? 0) })
    await until(async () => bytes > 0 ? true : undefined, 'the first chunks at bob', 60_000)
    await killDaemon(1)
    first.kill()
    await first.exited
    // The sender is frozen while the receiver restarts, so that the next chunks are watched for
    // from this process, without a command's start-up time, and the sender stopped again at once.
    const sender = daemons[0]!
    sender.kill('SIGSTOP')
    await serve(bob, 'Bob')
    const held = async (): Promise<File> => (await api<{ file: File }>(bob, 'GET', `/v1/files/${fileId}`)).file
    const afterKill = await held()
    expect(afterKill.bytes).toBeGreaterThan(0)
    expect(afterKill.bytes).toBeLessThan(size)
    expect(afterKill.state).toBe('downloading')

    // The download goes on by itself after the restart; the sender dies part way through it.
    sender.kill('SIGCONT')
    let midway = afterKill
    while (midway.bytes === afterKill.bytes) midway = await held()
    sender.kill('SIGSTOP')
    midway = await held()
    expect(midway.state).toBe('downloading')
    expect(midway.bytes).toBeLessThan(size)
    await killDaemon(0)
    await serve(alice, 'Alice')
    const second = follow(bob, ['alice', fileId], () => {})
    expect(await second.exited).toBe(0)

    expect(await sha256(out)).toBe(await sha256(original))
    // Bob's log shows downloads that fetched only what was missing.
    const log = readFileSync(join(bob, 'kith.log'), 'utf8')
    const fetched = [...log.matchAll(new RegExp(`file ${fileId}: all 160 chunks held \\((\\d+) fetched now\\)`, 'g'))].map((m) => Number(m[1]))
    expect(fetched).toHaveLength(1)
    expect(fetched[0]).toBeLessThan(160)
  }, 240_000)

  it('kith chat shows file lines, offers a file with /send and fetches one with /get', async () => {
    const original = join(work, 'chat-photo.png')
    writeFileSync(original, randomBytes(200_000))
    const aliceChat = chat(alice, 'bob')
    const bobChat = chat(bob, 'alice')
    // Earlier files show as file lines when the chat opens.
    await bobChat.waitFor(/alice: \[file [0-9a-f]{8}\] notes\.txt \(3\.0 MiB\) read this/)
    aliceChat.type(`/send ${original}`)
    const line = await bobChat.waitFor(/alice: \[file ([0-9a-f]{8})\] chat-photo\.png \(195\.3 KiB\)/)
    const id = line.match(/\[file ([0-9a-f]{8})\]/)![1]!
    bobChat.type(`/get ${id}`)
    const saved = await bobChat.waitFor(/chat-photo\.png: saved to (.+)$/)
    expect(await sha256(saved.match(/saved to (.+)$/)![1]!)).toBe(await sha256(original))
    aliceChat.type('/quit')
    bobChat.type('/quit')
    expect(await aliceChat.exited).toBe(0)
    expect(await bobChat.exited).toBe(0)
  }, 120_000)
})
