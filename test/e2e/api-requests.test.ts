/**
 * Requests to the local API as the CLI makes them: one text limit with the same sentence the
 * browser shows, whether the CLI catches it or the daemon does (issue 21, item 5); and sends that
 * carry a client-chosen id, so a repeat after a lost response stores nothing twice (item 15).
 */
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { MAX_TEXT_LENGTH } from '../../src/core/conversation/payload.ts'
import { announcesTyping } from '../../src/node/cli/format.ts'
import { root, serve, type Served } from './browser-harness.ts'
import { KITH_CLI } from '../kith-cli.ts'

const run = promisify(execFile)
const CLI = KITH_CLI
const SENTENCE = 'A message can have at most 16,384 characters; this one has 102,400. Shorten it or split it into several messages.'
let alice: Served
let bob: Served

beforeAll(async () => {
  ;[alice, bob] = await Promise.all([serve('Alice'), serve('Bob')])
  await alice.kith('contact', 'add', await bob.kith('invite'), '--name', 'bob')
}, 120_000)
afterAll(async () => { await Promise.all([alice?.stop(), bob?.stop()]) })

it('kith send refuses a 100 KB text with the sentence the browser shows', async () => {
  const text = 'x'.repeat(102_400)
  const failure = await run(process.execPath, [...CLI, '--data', alice.data, 'send', 'bob', text], { cwd: root }).then(() => undefined, (err: { stderr: string }) => err)
  expect(failure?.stderr.trim()).toBe(`kith: ${SENTENCE}`)
})

it('the daemon refuses the same text through its API with the same sentence', async () => {
  const daemon = JSON.parse(readFileSync(join(alice.data, 'daemon.json'), 'utf8')) as { api: string }
  const token = readFileSync(join(alice.data, 'api-token'), 'utf8').trim()
  const response = await fetch(`${daemon.api}/v1/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ target: 'bob', text: 'x'.repeat(102_400) })
  })
  expect(response.status).toBeGreaterThanOrEqual(400)
  expect(((await response.json()) as { error: string }).error).toBe(SENTENCE)
  // At the limit itself the text goes through.
  const ok = await alice.kithJson<{ message: { text: string } }>('send', 'bob', 'y'.repeat(MAX_TEXT_LENGTH))
  expect(ok.message.text.length).toBe(MAX_TEXT_LENGTH)
})

async function post (data: string, body: unknown): Promise<{ status: number, json: Record<string, unknown> }> {
  const daemon = JSON.parse(readFileSync(join(data, 'daemon.json'), 'utf8')) as { api: string }
  const token = readFileSync(join(data, 'api-token'), 'utf8').trim()
  const r = await fetch(`${daemon.api}/v1/messages`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return { status: r.status, json: await r.json() as Record<string, unknown> }
}

it('a send repeated with the same client-chosen id stores one message and answers with it again', async () => {
  const id = 'a1'.repeat(16)
  const first = await post(alice.data, { target: 'bob', text: 'only once', id })
  const again = await post(alice.data, { target: 'bob', text: 'only once', id })
  expect(first.status).toBe(200)
  expect(again.status).toBe(200)
  expect((again.json.message as { id: string }).id).toBe(id)
  expect((first.json.message as { id: string }).id).toBe(id)
  const { messages } = await alice.kithJson<{ messages: Array<{ text: string }> }>('messages', 'bob')
  expect(messages.filter((m) => m.text === 'only once')).toHaveLength(1)
  // The same id for different text is a mistake, said so; a malformed id is refused.
  const clash = await post(alice.data, { target: 'bob', text: 'something else', id })
  expect(clash.status).toBeGreaterThanOrEqual(400)
  expect(clash.json.error).toMatch(/already used by another message/)
  const bad = await post(alice.data, { target: 'bob', text: 'x', id: 'nope' })
  expect(bad.json.error).toMatch(/a message id is 32 lowercase hex digits/)
  // Bob received it once.
  await expect.poll(async () => (await bob.kithJson<{ messages: Array<{ text: string }> }>('messages', 'alice').catch(() => ({ messages: [] }))).messages.filter((m) => m.text === 'only once').length, { timeout: 30_000 }).toBe(1)
})

it('kith search finds a message in any conversation and names the conversation', async () => {
  await alice.kith('send', 'bob', 'Remember the Zeppelin tickets')
  const out = await alice.kith('search', 'zeppelin')
  expect(out).toMatch(/^bob {2}\d\d:\d\d [0-9a-f]{8} you: Remember the Zeppelin tickets/)
  expect(await alice.kith('search', 'no such words')).toBe('no messages contain "no such words"')
  const json = await alice.kithJson<{ results: Array<{ conversationName: string, message: { text: string } }> }>('search', 'ZEPPELIN')
  expect(json.results.map((r) => r.message.text)).toEqual(['Remember the Zeppelin tickets'])
})

it('the CLI sends again, with the same id, when the answer to its send was lost', async () => {
  const { createServer } = await import('node:http')
  const { ApiClient } = await import('../../src/node/api/client.ts')
  const seen: string[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => { body += c.toString() })
    req.on('end', () => {
      seen.push((JSON.parse(body) as { id: string }).id)
      // The first answer is lost on the way back, as a connection reset would lose it.
      if (seen.length === 1) { req.socket.destroy(); return }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ message: { id: seen[0] } }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const port = (server.address() as { port: number }).port
    const client = new ApiClient(`http://127.0.0.1:${port}`, 't')
    const r = await client.sendMessage<{ message: { id: string } }>({ target: 'bob', text: 'hi' })
    expect(seen).toHaveLength(2)
    expect(seen[1]).toBe(seen[0])
    expect(r.message.id).toBe(seen[0])
  } finally {
    server.close()
  }
})

it('in kith chat, a slash command being typed is not announced as typing', () => {
  expect(announcesTyping('hel')).toBe(true)
  expect(announcesTyping('/delete 1a2b3c')).toBe(false)
  expect(announcesTyping('  /edit')).toBe(false)
  expect(announcesTyping('')).toBe(false)
})
