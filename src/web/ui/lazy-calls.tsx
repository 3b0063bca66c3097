/**
 * Calls in the initial JavaScript: only the two header buttons and this loader. The call screen,
 * the peer connections and the ring (src/web/ui/calls/, src/web/calls/) load on first use: when a
 * call is started here, or when one rings (the browser's 300 KB budget); a few seconds after a
 * conversation with call buttons shows, or as soon as someone points at one, it starts loading, so
 * that the first call does not wait for it.
 */
import { useEffect, useState } from 'preact/hooks'
import type { JSX } from 'preact'
import type { Conversation } from '../client/types.ts'
import { useKith, type KithUi } from './context.ts'
import { errorText } from './format.ts'
import { IconPhone, IconVideo } from './icons.tsx'

type CallsModule = typeof import('./calls/call-layer.tsx')

/** How long after the call buttons show the call code starts loading anyway (after start-up's own work). */
const PRELOAD_AFTER_MS = 3_000

let loading: Promise<CallsModule> | undefined

/** Loads the call code once. */
function loadCalls (): Promise<CallsModule> {
  loading ??= import('./calls/call-layer.tsx').catch((err: unknown) => {
    loading = undefined
    throw err
  })
  return loading
}

/** Voice call and Video call in a conversation's header; Join instead while a call goes on there without this device. */
export function CallButtons ({ conversation }: { conversation: Conversation }): JSX.Element | null {
  const kith = useKith()
  const preload = (): void => { loadCalls().catch(() => {}) }
  useEffect(() => {
    const timer = setTimeout(preload, PRELOAD_AFTER_MS)
    return () => { clearTimeout(timer) }
  }, [])
  if (!conversation.active || conversation.rejoining !== null) return null
  const fail = (what: string) => (err: unknown) => { kith.ui.notify('error', `Couldn’t ${what} the call: ${errorText(err)}`) }
  const running = kith.client.calls.value.find((c) => c.conversation === conversation.id && c.phase === 'running')
  if (running !== undefined) {
    const join = (): void => { loadCalls().then(async (m) => { await m.joinCall(kith, running.id, running.media.video) }).catch(fail('join')) }
    const people = running.participants.length
    return (
      <button type='button' class='button button-small call-join' data-testid='call-join' onClick={join}
        title={`${people} ${people === 1 ? 'person is' : 'people are'} in a ${running.media.video ? 'video' : 'voice'} call here`}>
        {running.media.video ? <IconVideo size={16} /> : <IconPhone size={16} />} Join
      </button>
    )
  }
  const start = (video: boolean) => () => { startCallIn(kith, conversation.id, video) }
  return (
    <>
      <button type='button' class='icon-button' aria-label='Voice call' title='Voice call' data-testid='call-start-audio' onPointerEnter={preload} onFocus={preload} onClick={start(false)}><IconPhone /></button>
      <button type='button' class='icon-button' aria-label='Video call' title='Video call' data-testid='call-start-video' onPointerEnter={preload} onFocus={preload} onClick={start(true)}><IconVideo /></button>
    </>
  )
}

/** Starts a call in a conversation (loading the call code first), or says why it could not. */
export function startCallIn (kith: KithUi, conversationId: string, video: boolean): void {
  loadCalls().then(async (m) => { await m.startCall(kith, conversationId, video) })
    .catch((err: unknown) => { kith.ui.notify('error', `Couldn’t start the call: ${errorText(err)}`) })
}

/** The call screen, once a call has rung or been started on this page. */
export function LazyCallLayer (): JSX.Element | null {
  const kith: KithUi = useKith()
  const [m, setM] = useState<CallsModule | null>(null)
  const wanted = kith.client.calls.value.length > 0
  useEffect(() => {
    if (!wanted || m !== null) return
    loadCalls().then(setM, (err: unknown) => { kith.ui.notify('error', `The call screen could not load: ${errorText(err)}`) })
  }, [wanted])
  useEffect(() => { void loading?.then(setM, () => {}) }, [])
  return m === null ? null : <m.CallLayer />
}
