/**
 * Serves test/e2e/pages with Vite's dev server on 127.0.0.1 (a secure context, so WebCrypto and
 * RTCRtpScriptTransform exist), compiling page modules and workers the way the app build does.
 */
import { createServer, type ViteDevServer } from 'vite'
import { root } from '../browser-harness.ts'

/** A running page server. */
export interface PageServer {
  /** The URL of `test/e2e/pages/<name>`. */
  url (name: string): string
  close (): Promise<void>
}

/** Starts the dev server on a free loopback port. */
export async function servePages (): Promise<PageServer> {
  const server: ViteDevServer = await createServer({
    root,
    configFile: false,
    logLevel: 'error',
    appType: 'mpa',
    server: { host: '127.0.0.1', port: 0, strictPort: true, hmr: false, watch: null },
    optimizeDeps: { noDiscovery: true, include: [] },
    worker: { format: 'es' }
  })
  await server.listen()
  const address = server.httpServer?.address()
  if (address === null || address === undefined || typeof address === 'string') throw new Error('the Vite dev server has no port')
  return {
    url: (name) => `http://127.0.0.1:${address.port}/test/e2e/pages/${name}`,
    close: async () => { await server.close() }
  }
}
