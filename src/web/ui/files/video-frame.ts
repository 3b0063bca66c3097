/**
 * A short video's first frame as a JPEG, drawn on the page (a worker cannot decode video), for
 * the worker to turn into the offer's thumbnail. Null when the browser cannot play the file.
 */

/** Videos past this size get no thumbnail: finding a frame may mean reading far into them. */
const MAX_VIDEO_BYTES = 512 * 1024 * 1024
const FRAME_TIMEOUT_MS = 5_000

/** The frame at about 0.1 s, or null. */
export async function videoFrame (file: File): Promise<Blob | null> {
  if (file.size > MAX_VIDEO_BYTES) return null
  const url = URL.createObjectURL(file)
  const video = document.createElement('video')
  video.muted = true
  video.preload = 'auto'
  video.src = url
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error('no frame in time')) }, FRAME_TIMEOUT_MS)
      video.addEventListener('loadeddata', () => { video.currentTime = Math.min(0.1, video.duration / 2 || 0) }, { once: true })
      video.addEventListener('seeked', () => { clearTimeout(timer); resolve() }, { once: true })
      video.addEventListener('error', () => { clearTimeout(timer); reject(new Error('cannot play')) }, { once: true })
    })
    const canvas = document.createElement('canvas')
    canvas.width = video.videoWidth
    canvas.height = video.videoHeight
    canvas.getContext('2d')?.drawImage(video, 0, 0)
    return await new Promise<Blob | null>((resolve) => { canvas.toBlob(resolve, 'image/jpeg', 0.85) })
  } catch {
    return null
  } finally {
    video.removeAttribute('src')
    URL.revokeObjectURL(url)
  }
}
