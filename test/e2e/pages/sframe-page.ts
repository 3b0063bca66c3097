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
  /** Audio samples played out that were decoded, not concealed. */
  audioSamplesDecoded: number
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

/**
 * Starts a one-way call, video and optionally audio; the receiver's base key is `receiverKey`
 * (the sender's is 00..0f). All of the caller's streams go through one worker, so one send key
 * and one CTR sequence, as in a real call.
 */
async function startCall (receiverKeyHex: string, useTransforms = true, withAudio = false): Promise<void> {
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

  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: withAudio })
  // The callee offers recvonly m-lines; its receive transforms go on before the offer.
  for (const kind of withAudio ? ['audio', 'video'] : ['video']) {
    const receiving = callee.addTransceiver(kind, { direction: 'recvonly' })
    if (useTransforms) attachSFrameTransform(receiving.receiver, receiverWorker, { side: 'receive', peer: `caller-${kind}` })
  }
  callee.ontrack = (e) => {
    if (e.track.kind === 'video') (document.getElementById('remote') as HTMLVideoElement).srcObject = new MediaStream([e.track])
    else (document.getElementById('remote-audio') as HTMLAudioElement).srcObject = new MediaStream([e.track])
  }
  await callee.setLocalDescription(await callee.createOffer())

  // The caller's addTrack takes the transceivers the offer created; its send transforms go on before the answer.
  await caller.setRemoteDescription(callee.localDescription!)
  for (const track of stream.getTracks()) {
    const sender = caller.addTrack(track, stream)
    if (useTransforms) attachSFrameTransform(sender, senderWorker, { side: 'send', peer: `callee-${track.kind}` })
  }
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
  let audioSamplesDecoded = 0
  ;(await callee.getStats()).forEach((s: { type: string, kind?: string, framesDecoded?: number, bytesReceived?: number, totalSamplesReceived?: number, concealedSamples?: number }) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') { framesDecoded += s.framesDecoded ?? 0; bytesReceived += s.bytesReceived ?? 0 }
    if (s.type === 'inbound-rtp' && s.kind === 'audio') audioSamplesDecoded += (s.totalSamplesReceived ?? 0) - (s.concealedSamples ?? 0)
  })
  // The receiver's counts first: every frame it counts was counted by the sender before.
  const receiver = await readSFrameStats(receiverWorker)
  return { framesDecoded, bytesReceived, audioSamplesDecoded, receiver, sender: await readSFrameStats(senderWorker) }
}

Object.assign(window, { sframeTest: { startCall, probe, setSenderKey, setReceiverKey, measureFrameCost } })
document.body.dataset.ready = 'true'
