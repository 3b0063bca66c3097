import { beforeAll, describe, expect, it } from 'vitest'
import {
  createApplicationMessage, decodeMlsMessage, emptyPskIndex, encodeMlsMessage, getCiphersuiteFromName, getCiphersuiteImpl, processPrivateMessage,
  type CiphersuiteImpl, type GroupContext, type LeafNode, type MlsPrivateMessage, type PrivateMessage
} from 'ts-mls'
import { createSecretTree } from 'ts-mls/secretTree.js'
import { defaultPaddingConfig } from 'ts-mls/paddingConfig.js'
import { fromHex, randomBytes, utf8 } from '../../../../src/core/bytes.ts'
import { CodecError, CryptoVerificationError, ValidationError } from '../../../../src/core/errors.ts'
import { decodePrivateMessage, prepareGeneration, protectApplication, ratchetSecret, unprotectApplication, type EpochSecrets } from '../../../../src/core/mls/application-message.ts'
import { commitChanges, createGroupState, joinFromWelcome, readMlsMessage, type GroupState } from '../../../../src/core/mls/group.ts'
import { createKeyPackage } from '../../../../src/core/mls/key-package.ts'
import { CIPHER_SUITE, clientConfig } from '../../../../src/core/mls/suite.ts'
import { accelerateSuite } from '../../../../src/node/mls-crypto.ts'
import { createTestDevice } from '../fixtures.ts'

/**
 * RFC 9420 message-protection test vector for cipher suite 1, from the MLS working group's
 * interoperability suite (mlswg/mls-implementations, test-vectors/message-protection.json at 5b3461f): a
 * two-leaf group whose member at leaf 1 sends at generation 0.
 */
const VECTOR = {
  groupId: '42e4c3a73738d838cb4f9dc550cb81406206943f9e6870ee150f2000ae8aa780',
  epoch: 1184274n,
  treeHash: 'a257a326c7b632ce7ccdea8d3a3b5c3c2daa53a21029b3673ee05e9a3cea5934',
  confirmedTranscriptHash: '59b10f7a137e853c4ef7ce43d2fe0a481bb80652f648c5efab11c3141a1ba60c',
  signaturePriv: '3091b9149866552f1bc8452aacd58b0a0b2ef87f2bb606d03ef6c06da0ca5cfc',
  signaturePub: '62087f5b047e5292d5d29ded0977442788633c196a607988238b8c4374b4b4be',
  encryptionSecret: '4db33574f514024e61e2a15e71527182f62561d84b4d8230501b623d848df998',
  senderDataSecret: 'b21dfbbf69da2fec93299d8bd0795ad0aec22b42d83ff10a2e5e3f997672b8b3',
  application: 'a1ab266714fdb6d121f4c7f248271fb824a3e61dd3f91835e68fc8789f17f754a86233781fb59d23811b',
  applicationPriv: '000100022042e4c3a73738d838cb4f9dc550cb81406206943f9e6870ee150f2000ae8aa780000000000012121201001cf18ad2e0ad4462390d72714d68b2a845ba336c3e8d398d21334f8d0f407dab47ce77c5fff3107b2f4e4bf99936c0ec680364333403663b7a955708a73d91e921a4fb3ffd50292a51ec31d4ec684231eb6f765cfbd5cca5b78fbe42bbf1b04dd1682fc87678b3a4f1599770839b171caff15e5e264957f3d16c31ba3ca16416f4665115244291536ddb438528cdb8502de654be9ca093915d36b1ab'
}

function privateMessage (bytes: Uint8Array): PrivateMessage {
  const incoming = readMlsMessage(bytes)
  if (incoming.kind !== 'private') throw new Error(`expected a private message, got ${incoming.kind}`)
  return incoming.message
}

function epochOf (state: GroupState): EpochSecrets {
  return { groupContext: state.groupContext, senderDataSecret: state.keySchedule.senderDataSecret, secretTree: state.secretTree }
}

function leafOf (state: GroupState): (leafIndex: number) => LeafNode | undefined {
  return (leafIndex) => {
    const node = state.ratchetTree[leafIndex * 2]
    return node?.nodeType === 'leaf' ? node.leaf : undefined
  }
}

function senderOf (state: GroupState): Parameters<typeof protectApplication>[2] {
  return { leafIndex: state.privatePath.leafIndex, signaturePrivateKey: state.signaturePrivateKey, padding: state.clientConfig.paddingConfig }
}

/** Flips one bit at `index` (negative: from the end). */
function flip (bytes: Uint8Array, index: number): Uint8Array {
  const copy = bytes.slice()
  const at = index < 0 ? copy.length + index : index
  copy[at] = (copy[at] as number) ^ 0x01
  return copy
}

const suites: Array<[string, () => Promise<CiphersuiteImpl>]> = [
  ['WebCrypto (browsers)', async () => await getCiphersuiteImpl(getCiphersuiteFromName(CIPHER_SUITE))],
  ['node:crypto (Node peers)', async () => accelerateSuite(await getCiphersuiteImpl(getCiphersuiteFromName(CIPHER_SUITE)))]
]

describe.each(suites)('application messages with %s primitives', (_name, makeSuite) => {
  let cs: CiphersuiteImpl

  beforeAll(async () => { cs = await makeSuite() })

  describe('RFC 9420 message-protection test vector', () => {
    let epoch: EpochSecrets
    const signer = { signaturePublicKey: fromHex(VECTOR.signaturePub) } as unknown as LeafNode
    const leafAt = (leafIndex: number): LeafNode | undefined => leafIndex === 1 ? signer : undefined

    beforeAll(async () => {
      const groupContext: GroupContext = {
        version: 'mls10',
        cipherSuite: CIPHER_SUITE,
        groupId: fromHex(VECTOR.groupId),
        epoch: VECTOR.epoch,
        treeHash: fromHex(VECTOR.treeHash),
        confirmedTranscriptHash: fromHex(VECTOR.confirmedTranscriptHash),
        extensions: []
      }
      epoch = { groupContext, senderDataSecret: fromHex(VECTOR.senderDataSecret), secretTree: await createSecretTree(2, fromHex(VECTOR.encryptionSecret), cs.kdf) }
    })

    it('decrypts and verifies the reference PrivateMessage', async () => {
      const opened = await unprotectApplication(cs, epoch, privateMessage(fromHex(VECTOR.applicationPriv)), leafAt, 0, clientConfig.keyRetentionConfig)
      expect(opened.data).toEqual(fromHex(VECTOR.application))
      expect(opened.senderLeaf).toBe(1)
      expect(opened.secretTree[2]?.application.generation).toBe(1)
    })

    it('protects the reference data so that it unprotects with the same keys', async () => {
      const sender = { leafIndex: 1, signaturePrivateKey: fromHex(VECTOR.signaturePriv), padding: defaultPaddingConfig }
      const { message } = await protectApplication(cs, epoch, sender, fromHex(VECTOR.application))
      // Same header as the reference: version, wire format, group id, epoch, content type, empty authenticated data.
      expect(message.subarray(0, 47)).toEqual(fromHex(VECTOR.applicationPriv).subarray(0, 47))
      const opened = await unprotectApplication(cs, epoch, privateMessage(message), leafAt, 0, clientConfig.keyRetentionConfig)
      expect(opened.data).toEqual(fromHex(VECTOR.application))
    })
  })

  describe('against ts-mls in a real two-member group', () => {
    let alice: GroupState
    let bob: GroupState

    beforeAll(async () => {
      const aliceDevice = await createTestDevice('Alice')
      const bobDevice = await createTestDevice('Bob')
      const bobPackage = await createKeyPackage(bobDevice.certificate, bobDevice.mlsKey)
      const created = await createGroupState(randomBytes(16), await createKeyPackage(aliceDevice.certificate, aliceDevice.mlsKey))
      const commit = await commitChanges(created, { add: [bobPackage.publicPackage], parent: new Uint8Array() })
      alice = commit.state
      const welcome = readMlsMessage(commit.welcome!)
      if (welcome.kind !== 'welcome') throw new Error('expected a welcome')
      bob = await joinFromWelcome(welcome.welcome, bobPackage)
    })

    it('ts-mls reads what Kith protects, message after message', async () => {
      let sender = alice
      let receiver = bob
      for (let i = 0; i < 5; i++) {
        const data = utf8(`kith → ts-mls ${i}`)
        const { message, secretTree } = await protectApplication(cs, epochOf(sender), senderOf(sender), data)
        sender = { ...sender, secretTree }
        const decoded = decodeMlsMessage(message, 0)![0] as MlsPrivateMessage & { version: 'mls10' }
        expect(encodeMlsMessage(decoded)).toEqual(message)
        const result = await processPrivateMessage(receiver, decoded.privateMessage, emptyPskIndex, cs)
        if (result.kind !== 'applicationMessage') throw new Error(`expected application data, got ${result.kind}`)
        expect(result.message).toEqual(data)
        receiver = result.newState
      }
    })

    it('Kith reads what ts-mls protects, and keeps the same ratchet', async () => {
      let sender = alice
      let tree = bob.secretTree
      for (let i = 0; i < 5; i++) {
        const data = utf8(`ts-mls → kith ${i}`)
        const created = await createApplicationMessage(sender, data, cs)
        sender = created.newState
        const bytes = encodeMlsMessage({ version: 'mls10', wireformat: 'mls_private_message', privateMessage: created.privateMessage })
        const opened = await unprotectApplication(cs, { ...epochOf(bob), secretTree: tree }, privateMessage(bytes), leafOf(bob), 1, clientConfig.keyRetentionConfig)
        expect(opened.data).toEqual(data)
        expect(opened.senderLeaf).toBe(0)
        tree = opened.secretTree
      }
      // The ratchet advanced exactly as ts-mls's own receive path would have.
      expect(tree[0]?.application.generation).toBe(5)
    })

    it('accepts late and skipped generations once each, and refuses a replay', async () => {
      const sent: Uint8Array[] = []
      let sender = alice
      for (let i = 0; i < 3; i++) {
        const { message, secretTree } = await protectApplication(cs, epochOf(sender), senderOf(sender), utf8(`m${i}`))
        sender = { ...sender, secretTree }
        sent.push(message)
      }
      let tree = bob.secretTree
      for (const i of [2, 0, 1]) {
        const opened = await unprotectApplication(cs, { ...epochOf(bob), secretTree: tree }, privateMessage(sent[i]!), leafOf(bob), 1, clientConfig.keyRetentionConfig)
        expect(opened.data).toEqual(utf8(`m${i}`))
        tree = opened.secretTree
      }
      await expect(unprotectApplication(cs, { ...epochOf(bob), secretTree: tree }, privateMessage(sent[1]!), leafOf(bob), 1, clientConfig.keyRetentionConfig))
        .rejects.toThrow(ValidationError)
    })

    it('uses keys derived ahead of need once, on both sides, and they are the right ones', async () => {
      let expands = 0
      const counted: CiphersuiteImpl = { ...cs, kdf: { ...cs.kdf, expand: async (...args) => { expands++; return await cs.kdf.expand(...args) } } }
      const expandsIn = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
        const before = expands
        const result = await work()
        return [result, expands - before]
      }
      let sender = alice
      let tree = bob.secretTree
      let tsMls = bob
      for (let i = 0; i < 3; i++) {
        await prepareGeneration(counted, sender.secretTree, sender.privatePath.leafIndex)
        await prepareGeneration(counted, tree, 0)
        const data = utf8(`prepared ${i}`)
        // Only the two sender-data derivations are left: key, nonce and next secret were ready.
        const [{ message, secretTree }, sending] = await expandsIn(async () => await protectApplication(counted, epochOf(sender), senderOf(sender), data))
        expect(sending).toBe(2)
        sender = { ...sender, secretTree }
        const [opened, receiving] = await expandsIn(async () =>
          await unprotectApplication(counted, { ...epochOf(bob), secretTree: tree }, privateMessage(message), leafOf(bob), 1, clientConfig.keyRetentionConfig))
        expect(receiving).toBe(2)
        expect(opened.data).toEqual(data)
        tree = opened.secretTree
        // ts-mls, deriving its own keys, reads the same message: the prepared keys were right.
        const decoded = decodeMlsMessage(message, 0)![0] as MlsPrivateMessage
        const result = await processPrivateMessage(tsMls, decoded.privateMessage, emptyPskIndex, cs)
        if (result.kind !== 'applicationMessage') throw new Error(`expected application data, got ${result.kind}`)
        expect(result.message).toEqual(data)
        tsMls = result.newState
      }
      // A prepared key is used once: protecting again from the same ratchet derives its keys anew.
      await prepareGeneration(counted, sender.secretTree, sender.privatePath.leafIndex)
      await protectApplication(counted, epochOf(sender), senderOf(sender), utf8('first'))
      const [, again] = await expandsIn(async () => await protectApplication(counted, epochOf(sender), senderOf(sender), utf8('second')))
      expect(again).toBe(5)
    })

    it('moves a ratchet secret forward as ts-mls does, and never back', async () => {
      const start = alice.secretTree[0]!.application
      // Alice's ratchet moved three generations by secret alone; Bob's ts-mls ratchet skips the same three to read her.
      const secret = await ratchetSecret(cs, start.secret, start.generation, start.generation + 3)
      const secretTree = alice.secretTree.slice()
      secretTree[0] = { ...secretTree[0]!, application: { ...start, secret, generation: start.generation + 3 } }
      const { message } = await protectApplication(cs, { ...epochOf(alice), secretTree }, senderOf(alice), utf8('three ahead'))
      const decoded = decodeMlsMessage(message, 0)![0] as MlsPrivateMessage
      const result = await processPrivateMessage(bob, decoded.privateMessage, emptyPskIndex, cs)
      if (result.kind !== 'applicationMessage') throw new Error(`expected application data, got ${result.kind}`)
      expect(result.message).toEqual(utf8('three ahead'))
      await expect(ratchetSecret(cs, start.secret, 5, 4)).rejects.toThrow(/cannot move a ratchet from generation 5 to 4/)
    })

    it('rejects tampering, forgery and its own leaf, and leaves the ratchet usable', async () => {
      const { message } = await protectApplication(cs, epochOf(alice), senderOf(alice), utf8('genuine'))
      const open = async (bytes: Uint8Array, ownLeaf = 1): Promise<unknown> =>
        await unprotectApplication(cs, epochOf(bob), privateMessage(bytes), leafOf(bob), ownLeaf, clientConfig.keyRetentionConfig)
      // Content ciphertext (the last bytes) and encrypted sender data (just before it).
      await expect(open(flip(message, -3))).rejects.toThrow(CryptoVerificationError)
      const senderDataAt = message.length - privateMessage(message).ciphertext.length - 5
      await expect(open(flip(message, senderDataAt))).rejects.toThrow(/sender data does not decrypt/)
      // Signed with a key that is not the sender leaf's.
      const forged = await protectApplication(cs, epochOf(alice), { ...senderOf(alice), signaturePrivateKey: bob.signaturePrivateKey }, utf8('forged'))
      await expect(open(forged.message)).rejects.toThrow(/invalid signature/)
      // A member's own message coming back from the network.
      await expect(open(message, 0)).rejects.toThrow(/this device/)
      // A genuine message whose header names another group or epoch (RFC 9420 §6.3.2).
      const pm = privateMessage(message)
      const openHeader = async (header: Partial<PrivateMessage>): Promise<unknown> =>
        await unprotectApplication(cs, epochOf(bob), { ...pm, ...header }, leafOf(bob), 1, clientConfig.keyRetentionConfig)
      await expect(openHeader({ groupId: utf8('another group') })).rejects.toThrow(/names another group/)
      await expect(openHeader({ epoch: pm.epoch + 1n })).rejects.toThrow(/is for epoch/)
      // A message whose framing was cut short never reaches the ratchet.
      expect(() => privateMessage(message.subarray(0, message.length - 1))).toThrow(CodecError)
      // None of that used up the generation: the genuine message still opens.
      const opened = await unprotectApplication(cs, epochOf(bob), privateMessage(message), leafOf(bob), 1, clientConfig.keyRetentionConfig)
      expect(opened.data).toEqual(utf8('genuine'))
    })
  })
})

describe('decodePrivateMessage', () => {
  const reference = fromHex(VECTOR.applicationPriv)

  it('decodes what ts-mls decodes, field for field', () => {
    const ours = decodePrivateMessage(reference)
    const theirs = (decodeMlsMessage(reference, 0)![0] as MlsPrivateMessage).privateMessage
    expect(ours).toEqual(theirs)
  })

  it('leaves other wire formats to ts-mls', () => {
    expect(decodePrivateMessage(fromHex('00010003'))).toBeUndefined()
  })

  it('rejects trailing bytes, truncation, unknown content types, non-minimal lengths and other versions', () => {
    const withTrailing = new Uint8Array([...reference, 0])
    expect(() => decodePrivateMessage(withTrailing)).toThrow(/after the ciphertext/)
    expect(() => decodePrivateMessage(reference.subarray(0, reference.length - 1))).toThrow(/truncated/)
    // Content type sits after version (2), wire format (2), group id (1 + 32) and epoch (8).
    const badType = reference.slice()
    badType[45] = 9
    expect(() => decodePrivateMessage(badType)).toThrow(/content type 9/)
    // The empty authenticated data, its length written in two bytes instead of one.
    const nonMinimal = new Uint8Array([...reference.subarray(0, 46), 0x40, ...reference.subarray(46)])
    expect(() => decodePrivateMessage(nonMinimal)).toThrow(/minimally/)
    const oldVersion = reference.slice()
    oldVersion[1] = 0
    expect(() => decodePrivateMessage(oldVersion)).toThrow(CodecError)
  })
})
