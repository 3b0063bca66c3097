/**
 * The screen for a page that cannot run Kith at all: opened over plain http:// from another
 * machine (no secure context, so no WebCrypto), or a browser without a feature Kith needs. Mounted
 * instead of the app, before any worker, storage or network is touched.
 */
import { render, type JSX } from 'preact'
import type { PlatformCheck } from '../client/platform-check.ts'
import { IconLock } from './icons.tsx'
import { Logo } from './logo.tsx'
import './styles/base.css'

type Problem = Exclude<PlatformCheck, { kind: 'ok' }>

function InsecureOrigin ({ problem }: { problem: Extract<Problem, { kind: 'insecure-origin' }> }): JSX.Element {
  return (
    <main class='splash splash-failed unsupported' data-testid='insecure-origin'>
      <Logo size={64} />
      <h1>Kith needs a secure connection</h1>
      <p class='unsupported-lead'>
        Kith encrypts your messages right here in the browser, and browsers allow that encryption only on secure pages.
        This page came over plain <span class='mono'>http://</span> from <strong class='mono'>{problem.host}</strong>, so the browser has turned it off.
      </p>
      <ol class='unsupported-options'>
        <li>
          <span class='unsupported-step' aria-hidden='true'>1</span>
          <div>
            <strong>Open it over HTTPS</strong>
            {problem.httpsUrl !== null
              ? <p>If this site also answers on https://, use <a href={problem.httpsUrl} class='mono' data-testid='https-url'>{problem.httpsUrl}</a></p>
              : <p>Ask whoever runs this node for its <span class='mono'>https://</span> address. If that’s you, start it with <span class='mono'>kith serve --tls</span>, or put the app on any HTTPS web host.</p>}
          </div>
        </li>
        {problem.localUrl !== null && (
          <li>
            <span class='unsupported-step' aria-hidden='true'>2</span>
            <div>
              <strong>Or use the computer running the node</strong>
              <p>Browsers trust localhost. On that computer, open <a href={problem.localUrl} class='mono' data-testid='local-url'>{problem.localUrl}</a></p>
            </div>
          </li>
        )}
      </ol>
      <p class='muted small unsupported-note'><IconLock size={16} /> Nothing was stored and no keys were made on this page.</p>
    </main>
  )
}

function MissingFeature ({ feature }: { feature: string }): JSX.Element {
  return (
    <main class='splash splash-failed unsupported' data-testid='missing-feature'>
      <Logo size={64} />
      <h1>This browser can’t run Kith</h1>
      <p class='failure' role='alert'>It lacks {feature}, which Kith needs to keep your keys and messages safe.</p>
      <p class='muted'>Try a current version of Firefox, Chrome, Edge or Safari, outside private browsing.</p>
    </main>
  )
}

/** Renders the explanation into `root`, replacing the boot splash. */
export function mountUnsupported (root: HTMLElement, problem: Problem): void {
  root.replaceChildren()
  render(problem.kind === 'insecure-origin' ? <InsecureOrigin problem={problem} /> : <MissingFeature feature={problem.feature} />, root)
}
