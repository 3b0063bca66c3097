import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface DeviceCertificate {
  version: number
  identityKey: Uint8Array<ArrayBuffer>
  peerId: Uint8Array<ArrayBuffer>
  mlsSignatureKey: Uint8Array<ArrayBuffer>
  displayName: string
  createdAt: bigint
  signature: Uint8Array<ArrayBuffer>
}

export namespace DeviceCertificate {
  let _codec: Codec<DeviceCertificate>

  export const codec = (): Codec<DeviceCertificate> => {
    if (_codec == null) {
      _codec = message<DeviceCertificate>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.identityKey != null && obj.identityKey.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.identityKey)
        }

        if ((obj.peerId != null && obj.peerId.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.peerId)
        }

        if ((obj.mlsSignatureKey != null && obj.mlsSignatureKey.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.mlsSignatureKey)
        }

        if ((obj.displayName != null && obj.displayName !== '')) {
          w.uint32(42)
          w.string(obj.displayName)
        }

        if ((obj.createdAt != null && obj.createdAt !== 0n)) {
          w.uint32(48)
          w.uint64(obj.createdAt)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          identityKey: uint8ArrayAlloc(0),
          peerId: uint8ArrayAlloc(0),
          mlsSignatureKey: uint8ArrayAlloc(0),
          displayName: '',
          createdAt: 0n,
          signature: uint8ArrayAlloc(0)
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
              obj.identityKey = reader.bytes()
              break
            }
            case 3: {
              obj.peerId = reader.bytes()
              break
            }
            case 4: {
              obj.mlsSignatureKey = reader.bytes()
              break
            }
            case 5: {
              obj.displayName = reader.string()
              break
            }
            case 6: {
              obj.createdAt = reader.uint64()
              break
            }
            case 7: {
              obj.signature = reader.bytes()
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
            case 2: {
              yield {
                field: `${prefix}.identityKey`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.peerId`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.mlsSignatureKey`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.displayName`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.createdAt`,
                value: reader.uint64()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.signature`,
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

  export interface DeviceCertificateVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface DeviceCertificateIdentityKeyFieldEvent {
    field: '$.identityKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DeviceCertificatePeerIdFieldEvent {
    field: '$.peerId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DeviceCertificateMlsSignatureKeyFieldEvent {
    field: '$.mlsSignatureKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DeviceCertificateDisplayNameFieldEvent {
    field: '$.displayName'
    value: string
  }

  export interface DeviceCertificateCreatedAtFieldEvent {
    field: '$.createdAt'
    value: bigint
  }

  export interface DeviceCertificateSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<DeviceCertificate>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DeviceCertificate.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DeviceCertificate>): DeviceCertificate {
    return decodeMessage(buf, DeviceCertificate.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DeviceCertificate>): Generator<DeviceCertificateVersionFieldEvent | DeviceCertificateIdentityKeyFieldEvent | DeviceCertificatePeerIdFieldEvent | DeviceCertificateMlsSignatureKeyFieldEvent | DeviceCertificateDisplayNameFieldEvent | DeviceCertificateCreatedAtFieldEvent | DeviceCertificateSignatureFieldEvent> {
    return streamMessage(buf, DeviceCertificate.codec(), opts)
  }
}

export interface Invite {
  version: number
  certificate: Uint8Array<ArrayBuffer>
  addrs: string[]
}

export namespace Invite {
  let _codec: Codec<Invite>

  export const codec = (): Codec<Invite> => {
    if (_codec == null) {
      _codec = message<Invite>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.certificate != null && obj.certificate.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.certificate)
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(26)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          certificate: uint8ArrayAlloc(0),
          addrs: []
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
              obj.certificate = reader.bytes()
              break
            }
            case 3: {
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
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.certificate`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
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

  export interface InviteVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface InviteCertificateFieldEvent {
    field: '$.certificate'
    value: Uint8Array<ArrayBuffer>
  }

  export interface InviteAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<Invite>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Invite.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Invite>): Invite {
    return decodeMessage(buf, Invite.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Invite>): Generator<InviteVersionFieldEvent | InviteCertificateFieldEvent | InviteAddrsFieldEvent> {
    return streamMessage(buf, Invite.codec(), opts)
  }
}

export enum PayloadKind {
  TEXT = 'TEXT',
  GROUP_META = 'GROUP_META',
  EDIT = 'EDIT',
  DELETE = 'DELETE',
  REACTION = 'REACTION',
  READ = 'READ',
  TYPING = 'TYPING',
  LEAVE = 'LEAVE',
  PROFILE = 'PROFILE',
  FILE = 'FILE',
  MAILBOXES = 'MAILBOXES',
  CALL = 'CALL'
}

enum __PayloadKindValues {
  TEXT = 0,
  GROUP_META = 1,
  EDIT = 2,
  DELETE = 3,
  REACTION = 4,
  READ = 5,
  TYPING = 6,
  LEAVE = 7,
  PROFILE = 8,
  FILE = 9,
  MAILBOXES = 12,
  CALL = 13
}

export namespace PayloadKind {
  export const codec = (): Codec<PayloadKind> => {
    return enumeration<PayloadKind>(__PayloadKindValues)
  }
}

export interface MailboxAddress {
  node: Uint8Array<ArrayBuffer>
  addrs: string[]
  mailboxId: Uint8Array<ArrayBuffer>
  depositToken: Uint8Array<ArrayBuffer>
}

export namespace MailboxAddress {
  let _codec: Codec<MailboxAddress>

  export const codec = (): Codec<MailboxAddress> => {
    if (_codec == null) {
      _codec = message<MailboxAddress>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.node != null && obj.node.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.node)
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(18)
            w.string(value)
          }
        }

        if ((obj.mailboxId != null && obj.mailboxId.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.mailboxId)
        }

        if ((obj.depositToken != null && obj.depositToken.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.depositToken)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          node: uint8ArrayAlloc(0),
          addrs: [],
          mailboxId: uint8ArrayAlloc(0),
          depositToken: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.node = reader.bytes()
              break
            }
            case 2: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              obj.addrs.push(reader.string())
              break
            }
            case 3: {
              obj.mailboxId = reader.bytes()
              break
            }
            case 4: {
              obj.depositToken = reader.bytes()
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
                field: `${prefix}.node`,
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
            case 3: {
              yield {
                field: `${prefix}.mailboxId`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.depositToken`,
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

  export interface MailboxAddressNodeFieldEvent {
    field: '$.node'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxAddressAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: string
  }

  export interface MailboxAddressMailboxIdFieldEvent {
    field: '$.mailboxId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxAddressDepositTokenFieldEvent {
    field: '$.depositToken'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<MailboxAddress>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MailboxAddress.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailboxAddress>): MailboxAddress {
    return decodeMessage(buf, MailboxAddress.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailboxAddress>): Generator<MailboxAddressNodeFieldEvent | MailboxAddressAddrsFieldEvent | MailboxAddressMailboxIdFieldEvent | MailboxAddressDepositTokenFieldEvent> {
    return streamMessage(buf, MailboxAddress.codec(), opts)
  }
}

export interface AppPayload {
  id: Uint8Array<ArrayBuffer>
  kind: PayloadKind
  text: string
  sentAt: bigint
  seq: bigint
  lamport: bigint
  target: Uint8Array<ArrayBuffer>
  groupName: string
  certificate: Uint8Array<ArrayBuffer>
  mailboxes: MailboxAddress[]
  file: Uint8Array<ArrayBuffer>
  call: Uint8Array<ArrayBuffer>
}

export namespace AppPayload {
  let _codec: Codec<AppPayload>

  export const codec = (): Codec<AppPayload> => {
    if (_codec == null) {
      _codec = message<AppPayload>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.id)
        }

        if (obj.kind != null && __PayloadKindValues[obj.kind] !== 0) {
          w.uint32(16)
          PayloadKind.codec().encode(obj.kind, w)
        }

        if ((obj.text != null && obj.text !== '')) {
          w.uint32(26)
          w.string(obj.text)
        }

        if ((obj.sentAt != null && obj.sentAt !== 0n)) {
          w.uint32(32)
          w.uint64(obj.sentAt)
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(40)
          w.uint64(obj.seq)
        }

        if ((obj.lamport != null && obj.lamport !== 0n)) {
          w.uint32(48)
          w.uint64(obj.lamport)
        }

        if ((obj.target != null && obj.target.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.target)
        }

        if ((obj.groupName != null && obj.groupName !== '')) {
          w.uint32(66)
          w.string(obj.groupName)
        }

        if ((obj.certificate != null && obj.certificate.byteLength > 0)) {
          w.uint32(74)
          w.bytes(obj.certificate)
        }

        if (obj.mailboxes != null && obj.mailboxes.length > 0) {
          for (const value of obj.mailboxes) {
            w.uint32(98)
            MailboxAddress.codec().encode(value, w)
          }
        }

        if ((obj.file != null && obj.file.byteLength > 0)) {
          w.uint32(106)
          w.bytes(obj.file)
        }

        if ((obj.call != null && obj.call.byteLength > 0)) {
          w.uint32(114)
          w.bytes(obj.call)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: uint8ArrayAlloc(0),
          kind: PayloadKind.TEXT,
          text: '',
          sentAt: 0n,
          seq: 0n,
          lamport: 0n,
          target: uint8ArrayAlloc(0),
          groupName: '',
          certificate: uint8ArrayAlloc(0),
          mailboxes: [],
          file: uint8ArrayAlloc(0),
          call: uint8ArrayAlloc(0)
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
              obj.kind = PayloadKind.codec().decode(reader)
              break
            }
            case 3: {
              obj.text = reader.string()
              break
            }
            case 4: {
              obj.sentAt = reader.uint64()
              break
            }
            case 5: {
              obj.seq = reader.uint64()
              break
            }
            case 6: {
              obj.lamport = reader.uint64()
              break
            }
            case 7: {
              obj.target = reader.bytes()
              break
            }
            case 8: {
              obj.groupName = reader.string()
              break
            }
            case 9: {
              obj.certificate = reader.bytes()
              break
            }
            case 12: {
              if (opts.limits?.mailboxes != null && obj.mailboxes.length === opts.limits.mailboxes) {
                throw new MaxLengthError('Decode error - repeated field "mailboxes" had too many elements')
              }

              obj.mailboxes.push(MailboxAddress.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.mailboxes$
              }))
              break
            }
            case 13: {
              obj.file = reader.bytes()
              break
            }
            case 14: {
              obj.call = reader.bytes()
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
          mailboxes: 0
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
                value: PayloadKind.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.text`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.sentAt`,
                value: reader.uint64()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.lamport`,
                value: reader.uint64()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.target`,
                value: reader.bytes()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.groupName`,
                value: reader.string()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.certificate`,
                value: reader.bytes()
              }
              break
            }
            case 12: {
              if (opts.limits?.mailboxes != null && obj.mailboxes === opts.limits.mailboxes) {
                throw new MaxLengthError('Streaming decode error - repeated field "mailboxes" had too many elements')
              }

              for (const evt of MailboxAddress.codec().stream(reader, reader.uint32(), `${prefix}.mailboxes[]`, {
                limits: opts.limits?.mailboxes$
              })) {
                yield {
                  ...evt,
                  index: obj.mailboxes
                }
              }

              obj.mailboxes++

              break
            }
            case 13: {
              yield {
                field: `${prefix}.file`,
                value: reader.bytes()
              }
              break
            }
            case 14: {
              yield {
                field: `${prefix}.call`,
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

  export interface AppPayloadIdFieldEvent {
    field: '$.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AppPayloadKindFieldEvent {
    field: '$.kind'
    value: PayloadKind
  }

  export interface AppPayloadTextFieldEvent {
    field: '$.text'
    value: string
  }

  export interface AppPayloadSentAtFieldEvent {
    field: '$.sentAt'
    value: bigint
  }

  export interface AppPayloadSeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export interface AppPayloadLamportFieldEvent {
    field: '$.lamport'
    value: bigint
  }

  export interface AppPayloadTargetFieldEvent {
    field: '$.target'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AppPayloadGroupNameFieldEvent {
    field: '$.groupName'
    value: string
  }

  export interface AppPayloadCertificateFieldEvent {
    field: '$.certificate'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AppPayloadMailboxesNodeFieldEvent {
    field: '$.mailboxes[].node'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface AppPayloadMailboxesAddrsFieldEvent {
    field: '$.mailboxes[].addrs[]'
    index: number
    value: string
  }

  export interface AppPayloadMailboxesMailboxIdFieldEvent {
    field: '$.mailboxes[].mailboxId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface AppPayloadMailboxesDepositTokenFieldEvent {
    field: '$.mailboxes[].depositToken'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface AppPayloadFileFieldEvent {
    field: '$.file'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AppPayloadCallFieldEvent {
    field: '$.call'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<AppPayload>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AppPayload.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AppPayload>): AppPayload {
    return decodeMessage(buf, AppPayload.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AppPayload>): Generator<AppPayloadIdFieldEvent | AppPayloadKindFieldEvent | AppPayloadTextFieldEvent | AppPayloadSentAtFieldEvent | AppPayloadSeqFieldEvent | AppPayloadLamportFieldEvent | AppPayloadTargetFieldEvent | AppPayloadGroupNameFieldEvent | AppPayloadCertificateFieldEvent | AppPayloadMailboxesNodeFieldEvent | AppPayloadMailboxesAddrsFieldEvent | AppPayloadMailboxesMailboxIdFieldEvent | AppPayloadMailboxesDepositTokenFieldEvent | AppPayloadFileFieldEvent | AppPayloadCallFieldEvent> {
    return streamMessage(buf, AppPayload.codec(), opts)
  }
}
