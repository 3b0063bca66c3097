import { beforeAll, describe, expect, it } from 'vitest'
import { fromUtf8, randomBytes, utf8 } from '../../../../src/core/bytes.ts'
import {
  commitChanges, createGroupState, decodeState, encodeState, encryptApplication, epochOf, isActive, joinFromWelcome, listMembers,
  MAX_MLS_MESSAGE_BYTES, ownLeafIndex, processMessage, readMlsMessage, reserveSendGenerations, sendGeneration, type GroupState
} from '../../../../src/core/mls/group.ts'
import { createKeyPackage, generateMlsSigningKey, type OwnKeyPackage } from '../../../../src/core/mls/key-package.ts'
import { issueDeviceCertificate } from '../../../../src/core/identity/device-certificate.ts'
import { CodecError, KithError, UsageError, ValidationError } from '../../../../src/core/errors.ts'
import { createTestDevice, type TestDevice } from '../fixtures.ts'

interface Member {
  readonly device: TestDevice
  readonly keyPackage: OwnKeyPackage
}

async function createMember (name: string): Promise<Member> {
  const device = await createTestDevice(name)
  return { device, keyPackage: await createKeyPackage(device.certificate, device.mlsKey) }
}

function privateMessage (bytes: Uint8Array): Parameters<typeof processMessage>[1] {
  const incoming = readMlsMessage(bytes)
  if (incoming.kind !== 'private') throw new Error(`expected a private message, got ${incoming.kind}`)
  return incoming.message
}

async function join (welcome: Uint8Array | undefined, member: Member): Promise<GroupState> {
  if (welcome === undefined) throw new Error('commit produced no welcome')
  const incoming = readMlsMessage(welcome)
  if (incoming.kind !== 'welcome') throw new Error(`expected a welcome, got ${incoming.kind}`)
  return await joinFromWelcome(incoming.welcome, member.keyPackage)
}

async function send (state: GroupState, text: string): Promise<{ state: GroupState, message: Uint8Array }> {
  return await encryptApplication(state, utf8(text))
}

async function receiveText (state: GroupState, message: Uint8Array): Promise<{ state: GroupState, text: string, sender: string }> {
  const result = await processMessage(state, privateMessage(message))
  if (result.kind !== 'application') throw new Error(`expected application data, got ${result.kind}`)
  return { state: result.state, text: fromUtf8(result.plaintext), sender: result.sender.certificate.displayName }
}

/** Flips one bit near the end of an encoded MLS message: inside the AEAD-protected ciphertext. */
function tamper (message: Uint8Array): Uint8Array {
  const copy = message.slice()
  copy[copy.length - 3] = (copy[copy.length - 3] as number) ^ 0x01
  return copy
}

const NO_PARENT = new Uint8Array()

describe('two-member group', () => {
  let alice: Member
  let bob: Member
  let aliceState: GroupState
  let bobState: GroupState
  let addHash: Uint8Array

  beforeAll(async () => {
    alice = await createMember('Alice')
    bob = await createMember('Bob')
    const created = await createGroupState(randomBytes(32), alice.keyPackage)
    expect(epochOf(created)).toBe(0)
    const added = await commitChanges(created, { add: [bob.keyPackage.publicPackage], parent: NO_PARENT })
    aliceState = added.state
    addHash = added.commitHash
    bobState = await join(added.welcome, bob)
  })

  it('puts both devices in the same epoch with both certificates', () => {
    expect(epochOf(aliceState)).toBe(1)
    expect(epochOf(bobState)).toBe(1)
    expect(isActive(bobState)).toBe(true)
    const names = (s: GroupState): string[] => listMembers(s).map((m) => m.certificate.displayName)
    expect(names(aliceState)).toEqual(['Alice', 'Bob'])
    expect(names(bobState)).toEqual(['Alice', 'Bob'])
    expect(listMembers(bobState)[0]?.certificate).toEqual(alice.device.certificate)
    expect(ownLeafIndex(bobState)).toBe(1)
  })

  it('delivers application data both ways with the sender’s certificate', async () => {
    const hello = await send(aliceState, 'hello Bob')
    const atBob = await processMessage(bobState, privateMessage(hello.message))
    expect(atBob.kind).toBe('application')
    if (atBob.kind !== 'application') return
    expect(fromUtf8(atBob.plaintext)).toBe('hello Bob')
    expect(atBob.sender.leafIndex).toBe(0)
    expect(atBob.sender.certificate).toEqual(alice.device.certificate)

    const reply = await send(atBob.state, 'hi Alice')
    const atAlice = await receiveText(hello.state, reply.message)
    expect(atAlice).toMatchObject({ text: 'hi Alice', sender: 'Bob' })
    aliceState = atAlice.state
    bobState = reply.state
  })

  it('does not reveal the plaintext on the wire', async () => {
    const secret = 'the password is swordfish'
    const { message } = await send(aliceState, secret)
    expect(Buffer.from(message).includes(Buffer.from(secret))).toBe(false)
  })

  it('keeps working after the state is stored and restored', async () => {
    const restoredBob = decodeState(encodeState(bobState))
    expect(epochOf(restoredBob)).toBe(epochOf(bobState))

    const first = await send(aliceState, 'after restore')
    const received = await receiveText(restoredBob, first.message)
    expect(received.text).toBe('after restore')

    const back = await send(decodeState(encodeState(received.state)), 'restored Bob speaks')
    expect((await receiveText(first.state, back.message)).text).toBe('restored Bob speaks')
  })

  it('reserves send generations: a stored copy moved ahead never reuses a key the live state used', async () => {
    const start = sendGeneration(aliceState)
    const stored = encodeState(await reserveSendGenerations(aliceState, start + 5))
    // The live state sends three messages the stored copy never saw, then the process "crashes".
    let live = aliceState
    let bobLive = bobState
    for (const text of ['one', 'two', 'three']) {
      const sent = await send(live, text)
      live = sent.state
      const got = await receiveText(bobLive, sent.message)
      expect(got.text).toBe(text)
      bobLive = got.state
    }
    expect(sendGeneration(live)).toBe(start + 3)
    const restarted = decodeState(stored)
    expect(sendGeneration(restarted)).toBe(start + 5)
    // Bob ratchets over the two skipped generations; a reused generation would be refused.
    const after = await send(restarted, 'after the crash')
    expect((await receiveText(bobLive, after.message)).text).toBe('after the crash')
    await expect(reserveSendGenerations(live, start)).rejects.toThrow(KithError)
  })

  it('rejects a corrupt stored state with a CodecError', () => {
    expect(() => decodeState(new Uint8Array([1, 2, 3]))).toThrow(CodecError)
  })

  it('rejects a ciphertext with one flipped bit', async () => {
    const { message } = await send(aliceState, 'do not change me')
    const tampered = tamper(message)
    expect(readMlsMessage(tampered).kind).toBe('private')
    await expect(processMessage(bobState, privateMessage(tampered))).rejects.toThrow(KithError)
    // The untampered message still decrypts: the failure was the flipped bit.
    expect((await receiveText(bobState, message)).text).toBe('do not change me')
  })

  it('applies a commit from the current epoch and refuses it once the group has moved on', async () => {
    const update = await commitChanges(aliceState, { parent: addHash })
    const commit = privateMessage(update.commit)
    const applied = await processMessage(bobState, commit)
    expect(applied.kind).toBe('commit')
    if (applied.kind !== 'commit') return
    expect(epochOf(applied.state)).toBe(2)
    expect(applied.committer?.certificate.displayName).toBe('Alice')
    expect(applied.removedSelf).toBe(false)
    // The same epoch-1 commit again, now that Bob is at epoch 2.
    await expect(processMessage(applied.state, commit)).rejects.toThrow(ValidationError)
    await expect(processMessage(applied.state, commit)).rejects.toThrow('commit is for epoch 1, group is at 2')
  })

  it('refuses a concurrent commit for the epoch it has already left', async () => {
    const fromAlice = await commitChanges(aliceState, { parent: addHash })
    const fromBob = await commitChanges(bobState, { parent: addHash })
    expect(epochOf(fromBob.state)).toBe(2)
    await expect(processMessage(fromBob.state, privateMessage(fromAlice.commit))).rejects.toThrow(/epoch 1/)
  })

  it('still decrypts a message of the previous epoch that arrives after the commit', async () => {
    const late = await send(aliceState, 'sent before the commit')
    const update = await commitChanges(late.state, { parent: addHash })
    const applied = await processMessage(bobState, privateMessage(update.commit))
    expect(epochOf(applied.state)).toBe(2)
    expect((await receiveText(applied.state, late.message)).text).toBe('sent before the commit')
  })
})

describe('removing a member', () => {
  let carolBefore: GroupState
  let carolAfter: GroupState
  let bobAfter: GroupState
  let aliceAfter: GroupState
  let removal: Awaited<ReturnType<typeof commitChanges>>

  beforeAll(async () => {
    const [alice, bob, carol] = await Promise.all([createMember('Alice'), createMember('Bob'), createMember('Carol')])
    const created = await createGroupState(randomBytes(32), alice.keyPackage)
    const added = await commitChanges(created, { add: [bob.keyPackage.publicPackage, carol.keyPackage.publicPackage], parent: NO_PARENT })
    const bobState = await join(added.welcome, bob)
    carolBefore = await join(added.welcome, carol)
    const carolLeaf = ownLeafIndex(carolBefore)
    expect(listMembers(added.state).map((m) => m.certificate.displayName)).toEqual(['Alice', 'Bob', 'Carol'])

    removal = await commitChanges(added.state, { removeLeaves: [carolLeaf], parent: added.commitHash })
    aliceAfter = removal.state
    const atBob = await processMessage(bobState, privateMessage(removal.commit))
    if (atBob.kind !== 'commit') throw new Error('expected a commit')
    bobAfter = atBob.state
    const atCarol = await processMessage(carolBefore, privateMessage(removal.commit))
    if (atCarol.kind !== 'commit') throw new Error('expected a commit')
    expect(atCarol.removedSelf).toBe(true)
    carolAfter = atCarol.state
  })

  it('leaves the remaining members in the group without the removed one', () => {
    expect(listMembers(aliceAfter).map((m) => m.certificate.displayName)).toEqual(['Alice', 'Bob'])
    expect(listMembers(bobAfter).map((m) => m.certificate.displayName)).toEqual(['Alice', 'Bob'])
    expect(isActive(carolAfter)).toBe(false)
  })

  it('lets the remaining members read a message sent after the removal', async () => {
    const { message } = await send(aliceAfter, 'Carol has left')
    expect((await receiveText(bobAfter, message)).text).toBe('Carol has left')
  })

  it('keeps the removed member from decrypting a message sent after the removal', async () => {
    const { message } = await send(aliceAfter, 'Carol must not read this')
    await expect(processMessage(carolAfter, privateMessage(message))).rejects.toThrow(KithError)
    // Nor with the state from before she processed her removal.
    await expect(processMessage(carolBefore, privateMessage(message))).rejects.toThrow(KithError)
  })

  it('refuses to let the removed member send or commit', async () => {
    await expect(send(carolAfter, 'still here?')).rejects.toThrow(UsageError)
    await expect(commitChanges(carolAfter, { parent: removal.commitHash })).rejects.toThrow(UsageError)
  })
})

describe('replacing a member device in one commit (a restore from a backup)', () => {
  it('tells the old device it was removed even though the new one takes its leaf, and only the new one reads on', async () => {
    const [alice, bob, carol] = await Promise.all([createMember('Alice'), createMember('Bob'), createMember('Carol')])
    const created = await createGroupState(randomBytes(32), alice.keyPackage)
    const added = await commitChanges(created, { add: [bob.keyPackage.publicPackage, carol.keyPackage.publicPackage], parent: NO_PARENT })
    const bobState = await join(added.welcome, bob)
    const oldCarol = await join(added.welcome, carol)
    const oldLeaf = ownLeafIndex(oldCarol)
    // Carol's restored device: the same identity key certifies a new MLS key and peer id.
    const mlsKey = await generateMlsSigningKey()
    const certificate = await issueDeviceCertificate(carol.device.identity, { peerId: randomBytes(38), mlsSignatureKey: mlsKey.publicKey, displayName: 'Carol', createdAt: 1_700_000_000_001 })
    const newCarol: Member = { device: { identity: carol.device.identity, mlsKey, certificate }, keyPackage: await createKeyPackage(certificate, mlsKey) }

    const replace = await commitChanges(added.state, { removeLeaves: [oldLeaf], add: [newCarol.keyPackage.publicPackage], parent: added.commitHash })
    // ts-mls puts the new device into the leaf just freed: the case it misses on its own.
    expect(listMembers(replace.state).find((m) => m.leafIndex === oldLeaf)?.certificate.mlsSignatureKey).toEqual(mlsKey.publicKey)
    const atOld = await processMessage(oldCarol, privateMessage(replace.commit))
    if (atOld.kind !== 'commit') throw new Error('expected a commit')
    expect(atOld.removedSelf).toBe(true)
    expect(isActive(atOld.state)).toBe(false)
    const atBob = await processMessage(bobState, privateMessage(replace.commit))
    if (atBob.kind !== 'commit') throw new Error('expected a commit')
    expect(atBob.removedSelf).toBe(false)
    const newState = await join(replace.welcome, newCarol)

    const { message } = await send(atBob.state, 'only the new device reads this')
    expect((await receiveText(newState, message)).text).toBe('only the new device reads this')
    await expect(processMessage(atOld.state, privateMessage(message))).rejects.toThrow(KithError)
    await expect(send(atOld.state, 'still here?')).rejects.toThrow(UsageError)
  })
})

describe('readMlsMessage', () => {
  it('rejects bytes that are not an MLS message', () => {
    expect(() => readMlsMessage(new Uint8Array([0xde, 0xad, 0xbe, 0xef]))).toThrow(CodecError)
    expect(() => readMlsMessage(new Uint8Array())).toThrow(CodecError)
  })

  it('rejects trailing bytes after a valid message', async () => {
    const member = await createMember('Dave')
    const state = await createGroupState(randomBytes(32), member.keyPackage)
    const { message } = await send(state, 'x')
    expect(readMlsMessage(message).kind).toBe('private')
    expect(() => readMlsMessage(new Uint8Array([...message, 0]))).toThrow(CodecError)
  })

  it('rejects a key package where a group message is expected', async () => {
    const member = await createMember('Erin')
    expect(() => readMlsMessage(member.keyPackage.encoded)).toThrow(/not accepted here/)
  })

  it('rejects a message over the size limit', () => {
    expect(() => readMlsMessage(new Uint8Array(MAX_MLS_MESSAGE_BYTES + 1))).toThrow(ValidationError)
  })
})
