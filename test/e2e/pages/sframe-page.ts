/**
 * Test page for the SFrame transform worker: a sender and a receiver RTCPeerConnection in one
 * page on loopback (`iceServers: []`), a fake camera track, and each side's transform in its own
 * worker (its own keys), attached right after addTransceiver and before the offer/answer.
 */
import { attachSFrameTransform, createSFrameWorker, postSFrameRequest, readSFrameStats } from '../../../src/web/calls/sframe-keys.ts'
import type { SFrameStatsMessage } from '../../../src/web/calls/sframe-protocol.ts'
import { measureFrameCost } from '../../../bench/sframe-cost.ts'

/** What the test reads back. */
export interface CallProbe {
  framesDecoded: number
  bytesReceived: number
  sender: SFrameStatsMessage
  receiver: SFrameStatsMessage
}

async function keyReady (worker: Worker): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    worker.addEventListener('message', (e: MessageEvent<{ type: string, message?: string }>) => {
      if (e.data.type === 'key-ready') resolve()
      if (e.data.type === 'error') reject(new Error(e.data.message))
    })
  })
}

/** Starts a one-way video call; the receiver's base key is `receiverKey` (the sender's is 0..15). */
async function startCall (receiverKeyHex: string, useTransforms = true): Promise<void> {
  const kid = 0x21n
  const sendKey = Uint8Array.from({ length: 16 }, (_, i) => i)
  const receiveKey = hexBytes(receiverKeyHex)
  const senderWorker = createSFrameWorker()
  const receiverWorker = createSFrameWorker()
  const ready = Promise.all([keyReady(senderWorker), keyReady(receiverWorker)])
  postSFrameRequest(senderWorker, { type: 'send-key', kid, baseKey: sendKey, epoch: 1n })
  postSFrameRequest(receiverWorker, { type: 'receive-key', kid, baseKey: receiveKey, epoch: 1n })
  await ready

  const caller = new RTCPeerConnection({ iceServers: [] })
  const callee = new RTCPeerConnection({ iceServers: [] })
  caller.onicecandidate = (e) => { if (e.candidate !== null) void callee.addIceCandidate(e.candidate) }
  callee.onicecandidate = (e) => { if (e.candidate !== null) void caller.addIceCandidate(e.candidate) }

  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false })
  const track = stream.getVideoTracks()[0]!
  // The callee offers a recvonly video m-line; its receive transform goes on before the offer.
  const receiving = callee.addTransceiver('video', { direction: 'recvonly' })
  if (useTransforms) attachSFrameTransform(receiving.receiver, receiverWorker, { side: 'receive', peer: 'caller' })
  callee.ontrack = (e) => { (document.getElementById('remote') as HTMLVideoElement).srcObject = new MediaStream([e.track]) }
  await callee.setLocalDescription(await callee.createOffer())

  // The caller's addTrack takes the transceiver the offer created; its send transform goes on before the answer.
  await caller.setRemoteDescription(callee.localDescription!)
  const sender = caller.addTrack(track, stream)
  if (useTransforms) attachSFrameTransform(sender, senderWorker, { side: 'send', peer: 'callee' })
  await caller.setLocalDescription(await caller.createAnswer())
  await callee.setRemoteDescription(caller.localDescription!)

  Object.assign(window, { call: { caller, callee, senderWorker, receiverWorker } })
}

function hexBytes (hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)))
}

function workers (): { senderWorker: Worker, receiverWorker: Worker } {
  return (window as unknown as { call: { senderWorker: Worker, receiverWorker: Worker } }).call
}

/** Switches the sender to a new send key, as at an MLS epoch change. */
async function setSenderKey (kid: string, keyHex: string, epoch: string): Promise<void> {
  const { senderWorker } = workers()
  const ready = keyReady(senderWorker)
  postSFrameRequest(senderWorker, { type: 'send-key', kid: BigInt(kid), baseKey: hexBytes(keyHex), epoch: BigInt(epoch) })
  await ready
}

/** Gives the receiver a new epoch's key and forgets the epochs before it. */
async function setReceiverKey (kid: string, keyHex: string, epoch: string): Promise<void> {
  const { receiverWorker } = workers()
  const ready = keyReady(receiverWorker)
  postSFrameRequest(receiverWorker, { type: 'receive-key', kid: BigInt(kid), baseKey: hexBytes(keyHex), epoch: BigInt(epoch) })
  postSFrameRequest(receiverWorker, { type: 'drop-before', epoch: BigInt(epoch) })
  await ready
}

/** Decoded frames and bytes at the receiver, and both workers' counts. */
async function probe (): Promise<CallProbe> {
  const { callee, senderWorker, receiverWorker } = (window as unknown as { call: { callee: RTCPeerConnection, senderWorker: Worker, receiverWorker: Worker } }).call
  let framesDecoded = 0
  let bytesReceived = 0
  ;(await callee.getStats()).forEach((s: { type: string, kind?: string, framesDecoded?: number, bytesReceived?: number }) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') { framesDecoded += s.framesDecoded ?? 0; bytesReceived += s.bytesReceived ?? 0 }
  })
  return { framesDecoded, bytesReceived, sender: await readSFrameStats(senderWorker), receiver: await readSFrameStats(receiverWorker) }
}

Object.assign(window, { sframeTest: { startCall, probe, setSenderKey, setReceiverKey, measureFrameCost } })
document.body.dataset.ready = 'true'
