/**
 * The web port: serves the built browser app from `dist/` when there is one. Until the browser app
 * lands, it serves a short page that says so, and keeps the port reserved for it.
 */
import { createServer, type Server } from 'node:http'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { extname, join, normalize, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Log } from '../core/messenger/ports.ts'

/** A listening web server. */
export interface WebServer {
  readonly port: number
  close (): Promise<void>
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.webmanifest': 'application/manifest+json', '.wasm': 'application/wasm'
}

const PLACEHOLDER = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Kith</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1d2430}
code{background:#eef1f5;padding:.1rem .3rem;border-radius:4px}@media(prefers-color-scheme:dark){body{background:#10141a;color:#e6e9ee}code{background:#1e2530}}</style></head>
<body><h1>Kith node</h1><p>This Kith node is running. The browser app is not built into this version yet; chat from the terminal with <code>npx kith chat NAME</code>.</p></body></html>`

/** Starts the web server on `host:port` (0 picks a free port). */
export async function startWebServer (options: { host: string, port: number, log: Log, root?: string }): Promise<WebServer> {
  const root = resolve(options.root ?? join(fileURLToPath(new URL('.', import.meta.url)), '../../dist'))
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const relative = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '')
    const file = join(root, relative === '' ? 'index.html' : relative)
    if (file.startsWith(root) && existsSync(file) && statSync(file).isFile()) {
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
      res.end(readFileSync(file))
      return
    }
    const index = join(root, 'index.html')
    res.writeHead(200, { 'content-type': TYPES['.html']! })
    res.end(existsSync(index) ? readFileSync(index) : PLACEHOLDER)
  })
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
