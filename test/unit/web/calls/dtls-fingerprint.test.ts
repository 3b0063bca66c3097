import { describe, expect, it } from 'vitest'
import { dtlsFingerprints, isNewDtlsSession } from '../../../../src/web/calls/dtls-fingerprint.ts'

const A = 'sha-256 4F:2A:9C:01:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55'
const B = 'sha-256 7E:10:0D:02:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55'

/** A two-section offer as Chromium writes it, with the fingerprint in each media section. */
function offer (fingerprint: string, ufrag: string): string {
  return [
    'v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0 1',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111', `a=ice-ufrag:${ufrag}`, `a=fingerprint:${fingerprint}`, 'a=setup:actpass', 'a=mid:0',
    'm=video 9 UDP/TLS/RTP/SAVPF 96', `a=ice-ufrag:${ufrag}`, `a=fingerprint:${fingerprint}`, 'a=setup:actpass', 'a=mid:1', ''
  ].join('\r\n')
}

describe('dtlsFingerprints', () => {
  it('reads each section\'s fingerprint once, whatever the case', () => {
    expect(dtlsFingerprints(offer(A, 'abcd'))).toBe(A.toLowerCase())
    expect(dtlsFingerprints(offer(A.toLowerCase(), 'abcd'))).toBe(A.toLowerCase())
  })

  it('is empty for a description without one', () => {
    expect(dtlsFingerprints('v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n')).toBe('')
  })
})

describe('isNewDtlsSession', () => {
  it('takes a renegotiation (an ICE restart: new ufrag, same certificate) for the same session', () => {
    expect(isNewDtlsSession(offer(A, 'abcd'), offer(A, 'wxyz'))).toBe(false)
  })

  it('takes an offer with another certificate for a new peer connection', () => {
    expect(isNewDtlsSession(offer(A, 'abcd'), offer(B, 'abcd'))).toBe(true)
  })
})
