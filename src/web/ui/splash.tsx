/** Full-screen states before the app is usable: starting up, failed to start, and open in another tab. */
import type { JSX } from 'preact'
import { useKith } from './context.ts'
import { IconRefresh } from './icons.tsx'
import { Logo } from './logo.tsx'

/** Matches the boot splash in index.html, so the hand-over is invisible. */
export function LoadingScreen (): JSX.Element {
  return (
    <main class='splash' aria-busy='true' data-testid='loading'>
      <Logo size={64} />
      <p class='splash-text'>Starting Kith…</p>
      <span class='splash-bar' aria-hidden='true' />
    </main>
  )
}

/** Says why the peer could not start, and offers a reload. */
export function FailedScreen (): JSX.Element {
  const { client } = useKith()
  return (
    <main class='splash splash-failed'>
      <Logo size={64} />
      <h1>Kith couldn’t start</h1>
      <p class='failure' role='alert' data-testid='failure'>{client.failure.value ?? 'An unknown error stopped the app.'}</p>
      <p class='muted'>
        Kith keeps your keys in this browser’s storage. Private windows, full disks or blocked site data can stop it from starting.
      </p>
      <button type='button' class='button button-primary' data-testid='retry' onClick={() => location.reload()}>
        <IconRefresh size={18} /> Try again
      </button>
    </main>
  )
}

/** Another tab of this browser has Kith open; this one can take over (and take it back later). */
export function ElsewhereScreen (): JSX.Element {
  const { client } = useKith()
  const handed = client.handedOver.value
  return (
    <main class='splash splash-failed' data-testid='elsewhere'>
      <Logo size={64} />
      <h1>{handed ? 'Kith is open in another tab' : 'Kith is already open in another tab'}</h1>
      <p class='muted'>
        This browser is one device, so Kith runs in one tab at a time. Using it here closes it in the other tab.
      </p>
      <button type='button' class='button button-primary' data-testid='take-over' onClick={() => { void client.takeOver() }}>
        {handed ? 'Use Kith here again' : 'Use Kith here instead'}
      </button>
    </main>
  )
}
