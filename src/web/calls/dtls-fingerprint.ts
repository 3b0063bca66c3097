/**
 * The DTLS certificate fingerprints an SDP description names (RFC 8122 §5, `a=fingerprint`). A
 * peer connection keeps one certificate for its life, so an offer whose fingerprints differ from
 * those of the description a link already applied comes from a new peer connection on the other
 * side (its page reloaded, or it left and joined again): a new session, not a renegotiation.
 */

/** The `a=fingerprint` values of `sdp` (session and media level), lower-cased, sorted and joined; '' when there are none. */
export function dtlsFingerprints (sdp: string): string {
  const found = new Set<string>()
  for (const line of sdp.split(/\r?\n/)) {
    if (!line.startsWith('a=fingerprint:')) continue
    found.add(line.slice('a=fingerprint:'.length).trim().replace(/\s+/g, ' ').toLowerCase())
  }
  return [...found].sort().join(',')
}

/** Whether an offer `offer` comes from another peer connection than the description `current` did. */
export function isNewDtlsSession (current: string, offer: string): boolean {
  return dtlsFingerprints(current) !== dtlsFingerprints(offer)
}
