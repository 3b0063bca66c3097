import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export enum CallSignalType {
  CALL_SIGNAL_NONE = 'CALL_SIGNAL_NONE',
  CALL_INVITE = 'CALL_INVITE',
  CALL_ACCEPT = 'CALL_ACCEPT',
  CALL_DECLINE = 'CALL_DECLINE',
  CALL_HANGUP = 'CALL_HANGUP',
  CALL_SDP = 'CALL_SDP',
  CALL_ICE = 'CALL_ICE',
  CALL_ALIVE = 'CALL_ALIVE'
}

enum __CallSignalTypeValues {
  CALL_SIGNAL_NONE = 0,
  CALL_INVITE = 1,
  CALL_ACCEPT = 2,
  CALL_DECLINE = 3,
  CALL_HANGUP = 4,
  CALL_SDP = 5,
  CALL_ICE = 6,
  CALL_ALIVE = 7
}

export namespace CallSignalType {
  export const codec = (): Codec<CallSignalType> => {
    return enumeration<CallSignalType>(__CallSignalTypeValues)
  }
}

export interface CallSignal {
  type: CallSignalType
  callId: Uint8Array<ArrayBuffer>
  audio: boolean
  video: boolean
  toDevice: Uint8Array<ArrayBuffer>
  sdpType: string
  sdp: string
  sdpMid: string
  sdpMlineIndex: number
  offers: CallOffer[]
}

export namespace CallSignal {
  let _codec: Codec<CallSignal>

  export const codec = (): Codec<CallSignal> => {
    if (_codec == null) {
      _codec = message<CallSignal>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.type != null && __CallSignalTypeValues[obj.type] !== 0) {
          w.uint32(8)
          CallSignalType.codec().encode(obj.type, w)
        }

        if ((obj.callId != null && obj.callId.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.callId)
        }

        if ((obj.audio != null && obj.audio !== false)) {
          w.uint32(24)
          w.bool(obj.audio)
        }

        if ((obj.video != null && obj.video !== false)) {
          w.uint32(32)
          w.bool(obj.video)
        }

        if ((obj.toDevice != null && obj.toDevice.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.toDevice)
        }

        if ((obj.sdpType != null && obj.sdpType !== '')) {
          w.uint32(50)
          w.string(obj.sdpType)
        }

        if ((obj.sdp != null && obj.sdp !== '')) {
          w.uint32(58)
          w.string(obj.sdp)
        }

        if ((obj.sdpMid != null && obj.sdpMid !== '')) {
          w.uint32(66)
          w.string(obj.sdpMid)
        }

        if ((obj.sdpMlineIndex != null && obj.sdpMlineIndex !== 0)) {
          w.uint32(72)
          w.uint32(obj.sdpMlineIndex)
        }

        if (obj.offers != null && obj.offers.length > 0) {
          for (const value of obj.offers) {
            w.uint32(82)
            CallOffer.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          type: CallSignalType.CALL_SIGNAL_NONE,
          callId: uint8ArrayAlloc(0),
          audio: false,
          video: false,
          toDevice: uint8ArrayAlloc(0),
          sdpType: '',
          sdp: '',
          sdpMid: '',
          sdpMlineIndex: 0,
          offers: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.type = CallSignalType.codec().decode(reader)
              break
            }
            case 2: {
              obj.callId = reader.bytes()
              break
            }
            case 3: {
              obj.audio = reader.bool()
              break
            }
            case 4: {
              obj.video = reader.bool()
              break
            }
            case 5: {
              obj.toDevice = reader.bytes()
              break
            }
            case 6: {
              obj.sdpType = reader.string()
              break
            }
            case 7: {
              obj.sdp = reader.string()
              break
            }
            case 8: {
              obj.sdpMid = reader.string()
              break
            }
            case 9: {
              obj.sdpMlineIndex = reader.uint32()
              break
            }
            case 10: {
              if (opts.limits?.offers != null && obj.offers.length === opts.limits.offers) {
                throw new MaxLengthError('Decode error - repeated field "offers" had too many elements')
              }

              obj.offers.push(CallOffer.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.offers$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          offers: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.type`,
                value: CallSignalType.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.callId`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.audio`,
                value: reader.bool()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.video`,
                value: reader.bool()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.toDevice`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.sdpType`,
                value: reader.string()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.sdp`,
                value: reader.string()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.sdpMid`,
                value: reader.string()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.sdpMlineIndex`,
                value: reader.uint32()
              }
              break
            }
            case 10: {
              if (opts.limits?.offers != null && obj.offers === opts.limits.offers) {
                throw new MaxLengthError('Streaming decode error - repeated field "offers" had too many elements')
              }

              for (const evt of CallOffer.codec().stream(reader, reader.uint32(), `${prefix}.offers[]`, {
                limits: opts.limits?.offers$
              })) {
                yield {
                  ...evt,
                  index: obj.offers
                }
              }

              obj.offers++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface CallSignalTypeFieldEvent {
    field: '$.type'
    value: CallSignalType
  }

  export interface CallSignalCallIdFieldEvent {
    field: '$.callId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CallSignalAudioFieldEvent {
    field: '$.audio'
    value: boolean
  }

  export interface CallSignalVideoFieldEvent {
    field: '$.video'
    value: boolean
  }

  export interface CallSignalToDeviceFieldEvent {
    field: '$.toDevice'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CallSignalSdpTypeFieldEvent {
    field: '$.sdpType'
    value: string
  }

  export interface CallSignalSdpFieldEvent {
    field: '$.sdp'
    value: string
  }

  export interface CallSignalSdpMidFieldEvent {
    field: '$.sdpMid'
    value: string
  }

  export interface CallSignalSdpMlineIndexFieldEvent {
    field: '$.sdpMlineIndex'
    value: number
  }

  export interface CallSignalOffersToDeviceFieldEvent {
    field: '$.offers[].toDevice'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface CallSignalOffersSdpFieldEvent {
    field: '$.offers[].sdp'
    value: string
    index: number
  }

  export function encode (obj: Partial<CallSignal>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CallSignal.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CallSignal>): CallSignal {
    return decodeMessage(buf, CallSignal.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CallSignal>): Generator<CallSignalTypeFieldEvent | CallSignalCallIdFieldEvent | CallSignalAudioFieldEvent | CallSignalVideoFieldEvent | CallSignalToDeviceFieldEvent | CallSignalSdpTypeFieldEvent | CallSignalSdpFieldEvent | CallSignalSdpMidFieldEvent | CallSignalSdpMlineIndexFieldEvent | CallSignalOffersToDeviceFieldEvent | CallSignalOffersSdpFieldEvent> {
    return streamMessage(buf, CallSignal.codec(), opts)
  }
}

export interface CallOffer {
  toDevice: Uint8Array<ArrayBuffer>
  sdp: string
}

export namespace CallOffer {
  let _codec: Codec<CallOffer>

  export const codec = (): Codec<CallOffer> => {
    if (_codec == null) {
      _codec = message<CallOffer>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.toDevice != null && obj.toDevice.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.toDevice)
        }

        if ((obj.sdp != null && obj.sdp !== '')) {
          w.uint32(18)
          w.string(obj.sdp)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          toDevice: uint8ArrayAlloc(0),
          sdp: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.toDevice = reader.bytes()
              break
            }
            case 2: {
              obj.sdp = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.toDevice`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.sdp`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface CallOfferToDeviceFieldEvent {
    field: '$.toDevice'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CallOfferSdpFieldEvent {
    field: '$.sdp'
    value: string
  }

  export function encode (obj: Partial<CallOffer>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CallOffer.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CallOffer>): CallOffer {
    return decodeMessage(buf, CallOffer.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CallOffer>): Generator<CallOfferToDeviceFieldEvent | CallOfferSdpFieldEvent> {
    return streamMessage(buf, CallOffer.codec(), opts)
  }
}
