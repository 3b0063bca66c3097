import { describe, expect, it } from 'vitest'
import { routeOf, shellShouldReplace } from '../../../../src/web/sw/shell-routes.ts'

const SCOPE = 'https://chat.example.org/'
const PRECACHED = new Set(['index.html', 'icon.svg', 'manifest.webmanifest'])
const route = (url: string, mode = 'cors', method = 'GET'): string => routeOf({ url, mode, method }, SCOPE, PRECACHED)

describe('how the service worker answers', () => {
  it('loads pages from the network first (the shell is the fallback)', () => {
    expect(route('https://chat.example.org/', 'navigate')).toBe('navigate')
    expect(route('https://chat.example.org/?bootstrap=/dns4/x#/invite/abc', 'navigate')).toBe('navigate')
  })

  it('serves the build’s files from the cache first', () => {
    expect(route('https://chat.example.org/assets/index-abc123.js', 'cors')).toBe('cache-first')
    expect(route('https://chat.example.org/assets/messenger.worker-abc.js', 'same-origin')).toBe('cache-first')
    expect(route('https://chat.example.org/icon.svg', 'no-cors')).toBe('cache-first')
  })

  it('never caches /kith.json, whatever it answers', () => {
    expect(route('https://chat.example.org/kith.json')).toBe('network')
    expect(route('https://chat.example.org/kith.json', 'navigate')).toBe('network')
  })

  it('leaves other origins, other methods and unknown files alone', () => {
    expect(route('https://elsewhere.example/assets/x.js')).toBe('network')
    expect(route('https://chat.example.org/assets/x.js', 'cors', 'POST')).toBe('network')
    expect(route('https://chat.example.org/icon-512.png', 'no-cors')).toBe('network')
  })

  it('gives way to the cached shell when the server fails, not when a page is missing', () => {
    expect(shellShouldReplace(502)).toBe(true)
    expect(shellShouldReplace(200)).toBe(false)
    expect(shellShouldReplace(404)).toBe(false)
  })
})
