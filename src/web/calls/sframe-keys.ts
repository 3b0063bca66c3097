/**
 * The page's side of SFrame: starts the transform worker, attaches its transforms to senders and
 * receivers, and hands it each MLS epoch's keys (RFC 9605 §5.2). Attach the transforms right
 * after addTrack/addTransceiver, before the offer or answer: set in `ontrack`, Chromium never
 * calls a receive transform (w3c/webrtc-encoded-transform#314).
 */
import type { EpochKeys } from '../../core/sframe/mls-keys.ts'
import type { SFrameStatsMessage, SFrameTransformOptions, SFrameWorkerEvent, SFrameWorkerRequest } from './sframe-protocol.ts'

/**
 * Starts an SFrame transform worker. The call code runs one per other participant; workers that
 * share a send KID must be given disjoint CTR ranges (`installEpochKeys`'s `ctrStart`).
 */
export function createSFrameWorker (): Worker {
  return new Worker(new URL('./sframe-transform.worker.ts', import.meta.url), { type: 'module', name: 'kith-sframe' })
}

/** Sends one request to the worker. */
export function postSFrameRequest (worker: Worker, request: SFrameWorkerRequest): void {
  worker.postMessage(request)
}

/** Encrypts everything `sender` sends, or decrypts everything `receiver` gets, in `worker`. */
export function attachSFrameTransform (target: RTCRtpSender | RTCRtpReceiver, worker: Worker, options: SFrameTransformOptions): void {
  target.transform = new RTCRtpScriptTransform(worker, options)
}

/** Attaches SFrame transforms in one worker to the senders and receivers of every peer connection of a call. */
export interface SFrameMediaTransforms {
  sender (sender: RTCRtpSender, peer: string): void
  receiver (receiver: RTCRtpReceiver, peer: string): void
}

/** Transforms for a call's peer links, all in `worker` (so one send key and CTR for all of them). */
export function sframeMediaTransforms (worker: Worker): SFrameMediaTransforms {
  return {
    sender: (sender, peer) => { attachSFrameTransform(sender, worker, { side: 'send', peer }) },
    receiver: (receiver, peer) => { attachSFrameTransform(receiver, worker, { side: 'receive', peer }) }
  }
}

/** True if this browser has RTCRtpScriptTransform (Chromium 141+, Firefox, Safari). */
export function supportsSFrameTransform (): boolean {
  return typeof RTCRtpScriptTransform === 'function'
}

/**
 * Installs one epoch's keys: every other member's receive key first, then this device's send key,
 * then forgets the keys of epochs older than `epoch - retainEpochs` (by default the previous
 * epoch stays, for frames still in flight when the epoch changed). Workers of one device that
 * send under the same KID each take their own `ctrStart`, so that no CTR repeats.
 */
export function installEpochKeys (worker: Worker, keys: EpochKeys, retainEpochs = 1n, ctrStart = 0n): void {
  for (const m of keys.members) postSFrameRequest(worker, { type: 'receive-key', kid: m.kid, baseKey: keys.baseKey, epoch: keys.epoch })
  postSFrameRequest(worker, { type: 'send-key', kid: keys.ownKid, baseKey: keys.baseKey, epoch: keys.epoch, ctrStart })
  if (keys.epoch > retainEpochs) postSFrameRequest(worker, { type: 'drop-before', epoch: keys.epoch - retainEpochs })
}

/** Calls `listener` with every event of the worker; returns a function that stops listening. */
export function onSFrameEvent (worker: Worker, listener: (event: SFrameWorkerEvent) => void): () => void {
  const handler = (e: MessageEvent<SFrameWorkerEvent>): void => { listener(e.data) }
  worker.addEventListener('message', handler)
  return () => { worker.removeEventListener('message', handler) }
}

/** The worker's next stats message, asked for now. */
export async function readSFrameStats (worker: Worker): Promise<SFrameStatsMessage> {
  return await new Promise((resolve) => {
    const stop = onSFrameEvent(worker, (event) => { if (event.type === 'stats') { stop(); resolve(event) } })
    postSFrameRequest(worker, { type: 'report' })
  })
}
