/**
 * The emoji picker, loaded as its own chunk (its emoji table is the biggest piece of UI data): on
 * first open, or a couple of seconds after start-up, whichever comes first, so that it is usually
 * there already when someone opens it.
 */
import type { JSX } from 'preact'
import type { EmojiPickerProps } from './emoji-picker.tsx'
import { lazyChunk, preloadWhenIdle, useLazyChunk } from './lazy-chunk.ts'

const picker = lazyChunk(async () => await import('./emoji-picker.tsx'))
preloadWhenIdle(picker)

/** {@link EmojiPicker}, once its code is here. */
export function LazyEmojiPicker (props: EmojiPickerProps): JSX.Element | null {
  const m = useLazyChunk(picker, 'The emoji picker')
  if (typeof m === 'string') return <p class='field-error' role='alert'>{m}</p>
  return m === null ? null : <m.EmojiPicker {...props} />
}
