import { describe, expect, it } from 'vitest'
import { worthTrickling } from '../../../../src/web/calls/candidate-gathering.ts'
import { LinkStatsMeter, STATS_WINDOW } from '../../../../src/web/calls/link-stats.ts'

interface Totals { lost: number, received: number, bytes: number, frames: number, energy: number }

/** A getStats report, shaped as Chromium's: a selected pair between two candidates, and audio and video inbound-rtp. */
function report (t: Totals, local = 'host', remote = 'srflx'): Map<string, Record<string, unknown>> {
  const stats: Array<Record<string, unknown>> = [
    { id: 'T01', type: 'transport', selectedCandidatePairId: 'CP1' },
    { id: 'CP1', type: 'candidate-pair', localCandidateId: 'L1', remoteCandidateId: 'R1' },
    { id: 'L1', type: 'local-candidate', candidateType: local },
    { id: 'R1', type: 'remote-candidate', candidateType: remote },
    { id: 'IA', type: 'inbound-rtp', kind: 'audio', packetsLost: t.lost, packetsReceived: t.received / 2, bytesReceived: t.bytes / 4, totalAudioEnergy: t.energy },
    { id: 'IV', type: 'inbound-rtp', kind: 'video', packetsLost: 0, packetsReceived: t.received / 2, bytesReceived: 3 * t.bytes / 4, framesDecoded: t.frames }
  ]
  return new Map(stats.map((s) => [s.id as string, s]))
}

const zero: Totals = { lost: 0, received: 0, bytes: 0, frames: 0, energy: 0 }

describe('LinkStatsMeter', () => {
  it('reads the route from the selected pair: relayed when either end is a relay candidate', () => {
    expect(new LinkStatsMeter().read(report(zero, 'host', 'srflx'), 0, false).route).toBe('direct')
    expect(new LinkStatsMeter().read(report(zero, 'relay', 'host'), 0, false).route).toBe('relayed')
    expect(new LinkStatsMeter().read(report(zero, 'host', 'relay'), 0, false).route).toBe('relayed')
    expect(new LinkStatsMeter().read(new Map(), 0, false).route).toBe('unknown')
  })

  it('measures the bitrate between two reports, over both sections', () => {
    const m = new LinkStatsMeter()
    expect(m.read(report({ ...zero, bytes: 1000 }), 1000, false).kbps).toBe(0)
    // 125 000 bytes in 1000 ms: 1000 kbit/s.
    expect(m.read(report({ ...zero, bytes: 126_000 }), 2000, false).kbps).toBe(1000)
  })

  it('counts a loss only over the last few reports, so a recovered outage stops showing', () => {
    const m = new LinkStatsMeter()
    m.read(report({ ...zero, received: 1000 }), 0, false)
    // An outage: 400 lost while 600 came; 400 of the 2000 expected over the two reports so far.
    expect(m.read(report({ ...zero, lost: 400, received: 1600 }), 1000, false).lossPercent).toBeCloseTo(20)
    let t: Totals = { ...zero, lost: 400, received: 1600 }
    for (let i = 0; i < STATS_WINDOW; i++) {
      t = { ...t, received: t.received + 1000 }
      m.read(report(t), 2000 + 1000 * i, false)
    }
    expect(m.stats.lossPercent).toBe(0)
  })

  it('takes the audio level as the most energy of one recent interval: near 0 once the other side mutes', () => {
    const m = new LinkStatsMeter()
    let energy = 0
    for (let i = 0; i < 3; i++) m.read(report({ ...zero, energy: energy += 0.5 }), i * 1000, false)
    expect(m.stats.audioLevel).toBeCloseTo(0.5)
    for (let i = 0; i < STATS_WINDOW; i++) m.read(report({ ...zero, energy: energy += 0.001 }), 5000 + i * 1000, false)
    expect(m.stats.audioLevel).toBeCloseTo(0.001)
  })

  it('counts screen frames only while the other side says it shares its screen', () => {
    const m = new LinkStatsMeter()
    m.read(report({ ...zero, frames: 100 }), 0, false)
    expect(m.read(report({ ...zero, frames: 130 }), 1000, true).screenFramesDecoded).toBe(30)
    expect(m.read(report({ ...zero, frames: 160 }), 2000, true).screenFramesDecoded).toBe(60)
    expect(m.read(report({ ...zero, frames: 190 }), 3000, false)).toMatchObject({ framesDecoded: 190, screenFramesDecoded: 0 })
  })
})

describe('worthTrickling', () => {
  it('sends UDP and passive TCP candidates, not active TCP host ones or the end-of-candidates mark', () => {
    expect(worthTrickling('candidate:1 1 udp 2122260223 10.0.0.2 50000 typ host generation 0')).toBe(true)
    expect(worthTrickling('candidate:2 1 udp 1686052607 203.0.113.7 50000 typ srflx raddr 10.0.0.2 rport 50000')).toBe(true)
    expect(worthTrickling('candidate:3 1 tcp 1518280447 10.0.0.2 9 typ host tcptype active generation 0')).toBe(false)
    expect(worthTrickling('candidate:4 1 tcp 1518280447 10.0.0.2 9 typ relay raddr 10.0.0.2 rport 9 tcptype active')).toBe(true)
    expect(worthTrickling('')).toBe(false)
  })
})
