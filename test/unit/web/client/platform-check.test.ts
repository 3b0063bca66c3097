import { describe, expect, it } from 'vitest'
import { checkPlatform, type PlatformFacts } from '../../../../src/web/client/platform-check.ts'

const CAPABLE: PlatformFacts = { href: 'https://chat.example.org/', isSecureContext: true, hasSubtleCrypto: true, hasIndexedDb: true, hasWorker: true }
/** What Chromium gives a page over plain http:// from a host other than localhost. */
const insecure = (href: string): PlatformFacts => ({ ...CAPABLE, href, isSecureContext: false, hasSubtleCrypto: false })

describe('whether this page can run Kith', () => {
  it('runs in a secure context with WebCrypto, IndexedDB and workers', () => {
    expect(checkPlatform(CAPABLE)).toEqual({ kind: 'ok' })
  })

  it('offers the https:// address when the page used the default port, and the localhost one', () => {
    expect(checkPlatform(insecure('http://chat.example.org/?bootstrap=x#/invite/abc'))).toEqual({
      kind: 'insecure-origin',
      host: 'chat.example.org',
      httpsUrl: 'https://chat.example.org/?bootstrap=x#/invite/abc',
      localUrl: 'http://localhost/?bootstrap=x#/invite/abc'
    })
  })

  it('does not guess an https:// address on a node’s own port, which speaks plain http', () => {
    expect(checkPlatform(insecure('http://10.79.0.1:8080/'))).toEqual({
      kind: 'insecure-origin', host: '10.79.0.1:8080', httpsUrl: null, localUrl: 'http://localhost:8080/'
    })
  })

  it('names a missing feature in a secure context', () => {
    expect(checkPlatform({ ...CAPABLE, hasSubtleCrypto: false })).toEqual({ kind: 'missing-feature', feature: 'WebCrypto (crypto.subtle)' })
    expect(checkPlatform({ ...CAPABLE, hasIndexedDb: false })).toEqual({ kind: 'missing-feature', feature: 'IndexedDB storage' })
    expect(checkPlatform({ ...CAPABLE, hasWorker: false })).toEqual({ kind: 'missing-feature', feature: 'Web Workers' })
  })
})
