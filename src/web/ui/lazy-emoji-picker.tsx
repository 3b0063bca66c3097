/**
 * The emoji picker, loaded as its own chunk (its emoji table is the biggest piece of UI data): on
 * first open, or a couple of seconds after start-up, whichever comes first, so that it is usually
 * there already when someone opens it.
 */
import { useEffect, useState } from 'preact/hooks'
import type { JSX } from 'preact'
import type { EmojiPickerProps } from './emoji-picker.tsx'
import { errorText } from './format.ts'

type PickerModule = typeof import('./emoji-picker.tsx')

let loaded: PickerModule | undefined
let loading: Promise<PickerModule> | undefined

function load (): Promise<PickerModule> {
  loading ??= import('./emoji-picker.tsx').then((m) => {
    loaded = m
    return m
  }, (err: unknown) => {
    loading = undefined
    throw err
  })
  return loading
}

if (typeof window !== 'undefined') setTimeout(() => { load().catch(() => {}) }, 2_000)

/** {@link EmojiPicker}, once its code is here. */
export function LazyEmojiPicker (props: EmojiPickerProps): JSX.Element | null {
  const [m, setM] = useState<PickerModule | string | undefined>(loaded)
  useEffect(() => {
    if (m === undefined) load().then(setM, (err: unknown) => { setM(`The emoji picker could not load: ${errorText(err)}`) })
  }, [])
  if (typeof m === 'string') return <p class='field-error' role='alert'>{m}</p>
  return m === undefined ? null : <m.EmojiPicker {...props} />
}
