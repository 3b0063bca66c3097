/**
 * Hostile input against a live peer: 10,000 random and mutated frames on each Kith protocol,
 * tampered, replayed and non-member messages, and oversized frames. The peer must drop and log
 * each, stay up, and keep serving a real conversation.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { lpStream } from '@libp2p/utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Deliver, DeliverKind } from '../../src/core/codec/envelope.ts'
import { randomBytes } from '../../src/core/bytes.ts'
import { issueDeviceCertificate } from '../../src/core/identity/device-certificate.ts'
import { generateSigningKey } from '../../src/core/identity/identity-key.ts'
import { createGroupState, encryptApplication } from '../../src/core/mls/group.ts'
import { createKeyPackage, generateMlsSigningKey } from '../../src/core/mls/key-package.ts'
import { DELIVER_PROTOCOL, KEY_PACKAGE_PROTOCOL, MAX_DELIVER_FRAME } from '../../src/net/constants.ts'
import { createKithNode, type KithLibp2p } from '../../src/net/node.ts'
import type { KithNode } from '../../src/node/kith-node.ts'
import { loadAccount } from '../../src/core/messenger/account.ts'
import { encodeInvite } from '../../src/core/identity/invite.ts'
import { commitChanges } from '../../src/core/mls/group.ts'
import { addContact, cleanup, logOf, startPeer, waitForMessage } from './harness.ts'

let alice: KithNode
let bob: KithNode
let mallory: KithLibp2p
let captured: Uint8Array

const FRAMES = 10_000

function mutate (frame: Uint8Array, i: number): Uint8Array {
  const copy = new Uint8Array(frame)
  switch (i % 4) {
    case 0: copy[i % copy.length] = (copy[i % copy.length]! ^ (1 << (i % 8))) & 0xff; return copy
    case 1: return copy.subarray(0, i % copy.length)
    case 2: return new Uint8Array([...copy, ...randomBytes(1 + (i % 32))])
    default: return randomBytes(i % 600)
  }
}

beforeAll(async () => {
  alice = await startPeer('Alice')
  bob = await startPeer('Bob')
  await addContact(alice, bob, 'bob')
  await bob.messenger.send('alice', 'before the storm')
  await waitForMessage(alice, 'bob', 'before the storm')
  mallory = await createKithNode({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'] })
  const aliceAddr = multiaddr(`${alice.bootstrapAddrs()[0]}`)
  await mallory.dial(aliceAddr)
  captured = Deliver.encode({ id: randomBytes(16) as Uint8Array<ArrayBuffer>, kind: DeliverKind.MLS, message: randomBytes(200) as Uint8Array<ArrayBuffer>, card: new Uint8Array(), hints: [], commitHash: new Uint8Array() })
})

afterAll(async () => {
  await mallory?.stop()
  await alice?.stop()
  await bob?.stop()
  cleanup()
})

describe('a live peer under hostile input', () => {
  it(`survives ${FRAMES} random and mutated frames on ${DELIVER_PROTOCOL}`, async () => {
    let sent = 0
    let streams = 0
    while (sent < FRAMES) {
      const stream = await mallory.dialProtocol(alice.libp2p.peerId, DELIVER_PROTOCOL)
      streams++
      const lp = lpStream(stream, { maxDataLength: 64 })
      try {
        for (let k = 0; k < 500 && sent < FRAMES; k++, sent++) {
          await lp.write(mutate(captured, sent))
          await lp.read()
        }
        await stream.close()
      } catch {
        stream.abort(new Error('peer closed'))
      }
    }
    expect(sent).toBe(FRAMES)
    expect(streams).toBeGreaterThan(0)
    expect(logOf(alice)).toMatch(/dropped (malformed|message)/)
    await bob.messenger.send('alice', 'after delivery fuzz')
    await waitForMessage(alice, 'bob', 'after delivery fuzz')
  })

  it(`survives ${FRAMES} random and mutated frames on ${KEY_PACKAGE_PROTOCOL}`, async () => {
    const valid = new Uint8Array([0x08, 0x01])
    for (let i = 0; i < FRAMES; i++) {
      const stream = await mallory.dialProtocol(alice.libp2p.peerId, KEY_PACKAGE_PROTOCOL)
      const lp = lpStream(stream, { maxDataLength: 16 * 1024 })
      try {
        await lp.write(mutate(valid, i))
        await lp.read({ signal: AbortSignal.timeout(2000) })
        await stream.close()
      } catch {
        stream.abort(new Error('refused'))
      }
    }
    expect(logOf(alice)).toMatch(/key package request from .* refused/)
    await alice.messenger.send('bob', 'after key package fuzz')
    await waitForMessage(bob, 'alice', 'after key package fuzz')
  })

  it('drops an oversized frame and keeps serving', async () => {
    const stream = await mallory.dialProtocol(alice.libp2p.peerId, DELIVER_PROTOCOL)
    const lp = lpStream(stream, { maxDataLength: MAX_DELIVER_FRAME * 2 })
    await lp.write(new Uint8Array(MAX_DELIVER_FRAME + 1)).catch(() => {})
    await expect(lp.read({ signal: AbortSignal.timeout(5000) })).rejects.toThrow()
    expect(logOf(alice)).toMatch(/dropped delivery stream from \S+: frame of \d+ bytes exceeds the \d+-byte limit/)
    await bob.messenger.send('alice', 'after the oversized frame')
    await waitForMessage(alice, 'bob', 'after the oversized frame')
  })

  it('drops tampered and replayed ciphertext and messages from non-members', async () => {
    // Capture a real frame: queue a message for Alice while her delivery is not kicked.
    const bobPeer = bob.libp2p.peerId.toString()
    await alice.stop()
    await bob.messenger.send('alice', 'genuine')
    const [row] = await bob.store.listOutbox(alice.libp2p.peerId.toString(), 0, 1)
    expect(row).toBeDefined()
    alice = await startPeer('Alice', alice.paths.dir)
    await waitForMessage(alice, 'bob', 'genuine')
    const genuine = Deliver.decode(row!.frame)

    // Replayed: acknowledged (so the sender stops) but stored only once.
    expect(await alice.messenger.receive(bobPeer, genuine)).toBe('stored')
    expect((await alice.messenger.messages('bob')).filter((m) => m.text === 'genuine')).toHaveLength(1)
    expect(logOf(alice)).toMatch(/dropped replayed message/)

    // Tampered: one flipped bit in the ciphertext.
    const tampered = new Uint8Array(genuine.message)
    tampered[tampered.length - 5] = tampered[tampered.length - 5]! ^ 0x01
    expect(await alice.messenger.receive(bobPeer, { ...genuine, message: tampered })).toBe('rejected')

    // A non-member who knows the group id: its own group with that id, other keys.
    const groupId = await alice.messenger.resolveTarget('bob')
    const eve = await generateSigningKey()
    const eveMls = await generateMlsSigningKey()
    const eveCert = await issueDeviceCertificate(eve, { peerId: mallory.peerId.toMultihash().bytes, mlsSignatureKey: eveMls.publicKey, displayName: 'Eve', createdAt: Date.now() })
    const eveGroup = await createGroupState(Buffer.from(groupId, 'hex'), await createKeyPackage(eveCert, eveMls))
    const forged = await encryptApplication(eveGroup, new TextEncoder().encode('hi from eve'))
    const outcome = await alice.messenger.receive(mallory.peerId.toString(), { ...genuine, message: forged.message as Uint8Array<ArrayBuffer> })
    expect(outcome).toBe('rejected')
    const texts = (await alice.messenger.messages('bob')).map((m) => m.text)
    expect(texts).not.toContain('hi from eve')
    expect(logOf(alice)).toMatch(/dropped message for .* (AEAD|decrypt|message rejected|epoch|Could not)/i)

    await bob.messenger.send('alice', 'still chatting')
    await waitForMessage(alice, 'bob', 'still chatting')
  })

  it('refuses a welcome that would take over an existing 1:1', async () => {
    const mallory = await startPeer('Mallory')
    try {
      const account = await loadAccount(mallory.store)
      const directId = await alice.messenger.resolveTarget('bob')
      const before = await alice.messenger.conversation('bob')
      // Mallory builds a group under the Alice-Bob 1:1 id and invites Alice into it.
      await mallory.libp2p.dial(multiaddr(alice.bootstrapAddrs()[0]!))
      const aliceKp = await mallory.libp2p.dialProtocol(alice.libp2p.peerId, KEY_PACKAGE_PROTOCOL).then(async (stream) => {
        const lp = lpStream(stream)
        const { KeyPackageRequest, KeyPackageResponse } = await import('../../src/core/codec/envelope.ts')
        await lp.write(KeyPackageRequest.encode({ version: 1 }))
        return KeyPackageResponse.decode(await lp.read())
      })
      const { readPeerKeyPackage } = await import('../../src/core/mls/key-package.ts')
      const kp = await readPeerKeyPackage(aliceKp.keyPackage, { identityKey: Buffer.from(alice.messenger.identity, 'hex') })
      const squat = await createGroupState(Buffer.from(directId, 'hex'), await createKeyPackage(account.certificate, account.mlsKey))
      const commit = await commitChanges(squat, { add: [kp.keyPackage], parent: new Uint8Array() })
      const welcome = Deliver.encode({
        id: randomBytes(16) as Uint8Array<ArrayBuffer>, kind: DeliverKind.WELCOME, message: commit.welcome! as Uint8Array<ArrayBuffer>,
        card: encodeInvite({ certificate: account.certificate, addrs: [] }) as Uint8Array<ArrayBuffer>, hints: [], commitHash: commit.commitHash as Uint8Array<ArrayBuffer>
      })
      expect(await alice.messenger.receive(mallory.libp2p.peerId.toString(), Deliver.decode(welcome))).toBe('rejected')
      const after = await alice.messenger.conversation('bob')
      expect(after.members.map((m) => m.identity).sort()).toEqual(before.members.map((m) => m.identity).sort())
      expect(after.members.map((m) => m.name)).not.toContain('Mallory')
      await alice.messenger.send('bob', 'only for bob')
      await waitForMessage(bob, 'alice', 'only for bob')
    } finally {
      await mallory.stop()
    }
  })
})
