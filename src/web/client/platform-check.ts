/**
 * What the page needs before it starts anything: a secure context (browsers give WebCrypto,
 * service workers and more only to https:// pages and to localhost), WebCrypto itself, IndexedDB
 * and module workers. Checked first thing at boot, so a page opened over plain http:// from
 * another machine explains itself instead of failing deep inside key generation.
 */

/** What the browser offers this page. */
export interface PlatformFacts {
  readonly href: string
  readonly isSecureContext: boolean
  readonly hasSubtleCrypto: boolean
  readonly hasIndexedDb: boolean
  readonly hasWorker: boolean
}

/** Whether Kith can start here, and if not, what the person can do. */
export type PlatformCheck =
  | { readonly kind: 'ok' }
  /**
   * Not a secure context. `httpsUrl`: the same address over https://, offered when it is plausible
   * (a default port, as behind a proxy that also serves https); `localUrl`: the address to open on
   * the machine running the node.
   */
  | { readonly kind: 'insecure-origin', readonly host: string, readonly httpsUrl: string | null, readonly localUrl: string | null }
  | { readonly kind: 'missing-feature', readonly feature: string }

/** Reads the facts from the running page. */
export function platformFacts (): PlatformFacts {
  return {
    href: location.href,
    isSecureContext: globalThis.isSecureContext,
    hasSubtleCrypto: typeof globalThis.crypto?.subtle?.generateKey === 'function',
    hasIndexedDb: typeof globalThis.indexedDB?.open === 'function',
    hasWorker: typeof globalThis.Worker === 'function'
  }
}

/** Decides from the facts; pure, so every case is tested without a browser. */
export function checkPlatform (facts: PlatformFacts): PlatformCheck {
  if (!facts.isSecureContext || !facts.hasSubtleCrypto) {
    const url = new URL(facts.href)
    if (!facts.isSecureContext && url.protocol === 'http:') {
      const path = url.pathname + url.search + url.hash
      return {
        kind: 'insecure-origin',
        host: url.host,
        httpsUrl: url.port === '' ? `https://${url.host}${path}` : null,
        localUrl: `http://localhost${url.port === '' ? '' : `:${url.port}`}${path}`
      }
    }
    if (!facts.isSecureContext) return { kind: 'insecure-origin', host: url.host, httpsUrl: null, localUrl: null }
    return { kind: 'missing-feature', feature: 'WebCrypto (crypto.subtle)' }
  }
  if (!facts.hasIndexedDb) return { kind: 'missing-feature', feature: 'IndexedDB storage' }
  if (!facts.hasWorker) return { kind: 'missing-feature', feature: 'Web Workers' }
  return { kind: 'ok' }
}
