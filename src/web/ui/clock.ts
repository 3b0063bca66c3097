/** A coarse "now" signal so relative times ("5m", "Yesterday") refresh without a re-render storm. */
import { signal } from '@preact/signals'

/** The current time, updated every 30 seconds while the app runs. */
export const now = signal(Date.now())

/** Starts ticking `now`; returns the stop function. */
export function startClock (): () => void {
  const timer = setInterval(() => { now.value = Date.now() }, 30_000)
  return () => clearInterval(timer)
}
