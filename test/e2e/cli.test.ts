/**
 * The CLI end to end: two `kith serve` processes with their own data directories, driven only by
 * `kith` commands. Also: the local API refuses a caller without the token, errors are one line on
 * stderr with a non-zero status, and `kill -9` loses no message the user saw as sent.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { kith, kithFails, kithJson, until, useDaemons } from './cli-harness.ts'

const { dir, serve, daemons } = useDaemons('cli')

interface Msg { text: string, state: string, own: boolean, senderName: string }

describe('kith CLI', () => {
  const alice = dir('alice')
  const bob = dir('bob')

  it('two daemons exchange messages through the commands', async () => {
    await serve(alice, 'Alice')
    await serve(bob, 'Bob')
    const link = await kith(bob, 'invite')
    expect(link).toMatch(/#\/invite\/[A-Za-z0-9_-]+$/)
    const added = await kith(alice, 'contact', 'add', link, '--name', 'bob')
    expect(added).toMatch(/safety number: (\d{5} ){11}\d{5}/)
    const aliceNumber = added.match(/safety number: ([\d ]+)/)![1]

    await kith(alice, 'send', 'bob', 'hello', 'from', 'the', 'terminal')
    const atBob = await until(async () => {
      const { messages } = await kithJson<{ messages: Msg[] }>(bob, 'messages', 'alice')
      return messages.length > 0 ? messages : undefined
    }, 'message at bob')
    expect(atBob[0]).toMatchObject({ text: 'hello from the terminal', own: false, senderName: 'alice' })
    const bobNumber = (await kith(bob, 'contact', 'verify', 'alice')).split('\n')[1]
    expect(bobNumber).toBe(aliceNumber)

    await kith(bob, 'send', 'alice', 'hi back')
    await until(async () => {
      const { messages } = await kithJson<{ messages: Msg[] }>(alice, 'messages', 'bob')
      return messages.some((m) => m.text === 'hi back') && messages.find((m) => m.own)?.state === 'delivered' ? true : undefined
    }, 'reply and delivery at alice')

    await kith(alice, 'group', 'create', 'book-club')
    await kith(alice, 'group', 'add', 'book-club', 'bob')
    await kith(alice, 'send', 'book-club', 'first chapter tonight')
    await until(async () => {
      const { messages } = await kithJson<{ messages: Msg[] }>(bob, 'messages', 'book-club')
      return messages.some((m) => m.text === 'first chapter tonight') ? true : undefined
    }, 'group message at bob')
    const groups = await kithJson<{ conversations: Array<{ name: string, kind: string }> }>(bob, 'groups')
    expect(groups.conversations.map((c) => c.name).sort()).toEqual(['alice', 'book-club'])
  })

  it('kith status shows the DHT routing table and the directory record once it is published', async () => {
    // Alice and Bob are each other's DHT since the contact was added: each publishes its record on the other.
    const line = await until(async () => {
      const out = await kith(alice, 'status')
      return /directory record: seq \d+/.test(out) ? out : undefined
    }, 'Alice\'s record to be published')
    expect(line).toMatch(/^DHT: [1-9]\d* peer\(s\) in the routing table$/m)
    expect(line).toMatch(/^directory record: seq \d+, published \S+ on [1-9]\d* DHT peer\(s\), expires \S+$/m)
    const status = await kithJson<{ directory: { routingTable: number, record: { seq: number, expiresAt: number, publishedAt: number, storedOn: number } } }>(alice, 'status')
    expect(status.directory.record.expiresAt - status.directory.record.publishedAt).toBe(24 * 3_600_000)
  })

  it('refuses API callers without the token and reports errors on one line', async () => {
    const daemon = JSON.parse(readFileSync(join(alice, 'daemon.json'), 'utf8')) as { api: string }
    const res = await fetch(`${daemon.api}/v1/contacts`)
    expect(res.status).toBe(401)
    const wrong = await fetch(`${daemon.api}/v1/contacts`, { headers: { authorization: 'Bearer nope' } })
    expect(wrong.status).toBe(401)
    // kithFails: the command exited with a non-zero status.
    const err = await kithFails(alice, 'send', 'nobody', 'hi')
    expect(err.split('\n')).toHaveLength(1)
    expect(err).toMatch(/no contact or group named "nobody"/)
    expect(await kithFails(alice, 'contact', 'add', 'https://example.invalid/#/invite/AAAA')).toMatch(/kith: This link is damaged or incomplete; ask for a new one\./)
  })

  it('kill -9 of the receiver loses nothing the sender saw as sent', async () => {
    const bobDaemon = daemons[1]!
    bobDaemon.kill('SIGKILL')
    await new Promise((r) => bobDaemon.once('exit', r))
    await kith(alice, 'send', 'bob', 'while you were killed')
    const state = (await kithJson<{ messages: Msg[] }>(alice, 'messages', 'bob')).messages.find((m) => m.text === 'while you were killed')!.state
    expect(state).toBe('sending')
    await serve(bob, 'Bob')
    await until(async () => {
      const { messages } = await kithJson<{ messages: Msg[] }>(bob, 'messages', 'alice')
      return messages.some((m) => m.text === 'while you were killed') ? true : undefined
    }, 'the queued message after the restart')
    // Everything Bob had before the kill is still there.
    const texts = (await kithJson<{ messages: Msg[] }>(bob, 'messages', 'alice')).messages.map((m) => m.text)
    expect(texts).toEqual(['hello from the terminal', 'hi back', 'while you were killed'])
  })

  it('kill -9 of the sender after sends that stored no group state: its next message still reaches the peer', async () => {
    // Sends store the MLS state only when a reservation of send generations runs out; a restart
    // must resume past every generation used, or the receiver would refuse the next message.
    for (const text of ['crash 1', 'crash 2', 'crash 3']) await kith(bob, 'send', 'alice', text)
    await until(async () => (await kith(alice, 'messages', 'bob')).includes('crash 3') ? true : undefined, 'the three messages at alice')
    const bobDaemon = daemons[daemons.length - 1]!
    bobDaemon.kill('SIGKILL')
    await new Promise((r) => bobDaemon.once('exit', r))
    await serve(bob, 'Bob')
    await kith(bob, 'send', 'alice', 'back after the crash')
    await until(async () => (await kith(alice, 'messages', 'bob')).includes('back after the crash') ? true : undefined, 'the message sent after the restart')
  })

  it('kill -9 of the receiver in the middle of a burst: nothing it acknowledged is lost, nothing arrives twice', async () => {
    const api = async <T>(data: string, method: string, path: string, body?: unknown): Promise<T> => {
      const { api: base } = JSON.parse(readFileSync(join(data, 'daemon.json'), 'utf8')) as { api: string }
      const token = readFileSync(join(data, 'api-token'), 'utf8').trim()
      const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
      return await res.json() as T
    }
    const burst = async (data: string, target: string): Promise<Msg[]> =>
      (await api<{ messages: Msg[] }>(data, 'GET', `/v1/messages?target=${target}`)).messages.filter((m) => m.text.startsWith('burst '))
    // Sent at once, as a script on the API would: the sends, and the receiver's stores, share commits.
    const sending = Promise.all(Array.from({ length: 300 }, async (_, i) => await api(alice, 'POST', '/v1/messages', { target: 'bob', text: `burst ${i}` })))
    await until(async () => (await burst(alice, 'bob')).filter((m) => m.state === 'delivered').length >= 30 ? true : undefined, 'bob acknowledging part of the burst')
    const bobDaemon = daemons[daemons.length - 1]!
    bobDaemon.kill('SIGKILL')
    await new Promise((r) => bobDaemon.once('exit', r))
    await sending
    const acknowledged = (await burst(alice, 'bob')).filter((m) => m.state === 'delivered').map((m) => m.text)
    expect(acknowledged.length).toBeGreaterThanOrEqual(30)
    await serve(bob, 'Bob')
    const sent = (await burst(alice, 'bob')).map((m) => m.text)
    expect(sent).toHaveLength(300)
    const received = await until(async () => {
      const texts = (await burst(bob, 'alice')).map((m) => m.text)
      return texts.length >= 300 ? texts : undefined
    }, 'the whole burst at bob after the restart')
    // Each message once, in the order alice sent them (so every acknowledged one too).
    expect(received).toEqual(sent)
  })

  it('replies, edits, reacts and deletes by short message id', async () => {
    const { message } = await kithJson<{ message: { id: string } }>(alice, 'send', 'bob', 'see you at 8')
    const short = message.id.slice(0, 8)
    await until(async () => (await kith(bob, 'messages', 'alice')).includes(`${short} alice: see you at 8`) ? true : undefined, 'the message at bob')

    const reply = await kith(bob, 'send', 'alice', 'make it 9?', '--reply', short.slice(0, 6))
    expect(reply).toMatch(/ you: ↪ alice "see you at 8" · make it 9\?/)
    expect(await kith(alice, 'edit', 'bob', short, 'see you at 9')).toMatch(new RegExp(`${short} you: see you at 9 \\(edited\\)`))
    expect(await kith(bob, 'react', 'alice', short, '👍')).toMatch(/see you at 9 \(edited\) {2}👍 1$/)
    await until(async () => (await kith(alice, 'messages', 'bob')).includes(`${short} you: see you at 9 (edited)  👍 1`) ? true : undefined, 'the edit and the reaction at alice')
    expect(await kith(bob, 'react', 'alice', short, '--remove')).not.toContain('👍')

    // Only the author may edit; a bad id is named in the error.
    expect(await kithFails(bob, 'edit', 'alice', short, 'see you never')).toMatch(/you can only edit your own messages/)
    expect(await kithFails(alice, 'delete', 'bob', 'abcdef12')).toMatch(/no message abcdef12 in this conversation/)

    expect(await kith(alice, 'delete', 'bob', short)).toBe(`deleted ${short} for everyone`)
    const atBob = await until(async () => {
      const out = await kith(bob, 'messages', 'alice')
      return out.includes(`${short} alice: (message deleted)`) ? out : undefined
    }, 'the delete at bob')
    expect(atBob).toMatch(/ you: ↪ alice \(deleted\) · make it 9\?/)
  })
})

describe('kith profile', () => {
  it('changes the display name: the invite carries it, the contact sees it with a notice; a namesake is warned about', async () => {
    const alice = dir('alice-profile')
    const bob = dir('bob-profile')
    const mallory = dir('mallory-profile')
    await serve(alice, 'Alice')
    await serve(bob, 'Bob')
    await serve(mallory, 'Alicia')
    await kith(bob, 'contact', 'add', await kith(alice, 'invite'), '--name', 'alice')
    await kith(bob, 'send', 'alice', 'hi')
    await until(async () => (await kithJson<{ messages: Msg[] }>(alice, 'messages', 'bob')).messages.length > 0 ? true : undefined, 'hi at alice')

    expect(await kith(alice, 'profile')).toMatch(/^name {6}Alice\nidentity {2}[0-9a-f]{64}\ndevice {4}12D3KooW\w+\ninvite {4}http.*#\/invite\//)
    const renamed = await kith(alice, 'profile', 'name', 'Alicia', 'Smith')
    expect(renamed).toMatch(/^you are now Alicia Smith;/)
    expect((await kithJson<{ name: string }>(alice, 'invite')).name).toBe('Alicia Smith')
    await expect(kith(alice, 'profile', 'name', 'x'.repeat(65))).rejects.toMatchObject({ stderr: expect.stringMatching(/display name must be at most 64 characters/) })

    const line = await until(async () => {
      const out = await kith(bob, 'messages', 'alice')
      return out.includes('-- Alice is now Alicia Smith --') ? out : undefined
    }, 'the notice at bob')
    expect(line).toMatch(/ you: hi/)
    expect(await kith(bob, 'contacts')).toBe('alice  (Alicia Smith)')

    // Another account now called "Alicia Smith" too: Bob is warned when he adds it.
    await kith(mallory, 'profile', 'name', 'Alicia Smith')
    const added = await kith(bob, 'contact', 'add', await kith(mallory, 'invite'))
    expect(added.split('\n')[0]).toBe('warning: You already have a contact called Alicia Smith with a different key — this is a different person or a new account. Compare safety numbers before you trust Alicia Smith.')
  })
})
