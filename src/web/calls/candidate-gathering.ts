/**
 * When a link's description may go out, and which candidates found after it are worth sending:
 * the SDP goes out as soon as it has a candidate (ICE servers of its own are rare, and loopback and
 * LAN host candidates come within milliseconds); candidates found later trickle as ICE signals.
 */

/** Longest wait for a first ICE candidate before the SDP goes out without one. */
const FIRST_CANDIDATE_WAIT_MS = 1500
/**
 * After a candidate, how long gathering must stay quiet before the SDP goes out: Chromium finds
 * the UDP host candidates of every interface within a millisecond or two of each other, and its TCP
 * ones (which two browsers cannot use with each other) about 130 ms later.
 */
const CANDIDATES_QUIET_MS = 15

/**
 * Resolves once gathering is complete, or has been quiet for {@link CANDIDATES_QUIET_MS} after a
 * candidate, or after {@link FIRST_CANDIDATE_WAIT_MS} without one.
 */
export async function firstCandidates (pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return
  await new Promise<void>((resolve) => {
    let timer = setTimeout(done, FIRST_CANDIDATE_WAIT_MS)
    function done (): void {
      clearTimeout(timer)
      pc.removeEventListener('icecandidate', candidate)
      pc.removeEventListener('icegatheringstatechange', gathering)
      resolve()
    }
    function candidate (): void {
      clearTimeout(timer)
      timer = setTimeout(done, CANDIDATES_QUIET_MS)
    }
    function gathering (): void { if (pc.iceGatheringState === 'complete') done() }
    pc.addEventListener('icecandidate', candidate)
    pc.addEventListener('icegatheringstatechange', gathering)
  })
}

/**
 * Whether a candidate found after the SDP went out is worth an ICE signal: not an active TCP host
 * candidate, which only connects out to a peer listening on TCP, and browsers do not listen.
 */
export function worthTrickling (candidate: string): boolean {
  if (candidate === '') return false
  return !(/ tcp /i.test(candidate) && / typ host /.test(candidate) && / tcptype active/.test(candidate))
}
