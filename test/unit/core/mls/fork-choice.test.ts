import { describe, expect, it } from 'vitest'
import { toHex } from '../../../../src/core/bytes.ts'
import { decideCommit, type AppliedCommit, type ChainView } from '../../../../src/core/mls/fork-choice.ts'

/** A 32-byte hash whose first byte orders it. */
function hash (first: number, fill = 0x55): Uint8Array {
  const h = new Uint8Array(32).fill(fill)
  h[0] = first
  return h
}

const EMPTY = new Uint8Array()
const A = hash(0x40) // applied at epoch 0, opens epoch 1
const B = hash(0x80) // applied at epoch 1, opens epoch 2

interface ViewOptions {
  readonly currentEpoch: number
  readonly baseEpoch?: number
  readonly baseParent?: Uint8Array
  readonly applied?: readonly AppliedCommit[]
  readonly losers?: readonly Uint8Array[]
}

function view (opts: ViewOptions): ChainView {
  const byEpoch = new Map((opts.applied ?? []).map((c) => [c.epoch, c]))
  return {
    currentEpoch: opts.currentEpoch,
    baseEpoch: opts.baseEpoch ?? 0,
    baseParent: opts.baseParent ?? EMPTY,
    applied: (epoch) => byEpoch.get(epoch),
    losers: new Set((opts.losers ?? []).map(toHex))
  }
}

/** The creator's chain after applying A at epoch 0 and B at epoch 1: now at epoch 2. */
function creatorOptions (): ViewOptions {
  return {
    currentEpoch: 2,
    applied: [{ epoch: 0, commitHash: A, parentHash: EMPTY }, { epoch: 1, commitHash: B, parentHash: A }]
  }
}

const creator = view(creatorOptions())

describe('decideCommit', () => {
  it('applies a commit for the current epoch that builds on the commit that opened it', () => {
    expect(decideCommit(creator, { epoch: 2, hash: hash(0x10), parent: B })).toEqual({ kind: 'apply' })
  })

  it('applies the first commit of a new group, whose parent is empty', () => {
    expect(decideCommit(view({ currentEpoch: 0 }), { epoch: 0, hash: A, parent: EMPTY })).toEqual({ kind: 'apply' })
  })

  it('recognises a commit it has already applied', () => {
    expect(decideCommit(creator, { epoch: 1, hash: B, parent: A })).toEqual({ kind: 'duplicate' })
    expect(decideCommit(creator, { epoch: 0, hash: A, parent: EMPTY })).toEqual({ kind: 'duplicate' })
  })

  it('switches to a sibling with a lower hash at the epoch where the branches differ', () => {
    const lower = hash(0x7f, 0xff)
    expect(decideCommit(creator, { epoch: 1, hash: lower, parent: A })).toEqual({ kind: 'switch', epoch: 1 })
    expect(decideCommit(creator, { epoch: 0, hash: hash(0x01), parent: EMPTY })).toEqual({ kind: 'switch', epoch: 0 })
  })

  it('compares hashes byte by byte, not by the first byte alone', () => {
    const slightlyLower = B.slice()
    slightlyLower[31] = 0x54
    const slightlyHigher = B.slice()
    slightlyHigher[31] = 0x56
    expect(decideCommit(creator, { epoch: 1, hash: slightlyLower, parent: A })).toEqual({ kind: 'switch', epoch: 1 })
    expect(decideCommit(creator, { epoch: 1, hash: slightlyHigher, parent: A }).kind).toBe('lose')
  })

  it('lets a sibling with a higher hash lose', () => {
    const decision = decideCommit(creator, { epoch: 1, hash: hash(0x81), parent: A })
    expect(decision.kind).toBe('lose')
    expect(decision.kind === 'lose' && decision.reason).toMatch(/lower hash won epoch 1/)
  })

  it('waits for a commit of a future epoch', () => {
    expect(decideCommit(creator, { epoch: 3, hash: hash(0x10), parent: hash(0x20) }).kind).toBe('wait')
  })

  it('waits for a commit whose parent it has not seen', () => {
    const decision = decideCommit(creator, { epoch: 2, hash: hash(0x10), parent: hash(0x99) })
    expect(decision.kind).toBe('wait')
    // Also at an older epoch: the parent may be a sibling branch still in flight.
    expect(decideCommit(creator, { epoch: 1, hash: hash(0x10), parent: hash(0x99) }).kind).toBe('wait')
  })

  it('lets a commit that builds on a known loser lose', () => {
    const loser = hash(0x99)
    const withLoser = view({ ...creatorOptions(), losers: [loser] })
    const decision = decideCommit(withLoser, { epoch: 2, hash: hash(0x10), parent: loser })
    expect(decision).toEqual({ kind: 'lose', reason: 'commit builds on a losing commit' })
  })

  it('lets a commit for an epoch before this device joined lose', () => {
    const joiner = view({ currentEpoch: 5, baseEpoch: 5, baseParent: B })
    const decision = decideCommit(joiner, { epoch: 4, hash: hash(0x00), parent: A })
    expect(decision.kind).toBe('lose')
    expect(decision.kind === 'lose' && decision.reason).toMatch(/before this device joined/)
  })

  it('checks a joiner’s first commit against the commit that added it', () => {
    const joiner = view({ currentEpoch: 5, baseEpoch: 5, baseParent: B })
    expect(decideCommit(joiner, { epoch: 5, hash: hash(0x10), parent: B })).toEqual({ kind: 'apply' })
    expect(decideCommit(joiner, { epoch: 5, hash: hash(0x10), parent: A }).kind).toBe('wait')
  })

  it('lets a commit lose when its epoch is older than the retained history', () => {
    const trimmed = view({ currentEpoch: 12, applied: [{ epoch: 11, commitHash: B, parentHash: A }] })
    const decision = decideCommit(trimmed, { epoch: 3, hash: hash(0x00), parent: A })
    expect(decision.kind).toBe('lose')
    expect(decision.kind === 'lose' && decision.reason).toMatch(/older than the retained history/)
  })
})

