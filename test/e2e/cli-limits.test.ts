/**
 * What the CLI and the local API say about text over the limit: one limit, and the same sentence
 * the browser shows (issue 21, item 5), whether the CLI catches it or the daemon does.
 */
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { MAX_TEXT_LENGTH } from '../../src/core/conversation/payload.ts'
import { announcesTyping } from '../../src/node/cli/format.ts'
import { root, serve, type Served } from './browser-harness.ts'

const run = promisify(execFile)
const CLI = ['--disable-warning=ExperimentalWarning', '--import', 'tsx', join(root, 'src/node/cli/main.ts')]
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

it('in kith chat, a slash command being typed is not announced as typing', () => {
  expect(announcesTyping('hel')).toBe(true)
  expect(announcesTyping('/delete 1a2b3c')).toBe(false)
  expect(announcesTyping('  /edit')).toBe(false)
  expect(announcesTyping('')).toBe(false)
})
