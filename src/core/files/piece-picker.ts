/**
 * Which chunk to ask which source for next (docs/PROTOCOL.md §9.5): rarest first among the chunks
 * the source holds and nobody has been asked for yet, ties in a random order fixed per download
 * (which, given this downloader's part of the swarm, starts with that part's chunks);
 * once every chunk any source holds has been asked for, end-game: a chunk already asked of
 * another source is asked again, and the first copy to arrive cancels the others. Pure state: the
 * downloader (src/net/protocols/file-download.ts) drives it.
 */
import { UsageError } from '../errors.ts'
import { Bitfield } from './bitfield.ts'

/** Identifies a source to the picker (a peer id string). */
export type SourceId = string

/** A chunk to request, and whether it is an end-game duplicate of a request to another source. */
export interface PiecePick {
  readonly index: number
  readonly endGame: boolean
}

/** Options of a {@link PiecePicker}. */
export interface PiecePickerOptions {
  /** Uniform in [0, 1): breaks ties between equally rare chunks (default Math.random). */
  readonly random?: () => number
  /**
   * This downloader's place among `of` members fetching the file at once (`index` in 0..of-1):
   * among equally rare chunks it prefers the `index`-th of `of` equal runs of the file, then the
   * runs after it, so that downloaders asking the same source (the sender) ask it for different
   * chunks, and then fetch each other's runs from each other (§9.5).
   */
  readonly part?: { readonly index: number, readonly of: number }
}

interface Source {
  readonly have: Bitfield
  readonly inFlight: Set<number>
}

/** Picks chunks for one download. */
export class PiecePicker {
  private readonly held: Bitfield
  /** Sources holding each chunk. */
  private readonly availability: Uint32Array
  /** Missing chunks nobody has been asked for, by availability; iteration order breaks ties. */
  private readonly buckets: Array<Set<number>> = [new Set()]
  /** Missing chunks asked for, and of whom. */
  private readonly requested = new Map<number, Set<SourceId>>()
  private readonly sources = new Map<SourceId, Source>()
  /** The download's random order of chunks. */
  private readonly order: Uint32Array

  /** A picker for a file of `held.size` chunks, of which `held` are already verified and stored. */
  constructor (held: Bitfield, options: PiecePickerOptions = {}) {
    this.held = Bitfield.fromBytes(held.toBytes(), held.size)
    this.availability = new Uint32Array(held.size)
    const random = options.random ?? Math.random
    this.order = new Uint32Array(held.size)
    for (let i = 0; i < this.order.length; i++) this.order[i] = i
    for (let i = this.order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      const t = this.order[i]!
      this.order[i] = this.order[j]!
      this.order[j] = t
    }
    const part = options.part
    if (part !== undefined) {
      if (!Number.isInteger(part.of) || part.of < 1 || !Number.isInteger(part.index) || part.index < 0 || part.index >= part.of) {
        throw new UsageError(`part ${part.index} of ${part.of} is not a part of the swarm`)
      }
      // Runs in the order index, index + 1, ..., wrapping; random order within each run.
      const n = held.size
      const runs: number[][] = Array.from({ length: part.of }, () => [])
      for (const i of this.order) runs[(Math.floor(i * part.of / n) - part.index + part.of) % part.of]!.push(i)
      this.order.set(runs.flat())
    }
    for (const i of this.order) if (!this.held.has(i)) this.buckets[0]!.add(i)
  }

  /** Chunks not yet verified and stored. */
  get missing (): number {
    return this.held.size - this.held.count
  }

  /** Whether every chunk is held. */
  get complete (): boolean {
    return this.held.complete
  }

  /** Sources currently known. */
  get sourceCount (): number {
    return this.sources.size
  }

  /** Chunks requested from `source` and not yet answered. */
  inFlight (source: SourceId): ReadonlySet<number> {
    return this.sources.get(source)?.inFlight ?? new Set()
  }

  /** Whether `index` was requested from `source` and not yet answered. */
  isRequested (source: SourceId, index: number): boolean {
    return this.sources.get(source)?.inFlight.has(index) ?? false
  }

  /** Whether `source` holds a missing chunk: worth keeping it open. */
  canHelp (source: SourceId): boolean {
    const s = this.sources.get(source)
    if (s === undefined) return false
    for (const i of s.have.indexes()) if (!this.held.has(i)) return true
    return false
  }

  private bucketed (index: number): boolean {
    return !this.held.has(index) && !this.requested.has(index)
  }

  private shiftAvailability (index: number, by: 1 | -1): void {
    const before = this.availability[index]!
    const after = before + by
    this.availability[index] = after
    while (this.buckets.length <= after) this.buckets.push(new Set())
    if (!this.bucketed(index)) return
    this.buckets[before]!.delete(index)
    this.buckets[after]!.add(index)
  }

  /** A source announced the chunks it holds. */
  addSource (source: SourceId, have: Bitfield): void {
    if (this.sources.has(source)) throw new UsageError(`source ${source} is already part of this download`)
    if (have.size !== this.held.size) throw new UsageError(`source ${source} has a bitfield of ${have.size} chunks, not ${this.held.size}`)
    const copy = Bitfield.fromBytes(have.toBytes(), have.size)
    this.sources.set(source, { have: copy, inFlight: new Set() })
    for (const i of this.order) if (copy.has(i)) this.shiftAvailability(i, 1)
  }

  /** A source announced one more chunk. */
  addHave (source: SourceId, index: number): void {
    const s = this.sources.get(source)
    if (s === undefined) return
    if (s.have.set(index)) this.shiftAvailability(index, 1)
  }

  /** A source is gone: its unanswered requests go back to the pool. Returns them. */
  removeSource (source: SourceId): number[] {
    const s = this.sources.get(source)
    if (s === undefined) return []
    const lost = [...s.inFlight]
    for (const i of lost) this.release(source, i)
    for (const i of s.have.indexes()) this.shiftAvailability(i, -1)
    this.sources.delete(source)
    return lost
  }

  /** The next chunk to ask `source` for, or undefined when it has nothing useful left. */
  pick (source: SourceId): PiecePick | undefined {
    const s = this.sources.get(source)
    if (s === undefined) return undefined
    let unrequestedAvailable = false
    for (let a = 1; a < this.buckets.length; a++) {
      const bucket = this.buckets[a]!
      if (bucket.size > 0) unrequestedAvailable = true
      for (const i of bucket) {
        if (!s.have.has(i)) continue
        bucket.delete(i)
        this.requested.set(i, new Set([source]))
        s.inFlight.add(i)
        return { index: i, endGame: false }
      }
    }
    if (unrequestedAvailable) return undefined
    // End-game: every chunk anyone holds has been asked for; ask again the one asked of fewest.
    let best: number | undefined
    let bestAsked = Infinity
    for (const [i, askedOf] of this.requested) {
      if (askedOf.has(source) || !s.have.has(i) || askedOf.size >= bestAsked) continue
      best = i
      bestAsked = askedOf.size
    }
    if (best === undefined) return undefined
    this.requested.get(best)!.add(source)
    s.inFlight.add(best)
    return { index: best, endGame: true }
  }

  /**
   * Chunk `index` arrived from `source`, verified and stored. Returns the other sources it was
   * still asked of: their requests are to be cancelled.
   */
  received (source: SourceId, index: number): SourceId[] {
    const askedOf = this.requested.get(index) ?? new Set<SourceId>()
    this.requested.delete(index)
    for (const other of askedOf) this.sources.get(other)?.inFlight.delete(index)
    if (!this.held.has(index)) {
      this.buckets[this.availability[index]!]?.delete(index)
      this.held.set(index)
    }
    return [...askedOf].filter((other) => other !== source)
  }

  /**
   * A request of `source` for `index` ended without a chunk to keep: answered DONT_HAVE (then
   * `dontHave`, and the source no longer counts as holding it), cancelled, or failed verification.
   */
  release (source: SourceId, index: number, dontHave = false): void {
    const s = this.sources.get(source)
    if (s === undefined) return
    s.inFlight.delete(index)
    const askedOf = this.requested.get(index)
    if (askedOf !== undefined) {
      askedOf.delete(source)
      if (askedOf.size === 0) {
        this.requested.delete(index)
        if (!this.held.has(index)) this.buckets[this.availability[index]!]!.add(index)
      }
    }
    if (dontHave && s.have.unset(index)) this.shiftAvailability(index, -1)
  }
}
