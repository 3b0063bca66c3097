/**
 * The Merkle tree over a file's encrypted chunks (docs/PROTOCOL.md §9.3): RFC 9162 §2.1.1's
 * Merkle Tree Hash, with leaf hashes SHA-256(0x00 || chunk) and interior nodes
 * SHA-256(0x01 || left || right). A level with an odd number of nodes promotes its last node
 * unchanged, which builds exactly RFC 9162's tree (split at the largest power of two below n).
 * Proofs are RFC 9162 §2.1.3 inclusion proofs, bound to the leaf index and the tree size.
 */
import { equalBytes } from '../bytes.ts'
import { ValidationError } from '../errors.ts'
import { HASH_LENGTH, MAX_CHUNK_COUNT } from './constants.ts'
import { fileCrypto } from './file-crypto.ts'

const LEAF_PREFIX = new Uint8Array([0x00])
const NODE_PREFIX = new Uint8Array([0x01])

/** SHA-256(0x00 || chunk): the leaf of one encrypted chunk, given whole or as the views it arrived in. */
export async function leafHash (chunk: Uint8Array | readonly Uint8Array[]): Promise<Uint8Array> {
  return chunk instanceof Uint8Array ? await fileCrypto().sha256(LEAF_PREFIX, chunk) : await fileCrypto().sha256(LEAF_PREFIX, ...chunk)
}

/** SHA-256(0x01 || left || right): an interior node. */
export async function nodeHash (left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  return await fileCrypto().sha256(NODE_PREFIX, left, right)
}

function checkSize (count: number): void {
  if (!Number.isInteger(count) || count < 1 || count > MAX_CHUNK_COUNT) throw new ValidationError(`a Merkle tree needs 1..${MAX_CHUNK_COUNT} leaves, got ${count}`)
}

/** A whole tree, kept level by level (each level one buffer of 32-byte hashes), to hand out proofs. */
export class MerkleTree {
  private constructor (private readonly levels: Uint8Array[]) {}

  /** Builds the tree over leaf hashes (from {@link leafHash}), in chunk order. */
  static async build (leaves: readonly Uint8Array[]): Promise<MerkleTree> {
    checkSize(leaves.length)
    let level = new Uint8Array(leaves.length * HASH_LENGTH)
    leaves.forEach((leaf, i) => {
      if (leaf.length !== HASH_LENGTH) throw new ValidationError(`leaf ${i} must be ${HASH_LENGTH} bytes, got ${leaf.length}`)
      level.set(leaf, i * HASH_LENGTH)
    })
    const levels = [level]
    while (level.length > HASH_LENGTH) {
      const width = level.length / HASH_LENGTH
      const next = new Uint8Array(Math.ceil(width / 2) * HASH_LENGTH)
      for (let i = 0; i < width; i += 2) {
        const at = (i / 2) * HASH_LENGTH
        if (i + 1 < width) next.set(await nodeHash(node(level, i), node(level, i + 1)), at)
        else next.set(node(level, i), at)
      }
      levels.push(next)
      level = next
    }
    return new MerkleTree(levels)
  }

  /** Leaves in the tree. */
  get size (): number {
    return this.levels[0]!.length / HASH_LENGTH
  }

  /** The root hash. */
  get root (): Uint8Array {
    return this.levels[this.levels.length - 1]!.slice()
  }

  /** The inclusion proof of leaf `index`: sibling hashes from the leaf level up, concatenated. */
  proof (index: number): Uint8Array {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) throw new ValidationError(`leaf ${index} is not in a tree of ${this.size}`)
    const path: Uint8Array[] = []
    let i = index
    for (const level of this.levels.slice(0, -1)) {
      const width = level.length / HASH_LENGTH
      const sibling = i ^ 1
      if (sibling < width) path.push(node(level, sibling))
      i >>= 1
    }
    const out = new Uint8Array(path.length * HASH_LENGTH)
    path.forEach((p, k) => { out.set(p, k * HASH_LENGTH) })
    return out
  }
}

function node (level: Uint8Array, i: number): Uint8Array {
  return level.subarray(i * HASH_LENGTH, (i + 1) * HASH_LENGTH)
}

/** The length in bytes of every inclusion proof of leaf `index` in a tree of `size` leaves. */
export function proofLength (index: number, size: number): number {
  let length = 0
  for (let i = index, width = size; width > 1; i >>= 1, width = Math.ceil(width / 2)) {
    if ((i ^ 1) < width) length += HASH_LENGTH
  }
  return length
}

/**
 * Whether `proof` shows that `leaf` is leaf `index` of the tree of `size` leaves with root `root`
 * (RFC 9162 §2.1.3.2, walked level by level). Malformed proofs are false, never thrown.
 */
export async function verifyProof (root: Uint8Array, size: number, index: number, leaf: Uint8Array, proof: Uint8Array): Promise<boolean> {
  if (!Number.isInteger(size) || size < 1 || size > MAX_CHUNK_COUNT) return false
  if (!Number.isInteger(index) || index < 0 || index >= size) return false
  if (leaf.length !== HASH_LENGTH || root.length !== HASH_LENGTH) return false
  if (proof.length !== proofLength(index, size)) return false
  let hash = leaf
  let at = 0
  for (let i = index, width = size; width > 1; i >>= 1, width = Math.ceil(width / 2)) {
    const sibling = i ^ 1
    if (sibling >= width) continue // the last node of an odd level moves up unchanged
    const p = proof.subarray(at, at + HASH_LENGTH)
    at += HASH_LENGTH
    hash = (i & 1) === 1 ? await nodeHash(p, hash) : await nodeHash(hash, p)
  }
  return equalBytes(hash, root)
}
