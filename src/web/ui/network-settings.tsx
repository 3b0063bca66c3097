/** Settings → Network: extra bootstrap nodes, and the STUN/TURN servers WebRTC may use. */
import { useEffect, useState } from 'preact/hooks'
import type { JSX } from 'preact'
import { checkBootstrapAddr } from '../client/bootstrap-addrs.ts'
import { formatIceServers, parseIceServers } from '../client/ice-servers.ts'
import { useKith } from './context.ts'
import { useAction } from './use-action.ts'

/** Non-empty lines of the textarea; the first one this page cannot dial is reported with the reason. */
function parseBootstrap (text: string): { addrs: string[], invalid: string | null } {
  const addrs = text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0)
  for (const addr of addrs) {
    const checked = checkBootstrapAddr(addr, location.protocol)
    if (checked.kind === 'unusable') return { addrs, invalid: `“${addr}” can’t be used: ${checked.reason}.` }
  }
  return { addrs, invalid: null }
}

/** A textarea with a Save button that stays disabled until the text changes. */
function SavedField ({ id, testIds, label, hint, placeholder, saved, saveLabel, rows, onSave, parse }: {
  id: string
  testIds: { input: string, save: string }
  label: string
  hint: string
  placeholder: string
  saved: string
  saveLabel: string
  rows: number
  onSave: (text: string) => Promise<void>
  /** Why the text cannot be saved, or null. */
  parse: (text: string) => string | null
}): JSX.Element {
  const [text, setText] = useState(saved)
  const [savedOnce, setSavedOnce] = useState(false)
  // What was saved comes back in its canonical form (e.g. `turn:USER:PASS@host` as
  // `turn:host USER PASS`): show that, so the field reads as saved.
  useEffect(() => { if (savedOnce) setText(saved) }, [saved, savedOnce])
  const save = useAction(async (value: string) => {
    await onSave(value)
    setSavedOnce(true)
  })
  const submit = (e: Event): void => {
    e.preventDefault()
    const problem = parse(text)
    if (problem !== null) return save.setError(problem)
    void save.run(text)
  }
  return (
    <form class='setting-form' onSubmit={submit} noValidate>
      <label for={id} class='setting-label'>{label}</label>
      <p class='field-hint' id={`${id}-hint`}>{hint}</p>
      <textarea id={id} data-testid={testIds.input} class='input mono' rows={rows} spellcheck={false}
        autoComplete='off' aria-describedby={`${id}-hint`} aria-invalid={save.error !== null} placeholder={placeholder} value={text}
        onInput={(e) => { setText(e.currentTarget.value); setSavedOnce(false); save.setError(null) }} />
      {save.error !== null && <p class='field-error' role='alert' data-testid={`${id}-error`}>{save.error}</p>}
      <div class='dialog-actions'>
        {savedOnce && text.trim() === saved && <span class='muted small' role='status'>Saved</span>}
        <button type='submit' class='button' data-testid={testIds.save} disabled={save.busy || text.trim() === saved}>{saveLabel}</button>
      </div>
    </form>
  )
}

/** The "Network" part of Settings. */
export function NetworkSettings (): JSX.Element {
  const { client } = useKith()
  const settings = client.settings.value
  const defaults = client.defaultIceServers
  const secure = location.protocol === 'https:'
  const iceHint = 'They help browsers reach each other through NATs and firewalls. One per line: stun:host:port, or turn:host:port username credential. ' +
    (settings.iceServers === null && defaults.length > 0
      ? 'These came with this copy of Kith; saving replaces them. '
      : 'Kith uses none unless you add them. ') +
    'New connections use them at once; ones already open keep theirs.'
  return (
    <>
      <SavedField id='setting-bootstrap' testIds={{ input: 'setting-bootstrap', save: 'save-bootstrap' }} label='Extra bootstrap nodes' rows={3} saveLabel='Save nodes'
        hint={'One multiaddr per line, ending in /p2p/<peer id>. Kith also uses the node that served this page, if any, and the nodes built into this copy.' +
          (secure ? ' This page is on https://, so use /tls/ws (or /wss) or /webrtc-direct addresses.' : '')}
        placeholder={secure ? '/dns4/node.example.org/tcp/443/tls/ws/p2p/12D3Koo…' : '/ip4/192.168.1.20/tcp/4002/ws/p2p/12D3Koo…'}
        saved={settings.bootstrap.join('\n')}
        parse={(text) => parseBootstrap(text).invalid}
        onSave={async (text) => { await client.updateSettings({ bootstrap: parseBootstrap(text).addrs }) }} />
      <SavedField id='setting-ice-servers' testIds={{ input: 'ice-servers-input', save: 'ice-servers-save' }} label='STUN and TURN servers' rows={3} saveLabel='Save servers' hint={iceHint}
        placeholder={'stun:stun.example.org:3478\nturn:turn.example.org:3478 username credential'}
        saved={formatIceServers(settings.iceServers ?? defaults)}
        parse={(text) => { const parsed = parseIceServers(text); return parsed.kind === 'invalid' ? parsed.reason : null }}
        onSave={async (text) => {
          const parsed = parseIceServers(text)
          if (parsed.kind === 'invalid') throw new Error(parsed.reason)
          await client.updateSettings({ iceServers: parsed.value })
        }} />
    </>
  )
}
