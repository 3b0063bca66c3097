/**
 * SFrame keys from MLS (RFC 9605 §5.2). Every epoch has one base key,
 *
 *   base_key = MLS-Exporter("SFrame 1.0 Base Key", "", AEAD.Nk)
 *
 * and each member sends under its own KID, so each has its own sframe_key and sframe_salt:
 *
 *   KID = (context << (S + E)) + (sender_index << E) + (epoch % (1 << E))
 *
 * Kith uses E = SFRAME_EPOCH_BITS, S = the bits of the ratchet tree's leaf count, the member's
 * leaf index as sender_index, and context 0 (the shortest KID).
 */
import { mlsExporter } from 'ts-mls'
import { ValidationError } from '../errors.ts'
import { ownLeafIndex, listMembers, type GroupState } from '../mls/group.ts'
import { getSuite } from '../mls/suite.ts'
import { AES_128_GCM_SHA256_128 } from './cipher-suite.ts'
import { MAX_UINT64 } from './header.ts'

/** The MLS exporter label of §5.2. */
export const SFRAME_BASE_KEY_LABEL = 'SFrame 1.0 Base Key'

/**
 * E: low-order epoch bits carried in a KID. At most 2^E epochs can be live at once; Kith keeps
 * far fewer (the current one and the one before), so 4 bits keep KIDs short.
 */
export const SFRAME_EPOCH_BITS = 4

/** Parameters of one sender's KID. */
export interface KidOptions {
  readonly epoch: bigint
  readonly senderIndex: number
  /** S: bits of a member index, `indexBitsFor(group size)`. */
  readonly indexBits: number
  /** E; SFRAME_EPOCH_BITS by default. */
  readonly epochBits?: number
  /** A sender-chosen context value; 0 by default. */
  readonly context?: bigint
}

/** S: the smallest value with group_size <= 1 << S (§5.2). */
export function indexBitsFor (groupSize: number): number {
  if (!Number.isInteger(groupSize) || groupSize < 1) throw new ValidationError('group size must be a positive integer')
  let s = 0
  while ((1 << s) < groupSize) s++
  return s
}

/** The KID of one sender in one epoch (§5.2, Figure 8). */
export function senderKid (options: KidOptions): bigint {
  const e = options.epochBits ?? SFRAME_EPOCH_BITS
  const s = options.indexBits
  const context = options.context ?? 0n
  if (!Number.isInteger(s) || s < 0 || !Number.isInteger(e) || e < 0 || s + e > 64) throw new ValidationError('KID index and epoch bits must fit in 64 bits')
  if (!Number.isInteger(options.senderIndex) || options.senderIndex < 0 || options.senderIndex >= 2 ** s) {
    throw new ValidationError(`sender index ${options.senderIndex} does not fit in ${s} bits`)
  }
  if (options.epoch < 0n) throw new ValidationError('epoch must be non-negative')
  const kid = (context << BigInt(s + e)) + (BigInt(options.senderIndex) << BigInt(e)) + (options.epoch % (1n << BigInt(e)))
  if (context < 0n || kid > MAX_UINT64) throw new ValidationError('KID context does not fit in 64 bits')
  return kid
}

/** Splits a KID back into its fields (§5.2, Figure 8). */
export function parseSenderKid (kid: bigint, indexBits: number, epochBits = SFRAME_EPOCH_BITS): { context: bigint, senderIndex: number, epochLowBits: number } {
  return {
    context: kid >> BigInt(indexBits + epochBits),
    senderIndex: Number((kid >> BigInt(epochBits)) & ((1n << BigInt(indexBits)) - 1n)),
    epochLowBits: Number(kid & ((1n << BigInt(epochBits)) - 1n))
  }
}

/** The epoch's base key: MLS-Exporter("SFrame 1.0 Base Key", "", Nk). A secret. */
export async function exportBaseKey (state: GroupState): Promise<Uint8Array> {
  return mlsExporter(state.keySchedule.exporterSecret, SFRAME_BASE_KEY_LABEL, new Uint8Array(0), AES_128_GCM_SHA256_128.nk, await getSuite())
}

/** Everything a call needs to key SFrame for one epoch. `baseKey` is a secret. */
export interface EpochKeys {
  readonly epoch: bigint
  readonly baseKey: Uint8Array
  /** This device's KID: its send key. */
  readonly ownKid: bigint
  /** Every other member's KID: the receive keys. */
  readonly members: ReadonlyArray<{ readonly leafIndex: number, readonly kid: bigint }>
}

/** The base key and the KIDs of every member for the group's current epoch. */
export async function epochKeys (state: GroupState): Promise<EpochKeys> {
  const epoch = state.groupContext.epoch
  const indexBits = indexBitsFor((state.ratchetTree.length + 1) / 2)
  const own = ownLeafIndex(state)
  const members = listMembers(state)
    .filter((m) => m.leafIndex !== own)
    .map((m) => ({ leafIndex: m.leafIndex, kid: senderKid({ epoch, senderIndex: m.leafIndex, indexBits }) }))
  return { epoch, baseKey: await exportBaseKey(state), ownKid: senderKid({ epoch, senderIndex: own, indexBits }), members }
}
