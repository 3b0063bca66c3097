/**
 * A phone's conversation header has no room for mute, archive and details beside the calls and
 * the name: they go into a ⋮ menu (shown by CSS below 480 px wide, where those buttons hide).
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import type { JSX } from 'preact'
import { IconMore } from './icons.tsx'

/** One choice of the menu. */
export interface HeaderMenuItem {
  readonly label: string
  readonly icon: JSX.Element
  readonly testId: string
  readonly run: () => void
}

/** The ⋮ button and its menu. Escape, a choice or a tap elsewhere closes it. */
export function HeaderMenu ({ items }: { items: readonly HeaderMenuItem[] }): JSX.Element {
  const [open, setOpen] = useState(false)
  const button = useRef<HTMLButtonElement>(null)
  const menu = useRef<HTMLDivElement>(null)
  useEffect(() => {
    if (!open) return
    menu.current?.querySelector('button')?.focus()
    const outside = (e: PointerEvent): void => {
      const target = e.target as Node
      if (menu.current?.contains(target) !== true && button.current?.contains(target) !== true) setOpen(false)
    }
    document.addEventListener('pointerdown', outside)
    return () => { document.removeEventListener('pointerdown', outside) }
  }, [open])
  const close = (): void => {
    setOpen(false)
    button.current?.focus()
  }
  const move = (e: KeyboardEvent): void => {
    const all = [...(menu.current?.querySelectorAll<HTMLButtonElement>('button') ?? [])]
    const at = all.indexOf(document.activeElement as HTMLButtonElement)
    const step = e.key === 'ArrowDown' ? 1 : e.key === 'ArrowUp' ? -1 : 0
    if (e.key === 'Escape') { e.stopPropagation(); close() }
    if (step !== 0 && all.length > 0) { e.preventDefault(); all[(at + step + all.length) % all.length]?.focus() }
  }
  return (
    <>
      <button ref={button} type='button' class='icon-button header-more' aria-label='More options' title='More options' aria-haspopup='menu'
        aria-expanded={open} data-testid='header-more' onClick={() => setOpen(!open)}>
        <IconMore />
      </button>
      {open && (
        <div ref={menu} class='header-menu' role='menu' aria-label='Conversation options' onKeyDown={move}>
          {items.map((item) => (
            <button key={item.testId} type='button' role='menuitem' class='header-menu-item' data-testid={item.testId}
              onClick={() => { close(); item.run() }}>
              {item.icon}<span>{item.label}</span>
            </button>
          ))}
        </div>
      )}
    </>
  )
}
