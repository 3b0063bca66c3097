// Builds the browser app (src/web) into dist/, which `kith serve` serves and any static host can.
// kith.config.json (optional; or the file KITH_CONFIG names) is checked and built in: see README.
// The service worker is its own entry, written to dist/sw.js with the precache list prepended.
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import { kithConfig } from './src/web/build/kith-config-plugin.ts'
import { precacheServiceWorker } from './src/web/build/precache-plugin.ts'

const root = fileURLToPath(new URL('.', import.meta.url))
const SERVICE_WORKER = 'sw.js'

export default defineConfig({
  root: 'src/web',
  publicDir: 'public',
  base: '/',
  plugins: [kithConfig(root), precacheServiceWorker({ fileName: SERVICE_WORKER })],
  build: {
    outDir: '../../dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 2048,
    rolldownOptions: {
      input: {
        index: fileURLToPath(new URL('src/web/index.html', import.meta.url)),
        sw: fileURLToPath(new URL('src/web/sw/service-worker.ts', import.meta.url))
      },
      output: {
        // The service worker keeps one unhashed name: browsers find updates by fetching it again.
        entryFileNames: (chunk) => chunk.name === 'sw' ? SERVICE_WORKER : 'assets/[name]-[hash].js'
      }
    }
  },
  worker: { format: 'es' },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } }
})
