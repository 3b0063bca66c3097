/**
 * The UI's icon set: 24×24 stroke icons drawn with `currentColor`, always decorative
 * (`aria-hidden`); the button around an icon carries the accessible name.
 */
import type { JSX } from 'preact'

/** Props every icon accepts. */
export interface IconProps { readonly size?: number, readonly class?: string }

/** Makes an icon component from its paths. */
export function icon (paths: JSX.Element) {
  return function Icon ({ size = 20, class: cls }: IconProps): JSX.Element {
    return (
      <svg class={cls === undefined ? 'icon' : `icon ${cls}`} width={size} height={size} viewBox='0 0 24 24' fill='none'
        stroke='currentColor' stroke-width='1.8' stroke-linecap='round' stroke-linejoin='round' aria-hidden='true' focusable='false'>
        {paths}
      </svg>
    )
  }
}

export const IconBack = icon(<path d='M15 18l-6-6 6-6' />)
export const IconPaperclip = icon(<path d='m20.5 11.5-8.1 8.1a5 5 0 0 1-7.1-7.1l8.5-8.5a3.4 3.4 0 0 1 4.8 4.8l-8.4 8.4a1.7 1.7 0 0 1-2.4-2.4l7.7-7.7' />)
export const IconClose = icon(<path d='M18 6 6 18M6 6l12 12' />)
export const IconSend = icon(<><path d='M21 3 10.5 13.5' /><path d='M21 3 14.5 21l-4-7.5L3 9.5 21 3z' /></>)
export const IconSettings = icon(<><path d='M4 7h9M17 7h3M4 17h3M11 17h9' /><circle cx='15' cy='7' r='2' /><circle cx='9' cy='17' r='2' /></>)
export const IconQr = icon(<><rect x='3.5' y='3.5' width='6.5' height='6.5' rx='1' /><rect x='14' y='3.5' width='6.5' height='6.5' rx='1' /><rect x='3.5' y='14' width='6.5' height='6.5' rx='1' /><path d='M14 14h3v3M20.5 14v.01M14 20.5h.01M17.5 20.5h3v-3' /></>)
export const IconUserPlus = icon(<><circle cx='9' cy='8' r='3.5' /><path d='M2.5 20c.8-3.5 3.4-5.5 6.5-5.5s5.7 2 6.5 5.5M19 8v6M16 11h6' /></>)
export const IconUsers = icon(<><circle cx='9' cy='8' r='3.5' /><path d='M2.5 20c.8-3.5 3.4-5.5 6.5-5.5s5.7 2 6.5 5.5' /><path d='M15.5 4.7a3.5 3.5 0 0 1 0 6.6M18 14.8c1.8.8 3 2.6 3.5 5.2' /></>)
export const IconShield = icon(<><path d='M12 21.5s7.5-3.5 7.5-9.5V5.5L12 2.5l-7.5 3V12c0 6 7.5 9.5 7.5 9.5z' /><path d='m9 12 2 2 4-4' /></>)
export const IconInfo = icon(<><circle cx='12' cy='12' r='9' /><path d='M12 16v-4.5M12 8h.01' /></>)
export const IconReply = icon(<><path d='M9 15 4 10l5-5' /><path d='M4 10h10a6 6 0 0 1 6 6v3' /></>)
export const IconSmile = icon(<><circle cx='12' cy='12' r='9' /><path d='M8.5 14.5s1.3 1.8 3.5 1.8 3.5-1.8 3.5-1.8M9 9.5h.01M15 9.5h.01' /></>)
export const IconEdit = icon(<><path d='M12 20h8.5' /><path d='M16.5 3.8a2.1 2.1 0 0 1 3 3L8 18.3l-4 1 1-4L16.5 3.8z' /></>)
export const IconTrash = icon(<><path d='M3.5 6.5h17M9 6.5V4h6v2.5M18.5 6.5l-.9 13.1a1.5 1.5 0 0 1-1.5 1.4H7.9a1.5 1.5 0 0 1-1.5-1.4L5.5 6.5' /></>)
export const IconCopy = icon(<><rect x='8.5' y='8.5' width='12' height='12' rx='2' /><path d='M15.5 8.5V5a1.5 1.5 0 0 0-1.5-1.5H5A1.5 1.5 0 0 0 3.5 5v9A1.5 1.5 0 0 0 5 15.5h3.5' /></>)
export const IconCheck = icon(<path d='M20 6.5 9 17.5l-5-5' />)
/** A tick over an inbox tray: the message waits in the recipient's mailbox. */
export const IconStored = icon(<><path d='m8 4.5 3 3 5-5' /><path d='M3 12h5l1.5 2.5h5L16 12h5' /><path d='M3 12v7h18v-7' /></>)
export const IconChecks = icon(<><path d='M16.5 6.5 6 17l-4-4' /><path d='m22 7-10.5 10.5L10 16' /></>)
export const IconClock = icon(<><circle cx='12' cy='12' r='8.5' /><path d='M12 7.5V12l3 2' /></>)
export const IconArrowDown = icon(<path d='M12 5v14M18 13l-6 6-6-6' />)
export const IconLock = icon(<><rect x='4.5' y='10.5' width='15' height='10' rx='2' /><path d='M8 10.5V7.5a4 4 0 0 1 8 0v3' /></>)
export const IconLeave = icon(<path d='M9.5 20.5H6A2.5 2.5 0 0 1 3.5 18V6A2.5 2.5 0 0 1 6 3.5h3.5M16 16.5l4.5-4.5L16 7.5M20.5 12H9.5' />)
export const IconPlus = icon(<path d='M12 5v14M5 12h14' />)
export const IconMore = icon(<path d='M12 5.5h.01M12 12h.01M12 18.5h.01' stroke-width='3' />)
export const IconRefresh = icon(<><path d='M20 11.5A8 8 0 0 0 6 6.3L4 8.5' /><path d='M4 4v4.5h4.5M4 12.5a8 8 0 0 0 14 5.2l2-2.2' /><path d='M20 20v-4.5h-4.5' /></>)
export const IconVerified = icon(<><path d='M12 2.8 14.3 5l3.1-.3.6 3.1 2.8 1.5-1.3 2.8 1.3 2.8-2.8 1.5-.6 3.1-3.1-.3L12 21.2 9.7 19l-3.1.3-.6-3.1-2.8-1.5 1.3-2.8-1.3-2.8L6 7.8l.6-3.1 3.1.3L12 2.8z' /><path d='m8.8 12 2.2 2.2 4.2-4.4' /></>)
export const IconBellOff = icon(<><path d='M13.7 20a2 2 0 0 1-3.4 0M18 13.5V10a6 6 0 0 0-9.3-5M6.3 7.3A6 6 0 0 0 6 10c0 6-2.5 7.5-2.5 7.5h13' /><path d='M3 3l18 18' /></>)
export const IconArchive = icon(<><rect x='3' y='4' width='18' height='4.5' rx='1' /><path d='M4.5 8.5V18a2 2 0 0 0 2 2h11a2 2 0 0 0 2-2V8.5M10 12.5h4' /></>)
export const IconUnarchive = icon(<><rect x='3' y='4' width='18' height='4.5' rx='1' /><path d='M4.5 8.5V18a2 2 0 0 0 2 2h11a2 2 0 0 0 2-2V8.5M12 17v-5M9.5 14.5 12 12l2.5 2.5' /></>)
export const IconBell = icon(<path d='M13.7 20a2 2 0 0 1-3.4 0M18 10a6 6 0 0 0-12 0c0 6-2.5 7.5-2.5 7.5h17S18 16 18 10z' />)
export const IconPhone = icon(<path d='M6.6 3.5h-2A1.6 1.6 0 0 0 3 5.2C3.4 13.4 10.6 20.6 18.8 21a1.6 1.6 0 0 0 1.7-1.6v-2a1.5 1.5 0 0 0-1.1-1.4l-3-.9a1.5 1.5 0 0 0-1.5.4l-1 1a12 12 0 0 1-5.4-5.4l1-1a1.5 1.5 0 0 0 .4-1.5l-.9-3a1.5 1.5 0 0 0-1.4-1.1z' />)
export const IconVideo = icon(<><rect x='2.5' y='6' width='13' height='12' rx='2' /><path d='m15.5 10.5 6-3.5v10l-6-3.5' /></>)
