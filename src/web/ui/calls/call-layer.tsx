/**
 * The call screen (loaded on first use, see ../lazy-calls.tsx): the incoming-call banner with its
 * ring, and the call itself: self view, a grid of remote videos (a shared screen shown large),
 * mute, camera, screen share, camera and microphone pickers, hang up, the timer, each
 * participant's connection, and the "end-to-end encrypted" mark that opens the safety number.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import type { JSX } from 'preact'
import { formatCallDuration } from '../../../core/calls/call-record.ts'
import { MAX_MESH_PARTICIPANTS } from '../../../core/calls/constants.ts'
import { CallManager, type CallScreen, type ParticipantView } from '../../calls/call-session.ts'
import type { KithUi } from '../context.ts'
import { useKith } from '../context.ts'
import { Avatar } from '../avatar.tsx'
import { errorText } from '../format.ts'
import { icon, IconClose, IconLock, IconPhone, IconVideo } from '../icons.tsx'
import { notifyCall, startRing } from './ring.ts'
import { personName } from '../../client/person-names.ts'
import './calls.css'

const IconMic = icon(<><rect x='9' y='3' width='6' height='11' rx='3' /><path d='M5.5 11a6.5 6.5 0 0 0 13 0M12 17.5V21' /></>)
const IconMicOff = icon(<><path d='M15 10V6a3 3 0 0 0-5.7-1.3M9 9v2a3 3 0 0 0 4.6 2.5M5.5 11a6.5 6.5 0 0 0 10.3 5.3M18.5 11a6.4 6.4 0 0 1-.6 2.6M12 17.5V21M3 3l18 18' /></>)
const IconVideoOff = icon(<><path d='M15.5 13.5 21.5 17V7l-6 3.5M10 6h3.5a2 2 0 0 1 2 2v3.5M15.5 15.5V16a2 2 0 0 1-2 2h-9a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2M3 3l18 18' /></>)
const IconScreen = icon(<><rect x='2.5' y='4' width='19' height='13' rx='2' /><path d='M8 21h8M12 17v4M12 13.5V8M9.5 10.5 12 8l2.5 2.5' /></>)
const IconHangUp = icon(<path d='M3.3 14.6 2.6 13a1.6 1.6 0 0 1 .4-1.9C8.2 6.5 15.8 6.5 21 11.1a1.6 1.6 0 0 1 .4 1.9l-.7 1.6a1.5 1.5 0 0 1-1.6.9l-3-.5a1.5 1.5 0 0 1-1.2-1.1l-.3-1.4a12 12 0 0 0-5.4 0l-.3 1.4A1.5 1.5 0 0 1 7.7 15l-3 .5a1.5 1.5 0 0 1-1.4-.9z' />)

let manager: CallManager | undefined
/** The call code's recent diagnostics (never media or keys). */
export const callLog: string[] = []

function managerFor (kith: KithUi): CallManager {
  manager ??= new CallManager(kith.client, (line) => {
    callLog.push(`${new Date().toISOString()} ${line}`)
    if (callLog.length > 200) callLog.shift()
  })
  const debug = (globalThis as { kithDebug?: Record<string, unknown> }).kithDebug
  if (debug !== undefined) debug.calls = { manager, log: callLog }
  return manager
}

/** Starts a call from a conversation header (after the header's button loaded this module). */
export async function startCall (kith: KithUi, conversationId: string, video: boolean): Promise<void> {
  await managerFor(kith).start(conversationId, video)
}

/** Joins a call that goes on in a conversation (the header's Join button loaded this module). */
export async function joinCall (kith: KithUi, callId: string, video: boolean): Promise<void> {
  await managerFor(kith).join(callId, video)
}

/** A <video> showing a stream. */
function MediaVideo ({ stream, muted, testid, data, cls }: { stream: MediaStream | null, muted: boolean, testid: string, data?: Record<string, string | number>, cls?: string, tick?: number }): JSX.Element {
  const ref = useRef<HTMLVideoElement>(null)
  useEffect(() => {
    const v = ref.current
    if (v === null || v.srcObject === stream) return
    v.srcObject = stream
    if (stream !== null) void v.play().catch(() => {})
  }, [stream])
  const attrs: Record<string, string | number> = {}
  for (const [k, value] of Object.entries(data ?? {})) attrs[`data-${k}`] = value
  return <video ref={ref} class={cls ?? 'call-video'} data-testid={testid} autoplay playsInline muted={muted} {...attrs} />
}

/** Plays a participant's sound (kept apart from its video: see PeerLink.remoteAudio). */
function MediaAudio ({ stream }: { stream: MediaStream | null }): JSX.Element {
  const ref = useRef<HTMLAudioElement>(null)
  useEffect(() => {
    const a = ref.current
    if (a === null || a.srcObject === stream) return
    a.srcObject = stream
    if (stream !== null) void a.play().catch(() => {})
  }, [stream])
  return <audio ref={ref} autoplay data-testid='call-remote-audio' />
}

/** "0:42" since `since`, updated every second. */
function Timer ({ since }: { since: number | undefined }): JSX.Element | null {
  const [, setNow] = useState(0)
  useEffect(() => {
    const t = setInterval(() => { setNow(Date.now()) }, 1000)
    return () => { clearInterval(t) }
  }, [])
  if (since === undefined) return null
  return <span class='call-timer' data-testid='call-timer'>{formatCallDuration(Date.now() - since)}</span>
}

function Indicator ({ p }: { p: ParticipantView, tick: number }): JSX.Element {
  const link = p.link
  if (link === undefined) return <span class='call-indicator'>waiting…</span>
  if (link.state === 'failed') return <span class='call-indicator call-indicator-bad' data-testid='call-indicator' data-state='failed'>{link.wasConnected ? 'connection lost' : 'couldn’t connect'}</span>
  if (link.state === 'reconnecting') return <span class='call-indicator call-indicator-warn' data-testid='call-indicator' data-state='reconnecting'>reconnecting…</span>
  if (link.state !== 'connected') return <span class='call-indicator'>connecting…</span>
  const s = link.stats
  const quality = s.lossPercent > 5 ? 'call-indicator-bad' : s.lossPercent > 1 ? 'call-indicator-warn' : 'call-indicator-ok'
  return (
    <span class={`call-indicator ${quality}`} data-testid='call-indicator' data-state='connected' data-route={s.route}
      title={`${s.route === 'relayed' ? 'Relayed through a TURN server' : 'Direct'}: ${s.lossPercent.toFixed(1)}% packet loss, ${Math.round(s.kbps)} kb/s`}>
      {s.route === 'relayed' ? 'relayed' : 'direct'}<span class='call-indicator-detail'> · {s.lossPercent.toFixed(1)}% loss · {Math.round(s.kbps)} kb/s</span>
    </span>
  )
}

function RemoteTile ({ p, tick, speaking }: { p: ParticipantView, tick: number, speaking: boolean }): JSX.Element {
  const name = useNameOf()(p.identity, p.name)
  const link = p.link
  const s = link?.stats
  return (
    <figure class={speaking ? 'call-tile call-tile-speaking' : 'call-tile'} data-device={p.device} data-testid='call-tile' data-speaking={speaking}>
      <MediaVideo stream={link?.remote ?? null} muted testid='call-remote-video' tick={tick}
        data={{ 'frames-decoded': s?.framesDecoded ?? 0, 'audio-level': s?.audioLevel ?? 0, 'screen-frames': s?.screenFramesDecoded ?? 0, state: link?.state ?? 'new' }} />
      <MediaAudio stream={link?.remoteAudio ?? null} />
      {link !== undefined && !link.flags.camera && (
        <div class='call-tile-off'>
          <Avatar name={name} seed={p.identity} size='lg' />
          <span>{name}’s camera is off</span>
        </div>
      )}
      <figcaption class='call-tile-caption'>
        <span class='call-tile-name'>{name}{link?.flags.muted === true && <IconMicOff size={14} class='call-muted-mark' />}</span>
        <Indicator p={p} tick={tick} />
      </figcaption>
    </figure>
  )
}

/** A member of the group this device is calling, who has not answered yet. */
function RingingTile ({ person }: { person: CallScreen['ringing'][number] }): JSX.Element {
  const name = useNameOf()(person.identity, person.name)
  return (
    <figure class='call-tile call-tile-ringing' data-testid='call-ringing'>
      <div class='call-tile-off'>
        <Avatar name={name} seed={person.identity} size='lg' />
        <span>Ringing…</span>
      </div>
      <figcaption class='call-tile-caption'><span class='call-tile-name'>{name}</span></figcaption>
    </figure>
  )
}

/** Camera and microphone pickers. */
function DevicePickers ({ m }: { m: CallManager }): JSX.Element | null {
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([])
  useEffect(() => {
    navigator.mediaDevices?.enumerateDevices().then(setDevices, () => {})
  }, [])
  const pick = (kind: 'audioinput' | 'videoinput') => (e: Event) => {
    void m.pickDevice(kind, (e.target as HTMLSelectElement).value).catch(() => {})
  }
  const cams = devices.filter((d) => d.kind === 'videoinput' && d.deviceId !== '')
  const mics = devices.filter((d) => d.kind === 'audioinput' && d.deviceId !== '')
  if (cams.length < 2 && mics.length < 2) return null
  return (
    <div class='call-pickers'>
      {mics.length > 1 && <select class='call-select' aria-label='Microphone' data-testid='call-pick-mic' onChange={pick('audioinput')}>{mics.map((d) => <option key={d.deviceId} value={d.deviceId}>{d.label !== '' ? d.label : 'Microphone'}</option>)}</select>}
      {cams.length > 1 && <select class='call-select' aria-label='Camera' data-testid='call-pick-camera' onChange={pick('videoinput')}>{cams.map((d) => <option key={d.deviceId} value={d.deviceId}>{d.label !== '' ? d.label : 'Camera'}</option>)}</select>}
    </div>
  )
}

/** Tab and Shift+Tab wrap around inside `container` instead of leaving it. */
function keepFocusIn (container: HTMLElement, e: KeyboardEvent): void {
  const focusable = [...container.querySelectorAll<HTMLElement>('button:not(:disabled), select:not(:disabled), [href], [tabindex]:not([tabindex="-1"])')]
  const first = focusable[0]
  const last = focusable.at(-1)
  if (first === undefined || last === undefined) return
  const active = document.activeElement
  if (e.shiftKey && (active === first || active === container)) {
    e.preventDefault()
    last.focus()
  } else if (!e.shiftKey && active === last) {
    e.preventDefault()
    first.focus()
  }
}

/** How the page names a person in a call (person-names.ts: display names, not aliases). */
function useNameOf (): (identity: string, fallback: string) => string {
  const { client } = useKith()
  const sources = { contacts: client.contacts.value, myIdentity: client.me.value?.identity ?? null }
  return (identity, fallback) => personName(sources, identity, fallback)
}

function IncomingBanner ({ s, m }: { s: CallScreen, m: CallManager }): JSX.Element {
  const { client, ui } = useKith()
  const caller = useNameOf()(s.call.caller.identity, s.call.caller.name)
  const conversation = client.conversations.value.find((c) => c.id === s.call.conversation)
  const where = conversation === undefined || conversation.kind === 'direct' ? null : conversation.name
  const what = s.call.media.video ? 'Video call' : 'Voice call'
  useEffect(() => {
    const stopRing = startRing()
    const closeNotification = notifyCall(`${what} from ${caller}`, where === null ? 'Kith' : `in ${where}`, () => {})
    return () => { stopRing(); closeNotification() }
  }, [s.call.id])
  const act = (fn: () => Promise<void>) => () => { fn().catch((err: unknown) => { ui.notify('error', `Couldn’t answer: ${errorText(err)}`) }) }
  return (
    <div class='call-incoming' role='alertdialog' aria-label={`${what} from ${caller}`} data-testid='call-incoming'>
      <span class='call-status-hidden' data-testid='call-status' data-state={s.status} />
      <div class='call-incoming-who'>
        <span class='call-incoming-pulse' aria-hidden='true'>
          <Avatar name={caller} seed={s.call.caller.identity} />
          <span class='call-incoming-kind'>{s.call.media.video ? <IconVideo size={13} /> : <IconPhone size={13} />}</span>
        </span>
        <span>
          <strong data-testid='call-incoming-caller'>{caller}</strong>
          <span class='call-incoming-what'>{what}{where !== null ? ` · ${where}` : ''}</span>
        </span>
      </div>
      {s.call.full && <p class='call-notice' role='status' data-testid='call-full'>This call already has {MAX_MESH_PARTICIPANTS} people, the most one call can have, so you can’t join it.</p>}
      {s.notice !== null && <p class='call-notice' role='status'>{s.notice}</p>}
      <div class='call-incoming-actions'>
        <button type='button' class='button button-danger' data-testid='call-decline' onClick={act(async () => { await m.decline() })}><IconHangUp size={18} /> Decline</button>
        {/* The green button answers the call as it was made: a voice call with the microphone only. */}
        {s.call.media.video
          ? <button type='button' class='button' data-testid='call-accept-audio' disabled={s.call.full} onClick={act(async () => { await m.accept(false) })}><IconPhone size={18} /> Audio only</button>
          : <button type='button' class='button' data-testid='call-accept-video' disabled={s.call.full} onClick={act(async () => { await m.accept(true) })}><IconVideo size={18} /> With video</button>}
        <button type='button' class='button button-accept' data-testid='call-accept' disabled={s.call.full} onClick={act(async () => { await m.accept(s.call.media.video) })}>
          {s.call.media.video ? <IconVideo size={18} /> : <IconPhone size={18} />} Accept
        </button>
      </div>
    </div>
  )
}

/**
 * "Cara joined the call", "Bob and Dave left the call", "Dave declined": for a moment, over the
 * videos. The live region is always there, so that screen readers read out each note that comes.
 */
function PresenceNote ({ s }: { s: CallScreen }): JSX.Element {
  const nameOf = useNameOf()
  let note: string | null = null
  if (s.presence !== null) {
    const names = s.presence.people.map((p) => nameOf(p.identity, p.name))
    const who = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}`
    note = `${who} ${s.presence.what === 'declined' ? 'declined' : `${s.presence.what} the call`}`
  }
  return (
    <div class='call-presence-live' role='status'>
      {note !== null && <p key={note} class='call-presence' data-testid='call-presence'>{note}</p>}
    </div>
  )
}

function EncryptedMark ({ s }: { s: CallScreen }): JSX.Element {
  const { client, ui } = useKith()
  const conversation = client.conversations.value.find((c) => c.id === s.call.conversation)
  const contact = conversation?.kind === 'direct' ? client.contacts.value.find((c) => c.identity === conversation.peerIdentity) : undefined
  const open = (): void => {
    if (contact !== undefined) ui.dialog.value = { kind: 'safety-number', alias: contact.alias }
    else if (conversation !== undefined) ui.dialog.value = { kind: 'group-info', conversationId: conversation.id }
  }
  return (
    <button type='button' class='call-e2e' data-testid='call-e2e' onClick={open} title='Compare safety numbers to check who holds the keys'>
      <IconLock size={14} /> End-to-end encrypted
    </button>
  )
}

function InCall ({ s, m, tick }: { s: CallScreen, m: CallManager, tick: number }): JSX.Element {
  const { client, ui } = useKith()
  const conversation = client.conversations.value.find((c) => c.id === s.call.conversation)
  const nameOf = useNameOf()
  const sharer = s.participants.find((p) => p.link?.flags.screen === true)
  const act = (what: string, fn: () => Promise<void> | void) => () => {
    Promise.resolve().then(fn).catch((err: unknown) => { ui.notify('error', `Couldn’t ${what}: ${errorText(err)}`) })
  }
  const label = s.status === 'ringing' ? 'Ringing…' : s.status === 'connecting' ? (s.reconnecting ? 'Reconnecting…' : 'Connecting…') : null
  // The call covers the app (no click reaches it) and is modal: focus moves into it (from the
  // composer, say), Tab cycles through its controls, and focus goes back when it closes. Not
  // `inert` on the app behind: marking the whole app inert as the call was being set up made the
  // call-setup benchmark 348 and 412 ms against 332 and 299 ms without it (bare: 290 ms).
  const screenRef = useRef<HTMLElement>(null)
  useEffect(() => {
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null
    screenRef.current?.focus()
    return () => {
      // Back where the person was (the composer, say), if it is still there.
      if (before?.isConnected === true) before.focus({ preventScroll: true })
    }
  }, [])
  return (
    <section ref={screenRef} tabIndex={-1} class='call-screen' role='dialog' aria-modal='true' aria-label={`Call in ${conversation?.name ?? 'a conversation'}`}
      data-testid='call-view' onKeyDown={(e) => { if (e.key === 'Tab' && screenRef.current !== null) keepFocusIn(screenRef.current, e) }}>
      <header class='call-header'>
        <span class='call-title'>{conversation?.name ?? 'Call'}</span>
        <span class='call-status' data-testid='call-status' data-state={s.status}>{label ?? <Timer since={s.call.connectedAt} />}</span>
        <EncryptedMark s={s} />
      </header>
      {(s.pathNotice ?? s.notice) !== null && <p class='call-notice' role='status' data-testid='call-notice'>{s.pathNotice ?? s.notice}</p>}
      {s.sharing && (
        <p class='call-presenting' role='status' data-testid='call-presenting'>
          <IconScreen size={16} /> You are sharing your screen with everyone in the call
          <button type='button' class='button button-small' onClick={act('stop sharing', async () => { await m.toggleScreen() })}>Stop sharing</button>
        </p>
      )}
      <div class={sharer !== undefined ? 'call-stage call-stage-sharing' : 'call-stage'}>
        <PresenceNote s={s} />
        {sharer?.link !== undefined && (
          <figure class='call-shared'>
            <MediaVideo stream={sharer.link.remote} muted testid='call-remote-screen' cls='call-video call-screen-video' tick={tick}
              data={{ 'screen-frames': sharer.link.stats.screenFramesDecoded }} />
            <figcaption class='call-tile-caption'><span class='call-tile-name'><IconScreen size={14} /> {nameOf(sharer.identity, sharer.name)} is sharing the screen</span></figcaption>
          </figure>
        )}
        <div class={`call-grid call-grid-${Math.min(s.participants.length + s.ringing.length, 6)}`}>
          {s.participants.length === 0 && s.ringing.length === 0 && (
            <div class='call-waiting'>
              {conversation !== undefined && <Avatar name={conversation.name} seed={conversation.kind === 'direct' ? conversation.peerIdentity ?? conversation.id : conversation.id} size='lg' group={conversation.kind !== 'direct'} />}
              <p>{conversation?.kind === 'direct' ? `Calling ${conversation.name}…` : 'Waiting for others to answer…'}</p>
            </div>
          )}
          {s.participants.map((p) => <RemoteTile key={p.device} p={p} tick={tick} speaking={m.speaking.value.has(p.device)} />)}
          {s.ringing.map((person) => <RingingTile key={person.identity} person={person} />)}
        </div>
        <div class='call-self'>
          <MediaVideo stream={s.local?.stream ?? null} muted testid='call-local-video' cls='call-video call-self-video' />
          {(s.local == null || !s.cameraOn) && <div class='call-tile-off'>{s.local == null ? 'Starting…' : 'Camera off'}</div>}
          {s.muted && <span class='call-self-muted' data-testid='call-self-muted'><IconMicOff size={14} /> Muted</span>}
        </div>
      </div>
      <footer class='call-controls'>
        <DevicePickers m={m} />
        <button type='button' class={s.muted ? 'call-control call-control-off' : 'call-control'} aria-pressed={s.muted} data-testid='call-mute'
          aria-label={s.muted ? 'Unmute' : 'Mute'} title={s.muted ? 'Unmute' : 'Mute'} disabled={s.local?.audio == null} onClick={act('mute', () => { m.toggleMute() })}>
          {s.muted ? <IconMicOff /> : <IconMic />}
        </button>
        <button type='button' class={!s.cameraOn ? 'call-control call-control-off' : 'call-control'} aria-pressed={!s.cameraOn} data-testid='call-camera'
          aria-label={s.cameraOn ? 'Turn camera off' : 'Turn camera on'} title={s.cameraOn ? 'Turn camera off' : 'Turn camera on'} disabled={s.local == null} onClick={act('switch the camera', async () => { await m.toggleCamera() })}>
          {s.cameraOn ? <IconVideo /> : <IconVideoOff />}
        </button>
        <button type='button' class={s.sharing ? 'call-control call-control-on' : 'call-control'} aria-pressed={s.sharing} data-testid='call-screen'
          aria-label={s.sharing ? 'Stop sharing' : 'Share screen'} title={s.sharing ? 'Stop sharing' : 'Share screen'} onClick={act('share the screen', async () => { await m.toggleScreen() })}>
          <IconScreen />
        </button>
        <button type='button' class='call-control call-hangup' data-testid='call-hangup' aria-label='Hang up' title='Hang up' onClick={act('hang up', async () => { await m.hangUp() })}>
          <IconHangUp />
        </button>
      </footer>
    </section>
  )
}

function Ended ({ s, m }: { s: CallScreen, m: CallManager }): JSX.Element {
  const { client, ui } = useKith()
  // Ended here, but going on among the others (a ring that ran out, a decline, a hang-up): join it.
  const running = client.calls.value.find((c) => c.id === s.call.id && c.phase === 'running')
  const join = (): void => {
    if (running !== undefined) m.join(running.id, running.media.video).catch((err: unknown) => { ui.notify('error', `Couldn’t join the call: ${errorText(err)}`) })
  }
  return (
    <div class='call-ended' role='status' data-testid='call-ended'>
      <span class='call-status' data-testid='call-status' data-state='ended'>{running !== undefined ? 'Call in progress' : 'Call ended'}</span>
      <span class='call-ended-why'>{s.ended}</span>
      {running !== undefined && <button type='button' class='button button-small button-accept' data-testid='call-ended-join' onClick={join}>Join</button>}
      <button type='button' class='icon-button' aria-label='Close' onClick={() => { m.dismiss() }}><IconClose size={18} /></button>
    </div>
  )
}

/** The call layer over the app. */
export function CallLayer (): JSX.Element | null {
  const kith = useKith()
  const m = managerFor(kith)
  const s = m.screen.value
  // Stats and link states change inside the links: the tick, passed down, makes the views look
  // again (@preact/signals skips a component whose props are unchanged).
  const tick = m.tick.value
  if (s === null) return null
  if (s.ended !== null) return <Ended s={s} m={m} />
  if (s.call.direction === 'incoming' && s.call.phase === 'ringing') return <IncomingBanner s={s} m={m} />
  return <InCall s={s} m={m} tick={tick} />
}
