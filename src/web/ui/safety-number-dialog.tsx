/**
 * Verifying a contact: the 60-digit safety number of our two identity keys, as digits to compare
 * and as a QR code, and the switch that records that we compared them.
 */
import { Fragment } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import type { JSX } from 'preact'
import { useKith } from './context.ts'
import { Dialog } from './dialog.tsx'
import { errorText } from './format.ts'
import { IconVerified } from './icons.tsx'
import { QrCode } from './qr-code.tsx'
import { useAction } from './use-action.ts'

/** Groups separated by single spaces become grid cells; the element's text stays the number as given. */
function SafetyDigits ({ number }: { number: string }): JSX.Element {
  const groups = number.split(' ')
  const tidy = groups.join(' ') === number && groups.every((g) => g.length > 0)
  return (
    <p class={tidy ? 'safety-number' : 'safety-number safety-number-raw'} data-testid='safety-number'>
      {tidy ? groups.map((g, i) => <Fragment key={i}>{i > 0 ? ' ' : ''}<span>{g}</span></Fragment>) : number}
    </p>
  )
}

/** The "Safety number" dialog for one contact. */
export function SafetyNumberDialog ({ alias, onClose }: { alias: string, onClose: () => void }): JSX.Element {
  const { client } = useKith()
  const contact = client.contacts.value.find((c) => c.alias === alias)
  const name = contact?.displayName ?? 'your contact'
  const [number, setNumber] = useState<string | null>(null)
  const [loadError, setLoadError] = useState<string | null>(null)
  const toggle = useAction((verified: boolean) => client.setVerified(alias, verified))

  useEffect(() => {
    let live = true
    client.safetyNumber(alias).then((n) => { if (live) setNumber(n) }, (err: unknown) => { if (live) setLoadError(errorText(err)) })
    return () => { live = false }
  }, [alias])

  const verified = contact?.verified === true
  return (
    <Dialog title='Safety number' onClose={onClose} testId='safety-number-dialog'>
      <p class='dialog-text'>
        Compare these numbers with the ones {name} sees on their device — in person, or on a call you trust. If they match,
        nobody is in the middle of your conversation.
      </p>
      {loadError !== null && <p class='field-error' role='alert'>{loadError}</p>}
      {number === null && loadError === null && <p class='muted' aria-busy='true'>Calculating…</p>}
      {number !== null && (
        <>
          <SafetyDigits number={number} />
          <div class='qr-frame qr-frame-small'>
            <QrCode text={number.replace(/\s+/g, '')} numeric label={`QR code of your safety number with ${name}`} />
          </div>
        </>
      )}
      <p class={verified ? 'verify-status verified' : 'verify-status'} data-testid='verify-status'>
        {verified ? <><IconVerified size={18} /> You have verified {name}.</> : `${name} is not verified yet.`}
      </p>
      {toggle.error !== null && <p class='field-error' role='alert'>{toggle.error}</p>}
      <div class='dialog-actions'>
        <button type='button' class={verified ? 'button' : 'button button-primary'} data-testid='verify-toggle'
          disabled={toggle.busy || contact === undefined} onClick={() => { void toggle.run(!verified) }}>
          {verified ? 'Clear verification' : 'Mark as verified'}
        </button>
      </div>
    </Dialog>
  )
}
