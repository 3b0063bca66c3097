/**
 * 1:1 conversations. Their group id is derived from both identity keys, so when two people add each
 * other at once both groups share an id, and the one created by the lower identity key is kept.
 */
import { compareBytes, concatBytes, sha256, utf8 } from '../bytes.ts'

/** The group id of the 1:1 conversation between two accounts; symmetric. */
export async function directConversationId (a: Uint8Array, b: Uint8Array): Promise<Uint8Array> {
  const [first, second] = compareBytes(a, b) <= 0 ? [a, b] : [b, a]
  return await sha256(concatBytes(utf8('kith/direct/v1'), first, second))
}

/** Which of two competing creators' 1:1 groups both sides keep: the lower identity key's. */
export function keepsDirectGroupOf (creatorA: Uint8Array, creatorB: Uint8Array): Uint8Array {
  return compareBytes(creatorA, creatorB) <= 0 ? creatorA : creatorB
}
