/**
 * Code that loads as its own chunk, on first use or once the page has been idle for a moment
 * (the browser's 300 KB start-up budget): one import at a time, kept once it has loaded, and tried
 * again on the next use after a failure (a flaky network, a deploy that replaced the chunk).
 */
import { useEffect, useState } from 'preact/hooks'
import { errorText } from './format.ts'

/** How long after start-up the page loads chunks that are usually needed soon. */
const IDLE_PRELOAD_MS = 2_000

/** A lazily imported module. */
export interface LazyChunk<M> {
  /** The module, loading it first if need be. */
  readonly load: () => Promise<M>
  /** The module if it has loaded. */
  readonly loaded: () => M | undefined
}

/** Wraps `importer` (a dynamic `import()`) as a {@link LazyChunk}. */
export function lazyChunk<M> (importer: () => Promise<M>): LazyChunk<M> {
  let module: M | undefined
  let loading: Promise<M> | undefined
  const load = (): Promise<M> => {
    loading ??= importer().then((m) => {
      module = m
      return m
    }, (err: unknown) => {
      loading = undefined
      throw err
    })
    return loading
  }
  return { load, loaded: () => module }
}

/** Loads `chunk` once the page has been idle for a moment; a failure waits for the first use. */
export function preloadWhenIdle (chunk: LazyChunk<unknown>): void {
  if (typeof window === 'undefined') return
  setTimeout(() => { chunk.load().catch(() => {}) }, IDLE_PRELOAD_MS)
}

/**
 * The module of `chunk` in a component: null while it loads, a sentence naming `what` could not
 * load if it failed. `wanted` false defers loading (until it turns true).
 */
export function useLazyChunk<M> (chunk: LazyChunk<M>, what: string, wanted = true): M | string | null {
  const [state, setState] = useState<M | string | null>(chunk.loaded() ?? null)
  useEffect(() => {
    if (!wanted || (state !== null && typeof state !== 'string')) return
    let current = true
    chunk.load().then((m) => { if (current) setState(m) }, (err: unknown) => {
      if (current) setState(`${what} could not load: ${errorText(err)}`)
    })
    return () => { current = false }
  }, [wanted])
  return state
}
