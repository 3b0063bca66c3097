/**
 * The ring of an incoming call: a two-tone WebAudio pattern (440 + 480 Hz, 1.2 s on, 2.8 s off),
 * and a desktop notification when the tab is hidden and notifications are allowed.
 */

const ON_S = 1.2
const PERIOD_S = 4

/** Starts ringing; returns the function that stops it. Silent where audio cannot start. */
export function startRing (): () => void {
  let ctx: AudioContext | undefined
  let timer: ReturnType<typeof setInterval> | undefined
  try {
    ctx = new AudioContext()
    const gain = ctx.createGain()
    gain.gain.value = 0
    gain.connect(ctx.destination)
    for (const f of [440, 480]) {
      const osc = ctx.createOscillator()
      osc.frequency.value = f
      osc.connect(gain)
      osc.start()
    }
    const audio = ctx
    const burst = (): void => {
      const t = audio.currentTime
      gain.gain.setValueAtTime(0, t)
      gain.gain.linearRampToValueAtTime(0.08, t + 0.05)
      gain.gain.setValueAtTime(0.08, t + ON_S)
      gain.gain.linearRampToValueAtTime(0, t + ON_S + 0.05)
    }
    void audio.resume().catch(() => {})
    burst()
    timer = setInterval(burst, PERIOD_S * 1000)
  } catch {
    // No audio output here: the banner still shows.
  }
  return () => {
    clearInterval(timer)
    void ctx?.close().catch(() => {})
  }
}

/** A desktop notification for a call, when the tab is hidden; returns the function that closes it. */
export function notifyCall (title: string, body: string, onClick: () => void): () => void {
  if (document.visibilityState !== 'hidden' || !('Notification' in window) || Notification.permission !== 'granted') return () => {}
  const n = new Notification(title, { body, tag: 'kith-call', requireInteraction: true })
  n.onclick = () => {
    window.focus()
    onClick()
    n.close()
  }
  return () => { n.close() }
}
