import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface IntroMailbox {
  node: string
  mailboxId: Uint8Array<ArrayBuffer>
  depositToken: Uint8Array<ArrayBuffer>
}

export namespace IntroMailbox {
  let _codec: Codec<IntroMailbox>

  export const codec = (): Codec<IntroMailbox> => {
    if (_codec == null) {
      _codec = message<IntroMailbox>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.node != null && obj.node !== '')) {
          w.uint32(10)
          w.string(obj.node)
        }

        if ((obj.mailboxId != null && obj.mailboxId.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.mailboxId)
        }

        if ((obj.depositToken != null && obj.depositToken.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.depositToken)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          node: '',
          mailboxId: uint8ArrayAlloc(0),
          depositToken: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.node = reader.string()
              break
            }
            case 2: {
              obj.mailboxId = reader.bytes()
              break
            }
            case 3: {
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
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.node`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.mailboxId`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
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

  export interface IntroMailboxNodeFieldEvent {
    field: '$.node'
    value: string
  }

  export interface IntroMailboxMailboxIdFieldEvent {
    field: '$.mailboxId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface IntroMailboxDepositTokenFieldEvent {
    field: '$.depositToken'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<IntroMailbox>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, IntroMailbox.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<IntroMailbox>): IntroMailbox {
    return decodeMessage(buf, IntroMailbox.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<IntroMailbox>): Generator<IntroMailboxNodeFieldEvent | IntroMailboxMailboxIdFieldEvent | IntroMailboxDepositTokenFieldEvent> {
    return streamMessage(buf, IntroMailbox.codec(), opts)
  }
}

export interface DirectoryDevice {
  certificate: Uint8Array<ArrayBuffer>
  addrs: string[]
  mailboxes: string[]
  keyPackages: Uint8Array<ArrayBuffer>[]
  lastResortKeyPackage: Uint8Array<ArrayBuffer>
  introMailboxes: IntroMailbox[]
}

export namespace DirectoryDevice {
  let _codec: Codec<DirectoryDevice>

  export const codec = (): Codec<DirectoryDevice> => {
    if (_codec == null) {
      _codec = message<DirectoryDevice>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.certificate != null && obj.certificate.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.certificate)
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(18)
            w.string(value)
          }
        }

        if (obj.mailboxes != null && obj.mailboxes.length > 0) {
          for (const value of obj.mailboxes) {
            w.uint32(26)
            w.string(value)
          }
        }

        if (obj.keyPackages != null && obj.keyPackages.length > 0) {
          for (const value of obj.keyPackages) {
            w.uint32(34)
            w.bytes(value)
          }
        }

        if ((obj.lastResortKeyPackage != null && obj.lastResortKeyPackage.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.lastResortKeyPackage)
        }

        if (obj.introMailboxes != null && obj.introMailboxes.length > 0) {
          for (const value of obj.introMailboxes) {
            w.uint32(50)
            IntroMailbox.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          certificate: uint8ArrayAlloc(0),
          addrs: [],
          mailboxes: [],
          keyPackages: [],
          lastResortKeyPackage: uint8ArrayAlloc(0),
          introMailboxes: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.certificate = reader.bytes()
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
              if (opts.limits?.mailboxes != null && obj.mailboxes.length === opts.limits.mailboxes) {
                throw new MaxLengthError('Decode error - repeated field "mailboxes" had too many elements')
              }

              obj.mailboxes.push(reader.string())
              break
            }
            case 4: {
              if (opts.limits?.keyPackages != null && obj.keyPackages.length === opts.limits.keyPackages) {
                throw new MaxLengthError('Decode error - repeated field "keyPackages" had too many elements')
              }

              obj.keyPackages.push(reader.bytes())
              break
            }
            case 5: {
              obj.lastResortKeyPackage = reader.bytes()
              break
            }
            case 6: {
              if (opts.limits?.introMailboxes != null && obj.introMailboxes.length === opts.limits.introMailboxes) {
                throw new MaxLengthError('Decode error - repeated field "introMailboxes" had too many elements')
              }

              obj.introMailboxes.push(IntroMailbox.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.introMailboxes$
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
          addrs: 0,
          mailboxes: 0,
          keyPackages: 0,
          introMailboxes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.certificate`,
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
              if (opts.limits?.mailboxes != null && obj.mailboxes === opts.limits.mailboxes) {
                throw new MaxLengthError('Streaming decode error - repeated field "mailboxes" had too many elements')
              }

              yield {
                field: `${prefix}.mailboxes[]`,
                index: obj.mailboxes,
                value: reader.string()
              }

              obj.mailboxes++

              break
            }
            case 4: {
              if (opts.limits?.keyPackages != null && obj.keyPackages === opts.limits.keyPackages) {
                throw new MaxLengthError('Streaming decode error - repeated field "keyPackages" had too many elements')
              }

              yield {
                field: `${prefix}.keyPackages[]`,
                index: obj.keyPackages,
                value: reader.bytes()
              }

              obj.keyPackages++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.lastResortKeyPackage`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              if (opts.limits?.introMailboxes != null && obj.introMailboxes === opts.limits.introMailboxes) {
                throw new MaxLengthError('Streaming decode error - repeated field "introMailboxes" had too many elements')
              }

              for (const evt of IntroMailbox.codec().stream(reader, reader.uint32(), `${prefix}.introMailboxes[]`, {
                limits: opts.limits?.introMailboxes$
              })) {
                yield {
                  ...evt,
                  index: obj.introMailboxes
                }
              }

              obj.introMailboxes++

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

  export interface DirectoryDeviceCertificateFieldEvent {
    field: '$.certificate'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DirectoryDeviceAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: string
  }

  export interface DirectoryDeviceMailboxesFieldEvent {
    field: '$.mailboxes[]'
    index: number
    value: string
  }

  export interface DirectoryDeviceKeyPackagesFieldEvent {
    field: '$.keyPackages[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface DirectoryDeviceLastResortKeyPackageFieldEvent {
    field: '$.lastResortKeyPackage'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DirectoryDeviceIntroMailboxesNodeFieldEvent {
    field: '$.introMailboxes[].node'
    value: string
    index: number
  }

  export interface DirectoryDeviceIntroMailboxesMailboxIdFieldEvent {
    field: '$.introMailboxes[].mailboxId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface DirectoryDeviceIntroMailboxesDepositTokenFieldEvent {
    field: '$.introMailboxes[].depositToken'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<DirectoryDevice>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DirectoryDevice.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectoryDevice>): DirectoryDevice {
    return decodeMessage(buf, DirectoryDevice.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectoryDevice>): Generator<DirectoryDeviceCertificateFieldEvent | DirectoryDeviceAddrsFieldEvent | DirectoryDeviceMailboxesFieldEvent | DirectoryDeviceKeyPackagesFieldEvent | DirectoryDeviceLastResortKeyPackageFieldEvent | DirectoryDeviceIntroMailboxesNodeFieldEvent | DirectoryDeviceIntroMailboxesMailboxIdFieldEvent | DirectoryDeviceIntroMailboxesDepositTokenFieldEvent> {
    return streamMessage(buf, DirectoryDevice.codec(), opts)
  }
}

export interface DirectoryRecord {
  version: number
  identityKey: Uint8Array<ArrayBuffer>
  seq: bigint
  issuedAt: bigint
  expiresAt: bigint
  devices: DirectoryDevice[]
  signature: Uint8Array<ArrayBuffer>
}

export namespace DirectoryRecord {
  let _codec: Codec<DirectoryRecord>

  export const codec = (): Codec<DirectoryRecord> => {
    if (_codec == null) {
      _codec = message<DirectoryRecord>((obj, w, opts = {}) => {
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

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(24)
          w.uint64(obj.seq)
        }

        if ((obj.issuedAt != null && obj.issuedAt !== 0n)) {
          w.uint32(32)
          w.uint64(obj.issuedAt)
        }

        if ((obj.expiresAt != null && obj.expiresAt !== 0n)) {
          w.uint32(40)
          w.uint64(obj.expiresAt)
        }

        if (obj.devices != null && obj.devices.length > 0) {
          for (const value of obj.devices) {
            w.uint32(50)
            DirectoryDevice.codec().encode(value, w)
          }
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
          seq: 0n,
          issuedAt: 0n,
          expiresAt: 0n,
          devices: [],
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
              obj.seq = reader.uint64()
              break
            }
            case 4: {
              obj.issuedAt = reader.uint64()
              break
            }
            case 5: {
              obj.expiresAt = reader.uint64()
              break
            }
            case 6: {
              if (opts.limits?.devices != null && obj.devices.length === opts.limits.devices) {
                throw new MaxLengthError('Decode error - repeated field "devices" had too many elements')
              }

              obj.devices.push(DirectoryDevice.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.devices$
              }))
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
        const obj = {
          devices: 0
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
                field: `${prefix}.identityKey`,
                value: reader.bytes()
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
              yield {
                field: `${prefix}.issuedAt`,
                value: reader.uint64()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.expiresAt`,
                value: reader.uint64()
              }
              break
            }
            case 6: {
              if (opts.limits?.devices != null && obj.devices === opts.limits.devices) {
                throw new MaxLengthError('Streaming decode error - repeated field "devices" had too many elements')
              }

              for (const evt of DirectoryDevice.codec().stream(reader, reader.uint32(), `${prefix}.devices[]`, {
                limits: opts.limits?.devices$
              })) {
                yield {
                  ...evt,
                  index: obj.devices
                }
              }

              obj.devices++

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

  export interface DirectoryRecordVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface DirectoryRecordIdentityKeyFieldEvent {
    field: '$.identityKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DirectoryRecordSeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export interface DirectoryRecordIssuedAtFieldEvent {
    field: '$.issuedAt'
    value: bigint
  }

  export interface DirectoryRecordExpiresAtFieldEvent {
    field: '$.expiresAt'
    value: bigint
  }

  export interface DirectoryRecordDevicesCertificateFieldEvent {
    field: '$.devices[].certificate'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface DirectoryRecordDevicesAddrsFieldEvent {
    field: '$.devices[].addrs[]'
    index: number
    value: string
  }

  export interface DirectoryRecordDevicesMailboxesFieldEvent {
    field: '$.devices[].mailboxes[]'
    index: number
    value: string
  }

  export interface DirectoryRecordDevicesKeyPackagesFieldEvent {
    field: '$.devices[].keyPackages[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface DirectoryRecordDevicesLastResortKeyPackageFieldEvent {
    field: '$.devices[].lastResortKeyPackage'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface DirectoryRecordDevicesIntroMailboxesNodeFieldEvent {
    field: '$.devices[].introMailboxes[].node'
    value: string
    index: number
  }

  export interface DirectoryRecordDevicesIntroMailboxesMailboxIdFieldEvent {
    field: '$.devices[].introMailboxes[].mailboxId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface DirectoryRecordDevicesIntroMailboxesDepositTokenFieldEvent {
    field: '$.devices[].introMailboxes[].depositToken'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface DirectoryRecordSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<DirectoryRecord>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DirectoryRecord.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectoryRecord>): DirectoryRecord {
    return decodeMessage(buf, DirectoryRecord.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectoryRecord>): Generator<DirectoryRecordVersionFieldEvent | DirectoryRecordIdentityKeyFieldEvent | DirectoryRecordSeqFieldEvent | DirectoryRecordIssuedAtFieldEvent | DirectoryRecordExpiresAtFieldEvent | DirectoryRecordDevicesCertificateFieldEvent | DirectoryRecordDevicesAddrsFieldEvent | DirectoryRecordDevicesMailboxesFieldEvent | DirectoryRecordDevicesKeyPackagesFieldEvent | DirectoryRecordDevicesLastResortKeyPackageFieldEvent | DirectoryRecordDevicesIntroMailboxesNodeFieldEvent | DirectoryRecordDevicesIntroMailboxesMailboxIdFieldEvent | DirectoryRecordDevicesIntroMailboxesDepositTokenFieldEvent | DirectoryRecordSignatureFieldEvent> {
    return streamMessage(buf, DirectoryRecord.codec(), opts)
  }
}

export enum DirectoryQueryOp {
  LOOKUP = 'LOOKUP',
  PUBLISH = 'PUBLISH'
}

enum __DirectoryQueryOpValues {
  LOOKUP = 0,
  PUBLISH = 1
}

export namespace DirectoryQueryOp {
  export const codec = (): Codec<DirectoryQueryOp> => {
    return enumeration<DirectoryQueryOp>(__DirectoryQueryOpValues)
  }
}

export interface DirectoryQuery {
  version: number
  op: DirectoryQueryOp
  identityKey: Uint8Array<ArrayBuffer>
  record: Uint8Array<ArrayBuffer>
}

export namespace DirectoryQuery {
  let _codec: Codec<DirectoryQuery>

  export const codec = (): Codec<DirectoryQuery> => {
    if (_codec == null) {
      _codec = message<DirectoryQuery>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.op != null && __DirectoryQueryOpValues[obj.op] !== 0) {
          w.uint32(16)
          DirectoryQueryOp.codec().encode(obj.op, w)
        }

        if ((obj.identityKey != null && obj.identityKey.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.identityKey)
        }

        if ((obj.record != null && obj.record.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.record)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          op: DirectoryQueryOp.LOOKUP,
          identityKey: uint8ArrayAlloc(0),
          record: uint8ArrayAlloc(0)
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
              obj.op = DirectoryQueryOp.codec().decode(reader)
              break
            }
            case 3: {
              obj.identityKey = reader.bytes()
              break
            }
            case 4: {
              obj.record = reader.bytes()
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
                field: `${prefix}.op`,
                value: DirectoryQueryOp.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.identityKey`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.record`,
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

  export interface DirectoryQueryVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface DirectoryQueryOpFieldEvent {
    field: '$.op'
    value: DirectoryQueryOp
  }

  export interface DirectoryQueryIdentityKeyFieldEvent {
    field: '$.identityKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DirectoryQueryRecordFieldEvent {
    field: '$.record'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<DirectoryQuery>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DirectoryQuery.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectoryQuery>): DirectoryQuery {
    return decodeMessage(buf, DirectoryQuery.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectoryQuery>): Generator<DirectoryQueryVersionFieldEvent | DirectoryQueryOpFieldEvent | DirectoryQueryIdentityKeyFieldEvent | DirectoryQueryRecordFieldEvent> {
    return streamMessage(buf, DirectoryQuery.codec(), opts)
  }
}

export enum DirectoryAnswerStatus {
  FOUND = 'FOUND',
  NOT_FOUND = 'NOT_FOUND',
  PUBLISHED = 'PUBLISHED',
  REFUSED = 'REFUSED',
  BAD_QUERY = 'BAD_QUERY',
  FAILED = 'FAILED'
}

enum __DirectoryAnswerStatusValues {
  FOUND = 0,
  NOT_FOUND = 1,
  PUBLISHED = 2,
  REFUSED = 3,
  BAD_QUERY = 4,
  FAILED = 5
}

export namespace DirectoryAnswerStatus {
  export const codec = (): Codec<DirectoryAnswerStatus> => {
    return enumeration<DirectoryAnswerStatus>(__DirectoryAnswerStatusValues)
  }
}

export interface DirectoryAnswer {
  status: DirectoryAnswerStatus
  error: string
  record: Uint8Array<ArrayBuffer>
  storedOn: number
  routingTable: number
}

export namespace DirectoryAnswer {
  let _codec: Codec<DirectoryAnswer>

  export const codec = (): Codec<DirectoryAnswer> => {
    if (_codec == null) {
      _codec = message<DirectoryAnswer>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __DirectoryAnswerStatusValues[obj.status] !== 0) {
          w.uint32(8)
          DirectoryAnswerStatus.codec().encode(obj.status, w)
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(18)
          w.string(obj.error)
        }

        if ((obj.record != null && obj.record.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.record)
        }

        if ((obj.storedOn != null && obj.storedOn !== 0)) {
          w.uint32(32)
          w.uint32(obj.storedOn)
        }

        if ((obj.routingTable != null && obj.routingTable !== 0)) {
          w.uint32(40)
          w.uint32(obj.routingTable)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: DirectoryAnswerStatus.FOUND,
          error: '',
          record: uint8ArrayAlloc(0),
          storedOn: 0,
          routingTable: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = DirectoryAnswerStatus.codec().decode(reader)
              break
            }
            case 2: {
              obj.error = reader.string()
              break
            }
            case 3: {
              obj.record = reader.bytes()
              break
            }
            case 4: {
              obj.storedOn = reader.uint32()
              break
            }
            case 5: {
              obj.routingTable = reader.uint32()
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
                field: `${prefix}.status`,
                value: DirectoryAnswerStatus.codec().decode(reader)
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
                field: `${prefix}.record`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.storedOn`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.routingTable`,
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

  export interface DirectoryAnswerStatusFieldEvent {
    field: '$.status'
    value: DirectoryAnswerStatus
  }

  export interface DirectoryAnswerErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export interface DirectoryAnswerRecordFieldEvent {
    field: '$.record'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DirectoryAnswerStoredOnFieldEvent {
    field: '$.storedOn'
    value: number
  }

  export interface DirectoryAnswerRoutingTableFieldEvent {
    field: '$.routingTable'
    value: number
  }

  export function encode (obj: Partial<DirectoryAnswer>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DirectoryAnswer.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectoryAnswer>): DirectoryAnswer {
    return decodeMessage(buf, DirectoryAnswer.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectoryAnswer>): Generator<DirectoryAnswerStatusFieldEvent | DirectoryAnswerErrorFieldEvent | DirectoryAnswerRecordFieldEvent | DirectoryAnswerStoredOnFieldEvent | DirectoryAnswerRoutingTableFieldEvent> {
    return streamMessage(buf, DirectoryAnswer.codec(), opts)
  }
}
