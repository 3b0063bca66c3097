import { describe, expect, it } from 'vitest'
import { utf8 } from '../../../src/core/bytes.ts'
import { UsageError, ValidationError } from '../../../src/core/errors.ts'
import { CTR_CLOCK_ORIGIN, CTR_PER_MS, SFrameContext } from '../../../src/core/sframe/context.ts'
import { decodeHeader } from '../../../src/core/sframe/header.ts'
import { SFrameError, type SFrameDropReason } from '../../../src/core/sframe/sframe-error.ts'

const keyA = Uint8Array.from({ length: 16 }, (_, i) => i)
const keyB = Uint8Array.from({ length: 16 }, (_, i) => 0x80 + i)
const frame = utf8('a video frame, opaque to SFrame')

async function pair (kid = 0x13n, sendKey = keyA, receiveKey = keyA): Promise<{ alice: SFrameContext, bob: SFrameContext }> {
  const alice = new SFrameContext()
  const bob = new SFrameContext()
  await alice.setSendKey(kid, sendKey)
  await bob.addReceiveKey(kid, receiveKey)
  return { alice, bob }
}

async function refusal (promise: Promise<unknown>): Promise<SFrameDropReason> {
  const err = await promise.then(() => undefined, (e: unknown) => e)
  if (!(err instanceof SFrameError)) throw new Error(`expected an SFrameError, got ${String(err)}`)
  return err.reason
}

describe('SFrameContext', () => {
  it('contexts sharing a send KID take disjoint CTR ranges, and one receiver accepts both', async () => {
    const first = new SFrameContext()
    const second = new SFrameContext()
    const bob = new SFrameContext()
    await first.setSendKey(0x13n, keyA, 0n)
    await second.setSendKey(0x13n, keyA, 0n, 1n << 48n)
    await bob.addReceiveKey(0x13n, keyA)
    const a = await first.encrypt(frame)
    const b = await second.encrypt(frame)
    expect(decodeHeader(a).ctr).toBe(0n)
    expect(decodeHeader(b).ctr).toBe(1n << 48n)
    expect(await bob.decrypt(a)).toEqual(frame)
    expect(await bob.decrypt(b)).toEqual(frame)
    expect(() => new SFrameContext().setSendKey(1n, keyA, 0n, -1n)).toThrow(ValidationError)
  })

  it('round-trips frames, with the KID and an increasing CTR in the header', async () => {
    const { alice, bob } = await pair()
    const first = await alice.encrypt(frame)
    const second = await alice.encrypt(frame)
    expect(decodeHeader(first)).toMatchObject({ kid: 0x13n, ctr: 0n })
    expect(decodeHeader(second)).toMatchObject({ kid: 0x13n, ctr: 1n })
    expect(await bob.decrypt(first)).toEqual(frame)
    expect(await bob.decrypt(second)).toEqual(frame)
    expect(alice.stats().encrypted).toBe(2)
    expect(bob.stats()).toEqual({ encrypted: 0, decrypted: 2, dropped: { unknownKid: 0, authFailed: 0, replay: 0, malformed: 0 } })
  })

  it('never gives two frames encrypted concurrently the same CTR', async () => {
    const { alice } = await pair()
    const frames = await Promise.all(Array.from({ length: 20 }, async () => await alice.encrypt(frame)))
    expect(new Set(frames.map((f) => decodeHeader(f).ctr)).size).toBe(20)
  })

  it('authenticates the metadata', async () => {
    const { alice, bob } = await pair()
    const sealed = await alice.encrypt(frame, utf8('rtp metadata'))
    expect(await refusal(bob.decrypt(sealed, utf8('other metadata')))).toBe('auth-failed')
    expect(await bob.decrypt(sealed, utf8('rtp metadata'))).toEqual(frame)
  })

  it('refuses a frame under an unknown KID', async () => {
    const { alice } = await pair(0x13n)
    const bob = new SFrameContext()
    await bob.addReceiveKey(0x23n, keyA)
    expect(await refusal(bob.decrypt(await alice.encrypt(frame)))).toBe('unknown-kid')
    expect(bob.stats().dropped.unknownKid).toBe(1)
  })

  it('refuses a frame with one tag bit flipped, then still takes the genuine one', async () => {
    const { alice, bob } = await pair()
    const sealed = await alice.encrypt(frame)
    const flipped = sealed.slice()
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] as number) ^ 0x01
    expect(await refusal(bob.decrypt(flipped))).toBe('auth-failed')
    // A forged frame must not use up its CTR in the replay window.
    expect(await bob.decrypt(sealed)).toEqual(frame)
    expect(bob.stats().dropped.authFailed).toBe(1)
  })

  it('refuses a frame decrypted under the wrong base key', async () => {
    const { alice, bob } = await pair(0x13n, keyA, keyB)
    expect(await refusal(bob.decrypt(await alice.encrypt(frame)))).toBe('auth-failed')
  })

  it('refuses a replayed CTR, also when both copies are in flight at once', async () => {
    const { alice, bob } = await pair()
    const sealed = await alice.encrypt(frame)
    await bob.decrypt(sealed)
    expect(await refusal(bob.decrypt(sealed))).toBe('replay')
    const next = await alice.encrypt(frame)
    const results = await Promise.allSettled([bob.decrypt(next), bob.decrypt(next)])
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected'])
    expect(bob.stats().dropped.replay).toBe(2)
  })

  it('refuses a CTR older than the replay window', async () => {
    const alice = new SFrameContext()
    const bob = new SFrameContext({ replayWindow: 32 })
    await alice.setSendKey(1n, keyA)
    await bob.addReceiveKey(1n, keyA)
    const old = await alice.encrypt(frame)
    for (let i = 0; i < 32; i++) await alice.encrypt(frame)
    await bob.decrypt(await alice.encrypt(frame)) // CTR 33: CTR 0 now falls out of the window
    expect(await refusal(bob.decrypt(old))).toBe('replay')
  })

  it('refuses truncated headers and frames too short for a tag as malformed', async () => {
    const { alice, bob } = await pair(0x1234n)
    const sealed = await alice.encrypt(frame)
    expect(await refusal(bob.decrypt(sealed.subarray(0, 2)))).toBe('malformed') // config byte says a 2-byte KID
    expect(await refusal(bob.decrypt(new Uint8Array(0)))).toBe('malformed')
    expect(await refusal(bob.decrypt(sealed.subarray(0, 3 + 15)))).toBe('malformed') // header + 15 bytes: no room for a tag
    expect(bob.stats().dropped.malformed).toBe(3)
  })

  it('drops the keys of old epochs on rotation: frames under them are refused', async () => {
    const alice = new SFrameContext()
    const bob = new SFrameContext()
    await alice.setSendKey(0x11n, keyA, 1n)
    await bob.addReceiveKey(0x11n, keyA, 1n)
    const oldEpochFrame = await alice.encrypt(frame)
    await alice.setSendKey(0x12n, keyB, 2n)
    await bob.addReceiveKey(0x12n, keyB, 2n)
    const newEpochFrame = await alice.encrypt(frame)
    expect(decodeHeader(newEpochFrame).ctr).toBe(0n)
    expect(bob.removeKeysBefore(2n)).toBe(1)
    expect(await refusal(bob.decrypt(oldEpochFrame))).toBe('unknown-kid')
    expect(await bob.decrypt(newEpochFrame)).toEqual(frame)
    expect(bob.removeKey(0x12n)).toBe(true)
    expect(await refusal(bob.decrypt(await alice.encrypt(frame)))).toBe('unknown-kid')
  })

  it('keeps the CTR running when the current send key is set again', async () => {
    const context = new SFrameContext()
    await context.setSendKey(0x12n, keyB, 2n)
    await context.encrypt(frame)
    await context.setSendKey(0x12n, keyB, 2n)
    expect(decodeHeader(await context.encrypt(frame)).ctr).toBe(1n)
    await context.setSendKey(0x22n, keyA, 3n)
    expect(decodeHeader(await context.encrypt(frame)).ctr).toBe(0n)
  })

  it('can start the first send key from the clock, so a rejoining sender is above all it sent before and still accepted', async () => {
    let now = Date.UTC(2026, 11, 6)
    const bob = new SFrameContext()
    await bob.addReceiveKey(0x12n, keyB, 2n)
    const first = new SFrameContext({ firstCtrFromClock: true, now: () => now })
    await first.setSendKey(0x12n, keyB, 2n)
    let last = 0n
    for (let i = 0; i < 300; i++) { const sealed = await first.encrypt(frame); last = decodeHeader(sealed).ctr; await bob.decrypt(sealed) }
    expect(last).toBe(BigInt(now - CTR_CLOCK_ORIGIN) * CTR_PER_MS + 299n)
    // 300 frames over 100 ms is 3 a millisecond, more than any real sender; the page reloads.
    now += 100
    const rejoined = new SFrameContext({ firstCtrFromClock: true, now: () => now })
    await rejoined.setSendKey(0x12n, keyB, 2n)
    const sealed = await rejoined.encrypt(frame)
    expect(decodeHeader(sealed).ctr).toBeGreaterThan(last)
    expect(await bob.decrypt(sealed)).toEqual(frame)
    expect(decodeHeader(sealed).length).toBe(7) // config, 1-byte KID, 5-byte CTR
    await rejoined.setSendKey(0x22n, keyA, 3n)
    expect(decodeHeader(await rejoined.encrypt(frame)).ctr).toBe(0n) // a newer epoch was never used
  })

  it('never goes back to an older epoch for sending', async () => {
    const context = new SFrameContext()
    await context.setSendKey(0x12n, keyB, 2n)
    expect(() => context.setSendKey(0x11n, keyA, 1n)).toThrow(UsageError)
    expect(context.sendKid).toBe(0x12n)
  })

  it('refuses to encrypt without a send key, and a key used both ways', async () => {
    const context = new SFrameContext()
    await expect(context.encrypt(frame)).rejects.toThrow(UsageError)
    await context.setSendKey(5n, keyA)
    expect(() => context.addReceiveKey(5n, keyA)).toThrow(UsageError)
  })

  it('refuses base keys of the wrong size and KIDs out of range', () => {
    const context = new SFrameContext()
    expect(() => context.addReceiveKey(1n, new Uint8Array(15))).toThrow(ValidationError)
    expect(() => context.addReceiveKey(-1n, keyA)).toThrow(ValidationError)
    expect(() => context.addReceiveKey(1n << 64n, keyA)).toThrow(ValidationError)
  })
})
