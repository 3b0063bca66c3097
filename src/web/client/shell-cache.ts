/**
 * Registers the service worker that keeps the app shell cached (`sw/service-worker.ts`, built to
 * `/sw.js`), in secure contexts only: browsers offer service workers nowhere else. A failure (a host
 * that does not serve `sw.js`) is logged; the app runs on without an offline copy.
 */

/** Registers `/sw.js` once the page has loaded; `onUpdated` runs when a newer build takes over this page. */
export function registerShellCache (onUpdated: () => void): void {
  if (!('serviceWorker' in navigator) || !isSecureContext) return
  const container = navigator.serviceWorker
  // The first install claims the page too; only a replacement is news to the person.
  let hadController = container.controller !== null
  container.addEventListener('controllerchange', () => {
    if (hadController) onUpdated()
    hadController = true
  })
  const register = (): void => {
    // Registering after load keeps the install's downloads out of the page's own start.
    container.register('/sw.js', { scope: '/' }).catch((err: unknown) => {
      console.error(`Kith could not install its offline copy: ${err instanceof Error ? err.message : String(err)}`)
    })
  }
  if (document.readyState === 'complete') register()
  else addEventListener('load', register, { once: true })
}
