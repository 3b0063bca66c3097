/**
 * The colour theme chosen in Settings, applied as `data-theme` on <html>; the stylesheets honour
 * it ahead of `prefers-color-scheme`. "System" removes the attribute, so the device decides.
 */
import { effect } from '@preact/signals'
import type { KithClient, Theme } from '../client/types.ts'

/** Sets (or, for 'system', clears) `data-theme` on `root`. */
export function applyTheme (root: HTMLElement, theme: Theme): void {
  if (theme === 'system') root.removeAttribute('data-theme')
  else root.setAttribute('data-theme', theme)
}

/** Keeps <html> in step with the client's theme setting; returns the stop function. */
export function followTheme (client: KithClient): () => void {
  return effect(() => { applyTheme(document.documentElement, client.settings.value.theme) })
}
