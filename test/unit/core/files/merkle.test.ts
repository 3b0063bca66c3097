import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { toHex, utf8 } from '../../../../src/core/bytes.ts'
import { MerkleTree, leafHash, proofLength, verifyProof } from '../../../../src/core/files/merkle.ts'

const sha = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return new Uint8Array(h.digest())
}

/** RFC 9162 §2.1.1 MTH, written from the RFC's recursive definition as an independent check. */
function mth (leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 1) return sha(new Uint8Array([0]), leaves[0]!)
  let k = 1
  while (k * 2 < leaves.length) k *= 2
  return sha(new Uint8Array([1]), mth(leaves.slice(0, k)), mth(leaves.slice(k)))
}

const chunks = (n: number): Uint8Array[] => Array.from({ length: n }, (_, i) => utf8(`chunk ${i}`))

async function treeOf (data: Uint8Array[]): Promise<MerkleTree> {
  return await MerkleTree.build(await Promise.all(data.map(leafHash)))
}

describe('Merkle tree', () => {
  it('has the root of RFC 9162 §2.1.1 for every size from 1 to 33, odd counts included', async () => {
    for (let n = 1; n <= 33; n++) {
      const data = chunks(n)
      expect(toHex((await treeOf(data)).root), `n = ${n}`).toBe(toHex(mth(data)))
    }
  })

  it('matches the test vector in docs/PROTOCOL.md §8.3', async () => {
    const tree = await treeOf([utf8('a'), utf8('b'), utf8('c')])
    expect(toHex(tree.root)).toBe('36642e73c2540ab121e3a6bf9545b0a24982cd830eb13d3cd19de3ce6c021ec1')
    expect(toHex(tree.proof(2))).toBe('b137985ff484fb600db93107c77b0365c80d78f5b429ded0fd97361d077999eb')
  })

  it('gives every leaf of trees of odd and even sizes a proof that verifies, of the predicted length', async () => {
    for (const n of [1, 2, 3, 5, 7, 8, 13]) {
      const data = chunks(n)
      const tree = await treeOf(data)
      for (let i = 0; i < n; i++) {
        const proof = tree.proof(i)
        expect(proof.length).toBe(proofLength(i, n))
        expect(await verifyProof(tree.root, n, i, await leafHash(data[i]!), proof), `leaf ${i} of ${n}`).toBe(true)
      }
    }
  })

  it('rejects a wrong chunk, a wrong index, a wrong tree size, a tampered or truncated proof', async () => {
    const data = chunks(7)
    const tree = await treeOf(data)
    const leaf = await leafHash(data[4]!)
    const proof = tree.proof(4)
    expect(await verifyProof(tree.root, 7, 4, await leafHash(utf8('forged')), proof)).toBe(false)
    expect(await verifyProof(tree.root, 7, 5, leaf, proof)).toBe(false)
    expect(await verifyProof(tree.root, 6, 4, leaf, proof)).toBe(false)
    expect(await verifyProof(tree.root, 5, 4, leaf, proof)).toBe(false)
    const tampered = proof.slice()
    tampered[0]! ^= 1
    expect(await verifyProof(tree.root, 7, 4, leaf, tampered)).toBe(false)
    expect(await verifyProof(tree.root, 7, 4, leaf, proof.subarray(32))).toBe(false)
    expect(await verifyProof(tree.root, 7, 4, leaf, tree.proof(3))).toBe(false)
    expect(await verifyProof(tree.root, 7, 99, leaf, proof)).toBe(false)
    expect(await verifyProof(tree.root, 0, 0, leaf, proof)).toBe(false)
  })

  it('refuses to build an empty tree', async () => {
    await expect(MerkleTree.build([])).rejects.toThrow(/needs 1\.\./)
  })
})
