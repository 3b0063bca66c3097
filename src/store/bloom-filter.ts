/**
 * A Bloom filter over string keys (Bloom, "Space/time trade-offs in hash coding with allowable
 * errors", 1970): it says for certain that a key was never added, or that it may have been. Ten
 * bits and seven probes per key give about 1% false positives at capacity. Keys may come from
 * peers, who can choose ones that collide: that only makes the answer "maybe", never wrong.
 */

const BITS_PER_KEY = 10
const PROBES = 7

/** 32-bit FNV-1a of `key`'s UTF-16 units, from `seed`. */
function fnv1a (key: string, seed: number): number {
  let h = seed
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i)
    h = Math.imul(h, 0x0100_0193)
  }
  return h >>> 0
}

/** A fixed-size Bloom filter sized for `capacity` keys. */
export class BloomFilter {
  private readonly bits: Uint32Array
  private readonly size: number
  private count = 0

  constructor (readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`)
    this.size = Math.ceil((capacity * BITS_PER_KEY) / 32) * 32
    this.bits = new Uint32Array(this.size / 32)
  }

  /** Whether more keys were added than it was sized for (its answers are then "maybe" more often). */
  get full (): boolean {
    return this.count > this.capacity
  }

  add (key: string): void {
    this.count++
    for (const bit of this.probes(key)) this.bits[bit >>> 5]! |= 1 << (bit & 31)
  }

  /** False only if `key` was never added. */
  mightHave (key: string): boolean {
    for (const bit of this.probes(key)) if ((this.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false
    return true
  }

  /** Double hashing (Kirsch and Mitzenmacher): probe i is h1 + i·h2. */
  private * probes (key: string): Generator<number> {
    const h1 = fnv1a(key, 0x811c_9dc5)
    const h2 = fnv1a(key, 0x0519_7f3b) | 1
    for (let i = 0; i < PROBES; i++) yield (h1 + Math.imul(i, h2) >>> 0) % this.size
  }
}
