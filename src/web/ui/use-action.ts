/** A hook for buttons and forms that run one async client call: busy flag and inline error. */
import { useState } from 'preact/hooks'
import { errorText } from './format.ts'

/** State of one async action. */
export interface Action<A extends unknown[]> {
  readonly busy: boolean
  readonly error: string | null
  /** Runs the action; resolves true on success, false (with `error` set) on failure. */
  readonly run: (...args: A) => Promise<boolean>
  readonly setError: (error: string | null) => void
}

/** Wraps `fn` so its failure shows as text beside the control that started it. */
export function useAction<A extends unknown[]> (fn: (...args: A) => Promise<unknown>): Action<A> {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const run = async (...args: A): Promise<boolean> => {
    setBusy(true)
    setError(null)
    try {
      await fn(...args)
      return true
    } catch (err) {
      setError(errorText(err))
      return false
    } finally {
      setBusy(false)
    }
  }
  return { busy, error, run, setError }
}
