/**
 * The camera and microphone for a call, with the fallbacks a person needs: no camera → audio
 * only; permission denied (or no device at all) → listen-only. Each fallback comes with the
 * sentence the call screen shows.
 */

/** What this device sends in a call, and why it sends less than asked, if it does. */
export interface LocalMedia {
  readonly stream: MediaStream
  readonly audio: MediaStreamTrack | null
  readonly video: MediaStreamTrack | null
  /** Set when the call runs with less than was asked: what happened, in words. */
  readonly notice: string | null
}

function named (err: unknown): string {
  return err instanceof Error ? err.name : ''
}

async function tryGet (constraints: MediaStreamConstraints): Promise<MediaStream | { error: string }> {
  try {
    return await navigator.mediaDevices.getUserMedia(constraints)
  } catch (err) {
    return { error: named(err) }
  }
}

/** Opens the camera (if `video`) and the microphone; never throws. */
export async function openLocalMedia (want: { audio: boolean, video: boolean }, devices: { audioId?: string, videoId?: string } = {}): Promise<LocalMedia> {
  const audio: MediaTrackConstraints | boolean = devices.audioId !== undefined ? { deviceId: { exact: devices.audioId } } : true
  const video: MediaTrackConstraints | boolean = devices.videoId !== undefined ? { deviceId: { exact: devices.videoId } } : true
  if (navigator.mediaDevices?.getUserMedia === undefined) {
    return { stream: new MediaStream(), audio: null, video: null, notice: 'This browser gives no access to a camera or microphone here: you can listen and watch only.' }
  }
  let notice: string | null = null
  if (want.video) {
    const both = await tryGet({ audio: want.audio ? audio : false, video })
    if (!('error' in both)) return fromStream(both, null)
    if (both.error === 'NotAllowedError' || both.error === 'SecurityError') {
      return { stream: new MediaStream(), audio: null, video: null, notice: 'Kith may not use your camera or microphone: you can listen and watch only. Allow them in the browser’s site settings to be heard.' }
    }
    notice = 'No camera was found: this call is audio only from your side.'
  }
  if (!want.audio) return { stream: new MediaStream(), audio: null, video: null, notice }
  const mic = await tryGet({ audio, video: false })
  if (!('error' in mic)) return fromStream(mic, notice)
  return {
    stream: new MediaStream(),
    audio: null,
    video: null,
    notice: mic.error === 'NotAllowedError' || mic.error === 'SecurityError'
      ? 'Kith may not use your microphone: you can listen only. Allow it in the browser’s site settings to be heard.'
      : 'No microphone was found: you can listen only.'
  }
}

function fromStream (stream: MediaStream, notice: string | null): LocalMedia {
  return { stream, audio: stream.getAudioTracks()[0] ?? null, video: stream.getVideoTracks()[0] ?? null, notice }
}

/** Stops every track of a local stream (the camera light goes off). */
export function closeLocalMedia (media: LocalMedia): void {
  for (const t of media.stream.getTracks()) t.stop()
}
