/**
 * The SFrame transform worker (RFC 9605 applied with RTCRtpScriptTransform): the page creates
 * `new RTCRtpScriptTransform(worker, { side, peer })` for each sender and receiver right after
 * addTrack/addTransceiver, and posts keys (sframe-protocol.ts). Stats go to the page every second.
 */
import { parseTransformOptions, SFrameTransformer, type EncodedFrameLike } from './sframe-transform.ts'
import type { SFrameWorkerEvent } from './sframe-protocol.ts'

/** What this worker uses of RTCRtpScriptTransformer. */
interface ScriptTransformer {
  options: unknown
  readable: ReadableStream<EncodedFrameLike>
  writable: WritableStream<EncodedFrameLike>
  sendKeyFrameRequest?: () => Promise<void>
}

/** What this worker uses of DedicatedWorkerGlobalScope (the DOM lib does not declare it). */
interface TransformWorkerScope {
  onmessage: ((event: MessageEvent) => void) | null
  onrtctransform: ((event: { transformer: ScriptTransformer }) => void) | null
  postMessage: (message: SFrameWorkerEvent) => void
}

const STATS_INTERVAL_MS = 1000
const scope = globalThis as unknown as TransformWorkerScope
const transformer = new SFrameTransformer((event) => { scope.postMessage(event) })

scope.onmessage = (event) => { transformer.handleRequest(event.data) }

scope.onrtctransform = (event) => {
  const { readable, writable, options } = event.transformer
  let parsed
  try {
    parsed = parseTransformOptions(options)
  } catch (err) {
    scope.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) })
    // Nothing passes unencrypted: the stream is closed instead.
    void readable.cancel()
    return
  }
  const requestKeyFrame = (): void => { event.transformer.sendKeyFrameRequest?.().catch(() => {}) }
  transformer.pump(parsed, readable, writable, parsed.side === 'receive' ? requestKeyFrame : undefined).catch((err: unknown) => {
    scope.postMessage({ type: 'error', message: `SFrame ${parsed.side} transform for ${parsed.peer} stopped: ${err instanceof Error ? err.message : String(err)}` })
  })
}

setInterval(() => { scope.postMessage(transformer.stats()) }, STATS_INTERVAL_MS)
