import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export enum DeliverKind {
  MLS = 'MLS',
  WELCOME = 'WELCOME',
  REJOIN = 'REJOIN'
}

enum __DeliverKindValues {
  MLS = 0,
  WELCOME = 1,
  REJOIN = 2
}

export namespace DeliverKind {
  export const codec = (): Codec<DeliverKind> => {
    return enumeration<DeliverKind>(__DeliverKindValues)
  }
}

export interface PeerHint {
  peerId: Uint8Array<ArrayBuffer>
  addrs: string[]
}

export namespace PeerHint {
  let _codec: Codec<PeerHint>

  export const codec = (): Codec<PeerHint> => {
    if (_codec == null) {
      _codec = message<PeerHint>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.peerId)
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(18)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: uint8ArrayAlloc(0),
          addrs: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peerId = reader.bytes()
              break
            }
            case 2: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              obj.addrs.push(reader.string())
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
          addrs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.peerId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
              }

              yield {
                field: `${prefix}.addrs[]`,
                index: obj.addrs,
                value: reader.string()
              }

              obj.addrs++

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

  export interface PeerHintPeerIdFieldEvent {
    field: '$.peerId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PeerHintAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<PeerHint>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PeerHint.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeerHint>): PeerHint {
    return decodeMessage(buf, PeerHint.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeerHint>): Generator<PeerHintPeerIdFieldEvent | PeerHintAddrsFieldEvent> {
    return streamMessage(buf, PeerHint.codec(), opts)
  }
}

export interface Deliver {
  id: Uint8Array<ArrayBuffer>
  kind: DeliverKind
  message: Uint8Array<ArrayBuffer>
  card: Uint8Array<ArrayBuffer>
  hints: PeerHint[]
  commitHash: Uint8Array<ArrayBuffer>
}

export namespace Deliver {
  let _codec: Codec<Deliver>

  export const codec = (): Codec<Deliver> => {
    if (_codec == null) {
      _codec = message<Deliver>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.id)
        }

        if (obj.kind != null && __DeliverKindValues[obj.kind] !== 0) {
          w.uint32(16)
          DeliverKind.codec().encode(obj.kind, w)
        }

        if ((obj.message != null && obj.message.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.message)
        }

        if ((obj.card != null && obj.card.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.card)
        }

        if (obj.hints != null && obj.hints.length > 0) {
          for (const value of obj.hints) {
            w.uint32(42)
            PeerHint.codec().encode(value, w)
          }
        }

        if ((obj.commitHash != null && obj.commitHash.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.commitHash)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: uint8ArrayAlloc(0),
          kind: DeliverKind.MLS,
          message: uint8ArrayAlloc(0),
          card: uint8ArrayAlloc(0),
          hints: [],
          commitHash: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.bytes()
              break
            }
            case 2: {
              obj.kind = DeliverKind.codec().decode(reader)
              break
            }
            case 3: {
              obj.message = reader.bytes()
              break
            }
            case 4: {
              obj.card = reader.bytes()
              break
            }
            case 5: {
              if (opts.limits?.hints != null && obj.hints.length === opts.limits.hints) {
                throw new MaxLengthError('Decode error - repeated field "hints" had too many elements')
              }

              obj.hints.push(PeerHint.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.hints$
              }))
              break
            }
            case 6: {
              obj.commitHash = reader.bytes()
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
          hints: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.id`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.kind`,
                value: DeliverKind.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.message`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.card`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              if (opts.limits?.hints != null && obj.hints === opts.limits.hints) {
                throw new MaxLengthError('Streaming decode error - repeated field "hints" had too many elements')
              }

              for (const evt of PeerHint.codec().stream(reader, reader.uint32(), `${prefix}.hints[]`, {
                limits: opts.limits?.hints$
              })) {
                yield {
                  ...evt,
                  index: obj.hints
                }
              }

              obj.hints++

              break
            }
            case 6: {
              yield {
                field: `${prefix}.commitHash`,
                value: reader.bytes()
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

  export interface DeliverIdFieldEvent {
    field: '$.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DeliverKindFieldEvent {
    field: '$.kind'
    value: DeliverKind
  }

  export interface DeliverMessageFieldEvent {
    field: '$.message'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DeliverCardFieldEvent {
    field: '$.card'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DeliverHintsPeerIdFieldEvent {
    field: '$.hints[].peerId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface DeliverHintsAddrsFieldEvent {
    field: '$.hints[].addrs[]'
    index: number
    value: string
  }

  export interface DeliverCommitHashFieldEvent {
    field: '$.commitHash'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Deliver>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Deliver.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Deliver>): Deliver {
    return decodeMessage(buf, Deliver.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Deliver>): Generator<DeliverIdFieldEvent | DeliverKindFieldEvent | DeliverMessageFieldEvent | DeliverCardFieldEvent | DeliverHintsPeerIdFieldEvent | DeliverHintsAddrsFieldEvent | DeliverCommitHashFieldEvent> {
    return streamMessage(buf, Deliver.codec(), opts)
  }
}

export enum AckStatus {
  STORED = 'STORED',
  REJECTED = 'REJECTED'
}

enum __AckStatusValues {
  STORED = 0,
  REJECTED = 1
}

export namespace AckStatus {
  export const codec = (): Codec<AckStatus> => {
    return enumeration<AckStatus>(__AckStatusValues)
  }
}

export interface Ack {
  id: Uint8Array<ArrayBuffer>
  status: AckStatus
}

export namespace Ack {
  let _codec: Codec<Ack>

  export const codec = (): Codec<Ack> => {
    if (_codec == null) {
      _codec = message<Ack>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.id)
        }

        if (obj.status != null && __AckStatusValues[obj.status] !== 0) {
          w.uint32(16)
          AckStatus.codec().encode(obj.status, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: uint8ArrayAlloc(0),
          status: AckStatus.STORED
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.bytes()
              break
            }
            case 2: {
              obj.status = AckStatus.codec().decode(reader)
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
                field: `${prefix}.id`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.status`,
                value: AckStatus.codec().decode(reader)
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

  export interface AckIdFieldEvent {
    field: '$.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AckStatusFieldEvent {
    field: '$.status'
    value: AckStatus
  }

  export function encode (obj: Partial<Ack>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Ack.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Ack>): Ack {
    return decodeMessage(buf, Ack.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Ack>): Generator<AckIdFieldEvent | AckStatusFieldEvent> {
    return streamMessage(buf, Ack.codec(), opts)
  }
}

export interface KeyPackageRequest {
  version: number
}

export namespace KeyPackageRequest {
  let _codec: Codec<KeyPackageRequest>

  export const codec = (): Codec<KeyPackageRequest> => {
    if (_codec == null) {
      _codec = message<KeyPackageRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
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
                field: `${prefix}.version`,
                value: reader.uint32()
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

  export interface KeyPackageRequestVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export function encode (obj: Partial<KeyPackageRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, KeyPackageRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<KeyPackageRequest>): KeyPackageRequest {
    return decodeMessage(buf, KeyPackageRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<KeyPackageRequest>): Generator<KeyPackageRequestVersionFieldEvent> {
    return streamMessage(buf, KeyPackageRequest.codec(), opts)
  }
}

export interface KeyPackageResponse {
  keyPackage: Uint8Array<ArrayBuffer>
  card: Uint8Array<ArrayBuffer>
}

export namespace KeyPackageResponse {
  let _codec: Codec<KeyPackageResponse>

  export const codec = (): Codec<KeyPackageResponse> => {
    if (_codec == null) {
      _codec = message<KeyPackageResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.keyPackage != null && obj.keyPackage.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.keyPackage)
        }

        if ((obj.card != null && obj.card.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.card)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          keyPackage: uint8ArrayAlloc(0),
          card: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.keyPackage = reader.bytes()
              break
            }
            case 2: {
              obj.card = reader.bytes()
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
                field: `${prefix}.keyPackage`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.card`,
                value: reader.bytes()
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

  export interface KeyPackageResponseKeyPackageFieldEvent {
    field: '$.keyPackage'
    value: Uint8Array<ArrayBuffer>
  }

  export interface KeyPackageResponseCardFieldEvent {
    field: '$.card'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<KeyPackageResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, KeyPackageResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<KeyPackageResponse>): KeyPackageResponse {
    return decodeMessage(buf, KeyPackageResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<KeyPackageResponse>): Generator<KeyPackageResponseKeyPackageFieldEvent | KeyPackageResponseCardFieldEvent> {
    return streamMessage(buf, KeyPackageResponse.codec(), opts)
  }
}

export interface RejoinRequest {
  version: number
  groupId: Uint8Array<ArrayBuffer>
  keyPackage: Uint8Array<ArrayBuffer>
  oldDevices: Uint8Array<ArrayBuffer>[]
}

export namespace RejoinRequest {
  let _codec: Codec<RejoinRequest>

  export const codec = (): Codec<RejoinRequest> => {
    if (_codec == null) {
      _codec = message<RejoinRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.groupId != null && obj.groupId.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.groupId)
        }

        if ((obj.keyPackage != null && obj.keyPackage.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.keyPackage)
        }

        if (obj.oldDevices != null && obj.oldDevices.length > 0) {
          for (const value of obj.oldDevices) {
            w.uint32(34)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          groupId: uint8ArrayAlloc(0),
          keyPackage: uint8ArrayAlloc(0),
          oldDevices: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.groupId = reader.bytes()
              break
            }
            case 3: {
              obj.keyPackage = reader.bytes()
              break
            }
            case 4: {
              if (opts.limits?.oldDevices != null && obj.oldDevices.length === opts.limits.oldDevices) {
                throw new MaxLengthError('Decode error - repeated field "oldDevices" had too many elements')
              }

              obj.oldDevices.push(reader.bytes())
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
          oldDevices: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.groupId`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.keyPackage`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              if (opts.limits?.oldDevices != null && obj.oldDevices === opts.limits.oldDevices) {
                throw new MaxLengthError('Streaming decode error - repeated field "oldDevices" had too many elements')
              }

              yield {
                field: `${prefix}.oldDevices[]`,
                index: obj.oldDevices,
                value: reader.bytes()
              }

              obj.oldDevices++

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

  export interface RejoinRequestVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface RejoinRequestGroupIdFieldEvent {
    field: '$.groupId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RejoinRequestKeyPackageFieldEvent {
    field: '$.keyPackage'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RejoinRequestOldDevicesFieldEvent {
    field: '$.oldDevices[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<RejoinRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RejoinRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RejoinRequest>): RejoinRequest {
    return decodeMessage(buf, RejoinRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RejoinRequest>): Generator<RejoinRequestVersionFieldEvent | RejoinRequestGroupIdFieldEvent | RejoinRequestKeyPackageFieldEvent | RejoinRequestOldDevicesFieldEvent> {
    return streamMessage(buf, RejoinRequest.codec(), opts)
  }
}
