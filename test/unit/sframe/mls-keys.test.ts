import { beforeAll, describe, expect, it } from 'vitest'
import { randomBytes, toHex, utf8 } from '../../../src/core/bytes.ts'
import { commitChanges, createGroupState, joinFromWelcome, ownLeafIndex, processMessage, readMlsMessage, type GroupState } from '../../../src/core/mls/group.ts'
import { createKeyPackage, type OwnKeyPackage } from '../../../src/core/mls/key-package.ts'
import { SFrameContext } from '../../../src/core/sframe/context.ts'
import { epochKeys, exportBaseKey, indexBitsFor, parseSenderKid, senderKid, type EpochKeys } from '../../../src/core/sframe/mls-keys.ts'
import { SFrameError } from '../../../src/core/sframe/sframe-error.ts'
import { createTestDevice } from '../core/fixtures.ts'

describe('SFrame KIDs for MLS senders (RFC 9605 §5.2)', () => {
  // Figure 9: E = 4, S = 6 (64 members).
  it.each([
    [14n, 3, 0n, 0x3en], [14n, 7, 0n, 0x7en], [14n, 20, 0n, 0x14en],
    [15n, 3, 0n, 0x3fn], [15n, 5, 0n, 0x5fn],
    [16n, 2, 2n, 0x820n], [16n, 2, 3n, 0xc20n],
    [17n, 33, 0n, 0x211n], [17n, 51, 0n, 0x331n]
  ])('epoch %s, index %s, context %s is KID %s as in Figure 9', (epoch, senderIndex, context, kid) => {
    expect(senderKid({ epoch, senderIndex, context, indexBits: 6, epochBits: 4 })).toBe(kid)
    expect(parseSenderKid(kid, 6, 4)).toEqual({ context, senderIndex, epochLowBits: Number(epoch % 16n) })
  })

  it('sizes S to the group: the smallest S with group_size <= 1 << S', () => {
    expect([1, 2, 3, 4, 5, 64, 65].map(indexBitsFor)).toEqual([0, 1, 2, 2, 3, 6, 7])
  })

  it('refuses a sender index that does not fit in S bits', () => {
    expect(() => senderKid({ epoch: 1n, senderIndex: 4, indexBits: 2 })).toThrow(/does not fit/)
  })
})

interface Member { state: GroupState, own: OwnKeyPackage }

async function newMember (name: string): Promise<OwnKeyPackage> {
  const device = await createTestDevice(name)
  return await createKeyPackage(device.certificate, device.mlsKey)
}

function privateMessage (bytes: Uint8Array): Parameters<typeof processMessage>[1] {
  const incoming = readMlsMessage(bytes)
  if (incoming.kind !== 'private') throw new Error('expected a private message')
  return incoming.message
}

async function contextFor (keys: EpochKeys): Promise<SFrameContext> {
  const context = new SFrameContext()
  await context.setSendKey(keys.ownKid, keys.baseKey, keys.epoch)
  for (const m of keys.members) await context.addReceiveKey(m.kid, keys.baseKey, keys.epoch)
  return context
}

describe('SFrame keys from an MLS group', () => {
  let alice: Member
  let bob: Member
  let carol: Member
  let aliceAfter: GroupState
  let bobAfter: GroupState
  let carolAfter: GroupState

  beforeAll(async () => {
    const [a, b, c] = await Promise.all([newMember('Alice'), newMember('Bob'), newMember('Carol')])
    const created = await createGroupState(randomBytes(32), a)
    const added = await commitChanges(created, { add: [b.publicPackage, c.publicPackage], parent: new Uint8Array() })
    const welcome = readMlsMessage(added.welcome as Uint8Array)
    if (welcome.kind !== 'welcome') throw new Error('expected a welcome')
    alice = { state: added.state, own: a }
    bob = { state: await joinFromWelcome(welcome.welcome, b), own: b }
    carol = { state: await joinFromWelcome(welcome.welcome, c), own: c }
    const removal = await commitChanges(alice.state, { removeLeaves: [ownLeafIndex(carol.state)], parent: added.commitHash })
    aliceAfter = removal.state
    const atBob = await processMessage(bob.state, privateMessage(removal.commit))
    const atCarol = await processMessage(carol.state, privateMessage(removal.commit))
    if (atBob.kind !== 'commit' || atCarol.kind !== 'commit') throw new Error('expected commits')
    bobAfter = atBob.state
    carolAfter = atCarol.state
  })

  it('gives every member the same base key, and each its own KID', async () => {
    const [ka, kb, kc] = await Promise.all([epochKeys(alice.state), epochKeys(bob.state), epochKeys(carol.state)])
    expect(toHex(ka.baseKey)).toBe(toHex(kb.baseKey))
    expect(toHex(kb.baseKey)).toBe(toHex(kc.baseKey))
    expect(ka.baseKey).toHaveLength(16)
    expect(new Set([ka.ownKid, kb.ownKid, kc.ownKid]).size).toBe(3)
    expect(kb.members.map((m) => m.kid).sort()).toEqual([ka.ownKid, kc.ownKid].sort())
  })

  it('lets every member decrypt the media of every other', async () => {
    const [ca, cb, cc] = await Promise.all([epochKeys(alice.state), epochKeys(bob.state), epochKeys(carol.state)].map(async (k) => await contextFor(await k)))
    const fromAlice = await ca!.encrypt(utf8('frame from Alice'))
    expect(await cb!.decrypt(fromAlice)).toEqual(utf8('frame from Alice'))
    expect(await cc!.decrypt(fromAlice)).toEqual(utf8('frame from Alice'))
    expect(await ca!.decrypt(await cc!.encrypt(utf8('frame from Carol')))).toEqual(utf8('frame from Carol'))
  })

  it('rotates on the epoch change: a removed member cannot decrypt media sent after the removal', async () => {
    const before = await epochKeys(carol.state)
    const after = await epochKeys(aliceAfter)
    expect(after.epoch).toBe(before.epoch + 1n)
    expect(toHex(after.baseKey)).not.toBe(toHex(await exportBaseKey(alice.state)))
    const aliceCtx = await contextFor(after)
    const bobCtx = await contextFor(await epochKeys(bobAfter))
    const frame = await aliceCtx.encrypt(utf8('after Carol left'))
    expect(await bobCtx.decrypt(frame)).toEqual(utf8('after Carol left'))

    // Carol, with the keys of the epoch she was in, and even told the new KID, cannot.
    const carolCtx = await contextFor(before)
    await expect(carolCtx.decrypt(frame)).rejects.toSatisfy((e) => e instanceof SFrameError && (e.reason === 'unknown-kid' || e.reason === 'auth-failed'))
    await carolCtx.addReceiveKey(after.ownKid, before.baseKey, before.epoch)
    await expect(carolCtx.decrypt(frame)).rejects.toSatisfy((e) => e instanceof SFrameError && e.reason === 'auth-failed')
    // Her state after the removal has no group to export from that matches.
    expect(toHex(await exportBaseKey(carolAfter))).not.toBe(toHex(after.baseKey))
  })
})
