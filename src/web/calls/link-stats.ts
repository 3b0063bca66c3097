/**
 * A participant's connection indicator, read from its link's `getStats()` reports (W3C
 * webrtc-stats): the route of the selected candidate pair, packet loss and audio level over the
 * last few reports (so that a loss that is over, such as an outage the link recovered from, stops
 * counting), the received bitrate, and the video frames decoded.
 */

/** Stats intervals over which {@link LinkStats.audioLevel} takes its maximum and {@link LinkStats.lossPercent} its share. */
export const STATS_WINDOW = 3

/** The connection indicator of one participant, from getStats. */
export interface LinkStats {
  readonly route: 'direct' | 'relayed' | 'unknown'
  /** Packets lost of those expected, in percent, over the last {@link STATS_WINDOW} reports. */
  readonly lossPercent: number
  /** Received media bitrate over the last interval. */
  readonly kbps: number
  /** Video frames decoded (camera or screen). */
  readonly framesDecoded: number
  /** Video frames decoded while the other side shares its screen. */
  readonly screenFramesDecoded: number
  /** Received audio energy (RFC 6464 level squared, summed over time). */
  readonly audioEnergy: number
  /** The most audio energy received in any one interval of the last few: near 0 while the other side is muted. */
  readonly audioLevel: number
}

/** What {@link LinkStatsMeter.read} reads of a report: RTCStatsReport, or any map of stats by id. */
export interface StatsReport {
  forEach (each: (stats: Record<string, unknown>) => void): void
}

/** The totals of one report, which the next is measured against. */
interface Totals {
  readonly lost: number
  readonly received: number
  readonly bytes: number
  readonly at: number
}

/** Turns a link's successive stats reports into its {@link LinkStats}. */
export class LinkStatsMeter {
  stats: LinkStats = { route: 'unknown', lossPercent: 0, kbps: 0, framesDecoded: 0, screenFramesDecoded: 0, audioEnergy: 0, audioLevel: 0 }
  private last: Totals | undefined
  private readonly energySteps: number[] = []
  /** Packets lost and received in each of the last reports. */
  private readonly packetSteps: Array<{ lost: number, received: number }> = []

  /**
   * Reads a report taken at `now` (ms). `screenShared`: the other side says it shares its screen;
   * its frames count from the first report taken while it says so.
   */
  read (report: StatsReport, now: number, screenShared: boolean): LinkStats {
    const byId = new Map<string, Record<string, unknown>>()
    report.forEach((s) => { byId.set(s.id as string, s) })
    let route: LinkStats['route'] = 'unknown'
    let lost = 0
    let received = 0
    let bytes = 0
    let framesDecoded = 0
    let audioEnergy = 0
    for (const s of byId.values()) {
      if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') {
        const pair = byId.get(s.selectedCandidatePairId)
        const local = pair === undefined ? undefined : byId.get(pair.localCandidateId as string)
        const remote = pair === undefined ? undefined : byId.get(pair.remoteCandidateId as string)
        if (local !== undefined) route = local.candidateType === 'relay' || remote?.candidateType === 'relay' ? 'relayed' : 'direct'
      }
      if (s.type !== 'inbound-rtp') continue
      lost += Math.max(0, Number(s.packetsLost ?? 0))
      received += Number(s.packetsReceived ?? 0)
      bytes += Number(s.bytesReceived ?? 0)
      if (s.kind === 'audio') audioEnergy += Number(s.totalAudioEnergy ?? 0)
      if (s.kind === 'video') framesDecoded += Number(s.framesDecoded ?? 0)
    }
    const last = this.last ?? { lost: 0, received: 0, bytes: 0, at: 0 }
    const kbps = this.last === undefined || now <= last.at ? 0 : Math.max(0, (bytes - last.bytes) * 8 / (now - last.at))
    this.last = { lost, received, bytes, at: now }
    const audioLevel = window(this.energySteps, Math.max(0, audioEnergy - this.stats.audioEnergy)).reduce((a, b) => Math.max(a, b), 0)
    const recent = window(this.packetSteps, { lost: Math.max(0, lost - last.lost), received: Math.max(0, received - last.received) })
      .reduce((sum, step) => ({ lost: sum.lost + step.lost, received: sum.received + step.received }), { lost: 0, received: 0 })
    const screenFramesDecoded = screenShared ? this.stats.screenFramesDecoded + Math.max(0, framesDecoded - this.stats.framesDecoded) : 0
    const lossPercent = recent.lost + recent.received === 0 ? 0 : (100 * recent.lost) / (recent.lost + recent.received)
    this.stats = { route, lossPercent, kbps, framesDecoded, screenFramesDecoded, audioEnergy, audioLevel }
    return this.stats
  }
}

/** Adds `step` to the last {@link STATS_WINDOW} steps; returns them. */
function window<T> (steps: T[], step: T): T[] {
  steps.push(step)
  if (steps.length > STATS_WINDOW) steps.shift()
  return steps
}
