/**
 * Choosing among several valid records for one key (docs/PROTOCOL.md §10.4): the highest seq wins,
 * then the later expiry, then the first given. A DHT node that replays an older record so loses to
 * any node holding the newer one. Pure and synchronous: it decodes only, since every record it is
 * given has already passed `readDirectoryRecord`.
 */
import { decodeDirectoryRecord } from './record.ts'

/** The index of the record to use; one that does not decode ranks below every other. */
export function selectDirectoryRecord (records: readonly Uint8Array[]): number {
  let best = 0
  let bestRank: [number, number] = [-1, -1]
  records.forEach((bytes, i) => {
    let rank: [number, number]
    try {
      const r = decodeDirectoryRecord(bytes)
      rank = [r.seq, r.expiresAt]
    } catch {
      return
    }
    if (rank[0] > bestRank[0] || (rank[0] === bestRank[0] && rank[1] > bestRank[1])) {
      best = i
      bestRank = rank
    }
  })
  return best
}
