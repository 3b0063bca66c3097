import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export enum MailboxOp {
  OPEN = 'OPEN',
  DEPOSIT = 'DEPOSIT',
  FETCH = 'FETCH',
  ACK = 'ACK'
}

enum __MailboxOpValues {
  OPEN = 0,
  DEPOSIT = 1,
  FETCH = 2,
  ACK = 3
}

export namespace MailboxOp {
  export const codec = (): Codec<MailboxOp> => {
    return enumeration<MailboxOp>(__MailboxOpValues)
  }
}

export interface MailboxRequest {
  version: number
  op: MailboxOp
  mailboxId: Uint8Array<ArrayBuffer>
  token: Uint8Array<ArrayBuffer>
  depositHash: Uint8Array<ArrayBuffer>
  ttlSeconds: number
  frame: Uint8Array<ArrayBuffer>
  after: bigint
  seqs: bigint[]
  ticket: Uint8Array<ArrayBuffer>
}

export namespace MailboxRequest {
  let _codec: Codec<MailboxRequest>

  export const codec = (): Codec<MailboxRequest> => {
    if (_codec == null) {
      _codec = message<MailboxRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.op != null && __MailboxOpValues[obj.op] !== 0) {
          w.uint32(16)
          MailboxOp.codec().encode(obj.op, w)
        }

        if ((obj.mailboxId != null && obj.mailboxId.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.mailboxId)
        }

        if ((obj.token != null && obj.token.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.token)
        }

        if ((obj.depositHash != null && obj.depositHash.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.depositHash)
        }

        if ((obj.ttlSeconds != null && obj.ttlSeconds !== 0)) {
          w.uint32(48)
          w.uint32(obj.ttlSeconds)
        }

        if ((obj.frame != null && obj.frame.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.frame)
        }

        if ((obj.after != null && obj.after !== 0n)) {
          w.uint32(64)
          w.uint64(obj.after)
        }

        if (obj.seqs != null && obj.seqs.length > 0) {
          for (const value of obj.seqs) {
            w.uint32(72)
            w.uint64(value)
          }
        }

        if ((obj.ticket != null && obj.ticket.byteLength > 0)) {
          w.uint32(82)
          w.bytes(obj.ticket)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          op: MailboxOp.OPEN,
          mailboxId: uint8ArrayAlloc(0),
          token: uint8ArrayAlloc(0),
          depositHash: uint8ArrayAlloc(0),
          ttlSeconds: 0,
          frame: uint8ArrayAlloc(0),
          after: 0n,
          seqs: [],
          ticket: uint8ArrayAlloc(0)
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
              obj.op = MailboxOp.codec().decode(reader)
              break
            }
            case 3: {
              obj.mailboxId = reader.bytes()
              break
            }
            case 4: {
              obj.token = reader.bytes()
              break
            }
            case 5: {
              obj.depositHash = reader.bytes()
              break
            }
            case 6: {
              obj.ttlSeconds = reader.uint32()
              break
            }
            case 7: {
              obj.frame = reader.bytes()
              break
            }
            case 8: {
              obj.after = reader.uint64()
              break
            }
            case 9: {
              if (opts.limits?.seqs != null && obj.seqs.length === opts.limits.seqs) {
                throw new MaxLengthError('Decode error - repeated field "seqs" had too many elements')
              }

              obj.seqs.push(reader.uint64())
              break
            }
            case 10: {
              obj.ticket = reader.bytes()
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
          seqs: 0
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
                field: `${prefix}.op`,
                value: MailboxOp.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.mailboxId`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.token`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.depositHash`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.ttlSeconds`,
                value: reader.uint32()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.frame`,
                value: reader.bytes()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.after`,
                value: reader.uint64()
              }
              break
            }
            case 9: {
              if (opts.limits?.seqs != null && obj.seqs === opts.limits.seqs) {
                throw new MaxLengthError('Streaming decode error - repeated field "seqs" had too many elements')
              }

              yield {
                field: `${prefix}.seqs[]`,
                index: obj.seqs,
                value: reader.uint64()
              }

              obj.seqs++

              break
            }
            case 10: {
              yield {
                field: `${prefix}.ticket`,
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

  export interface MailboxRequestVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface MailboxRequestOpFieldEvent {
    field: '$.op'
    value: MailboxOp
  }

  export interface MailboxRequestMailboxIdFieldEvent {
    field: '$.mailboxId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestTokenFieldEvent {
    field: '$.token'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestDepositHashFieldEvent {
    field: '$.depositHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestTtlSecondsFieldEvent {
    field: '$.ttlSeconds'
    value: number
  }

  export interface MailboxRequestFrameFieldEvent {
    field: '$.frame'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestAfterFieldEvent {
    field: '$.after'
    value: bigint
  }

  export interface MailboxRequestSeqsFieldEvent {
    field: '$.seqs[]'
    index: number
    value: bigint
  }

  export interface MailboxRequestTicketFieldEvent {
    field: '$.ticket'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<MailboxRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MailboxRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailboxRequest>): MailboxRequest {
    return decodeMessage(buf, MailboxRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailboxRequest>): Generator<MailboxRequestVersionFieldEvent | MailboxRequestOpFieldEvent | MailboxRequestMailboxIdFieldEvent | MailboxRequestTokenFieldEvent | MailboxRequestDepositHashFieldEvent | MailboxRequestTtlSecondsFieldEvent | MailboxRequestFrameFieldEvent | MailboxRequestAfterFieldEvent | MailboxRequestSeqsFieldEvent | MailboxRequestTicketFieldEvent> {
    return streamMessage(buf, MailboxRequest.codec(), opts)
  }
}

export enum MailboxStatus {
  OK = 'OK',
  REFUSED = 'REFUSED',
  OVER_QUOTA = 'OVER_QUOTA',
  BAD_REQUEST = 'BAD_REQUEST'
}

enum __MailboxStatusValues {
  OK = 0,
  REFUSED = 1,
  OVER_QUOTA = 2,
  BAD_REQUEST = 3
}

export namespace MailboxStatus {
  export const codec = (): Codec<MailboxStatus> => {
    return enumeration<MailboxStatus>(__MailboxStatusValues)
  }
}

export interface MailboxEntry {
  seq: bigint
  frame: Uint8Array<ArrayBuffer>
  expiresAt: bigint
  depositor: string
}

export namespace MailboxEntry {
  let _codec: Codec<MailboxEntry>

  export const codec = (): Codec<MailboxEntry> => {
    if (_codec == null) {
      _codec = message<MailboxEntry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(8)
          w.uint64(obj.seq)
        }

        if ((obj.frame != null && obj.frame.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.frame)
        }

        if ((obj.expiresAt != null && obj.expiresAt !== 0n)) {
          w.uint32(24)
          w.uint64(obj.expiresAt)
        }

        if ((obj.depositor != null && obj.depositor !== '')) {
          w.uint32(34)
          w.string(obj.depositor)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          seq: 0n,
          frame: uint8ArrayAlloc(0),
          expiresAt: 0n,
          depositor: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.seq = reader.uint64()
              break
            }
            case 2: {
              obj.frame = reader.bytes()
              break
            }
            case 3: {
              obj.expiresAt = reader.uint64()
              break
            }
            case 4: {
              obj.depositor = reader.string()
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
                field: `${prefix}.seq`,
                value: reader.uint64()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.frame`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.expiresAt`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.depositor`,
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

  export interface MailboxEntrySeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export interface MailboxEntryFrameFieldEvent {
    field: '$.frame'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxEntryExpiresAtFieldEvent {
    field: '$.expiresAt'
    value: bigint
  }

  export interface MailboxEntryDepositorFieldEvent {
    field: '$.depositor'
    value: string
  }

  export function encode (obj: Partial<MailboxEntry>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MailboxEntry.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailboxEntry>): MailboxEntry {
    return decodeMessage(buf, MailboxEntry.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailboxEntry>): Generator<MailboxEntrySeqFieldEvent | MailboxEntryFrameFieldEvent | MailboxEntryExpiresAtFieldEvent | MailboxEntryDepositorFieldEvent> {
    return streamMessage(buf, MailboxEntry.codec(), opts)
  }
}

export interface MailboxResponse {
  status: MailboxStatus
  error: string
  seq: bigint
  entries: MailboxEntry[]
  more: boolean
  depth: number
}

export namespace MailboxResponse {
  let _codec: Codec<MailboxResponse>

  export const codec = (): Codec<MailboxResponse> => {
    if (_codec == null) {
      _codec = message<MailboxResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __MailboxStatusValues[obj.status] !== 0) {
          w.uint32(8)
          MailboxStatus.codec().encode(obj.status, w)
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(18)
          w.string(obj.error)
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(24)
          w.uint64(obj.seq)
        }

        if (obj.entries != null && obj.entries.length > 0) {
          for (const value of obj.entries) {
            w.uint32(34)
            MailboxEntry.codec().encode(value, w)
          }
        }

        if ((obj.more != null && obj.more !== false)) {
          w.uint32(40)
          w.bool(obj.more)
        }

        if ((obj.depth != null && obj.depth !== 0)) {
          w.uint32(48)
          w.uint32(obj.depth)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: MailboxStatus.OK,
          error: '',
          seq: 0n,
          entries: [],
          more: false,
          depth: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = MailboxStatus.codec().decode(reader)
              break
            }
            case 2: {
              obj.error = reader.string()
              break
            }
            case 3: {
              obj.seq = reader.uint64()
              break
            }
            case 4: {
              if (opts.limits?.entries != null && obj.entries.length === opts.limits.entries) {
                throw new MaxLengthError('Decode error - repeated field "entries" had too many elements')
              }

              obj.entries.push(MailboxEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.entries$
              }))
              break
            }
            case 5: {
              obj.more = reader.bool()
              break
            }
            case 6: {
              obj.depth = reader.uint32()
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
          entries: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.status`,
                value: MailboxStatus.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.error`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              if (opts.limits?.entries != null && obj.entries === opts.limits.entries) {
                throw new MaxLengthError('Streaming decode error - repeated field "entries" had too many elements')
              }

              for (const evt of MailboxEntry.codec().stream(reader, reader.uint32(), `${prefix}.entries[]`, {
                limits: opts.limits?.entries$
              })) {
                yield {
                  ...evt,
                  index: obj.entries
                }
              }

              obj.entries++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.more`,
                value: reader.bool()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.depth`,
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

  export interface MailboxResponseStatusFieldEvent {
    field: '$.status'
    value: MailboxStatus
  }

  export interface MailboxResponseErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export interface MailboxResponseSeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export interface MailboxResponseEntriesSeqFieldEvent {
    field: '$.entries[].seq'
    value: bigint
    index: number
  }

  export interface MailboxResponseEntriesFrameFieldEvent {
    field: '$.entries[].frame'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxResponseEntriesExpiresAtFieldEvent {
    field: '$.entries[].expiresAt'
    value: bigint
    index: number
  }

  export interface MailboxResponseEntriesDepositorFieldEvent {
    field: '$.entries[].depositor'
    value: string
    index: number
  }

  export interface MailboxResponseMoreFieldEvent {
    field: '$.more'
    value: boolean
  }

  export interface MailboxResponseDepthFieldEvent {
    field: '$.depth'
    value: number
  }

  export function encode (obj: Partial<MailboxResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MailboxResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailboxResponse>): MailboxResponse {
    return decodeMessage(buf, MailboxResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailboxResponse>): Generator<MailboxResponseStatusFieldEvent | MailboxResponseErrorFieldEvent | MailboxResponseSeqFieldEvent | MailboxResponseEntriesSeqFieldEvent | MailboxResponseEntriesFrameFieldEvent | MailboxResponseEntriesExpiresAtFieldEvent | MailboxResponseEntriesDepositorFieldEvent | MailboxResponseMoreFieldEvent | MailboxResponseDepthFieldEvent> {
    return streamMessage(buf, MailboxResponse.codec(), opts)
  }
}
