/**
 * MLS costs: add-member commits for groups of 10, 100 and 1,000 and processing them on a member,
 * with Kith's wrapper (authentication service validating every certificate) against raw ts-mls
 * with its accept-anything default; plus the encrypt/decrypt costs that bound message latency.
 */
import * as mls from 'ts-mls'
import { generateSigningKey } from '../src/core/identity/identity-key.ts'
import { issueDeviceCertificate } from '../src/core/identity/device-certificate.ts'
import { commitChanges, createGroupState, joinFromWelcome, processMessage, readMlsMessage, type GroupState } from '../src/core/mls/group.ts'
import { createKeyPackage, generateMlsSigningKey, type OwnKeyPackage } from '../src/core/mls/key-package.ts'
import { getSuite } from '../src/core/mls/suite.ts'
import { randomBytes } from '../src/core/bytes.ts'
import { result, type BenchResult } from './stats.ts'

/** A fresh device's KeyPackage with a real certificate. */
export async function device (name: string): Promise<OwnKeyPackage> {
  const identity = await generateSigningKey()
  const signing = await generateMlsSigningKey()
  const cert = await issueDeviceCertificate(identity, { peerId: randomBytes(38), mlsSignatureKey: signing.publicKey, displayName: name, createdAt: Date.now() })
  return await createKeyPackage(cert, signing)
}

/** Builds a group of `size` members: the creator plus one observed member and `size - 2` others. */
async function buildGroup (size: number): Promise<{ creator: GroupState, member: GroupState }> {
  const creatorKp = await device('creator')
  let creator = await createGroupState(randomBytes(32), creatorKp)
  const memberKp = await device('member')
  const others: OwnKeyPackage[] = []
  for (let i = 0; i < size - 2; i++) others.push(await device(`m${i}`))
  const commit = await commitChanges(creator, { add: [memberKp.publicPackage, ...others.map((o) => o.publicPackage)], parent: new Uint8Array() })
  creator = commit.state
  const welcome = readMlsMessage(commit.welcome!)
  if (welcome.kind !== 'welcome') throw new Error('expected welcome')
  const member = await joinFromWelcome(welcome.welcome, memberKp)
  return { creator, member }
}

/** A two-member group: the sender's and the receiver's states. */
export async function pairGroup (): Promise<{ sender: GroupState, receiver: GroupState }> {
  const { creator, member } = await buildGroup(2)
  return { sender: creator, receiver: member }
}

/** Add-member commit and processing times, Kith wrapper vs raw ts-mls, for each group size. */
export async function benchCommits (sizes: number[]): Promise<BenchResult[]> {
  const suite = await getSuite()
  const out: BenchResult[] = []
  for (const size of sizes) {
    const { creator, member } = await buildGroup(size)
    const joiner = await device('joiner')
    const joiner2 = await device('joiner2')
    // Raw ts-mls: same state, default (accept-all) authentication service.
    const rawState = { ...creator, clientConfig: { ...creator.clientConfig, authService: mls.defaultAuthenticationService } }
    let t = performance.now()
    const raw = await mls.createCommit({ state: rawState, cipherSuite: suite }, { extraProposals: [{ proposalType: 'add', add: { keyPackage: joiner2.publicPackage } }], ratchetTreeExtension: true })
    const rawCommitMs = performance.now() - t
    t = performance.now()
    const kith = await commitChanges(creator, { add: [joiner.publicPackage], parent: new Uint8Array() })
    const kithCommitMs = performance.now() - t
    out.push(result(`mls add-member commit, group of ${size}`, kithCommitMs, 'ms', 'ts-mls createCommit, no credential checks', rawCommitMs))

    const rawMember = { ...member, clientConfig: { ...member.clientConfig, authService: mls.defaultAuthenticationService } }
    const rawMsg = mls.decodeMlsMessage(mls.encodeMlsMessage(raw.commit), 0)![0] as mls.MlsPrivateMessage
    t = performance.now()
    await mls.processPrivateMessage(rawMember, rawMsg.privateMessage, mls.emptyPskIndex, suite)
    const rawProcessMs = performance.now() - t
    const kithMsg = readMlsMessage(kith.commit)
    if (kithMsg.kind !== 'private') throw new Error('expected commit')
    t = performance.now()
    await processMessage(member, kithMsg.message)
    const kithProcessMs = performance.now() - t
    out.push(result(`mls process add commit on a member, group of ${size}`, kithProcessMs, 'ms', 'ts-mls processPrivateMessage, no credential checks', rawProcessMs))
  }
  return out
}
