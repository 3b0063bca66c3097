/** Kith's mark: a speech bubble holding two linked peers. Same drawing as `public/icon.svg`. */
import type { JSX } from 'preact'

/** Decorative logo; pair it with visible text. */
export function Logo ({ size = 56 }: { size?: number }): JSX.Element {
  return (
    <svg class='logo' width={size} height={size} viewBox='0 0 48 48' aria-hidden='true' focusable='false'>
      <rect width='48' height='48' rx='13' fill='var(--accent)' />
      <path d='M13 12.5h22a4.5 4.5 0 0 1 4.5 4.5v11.5a4.5 4.5 0 0 1-4.5 4.5H22.5l-6.5 5.5V33H13a4.5 4.5 0 0 1-4.5-4.5V17a4.5 4.5 0 0 1 4.5-4.5z' fill='#fff' />
      <path d='M18.5 22.75h11' stroke='var(--accent)' stroke-width='2.2' stroke-linecap='round' />
      <circle cx='18' cy='22.75' r='3' fill='var(--accent)' />
      <circle cx='30' cy='22.75' r='3' fill='var(--accent)' />
    </svg>
  )
}
