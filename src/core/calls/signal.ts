/**
 * Call signals (docs/PROTOCOL.md §11): the `CallSignal` a CALL payload carries, as a `type`-tagged
 * union, with the checks a signal from the wire must pass. INVITE, DECLINE and HANGUP go to every
 * member device; ACCEPT too (so every participant learns who joined); SDP and ICE name the one
 * device they are for. ALIVE, from each device in a call every 10 s (constants.ts), goes to
 * every member device too: it tells them the sender is still there (a closed tab sends no HANGUP).
 */
import { abytes, astring } from '../bytes.ts'
import { CallSignal as CallSignalCodec, CallSignalType } from '../codec/calls.ts'
import { CodecError, ValidationError } from '../errors.ts'
import { CALL_ID_LENGTH, MAX_CANDIDATE_LENGTH, MAX_DEVICE_ID_BYTES, MAX_EARLY_OFFERS, MAX_SDP_LENGTH, MAX_SDP_MID_LENGTH } from './constants.ts'

/** What a participant sends: at least audio or video is on, or it is listen-only. */
export interface CallMedia {
  readonly audio: boolean
  readonly video: boolean
}

/** One call signal. `callId` is {@link CALL_ID_LENGTH} bytes. */
export type CallSignal =
  /** `offers`: the caller's SDP offer for each device it rings, if it made them (PROTOCOL.md §11.5). */
  | { readonly type: 'invite', readonly callId: Uint8Array, readonly media: CallMedia, readonly offers?: readonly EarlyOffer[] }
  | { readonly type: 'accept', readonly callId: Uint8Array, readonly media: CallMedia }
  | { readonly type: 'decline', readonly callId: Uint8Array }
  | { readonly type: 'hangup', readonly callId: Uint8Array }
  | { readonly type: 'alive', readonly callId: Uint8Array }
  | { readonly type: 'sdp', readonly callId: Uint8Array, readonly toDevice: Uint8Array, readonly sdpType: 'offer' | 'answer', readonly sdp: string }
  | { readonly type: 'ice', readonly callId: Uint8Array, readonly toDevice: Uint8Array, readonly candidate: string, readonly sdpMid: string, readonly sdpMLineIndex: number }

/** An INVITE's SDP offer for one device it rings. */
export interface EarlyOffer {
  readonly toDevice: Uint8Array
  readonly sdp: string
}

/** The names of the signal types. */
export type CallSignalTypeName = CallSignal['type']

const TYPE_TO_WIRE: Record<CallSignalTypeName, CallSignalType> = {
  invite: CallSignalType.CALL_INVITE,
  accept: CallSignalType.CALL_ACCEPT,
  decline: CallSignalType.CALL_DECLINE,
  hangup: CallSignalType.CALL_HANGUP,
  alive: CallSignalType.CALL_ALIVE,
  sdp: CallSignalType.CALL_SDP,
  ice: CallSignalType.CALL_ICE
}
const WIRE_TO_TYPE = new Map(Object.entries(TYPE_TO_WIRE).map(([k, v]) => [v, k as CallSignalTypeName]))

/** Signals that are for one device only. */
export function isDirected (signal: CallSignal): signal is Extract<CallSignal, { toDevice: Uint8Array }> {
  return signal.type === 'sdp' || signal.type === 'ice'
}

/** The codec form of a signal (for the AppPayload's `call` field). */
export function toWireSignal (signal: CallSignal): CallSignalCodec {
  return {
    type: TYPE_TO_WIRE[signal.type],
    callId: signal.callId as Uint8Array<ArrayBuffer>,
    audio: 'media' in signal ? signal.media.audio : false,
    video: 'media' in signal ? signal.media.video : false,
    toDevice: (isDirected(signal) ? signal.toDevice : new Uint8Array()) as Uint8Array<ArrayBuffer>,
    sdpType: signal.type === 'sdp' ? signal.sdpType : '',
    sdp: signal.type === 'sdp' ? signal.sdp : signal.type === 'ice' ? signal.candidate : '',
    sdpMid: signal.type === 'ice' ? signal.sdpMid : '',
    sdpMlineIndex: signal.type === 'ice' ? signal.sdpMLineIndex : 0,
    offers: signal.type === 'invite' ? (signal.offers ?? []).map((o) => ({ toDevice: o.toDevice as Uint8Array<ArrayBuffer>, sdp: o.sdp })) : []
  }
}

/** Checks a signal's codec form, from the wire or from the UI, and returns it as a {@link CallSignal}. */
export function fromWireSignal (raw: CallSignalCodec): CallSignal {
  const type = WIRE_TO_TYPE.get(raw.type)
  if (type === undefined) throw new ValidationError(`call signal type ${raw.type} is unknown`)
  const callId = abytes(raw.callId, 'call id', { length: CALL_ID_LENGTH })
  const directed = type === 'sdp' || type === 'ice'
  if (directed) {
    abytes(raw.toDevice, 'call signal device', { max: MAX_DEVICE_ID_BYTES })
    if (raw.toDevice.length === 0) throw new ValidationError(`a call ${type} signal must name the device it is for`)
  } else if (raw.toDevice.length !== 0) {
    throw new ValidationError(`a call ${type} signal names no device`)
  }
  if (type !== 'invite' && type !== 'accept' && (raw.audio || raw.video)) throw new ValidationError(`a call ${type} signal carries no media kinds`)
  if (type !== 'sdp' && raw.sdpType !== '') throw new ValidationError(`a call ${type} signal carries no SDP type`)
  if (!directed && raw.sdp !== '') throw new ValidationError(`a call ${type} signal carries no SDP or candidate`)
  if (type !== 'ice' && (raw.sdpMid !== '' || raw.sdpMlineIndex !== 0)) throw new ValidationError(`a call ${type} signal carries no candidate fields`)
  if (type !== 'invite' && raw.offers.length > 0) throw new ValidationError(`only an invite carries early offers, not a call ${type} signal`)
  switch (type) {
    case 'invite':
      return { type, callId, media: { audio: raw.audio, video: raw.video }, ...(raw.offers.length > 0 ? { offers: checkOffers(raw.offers) } : {}) }
    case 'accept':
      return { type, callId, media: { audio: raw.audio, video: raw.video } }
    case 'decline':
    case 'hangup':
    case 'alive':
      return { type, callId }
    case 'sdp': {
      if (raw.sdpType !== 'offer' && raw.sdpType !== 'answer') throw new ValidationError(`an SDP signal is an "offer" or an "answer", got ${JSON.stringify(raw.sdpType.slice(0, 20))}`)
      astring(raw.sdp, 'SDP', MAX_SDP_LENGTH)
      if (!raw.sdp.startsWith('v=0')) throw new ValidationError('SDP must start with "v=0"')
      return { type, callId, toDevice: raw.toDevice, sdpType: raw.sdpType, sdp: raw.sdp }
    }
    case 'ice': {
      astring(raw.sdp, 'ICE candidate', MAX_CANDIDATE_LENGTH)
      if (raw.sdp !== '' && !raw.sdp.startsWith('candidate:')) throw new ValidationError('an ICE candidate must start with "candidate:"')
      astring(raw.sdpMid, 'ICE sdpMid', MAX_SDP_MID_LENGTH)
      if (raw.sdpMlineIndex > 64) throw new ValidationError(`ICE m-line index ${raw.sdpMlineIndex} is out of range`)
      return { type, callId, toDevice: raw.toDevice, candidate: raw.sdp, sdpMid: raw.sdpMid, sdpMLineIndex: raw.sdpMlineIndex }
    }
  }
}

/** An INVITE's early offers: at most {@link MAX_EARLY_OFFERS}, one per device, each an SDP offer. */
function checkOffers (offers: ReadonlyArray<{ toDevice: Uint8Array, sdp: string }>): EarlyOffer[] {
  if (offers.length > MAX_EARLY_OFFERS) throw new ValidationError(`an invite carries at most ${MAX_EARLY_OFFERS} early offers, got ${offers.length}`)
  const devices = new Set<string>()
  return offers.map((o) => {
    const toDevice = abytes(o.toDevice, 'early offer device', { max: MAX_DEVICE_ID_BYTES })
    if (toDevice.length === 0) throw new ValidationError('an early offer must name the device it is for')
    const key = toDevice.join(',')
    if (devices.has(key)) throw new ValidationError('an invite carries one early offer per device')
    devices.add(key)
    astring(o.sdp, 'early offer SDP', MAX_SDP_LENGTH)
    if (!o.sdp.startsWith('v=0')) throw new ValidationError('an early offer\'s SDP must start with "v=0"')
    return { toDevice, sdp: o.sdp }
  })
}

/** Encodes a signal for the AppPayload's `call` field. */
export function encodeCallSignal (signal: CallSignal): Uint8Array {
  return CallSignalCodec.encode(toWireSignal(signal))
}

/** Decodes and checks the AppPayload's `call` field. */
export function decodeCallSignal (bytes: Uint8Array): CallSignal {
  let raw: CallSignalCodec
  try {
    raw = CallSignalCodec.decode(bytes)
  } catch (err) {
    throw new CodecError('call signal is not valid protobuf', { cause: err })
  }
  return fromWireSignal(raw)
}
