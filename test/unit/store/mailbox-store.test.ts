import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_QUOTAS, type MailboxQuotas } from '../../../src/core/mailbox/limits.ts'
import { SqliteMailboxStore } from '../../../src/store/mailbox-sqlite.node.ts'

const dirs: string[] = []
const stores: SqliteMailboxStore[] = []
afterEach(() => {
  for (const s of stores.splice(0)) s.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function path (): string {
  const dir = mkdtempSync(join(tmpdir(), 'kith-mailbox-'))
  dirs.push(dir)
  return join(dir, 'mailbox.db')
}

function open (file = path(), quotas: Partial<MailboxQuotas> = {}): SqliteMailboxStore {
  const s = new SqliteMailboxStore(file, { ...DEFAULT_QUOTAS, ...quotas })
  stores.push(s)
  return s
}

const id = (n: number): Uint8Array => new Uint8Array(32).fill(n)
const FETCH = id(0xf0)
const DEPOSIT = id(0xd0)
const frame = (n: number, size = 10): Uint8Array => new Uint8Array(size).fill(n)
const ALL = { entries: 100, bytes: 1 << 20 }

describe('SqliteMailboxStore', () => {
  it('keeps deposits until the owner acknowledges them, across a reopen', () => {
    const file = path()
    const s = open(file)
    expect(s.open(id(1), FETCH, DEPOSIT, 0)).toEqual({ ok: true, value: { depth: 0 } })
    const a = s.deposit(id(1), DEPOSIT, 'peer-a', frame(1), 10_000, 0)
    const b = s.deposit(id(1), DEPOSIT, 'peer-a', frame(2), 10_000, 0)
    expect(a.ok && b.ok && b.value.seq > a.value.seq).toBe(true)
    s.close()
    stores.pop()
    const again = open(file)
    const fetched = again.fetch(id(1), FETCH, 0, 1, ALL)
    expect(fetched.ok && fetched.value.entries.map((e) => e.frame[0])).toEqual([1, 2])
    const seqs = fetched.ok ? fetched.value.entries.map((e) => e.seq) : []
    expect(again.ack(id(1), FETCH, [seqs[0]!], 1)).toEqual({ ok: true, value: { depth: 1 } })
    const rest = again.fetch(id(1), FETCH, 0, 1, ALL)
    expect(rest.ok && rest.value.entries.map((e) => e.frame[0])).toEqual([2])
  })

  it('refuses deposits and fetches with the wrong token, and an id owned by someone else', () => {
    const s = open()
    s.open(id(1), FETCH, DEPOSIT, 0)
    expect(s.deposit(id(1), id(9), 'peer-a', frame(1), 10_000, 0)).toMatchObject({ ok: false, refusal: 'refused' })
    expect(s.deposit(id(2), DEPOSIT, 'peer-a', frame(1), 10_000, 0)).toMatchObject({ ok: false, refusal: 'refused' })
    expect(s.fetch(id(1), id(9), 0, 0, ALL)).toMatchObject({ ok: false, refusal: 'refused' })
    expect(s.ack(id(1), id(9), [1], 0)).toMatchObject({ ok: false, refusal: 'refused' })
    expect(s.open(id(1), id(9), id(8), 0)).toMatchObject({ ok: false, refusal: 'refused' })
    // The owner re-keys its deposit token: the old one stops working.
    expect(s.open(id(1), FETCH, id(7), 0).ok).toBe(true)
    expect(s.deposit(id(1), DEPOSIT, 'peer-a', frame(1), 10_000, 0)).toMatchObject({ ok: false, refusal: 'refused' })
    expect(s.deposit(id(1), id(7), 'peer-a', frame(1), 10_000, 0).ok).toBe(true)
  })

  it('stores a frame deposited twice once, under its first number', () => {
    const s = open()
    s.open(id(1), FETCH, DEPOSIT, 0)
    const first = s.deposit(id(1), DEPOSIT, 'peer-a', frame(5), 10_000, 0)
    const second = s.deposit(id(1), DEPOSIT, 'peer-b', frame(5), 10_000, 0)
    expect(first.ok && second.ok && second.value.seq === first.value.seq).toBe(true)
    const fetched = s.fetch(id(1), FETCH, 0, 0, ALL)
    expect(fetched.ok && fetched.value.entries.length).toBe(1)
  })

  it('enforces the per-mailbox and per-depositor quotas, and keeps what it had', () => {
    const s = open(path(), { entriesPerMailbox: 3, entriesPerDepositor: 2, bytesPerMailbox: 1000 })
    s.open(id(1), FETCH, DEPOSIT, 0)
    s.open(id(2), FETCH, DEPOSIT, 0)
    expect(s.deposit(id(1), DEPOSIT, 'peer-a', frame(1), 10_000, 0).ok).toBe(true)
    expect(s.deposit(id(2), DEPOSIT, 'peer-a', frame(2), 10_000, 0).ok).toBe(true)
    expect(s.deposit(id(1), DEPOSIT, 'peer-a', frame(3), 10_000, 0)).toMatchObject({ ok: false, refusal: 'over-quota', error: 'this depositor has too much waiting at this node' })
    expect(s.deposit(id(1), DEPOSIT, 'peer-b', frame(4), 10_000, 0).ok).toBe(true)
    expect(s.deposit(id(1), DEPOSIT, 'peer-c', frame(5), 10_000, 0).ok).toBe(true)
    expect(s.deposit(id(1), DEPOSIT, 'peer-d', frame(6), 10_000, 0)).toMatchObject({ ok: false, refusal: 'over-quota', error: 'the recipient\'s mailbox is full' })
    expect(s.deposit(id(2), DEPOSIT, 'peer-d', frame(7, 1001), 10_000, 0)).toMatchObject({ ok: false, refusal: 'over-quota' })
    const held = s.fetch(id(1), FETCH, 0, 0, ALL)
    expect(held.ok && held.value.entries.map((e) => e.frame[0])).toEqual([1, 4, 5])
  })

  it('refuses a new mailbox once the node holds its limit', () => {
    const s = open(path(), { mailboxes: 1 })
    expect(s.open(id(1), FETCH, DEPOSIT, 0).ok).toBe(true)
    expect(s.open(id(2), FETCH, DEPOSIT, 0)).toMatchObject({ ok: false, refusal: 'over-quota' })
  })

  it('hides expired entries, frees their quota, and sweeps them', () => {
    const s = open(path(), { entriesPerMailbox: 1 })
    s.open(id(1), FETCH, DEPOSIT, 0)
    expect(s.deposit(id(1), DEPOSIT, 'peer-a', frame(1), 100, 0).ok).toBe(true)
    expect(s.deposit(id(1), DEPOSIT, 'peer-a', frame(2), 1_000, 50).ok).toBe(false)
    const later = s.fetch(id(1), FETCH, 0, 100, ALL)
    expect(later.ok && later.value.entries.length).toBe(0)
    expect(s.deposit(id(1), DEPOSIT, 'peer-a', frame(2), 1_000, 100).ok).toBe(true)
    expect(s.sweep(100)).toBe(1)
    expect(s.depths()).toEqual([{ mailboxId: id(1), depth: 1, bytes: 10 }])
  })

  it('pages a fetch by count and bytes, always returning at least one entry', () => {
    const s = open()
    s.open(id(1), FETCH, DEPOSIT, 0)
    for (let i = 1; i <= 5; i++) s.deposit(id(1), DEPOSIT, 'peer-a', frame(i, 100), 10_000, 0)
    const page = s.fetch(id(1), FETCH, 0, 0, { entries: 2, bytes: 1 << 20 })
    expect(page.ok && [page.value.entries.length, page.value.more, page.value.depth]).toEqual([2, true, 5])
    const small = s.fetch(id(1), FETCH, 0, 0, { entries: 10, bytes: 50 })
    expect(small.ok && [small.value.entries.length, small.value.more]).toEqual([1, true])
    const last = page.ok ? page.value.entries[1]!.seq : 0
    const rest = s.fetch(id(1), FETCH, last, 0, { entries: 10, bytes: 1 << 20 })
    expect(rest.ok && [rest.value.entries.map((e) => e.frame[0]), rest.value.more]).toEqual([[3, 4, 5], false])
  })
})
