/**
 * Tracks that hold a media section open until there is something to send: a side with no
 * microphone or camera, or a callee answering an early offer while its devices open, adds these,
 * and replaces them once it has real tracks (or nothing, once the offer is in).
 */

/** Chromium's track generator: a track that carries nothing until written to. */
type TrackGenerator = new (init: { kind: 'audio' | 'video' }) => MediaStreamTrack

/**
 * A silent audio track. A track generator where there is one: an AudioContext starts an audio
 * rendering thread, which on a busy machine slowed the rest of the call setup.
 */
export function silentTrack (): MediaStreamTrack {
  const Generator = (globalThis as { MediaStreamTrackGenerator?: TrackGenerator }).MediaStreamTrackGenerator
  if (Generator !== undefined) return new Generator({ kind: 'audio' })
  const ctx = new AudioContext()
  const track = ctx.createMediaStreamDestination().stream.getAudioTracks()[0]!
  track.addEventListener('ended', () => { void ctx.close() })
  return track
}

/** A blank video track. */
export function blankTrack (): MediaStreamTrack {
  const canvas = document.createElement('canvas')
  canvas.width = 2
  canvas.height = 2
  return canvas.captureStream(0).getVideoTracks()[0]!
}
