/**
 * Kith's wrapper over ts-mls groups. Group states are immutable values: every operation returns a
 * new state and the bytes to send, which keeps rollback for fork choice cheap (DESIGN.md §4).
 */
import {
  createCommit, createGroup, decodeGroupState, decodeMlsMessage, emptyPskIndex, encodeGroupState,
  encodeMlsMessage, joinGroup, processPrivateMessage, type ClientState, type KeyPackage, type LeafNode, type PrivateMessage,
  type Proposal, type Welcome
} from 'ts-mls'
import { leafToNodeIndex, toLeafIndex } from 'ts-mls/treemath.js'
import { sha256 } from '../bytes.ts'
import { CodecError, CryptoVerificationError, KithError, UsageError, ValidationError } from '../errors.ts'
import { decodeDeviceCertificate, type DeviceCertificate } from '../identity/device-certificate.ts'
import { decodePrivateMessage, prepareGeneration, protectApplication, ratchetSecret, unprotectApplication } from './application-message.ts'
import type { OwnKeyPackage } from './key-package.ts'
import { authenticationService, clientConfig, getSuite } from './suite.ts'

/** A group's MLS state: an immutable value. */
export type GroupState = ClientState

/** Largest MLS message Kith accepts from a peer. */
export const MAX_MLS_MESSAGE_BYTES = 1024 * 1024

/** One member device of a group, as its leaf's certificate describes it. */
export interface Member {
  readonly leafIndex: number
  readonly certificate: DeviceCertificate
}

/** A decoded incoming MLS message of a kind Kith handles. */
export type IncomingMls =
  | { kind: 'private', groupId: Uint8Array, epoch: number, contentType: 'application' | 'commit' | 'proposal', authenticatedData: Uint8Array, message: PrivateMessage }
  | { kind: 'welcome', welcome: Welcome }

/** What processing a private message produced. */
export type ProcessResult =
  | { kind: 'application', state: GroupState, plaintext: Uint8Array, sender: Member }
  | { kind: 'commit', state: GroupState, committer: Member | undefined, removedSelf: boolean }

/** What a local commit produced. */
export interface CommitResult {
  readonly state: GroupState
  readonly commit: Uint8Array
  readonly commitHash: Uint8Array
  readonly welcome: Uint8Array | undefined
}

const certificates = new WeakMap<LeafNode, DeviceCertificate>()

function certificateOf (leaf: LeafNode): DeviceCertificate {
  let cert = certificates.get(leaf)
  if (cert === undefined) {
    if (leaf.credential.credentialType !== 'basic') throw new CryptoVerificationError('group member has a non-Kith credential')
    cert = decodeDeviceCertificate(leaf.credential.identity)
    certificates.set(leaf, cert)
  }
  return cert
}

function leafAt (tree: GroupState['ratchetTree'], leafIndex: number): LeafNode | undefined {
  const node = tree[leafIndex * 2]
  return node?.nodeType === 'leaf' ? node.leaf : undefined
}

/** Wraps a ts-mls failure, naming a rejected credential when that was the cause. */
function wrapMlsError (what: string, err: unknown): KithError {
  if (err instanceof KithError) return err
  const rejection = authenticationService.lastRejection
  authenticationService.lastRejection = undefined
  const detail = err instanceof Error ? err.message : String(err)
  if (rejection !== undefined && /credential/i.test(detail)) return new CryptoVerificationError(`${what}: credential rejected: ${rejection}`, { cause: err })
  return new CryptoVerificationError(`${what}: ${detail}`, { cause: err })
}

/** The group's epoch as a number. */
export function epochOf (state: GroupState): number {
  return Number(state.groupContext.epoch)
}

/** This device's leaf index. */
export function ownLeafIndex (state: GroupState): number {
  return state.privatePath.leafIndex
}

/** False once this device has been removed from the group. */
export function isActive (state: GroupState): boolean {
  return state.groupActiveState.kind === 'active'
}

/** Every member device, this one included, in leaf order. */
export function listMembers (state: GroupState): Member[] {
  const members: Member[] = []
  for (let i = 0; i * 2 < state.ratchetTree.length; i++) {
    const leaf = leafAt(state.ratchetTree, i)
    if (leaf !== undefined) members.push({ leafIndex: i, certificate: certificateOf(leaf) })
  }
  return members
}

/** Creates a one-member group; `own` is consumed and must not be offered again. */
export async function createGroupState (groupId: Uint8Array, own: OwnKeyPackage): Promise<GroupState> {
  return await createGroup(groupId, own.publicPackage, own.privatePackage, [], await getSuite(), clientConfig)
}

/** Serialises a state for storage. */
export function encodeState (state: GroupState): Uint8Array {
  return encodeGroupState(state)
}

/** Restores a state stored by {@link encodeState}. */
export function decodeState (bytes: Uint8Array): GroupState {
  const decoded = decodeGroupState(bytes, 0)
  if (decoded === undefined) throw new CodecError('stored group state is corrupt')
  return { ...decoded[0], clientConfig }
}

/**
 * The generation this device's next application message in the current epoch will use. A state
 * written to disk must never be behind a generation already used, or a restart would reuse a key.
 */
export function sendGeneration (state: GroupState): number {
  const node = state.secretTree[leafToNodeIndex(toLeafIndex(state.privatePath.leafIndex))]
  if (node === undefined) throw new KithError('own leaf is missing from the secret tree')
  return node.application.generation
}

/**
 * A copy of `state` whose own application ratchet is moved forward to `generation` (which must
 * not be behind it). Storing such a copy reserves the generations before it: the state in memory
 * may use them without being written again, and after a crash the stored copy skips past any of
 * them that were used. Receivers ratchet over the gap as over lost messages.
 */
export async function reserveSendGenerations (state: GroupState, generation: number): Promise<GroupState> {
  const index = leafToNodeIndex(toLeafIndex(state.privatePath.leafIndex))
  const node = state.secretTree[index]
  if (node === undefined) throw new KithError('own leaf is missing from the secret tree')
  const current = node.application
  if (generation < current.generation) throw new KithError('a reservation cannot move a ratchet back')
  if (generation === current.generation) return state
  // Keys of the skipped generations are never needed: nobody decrypts their own messages.
  const secret = await ratchetSecret(await getSuite(), current.secret, current.generation, generation)
  const secretTree = state.secretTree.slice()
  secretTree[index] = { ...node, application: { ...current, secret, generation } }
  return { ...state, secretTree }
}

/** Derives in advance the keys of the next message this device sends in the current epoch. */
export async function prepareToSend (state: GroupState): Promise<void> {
  await prepareGeneration(await getSuite(), state.secretTree, state.privatePath.leafIndex)
}

/** Derives in advance the keys of the next message the member at `leafIndex` sends in the current epoch. */
export async function prepareToReceive (state: GroupState, leafIndex: number): Promise<void> {
  await prepareGeneration(await getSuite(), state.secretTree, leafIndex)
}

/** Encrypts application data for the whole group. */
export async function encryptApplication (state: GroupState, plaintext: Uint8Array): Promise<{ state: GroupState, message: Uint8Array }> {
  if (!isActive(state)) throw new UsageError('you are no longer a member of this group')
  if (Object.keys(state.unappliedProposals).length !== 0) throw new UsageError('proposals are pending; commit them before sending')
  const { message, secretTree } = await protectApplication(
    await getSuite(),
    { groupContext: state.groupContext, senderDataSecret: state.keySchedule.senderDataSecret, secretTree: state.secretTree },
    { leafIndex: state.privatePath.leafIndex, signaturePrivateKey: state.signaturePrivateKey, padding: state.clientConfig.paddingConfig },
    plaintext
  )
  return { state: { ...state, secretTree }, message }
}

/** The changes one commit makes. `parent` is the hash of the commit that opened the current epoch. */
export interface CommitChanges {
  readonly add?: readonly KeyPackage[]
  readonly removeLeaves?: readonly number[]
  readonly parent: Uint8Array
}

/** Commits adds and removes (or, with neither, a key update) and returns the new state and messages. */
export async function commitChanges (state: GroupState, changes: CommitChanges): Promise<CommitResult> {
  if (!isActive(state)) throw new UsageError('you are no longer a member of this group')
  const proposals: Proposal[] = [
    ...(changes.removeLeaves ?? []).map((removed): Proposal => ({ proposalType: 'remove', remove: { removed: toLeafIndex(removed) } })),
    ...(changes.add ?? []).map((keyPackage): Proposal => ({ proposalType: 'add', add: { keyPackage } }))
  ]
  let result
  try {
    result = await createCommit({ state, cipherSuite: await getSuite() }, {
      extraProposals: proposals,
      ratchetTreeExtension: true,
      authenticatedData: changes.parent
    })
  } catch (err) {
    throw wrapMlsError('could not create commit', err)
  }
  const commit = encodeMlsMessage(result.commit)
  const welcome = result.welcome === undefined
    ? undefined
    : encodeMlsMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome: result.welcome })
  return { state: result.newState, commit, commitHash: await sha256(commit), welcome }
}

/** Decodes an MLS message from the wire and checks that it is one Kith expects. */
export function readMlsMessage (bytes: Uint8Array): IncomingMls {
  if (bytes.length > MAX_MLS_MESSAGE_BYTES) throw new ValidationError(`MLS message of ${bytes.length} bytes exceeds ${MAX_MLS_MESSAGE_BYTES}`)
  const pm = decodePrivateMessage(bytes)
  if (pm !== undefined) return { kind: 'private', groupId: pm.groupId, epoch: Number(pm.epoch), contentType: pm.contentType, authenticatedData: pm.authenticatedData, message: pm }
  let decoded
  try {
    decoded = decodeMlsMessage(bytes, 0)
  } catch (err) {
    throw new CodecError('not a valid MLS message', { cause: err })
  }
  if (decoded === undefined || decoded[1] !== bytes.length) throw new CodecError('not a valid MLS message')
  const msg = decoded[0]
  if (msg.wireformat === 'mls_welcome') return { kind: 'welcome', welcome: msg.welcome }
  throw new ValidationError(`MLS wire format ${msg.wireformat} is not accepted here`)
}

/** Joins a group from a Welcome addressed to one of our KeyPackages. */
export async function joinFromWelcome (welcome: Welcome, own: OwnKeyPackage): Promise<GroupState> {
  try {
    return await joinGroup(welcome, own.publicPackage, own.privatePackage, emptyPskIndex, await getSuite(), undefined, undefined, clientConfig)
  } catch (err) {
    throw wrapMlsError('could not join group from welcome', err)
  }
}

async function decryptApplication (state: GroupState, pm: PrivateMessage): Promise<ProcessResult> {
  const current = pm.epoch === state.groupContext.epoch
  const past = current ? undefined : state.historicalReceiverData.get(pm.epoch)
  const epochData = past ?? { senderDataSecret: state.keySchedule.senderDataSecret, secretTree: state.secretTree, ratchetTree: state.ratchetTree, groupContext: state.groupContext }
  if (!current && past === undefined) throw new ValidationError(`message is for epoch ${pm.epoch}, whose keys are no longer kept`)
  const opened = await unprotectApplication(await getSuite(), epochData, pm, (leafIndex) => leafAt(epochData.ratchetTree, leafIndex),
    state.privatePath.leafIndex, state.clientConfig.keyRetentionConfig)
  const newState: GroupState = past === undefined
    ? { ...state, secretTree: opened.secretTree }
    : { ...state, historicalReceiverData: new Map(state.historicalReceiverData).set(pm.epoch, { ...past, secretTree: opened.secretTree }) }
  return { kind: 'application', state: newState, plaintext: opened.data, sender: { leafIndex: opened.senderLeaf, certificate: certificateOf(opened.senderNode) } }
}

/** Decrypts and applies one private message: application data or a commit of the current epoch. */
export async function processMessage (state: GroupState, pm: PrivateMessage): Promise<ProcessResult> {
  try {
    if (pm.contentType === 'application') return await decryptApplication(state, pm)
    if (pm.contentType !== 'commit') throw new ValidationError('standalone proposals are not accepted; commit them instead')
    if (pm.epoch !== state.groupContext.epoch) throw new ValidationError(`commit is for epoch ${pm.epoch}, group is at ${state.groupContext.epoch}`)
    let committerLeaf: number | undefined
    let removesOwnLeaf = false
    const own = state.privatePath.leafIndex
    const committerOf = (): Member | undefined => {
      const leaf = committerLeaf === undefined ? undefined : leafAt(state.ratchetTree, committerLeaf)
      return leaf === undefined || committerLeaf === undefined ? undefined : { leafIndex: committerLeaf, certificate: certificateOf(leaf) }
    }
    let result
    try {
      result = await processPrivateMessage(state, pm, emptyPskIndex, await getSuite(), (incoming) => {
        if (incoming.kind !== 'commit') return 'accept'
        committerLeaf = incoming.senderLeafIndex
        removesOwnLeaf = incoming.proposals.some((p) => p.proposal.proposalType === 'remove' && p.proposal.remove.removed === own)
        return 'accept'
      })
    } catch (err) {
      // ts-mls 1.6.4 tells a removed member so only while its leaf stays blank: when an Add in the
      // same commit (a rejoin: Remove old device + Add new one) fills that leaf, it tries to decrypt
      // the update path and fails. The commit was authenticated before that, so record the removal.
      if (!removesOwnLeaf) throw err
      return { kind: 'commit', state: { ...state, groupActiveState: { kind: 'removedFromGroup' } }, committer: committerOf(), removedSelf: true }
    }
    return { kind: 'commit', state: result.newState, committer: committerOf(), removedSelf: !isActive(result.newState) }
  } catch (err) {
    throw wrapMlsError('message rejected', err)
  }
}
