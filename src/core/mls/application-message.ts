/**
 * RFC 9420 §6.3 PrivateMessage protection for application data, the one MLS operation Kith runs
 * per chat message. ts-mls implements the same protocol for every content type through generic
 * TLS encoders, re-encoding the GroupContext and the KDF labels on every call; this module does
 * only what an application message needs, with per-epoch encodings cached, and leaves the secret
 * tree in exactly the shape ts-mls keeps it, so commits, storage and out-of-order receipt stay
 * ts-mls's. It also decodes incoming PrivateMessages of every content type, strictly, in one pass.
 * The RFC's message-protection test vector and round trips against ts-mls in both directions pin
 * it to the standard (test/unit/core/mls/application-message.test.ts).
 */
import type { CiphersuiteImpl, GroupContext, LeafNode, PrivateMessage } from 'ts-mls'
import type { KeyRetentionConfig } from 'ts-mls/keyRetentionConfig.js'
import type { PaddingConfig } from 'ts-mls/paddingConfig.js'
import { encodeGroupContext } from 'ts-mls/groupContext.js'
import { ratchetToGeneration, type SecretTree } from 'ts-mls/secretTree.js'
import type { ReuseGuard } from 'ts-mls/sender.js'
import { leafToNodeIndex, toLeafIndex } from 'ts-mls/treemath.js'
import { equalBytes, randomBytes, utf8 } from '../bytes.ts'
import { CodecError, CryptoVerificationError, KithError, ValidationError } from '../errors.ts'

/** The keys of one epoch that protecting and unprotecting read. */
export interface EpochSecrets {
  readonly groupContext: GroupContext
  readonly senderDataSecret: Uint8Array
  readonly secretTree: SecretTree
}

/** What a sender needs beyond its epoch's keys. */
export interface SenderKeys {
  readonly leafIndex: number
  readonly signaturePrivateKey: Uint8Array
  readonly padding: PaddingConfig
}

/** A verified application message. */
export interface OpenedApplication {
  readonly data: Uint8Array
  readonly senderLeaf: number
  readonly senderNode: LeafNode
  /** The secret tree with the used key deleted; the caller's state takes it on success. */
  readonly secretTree: SecretTree
}

const PROTOCOL_MLS10 = 1
const WIRE_PRIVATE_MESSAGE = 2
const CONTENT_APPLICATION = 1
const SENDER_MEMBER = 1
const SENDER_DATA_BYTES = 12
const REUSE_GUARD_BYTES = 4
const MAX_GENERATION = 0xffffffff
const MAX_VARINT = 0x3fffffff

function varintSize (n: number): number {
  if (n < 0x40) return 1
  if (n < 0x4000) return 2
  if (n <= MAX_VARINT) return 4
  throw new ValidationError(`length ${n} does not fit an MLS variable-length integer`)
}

/** A writer over a buffer sized in advance; TLS presentation language, RFC 9420 §2.1. */
class Writer {
  readonly bytes: Uint8Array
  private offset = 0
  constructor (size: number) { this.bytes = new Uint8Array(size) }

  u8 (n: number): this { this.bytes[this.offset++] = n; return this }
  u16 (n: number): this { this.bytes[this.offset++] = n >>> 8; this.bytes[this.offset++] = n & 0xff; return this }
  u32 (n: number): this { return this.u16(n >>> 16).u16(n & 0xffff) }
  raw (data: Uint8Array): this { this.bytes.set(data, this.offset); this.offset += data.length; return this }
  varint (n: number): this {
    const size = varintSize(n)
    if (size === 1) return this.u8(n)
    if (size === 2) return this.u16(0x4000 | n)
    return this.u32((0x80000000 | n) >>> 0)
  }

  vector (data: Uint8Array): this { return this.varint(data.length).raw(data) }
  /** Leaves `n` zero bytes. */
  skip (n: number): this { this.offset += n; return this }
  done (): Uint8Array {
    if (this.offset !== this.bytes.length) throw new KithError(`encoder wrote ${this.offset} of ${this.bytes.length} bytes`)
    return this.bytes
  }
}

function vectorSize (data: Uint8Array): number {
  return varintSize(data.length) + data.length
}

/** Reads one minimally encoded variable-length vector at `offset`; returns it and the next offset. */
function readVector (bytes: Uint8Array, offset: number, what: string): [Uint8Array, number] {
  const first = bytes[offset]
  if (first === undefined) throw new CodecError(`${what}: truncated`)
  let length: number
  let size: number
  switch (first >> 6) {
    case 0: length = first; size = 1; break
    case 1: length = ((first & 0x3f) << 8) | (bytes[offset + 1] ?? 0); size = 2; break
    case 2: length = ((first & 0x3f) * 0x1000000) + ((bytes[offset + 1] ?? 0) << 16) + ((bytes[offset + 2] ?? 0) << 8) + (bytes[offset + 3] ?? 0); size = 4; break
    default: throw new CodecError(`${what}: invalid length prefix`)
  }
  if (offset + size > bytes.length) throw new CodecError(`${what}: truncated`)
  if (varintSize(length) !== size) throw new CodecError(`${what}: length is not minimally encoded`)
  const end = offset + size + length
  if (end > bytes.length) throw new CodecError(`${what}: truncated`)
  return [bytes.subarray(offset + size, end), end]
}

const labels = new Map<string, Uint8Array>()

function label (name: string): Uint8Array {
  let bytes = labels.get(name)
  if (bytes === undefined) {
    bytes = utf8(`MLS 1.0 ${name}`)
    labels.set(name, bytes)
  }
  return bytes
}

/** ExpandWithLabel (RFC 9420 §8). */
async function expandWithLabel (cs: CiphersuiteImpl, secret: Uint8Array, name: string, context: Uint8Array, length: number): Promise<Uint8Array> {
  const l = label(name)
  const info = new Writer(2 + vectorSize(l) + vectorSize(context)).u16(length).vector(l).vector(context).done()
  return await cs.kdf.expand(secret, info, length)
}

/** DeriveTreeSecret (RFC 9420 §9): ExpandWithLabel with the generation as context. */
async function deriveTreeSecret (cs: CiphersuiteImpl, secret: Uint8Array, name: string, generation: number, length: number): Promise<Uint8Array> {
  return await expandWithLabel(cs, secret, name, new Writer(4).u32(generation).done(), length)
}

interface GenerationKeys { readonly generation: number, readonly key: Uint8Array, readonly nonce: Uint8Array, readonly next: Uint8Array }

/**
 * Keys derived ahead of need ({@link prepareGeneration}), by the ratchet secret they come from: a
 * secret belongs to one generation of one ratchet, and is dropped from the state once used, so an
 * entry lives no longer than the secret it could be derived from again.
 */
const prepared = new WeakMap<Uint8Array, GenerationKeys>()

/** The key, nonce (before the reuse guard) and next ratchet secret of one generation (RFC 9420 §9.1). */
async function deriveGeneration (cs: CiphersuiteImpl, secret: Uint8Array, generation: number): Promise<GenerationKeys> {
  const [key, nonce, next] = await Promise.all([
    deriveTreeSecret(cs, secret, 'key', generation, cs.hpke.keyLength),
    deriveTreeSecret(cs, secret, 'nonce', generation, cs.hpke.nonceLength),
    deriveTreeSecret(cs, secret, 'secret', generation, cs.kdf.size)
  ])
  return { generation, key, nonce, next }
}

/** The key, reuse-guarded nonce and next ratchet secret of one generation; prepared ones are used once. */
async function generationKeys (cs: CiphersuiteImpl, secret: Uint8Array, generation: number, reuseGuard: Uint8Array): Promise<GenerationKeys> {
  let keys = prepared.get(secret)
  if (keys !== undefined && keys.generation === generation) prepared.delete(secret)
  else keys = await deriveGeneration(cs, secret, generation)
  guardNonce(keys.nonce, reuseGuard)
  return keys
}

/**
 * The ratchet secret of generation `to`, from the secret of generation `from` (RFC 9420 §9.1),
 * without deriving the keys and nonces of the generations between, which nobody will use.
 */
export async function ratchetSecret (cs: CiphersuiteImpl, secret: Uint8Array, from: number, to: number): Promise<Uint8Array> {
  if (to < from || to > MAX_GENERATION) throw new KithError(`cannot move a ratchet from generation ${from} to ${to}`)
  let out = secret
  for (let generation = from; generation < to; generation++) out = await deriveTreeSecret(cs, out, 'secret', generation, cs.kdf.size)
  return out
}

/**
 * Derives now the keys of the next application message from the leaf at `leafIndex` (sent or
 * received), so that handling it later skips three HMACs. Meant for idle time.
 */
export async function prepareGeneration (cs: CiphersuiteImpl, secretTree: SecretTree, leafIndex: number): Promise<void> {
  const ratchet = secretTree[leafToNodeIndex(toLeafIndex(leafIndex))]?.application
  if (ratchet === undefined || prepared.has(ratchet.secret) || ratchet.generation >= MAX_GENERATION) return
  const keys = await deriveGeneration(cs, ratchet.secret, ratchet.generation)
  prepared.set(ratchet.secret, keys)
}

function guardNonce (nonce: Uint8Array, reuseGuard: Uint8Array): void {
  for (let i = 0; i < REUSE_GUARD_BYTES; i++) nonce[i] = (nonce[i] as number) ^ (reuseGuard[i] as number)
}

/** Encodings that are fixed for one epoch. */
interface EpochEncodings {
  /** GroupContext, the tail of every FramedContentTBS a member signs. */
  readonly context: Uint8Array
  /** group_id<V> epoch: the head of PrivateMessage, its AADs and FramedContent. */
  readonly head: Uint8Array
  /** SenderDataAAD for application content. */
  readonly senderDataAad: Uint8Array
}

const epochEncodings = new WeakMap<GroupContext, EpochEncodings>()

function encodingsOf (context: GroupContext): EpochEncodings {
  let enc = epochEncodings.get(context)
  if (enc === undefined) {
    const head = new Writer(vectorSize(context.groupId) + 8).vector(context.groupId).u32(Number(context.epoch >> 32n)).u32(Number(context.epoch & 0xffffffffn)).done()
    enc = {
      context: encodeGroupContext(context),
      head,
      senderDataAad: new Writer(head.length + 1).raw(head).u8(CONTENT_APPLICATION).done()
    }
    epochEncodings.set(context, enc)
  }
  return enc
}

/** PrivateContentAAD (RFC 9420 §6.3.1). */
function contentAad (enc: EpochEncodings, authenticatedData: Uint8Array): Uint8Array {
  return new Writer(enc.head.length + 1 + vectorSize(authenticatedData)).raw(enc.head).u8(CONTENT_APPLICATION).vector(authenticatedData).done()
}

/** SignContent{"MLS 1.0 FramedContentTBS", FramedContentTBS} for application data from a member (RFC 9420 §5.1.2, §6.1). */
function signContent (enc: EpochEncodings, leafIndex: number, authenticatedData: Uint8Array, data: Uint8Array): Uint8Array {
  const tbsSize = 2 + 2 + enc.head.length + 1 + 4 + vectorSize(authenticatedData) + 1 + vectorSize(data) + enc.context.length
  const l = label('FramedContentTBS')
  return new Writer(vectorSize(l) + varintSize(tbsSize) + tbsSize)
    .vector(l).varint(tbsSize)
    .u16(PROTOCOL_MLS10).u16(WIRE_PRIVATE_MESSAGE)
    .raw(enc.head).u8(SENDER_MEMBER).u32(leafIndex).vector(authenticatedData)
    .u8(CONTENT_APPLICATION).vector(data)
    .raw(enc.context)
    .done()
}

/** The sender-data key and nonce, derived from a sample of the content ciphertext (RFC 9420 §6.3.2). */
async function senderDataKeys (cs: CiphersuiteImpl, secret: Uint8Array, ciphertext: Uint8Array): Promise<[Uint8Array, Uint8Array]> {
  const sample = ciphertext.subarray(0, cs.kdf.size)
  return await Promise.all([
    expandWithLabel(cs, secret, 'key', sample, cs.hpke.keyLength),
    expandWithLabel(cs, secret, 'nonce', sample, cs.hpke.nonceLength)
  ])
}

/** `tree` with the application ratchet of the leaf at `nodeIndex` moved past `generation` to `next`. */
function advanced (tree: SecretTree, nodeIndex: number, generation: number, next: Uint8Array): SecretTree {
  const node = tree[nodeIndex]
  if (node === undefined) throw new KithError(`node ${nodeIndex} is missing from the secret tree`)
  const copy = tree.slice()
  copy[nodeIndex] = { ...node, application: { ...node.application, secret: next, generation: generation + 1 } }
  return copy
}

function paddingFor (length: number, padding: PaddingConfig): number {
  if (padding.kind === 'alwaysPad') return padding.paddingLength
  return length >= padding.padUntilLength ? 0 : padding.padUntilLength - length
}

/**
 * Protects `data` as an application PrivateMessage from `sender` and returns the encoded
 * MLSMessage and the secret tree with this generation used.
 */
export async function protectApplication (
  cs: CiphersuiteImpl, epoch: EpochSecrets, sender: SenderKeys, data: Uint8Array, authenticatedData = new Uint8Array(0)
): Promise<{ message: Uint8Array, secretTree: SecretTree }> {
  const nodeIndex = leafToNodeIndex(toLeafIndex(sender.leafIndex))
  const node = epoch.secretTree[nodeIndex]
  if (node === undefined) throw new KithError('own leaf is missing from the secret tree')
  const ratchet = node.application
  if (ratchet.generation >= MAX_GENERATION) throw new KithError('this epoch has used every application generation; commit first')
  const reuseGuard = randomBytes(REUSE_GUARD_BYTES)
  const enc = encodingsOf(epoch.groupContext)
  const [keys, signature] = await Promise.all([
    generationKeys(cs, ratchet.secret, ratchet.generation, reuseGuard),
    cs.signature.sign(sender.signaturePrivateKey, signContent(enc, sender.leafIndex, authenticatedData, data))
  ])

  const contentSize = vectorSize(data) + vectorSize(signature)
  const padding = paddingFor(contentSize, sender.padding)
  const content = new Writer(contentSize + padding).vector(data).vector(signature).skip(padding).done()
  const ciphertext = await cs.hpke.encryptAead(keys.key, keys.nonce, contentAad(enc, authenticatedData), content)

  const [sdKey, sdNonce] = await senderDataKeys(cs, epoch.senderDataSecret, ciphertext)
  const senderData = new Writer(SENDER_DATA_BYTES).u32(sender.leafIndex).u32(ratchet.generation).raw(reuseGuard).done()
  const encryptedSenderData = await cs.hpke.encryptAead(sdKey, sdNonce, enc.senderDataAad, senderData)

  const message = new Writer(4 + enc.head.length + 1 + vectorSize(authenticatedData) + vectorSize(encryptedSenderData) + vectorSize(ciphertext))
    .u16(PROTOCOL_MLS10).u16(WIRE_PRIVATE_MESSAGE)
    .raw(enc.head).u8(CONTENT_APPLICATION).vector(authenticatedData)
    .vector(encryptedSenderData).vector(ciphertext)
    .done()

  return { message, secretTree: advanced(epoch.secretTree, nodeIndex, ratchet.generation, keys.next) }
}

async function open (cs: CiphersuiteImpl, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array, what: string): Promise<Uint8Array> {
  try {
    return await cs.hpke.decryptAead(key, nonce, aad, ciphertext)
  } catch (err) {
    throw new CryptoVerificationError(`${what} does not decrypt`, { cause: err })
  }
}

/**
 * Decrypts and verifies an application PrivateMessage of `epoch`. `leafAt` returns the member's
 * leaf at an index; `ownLeaf` is this device's, whose messages never arrive from the network.
 * The state is untouched: the caller keeps the returned secret tree only if it accepts the message.
 */
export async function unprotectApplication (
  cs: CiphersuiteImpl, epoch: EpochSecrets, pm: PrivateMessage, leafAt: (leafIndex: number) => LeafNode | undefined,
  ownLeaf: number, retention: KeyRetentionConfig
): Promise<OpenedApplication> {
  if (pm.contentType !== 'application') throw new ValidationError('expected application data')
  // RFC 9420 §6.3.2: the header must name the group and epoch we decrypt under. The AADs below are
  // built from our own context, so a rewritten header would otherwise go unnoticed.
  if (!equalBytes(pm.groupId, epoch.groupContext.groupId)) throw new ValidationError('the message names another group than the one it was decrypted for')
  if (pm.epoch !== epoch.groupContext.epoch) throw new ValidationError(`the message is for epoch ${pm.epoch}, not epoch ${epoch.groupContext.epoch}`)
  const enc = encodingsOf(epoch.groupContext)

  const [sdKey, sdNonce] = await senderDataKeys(cs, epoch.senderDataSecret, pm.ciphertext)
  const senderData = await open(cs, sdKey, sdNonce, enc.senderDataAad, pm.encryptedSenderData, 'sender data')
  if (senderData.length !== SENDER_DATA_BYTES) throw new CodecError(`sender data of ${senderData.length} bytes, expected ${SENDER_DATA_BYTES}`)
  const view = new DataView(senderData.buffer, senderData.byteOffset, senderData.length)
  const senderLeaf = view.getUint32(0)
  const generation = view.getUint32(4)
  const reuseGuard = senderData.subarray(8, 12) as ReuseGuard
  if (senderLeaf === ownLeaf) throw new ValidationError('application data claims to come from this device')
  const senderNode = leafAt(senderLeaf)
  if (senderNode === undefined) throw new ValidationError(`application data from leaf ${senderLeaf}, which holds no member`)

  const nodeIndex = leafToNodeIndex(toLeafIndex(senderLeaf))
  const node = epoch.secretTree[nodeIndex]
  if (node === undefined) throw new ValidationError(`leaf ${senderLeaf} is outside the secret tree`)
  let key: Uint8Array
  let nonce: Uint8Array
  let secretTree: SecretTree
  if (node.application.generation === generation) {
    // In order: the common case.
    const keys = await generationKeys(cs, node.application.secret, generation, reuseGuard)
    key = keys.key
    nonce = keys.nonce
    secretTree = advanced(epoch.secretTree, nodeIndex, generation, keys.next)
  } else {
    // Late or skipped-ahead: ts-mls keeps the unused generations and its retention limits.
    try {
      const result = await ratchetToGeneration(epoch.secretTree, { leafIndex: senderLeaf, generation, reuseGuard }, 'application', retention, cs)
      key = result.key
      nonce = result.nonce
      secretTree = result.newTree
    } catch (err) {
      throw new ValidationError(`generation ${generation} from leaf ${senderLeaf} was already used or is too far ahead`, { cause: err })
    }
  }

  const content = await open(cs, key, nonce, contentAad(enc, pm.authenticatedData), pm.ciphertext, 'application content')
  const [data, afterData] = readVector(content, 0, 'application data')
  const [signature, afterSignature] = readVector(content, afterData, 'signature')
  for (let i = afterSignature; i < content.length; i++) {
    if (content[i] !== 0) throw new CodecError('application content has non-zero padding')
  }
  const signed = signContent(enc, senderLeaf, pm.authenticatedData, data)
  if (!await cs.signature.verify(senderNode.signaturePublicKey, signed, signature)) {
    throw new CryptoVerificationError(`application data from leaf ${senderLeaf} has an invalid signature`)
  }
  return { data, senderLeaf, senderNode, secretTree }
}

const CONTENT_TYPES = [undefined, 'application', 'proposal', 'commit'] as const

/**
 * Decodes an MLSMessage that carries a PrivateMessage (RFC 9420 §6), strictly: every length
 * minimally encoded, nothing left over. Returns undefined for any other wire format.
 */
export function decodePrivateMessage (bytes: Uint8Array): PrivateMessage | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length)
  if (bytes.length < 4 || view.getUint16(2) !== WIRE_PRIVATE_MESSAGE) return undefined
  if (view.getUint16(0) !== PROTOCOL_MLS10) throw new CodecError(`MLS protocol version ${view.getUint16(0)} is not mls10`)
  const [groupId, afterGroup] = readVector(bytes, 4, 'group id')
  if (afterGroup + 9 > bytes.length) throw new CodecError('private message: truncated')
  const epoch = (BigInt(view.getUint32(afterGroup)) << 32n) | BigInt(view.getUint32(afterGroup + 4))
  const contentType = CONTENT_TYPES[bytes[afterGroup + 8] as number]
  if (contentType === undefined) throw new CodecError(`private message: unknown content type ${bytes[afterGroup + 8]}`)
  const [authenticatedData, afterAad] = readVector(bytes, afterGroup + 9, 'authenticated data')
  const [encryptedSenderData, afterSender] = readVector(bytes, afterAad, 'encrypted sender data')
  const [ciphertext, end] = readVector(bytes, afterSender, 'ciphertext')
  if (end !== bytes.length) throw new CodecError(`private message: ${bytes.length - end} bytes after the ciphertext`)
  return { groupId, epoch, contentType, authenticatedData, encryptedSenderData, ciphertext }
}
