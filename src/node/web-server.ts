/**
 * The web port: serves the built browser app from `dist/` (gzipped when the browser accepts it,
 * hashed assets cached for good, a strict Content-Security-Policy) and `/kith.json`, which tells
 * the page this node's WebSocket and WebRTC-direct addresses to bootstrap and relay through. Over
 * HTTPS when the node has a certificate (`--tls`). Without a build it serves a short page saying
 * how to make one.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { extname, join, normalize, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import type { Log } from '../core/messenger/ports.ts'
import { describeError } from '../core/errors.ts'

/** A listening web server. */
export interface WebServer {
  readonly port: number
  close (): Promise<void>
}

/** What `/kith.json` tells the page. */
export interface ServedInfo {
  readonly peerId: string
  /** WebSocket and WebRTC-direct multiaddrs with /p2p/, for the browser to dial and reserve a relay slot on. */
  readonly bootstrap: readonly string[]
  /** Hex; shown in a mailbox OPEN, it admits a page this node served (PROTOCOL.md §5.4). */
  readonly mailboxTicket?: string
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.webmanifest': 'application/manifest+json', '.wasm': 'application/wasm'
}
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.json', '.svg', '.webmanifest'])

// WebRTC is not governed by connect-src; WebSockets to peers on any host are.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; " +
  "connect-src 'self' ws: wss:; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

const PLACEHOLDER = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Kith</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1d2430}
code{background:#eef1f5;padding:.1rem .3rem;border-radius:4px}@media(prefers-color-scheme:dark){body{background:#10141a;color:#e6e9ee}code{background:#1e2530}}</style></head>
<body><h1>Kith node</h1><p>This Kith node is running, but the browser app has not been built. Run <code>npm run build</code> (or start with <code>npm start</code>, which builds it), then reload.</p></body></html>`

interface Cached { readonly mtime: number, readonly body: Buffer, readonly gzip: Buffer | undefined }

/** Starts the web server on `host:port` (0 picks a free port). */
export async function startWebServer (options: { host: string, port: number, log: Log, root?: string, info?: () => ServedInfo, tls?: { cert: string, key: string } }): Promise<WebServer> {
  const root = resolve(options.root ?? join(fileURLToPath(new URL('.', import.meta.url)), '../../dist'))
  const cache = new Map<string, Cached>()

  const load = (file: string): Cached => {
    const mtime = statSync(file).mtimeMs
    const hit = cache.get(file)
    if (hit !== undefined && hit.mtime === mtime) return hit
    const body = readFileSync(file)
    const entry = { mtime, body, gzip: COMPRESSIBLE.has(extname(file)) && body.length > 512 ? gzipSync(body, { level: 9 }) : undefined }
    cache.set(file, entry)
    return entry
  }

  const send = (req: IncomingMessage, res: ServerResponse, type: string, entry: { body: Buffer, gzip: Buffer | undefined }, cacheControl: string): void => {
    const gzip = entry.gzip !== undefined && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))
    res.writeHead(200, {
      'content-type': type,
      'cache-control': cacheControl,
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {})
    })
    res.end(gzip ? entry.gzip : entry.body)
  }

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost')
      if (url.pathname === '/kith.json') {
        const body = Buffer.from(JSON.stringify(options.info?.() ?? { bootstrap: [] }))
        send(req, res, TYPES['.json']!, { body, gzip: undefined }, 'no-store')
        return
      }
      const relative = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '')
      const file = join(root, relative === '' ? 'index.html' : relative)
      if (file.startsWith(root) && existsSync(file) && statSync(file).isFile()) {
        const immutable = relative.startsWith('assets/')
        send(req, res, TYPES[extname(file)] ?? 'application/octet-stream', load(file), immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
        return
      }
      const index = join(root, 'index.html')
      if (existsSync(index)) send(req, res, TYPES['.html']!, load(index), 'no-cache')
      else send(req, res, TYPES['.html']!, { body: Buffer.from(PLACEHOLDER), gzip: undefined }, 'no-store')
    } catch (err) {
      options.log(`web request ${req.url ?? ''} failed: ${describeError(err)}`)
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' })
      res.end('bad request')
    }
  }
  const server: Server = options.tls === undefined ? createServer(handle) : createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handle)
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => resolvePromise())
  })
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : options.port
  return {
    port,
    close: async () => await new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()) })
  }
}
