/**
 * `kith chat` in a real terminal (tmux): a message's state changes in place instead of printing it
 * again, and "is typing…" shows in the status line, clears when that person's message arrives, and
 * never piles up in the scrollback (issue 21, items 3 and 11).
 */
import { execFile, spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { root, serve, type Served } from './browser-harness.ts'
import { KITH_CLI } from '../kith-cli.ts'

const run = promisify(execFile)
const CLI = KITH_CLI
const hasTmux = spawnSync('tmux', ['-V']).status === 0
const session = `kith-chat-${process.pid}`
let alice: Served
let bob: Served

async function tmux (...args: string[]): Promise<string> {
  return (await run('tmux', args)).stdout
}

/** The visible screen of the chat. */
async function pane (): Promise<string> {
  return await tmux('capture-pane', '-p', '-t', session)
}

async function paneShows (pattern: RegExp, what: string): Promise<string> {
  // Generous: a loaded CI machine can take many seconds to start the chat or deliver.
  const deadline = Date.now() + 60_000
  let text = ''
  while (Date.now() < deadline) {
    text = await pane()
    if (pattern.test(text)) return text
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`the chat never showed ${what}; it showed:\n${text}\n${diagnostics()}`)
}

/** The end of each daemon's kith.log (peer ids, group-id prefixes, errors; no secrets), for a failure's message. */
function diagnostics (): string {
  return [alice, bob].map((d, i) => {
    let log = ''
    try { log = readFileSync(join(d.data, 'kith.log'), 'utf8').split('\n').slice(-40).join('\n') } catch (err) { log = String(err) }
    return `--- ${i === 0 ? 'Alice' : 'Bob'}'s kith.log (end) ---\n${log}`
  }).join('\n')
}

async function bobTyping (): Promise<void> {
  const daemon = JSON.parse(readFileSync(join(bob.data, 'daemon.json'), 'utf8')) as { api: string }
  const token = readFileSync(join(bob.data, 'api-token'), 'utf8').trim()
  await fetch(`${daemon.api}/v1/groups/alice/typing`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })
}

beforeAll(async () => {
  if (!hasTmux) return
  ;[alice, bob] = await Promise.all([serve('Alice'), serve('Bob')])
  await alice.kith('contact', 'add', await bob.kith('invite'), '--name', 'bob')
  await bob.kith('contact', 'add', await alice.kith('invite'), '--name', 'alice')
  const command = [process.execPath, ...CLI, '--data', alice.data, 'chat', 'bob'].map((a) => `'${a}'`).join(' ')
  await tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '20', command)
}, 120_000)

afterAll(async () => {
  if (!hasTmux) return
  await tmux('kill-session', '-t', session).catch(() => '')
  await Promise.all([alice?.stop(), bob?.stop()])
})

it('kith chat updates states in place and shows typing in one status line', async (ctx) => {
  if (!hasTmux) ctx.skip('tmux is not installed (apt-get install tmux)')
  await paneShows(/bob {2}\(1:1\)/, 'its title')
  await tmux('send-keys', '-t', session, 'hello from the terminal', 'Enter')
  await paneShows(/you: hello from the terminal {2}\[(delivered|read)/, 'the message delivered')
  await bob.kith('read', 'alice')
  const read = await paneShows(/you: hello from the terminal {2}\[read/, 'the message read')
  // One line for the message, whatever states it went through.
  expect(read.split('\n').filter((l) => l.includes('hello from the terminal'))).toHaveLength(1)

  await bobTyping()
  const typing = await paneShows(/is typing…/, 'Bob typing')
  // Kept for a person to look at, like the browser tests' screenshots.
  mkdirSync(join(root, 'test-results'), { recursive: true })
  writeFileSync(join(root, 'test-results', 'chat-terminal.txt'), typing)
  const rows = typing.split('\n')
  expect(rows.filter((l) => l.includes('is typing…'))).toHaveLength(1)
  await bobTyping()
  await bob.kith('send', 'alice', 'typed it')
  const after = await paneShows(/Bob: typed it|bob: typed it/i, "Bob's message")
  // His message ends his "is typing", at once (not seconds later).
  expect(after).not.toContain('is typing…')
  expect(after.split('\n').filter((l) => l.includes('is typing…'))).toHaveLength(0)
  await tmux('send-keys', '-t', session, '/quit', 'Enter')
}, 180_000)
