import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface BackupContact {
  identity: Uint8Array<ArrayBuffer>
  alias: string
  displayName: string
  verified: boolean
  createdAt: bigint
}

export namespace BackupContact {
  let _codec: Codec<BackupContact>

  export const codec = (): Codec<BackupContact> => {
    if (_codec == null) {
      _codec = message<BackupContact>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.identity != null && obj.identity.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.identity)
        }

        if ((obj.alias != null && obj.alias !== '')) {
          w.uint32(18)
          w.string(obj.alias)
        }

        if ((obj.displayName != null && obj.displayName !== '')) {
          w.uint32(26)
          w.string(obj.displayName)
        }

        if ((obj.verified != null && obj.verified !== false)) {
          w.uint32(32)
          w.bool(obj.verified)
        }

        if ((obj.createdAt != null && obj.createdAt !== 0n)) {
          w.uint32(40)
          w.uint64(obj.createdAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          identity: uint8ArrayAlloc(0),
          alias: '',
          displayName: '',
          verified: false,
          createdAt: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.identity = reader.bytes()
              break
            }
            case 2: {
              obj.alias = reader.string()
              break
            }
            case 3: {
              obj.displayName = reader.string()
              break
            }
            case 4: {
              obj.verified = reader.bool()
              break
            }
            case 5: {
              obj.createdAt = reader.uint64()
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
                field: `${prefix}.identity`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.alias`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.displayName`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.verified`,
                value: reader.bool()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.createdAt`,
                value: reader.uint64()
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

  export interface BackupContactIdentityFieldEvent {
    field: '$.identity'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BackupContactAliasFieldEvent {
    field: '$.alias'
    value: string
  }

  export interface BackupContactDisplayNameFieldEvent {
    field: '$.displayName'
    value: string
  }

  export interface BackupContactVerifiedFieldEvent {
    field: '$.verified'
    value: boolean
  }

  export interface BackupContactCreatedAtFieldEvent {
    field: '$.createdAt'
    value: bigint
  }

  export function encode (obj: Partial<BackupContact>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BackupContact.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BackupContact>): BackupContact {
    return decodeMessage(buf, BackupContact.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BackupContact>): Generator<BackupContactIdentityFieldEvent | BackupContactAliasFieldEvent | BackupContactDisplayNameFieldEvent | BackupContactVerifiedFieldEvent | BackupContactCreatedAtFieldEvent> {
    return streamMessage(buf, BackupContact.codec(), opts)
  }
}

export interface BackupDevice {
  card: Uint8Array<ArrayBuffer>
}

export namespace BackupDevice {
  let _codec: Codec<BackupDevice>

  export const codec = (): Codec<BackupDevice> => {
    if (_codec == null) {
      _codec = message<BackupDevice>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.card != null && obj.card.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.card)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          card: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
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

  export interface BackupDeviceCardFieldEvent {
    field: '$.card'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<BackupDevice>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BackupDevice.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BackupDevice>): BackupDevice {
    return decodeMessage(buf, BackupDevice.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BackupDevice>): Generator<BackupDeviceCardFieldEvent> {
    return streamMessage(buf, BackupDevice.codec(), opts)
  }
}

export interface BackupMember {
  identity: Uint8Array<ArrayBuffer>
  peerId: Uint8Array<ArrayBuffer>
}

export namespace BackupMember {
  let _codec: Codec<BackupMember>

  export const codec = (): Codec<BackupMember> => {
    if (_codec == null) {
      _codec = message<BackupMember>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.identity != null && obj.identity.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.identity)
        }

        if ((obj.peerId != null && obj.peerId.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.peerId)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          identity: uint8ArrayAlloc(0),
          peerId: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.identity = reader.bytes()
              break
            }
            case 2: {
              obj.peerId = reader.bytes()
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
                field: `${prefix}.identity`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.peerId`,
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

  export interface BackupMemberIdentityFieldEvent {
    field: '$.identity'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BackupMemberPeerIdFieldEvent {
    field: '$.peerId'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<BackupMember>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BackupMember.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BackupMember>): BackupMember {
    return decodeMessage(buf, BackupMember.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BackupMember>): Generator<BackupMemberIdentityFieldEvent | BackupMemberPeerIdFieldEvent> {
    return streamMessage(buf, BackupMember.codec(), opts)
  }
}

export interface BackupGroup {
  id: Uint8Array<ArrayBuffer>
  direct: boolean
  name: string
  peerIdentity: Uint8Array<ArrayBuffer>
  creator: Uint8Array<ArrayBuffer>
  active: boolean
  lamport: bigint
  createdAt: bigint
  members: BackupMember[]
  muted: boolean
  archived: boolean
  replacedDevices: Uint8Array<ArrayBuffer>[]
}

export namespace BackupGroup {
  let _codec: Codec<BackupGroup>

  export const codec = (): Codec<BackupGroup> => {
    if (_codec == null) {
      _codec = message<BackupGroup>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.id)
        }

        if ((obj.direct != null && obj.direct !== false)) {
          w.uint32(16)
          w.bool(obj.direct)
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(26)
          w.string(obj.name)
        }

        if ((obj.peerIdentity != null && obj.peerIdentity.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.peerIdentity)
        }

        if ((obj.creator != null && obj.creator.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.creator)
        }

        if ((obj.active != null && obj.active !== false)) {
          w.uint32(48)
          w.bool(obj.active)
        }

        if ((obj.lamport != null && obj.lamport !== 0n)) {
          w.uint32(56)
          w.uint64(obj.lamport)
        }

        if ((obj.createdAt != null && obj.createdAt !== 0n)) {
          w.uint32(64)
          w.uint64(obj.createdAt)
        }

        if (obj.members != null && obj.members.length > 0) {
          for (const value of obj.members) {
            w.uint32(74)
            BackupMember.codec().encode(value, w)
          }
        }

        if ((obj.muted != null && obj.muted !== false)) {
          w.uint32(80)
          w.bool(obj.muted)
        }

        if ((obj.archived != null && obj.archived !== false)) {
          w.uint32(88)
          w.bool(obj.archived)
        }

        if (obj.replacedDevices != null && obj.replacedDevices.length > 0) {
          for (const value of obj.replacedDevices) {
            w.uint32(98)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: uint8ArrayAlloc(0),
          direct: false,
          name: '',
          peerIdentity: uint8ArrayAlloc(0),
          creator: uint8ArrayAlloc(0),
          active: false,
          lamport: 0n,
          createdAt: 0n,
          members: [],
          muted: false,
          archived: false,
          replacedDevices: []
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
              obj.direct = reader.bool()
              break
            }
            case 3: {
              obj.name = reader.string()
              break
            }
            case 4: {
              obj.peerIdentity = reader.bytes()
              break
            }
            case 5: {
              obj.creator = reader.bytes()
              break
            }
            case 6: {
              obj.active = reader.bool()
              break
            }
            case 7: {
              obj.lamport = reader.uint64()
              break
            }
            case 8: {
              obj.createdAt = reader.uint64()
              break
            }
            case 9: {
              if (opts.limits?.members != null && obj.members.length === opts.limits.members) {
                throw new MaxLengthError('Decode error - repeated field "members" had too many elements')
              }

              obj.members.push(BackupMember.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.members$
              }))
              break
            }
            case 10: {
              obj.muted = reader.bool()
              break
            }
            case 11: {
              obj.archived = reader.bool()
              break
            }
            case 12: {
              if (opts.limits?.replacedDevices != null && obj.replacedDevices.length === opts.limits.replacedDevices) {
                throw new MaxLengthError('Decode error - repeated field "replacedDevices" had too many elements')
              }

              obj.replacedDevices.push(reader.bytes())
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
          members: 0,
          replacedDevices: 0
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
                field: `${prefix}.direct`,
                value: reader.bool()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.peerIdentity`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.creator`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.active`,
                value: reader.bool()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.lamport`,
                value: reader.uint64()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.createdAt`,
                value: reader.uint64()
              }
              break
            }
            case 9: {
              if (opts.limits?.members != null && obj.members === opts.limits.members) {
                throw new MaxLengthError('Streaming decode error - repeated field "members" had too many elements')
              }

              for (const evt of BackupMember.codec().stream(reader, reader.uint32(), `${prefix}.members[]`, {
                limits: opts.limits?.members$
              })) {
                yield {
                  ...evt,
                  index: obj.members
                }
              }

              obj.members++

              break
            }
            case 10: {
              yield {
                field: `${prefix}.muted`,
                value: reader.bool()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.archived`,
                value: reader.bool()
              }
              break
            }
            case 12: {
              if (opts.limits?.replacedDevices != null && obj.replacedDevices === opts.limits.replacedDevices) {
                throw new MaxLengthError('Streaming decode error - repeated field "replacedDevices" had too many elements')
              }

              yield {
                field: `${prefix}.replacedDevices[]`,
                index: obj.replacedDevices,
                value: reader.bytes()
              }

              obj.replacedDevices++

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

  export interface BackupGroupIdFieldEvent {
    field: '$.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BackupGroupDirectFieldEvent {
    field: '$.direct'
    value: boolean
  }

  export interface BackupGroupNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface BackupGroupPeerIdentityFieldEvent {
    field: '$.peerIdentity'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BackupGroupCreatorFieldEvent {
    field: '$.creator'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BackupGroupActiveFieldEvent {
    field: '$.active'
    value: boolean
  }

  export interface BackupGroupLamportFieldEvent {
    field: '$.lamport'
    value: bigint
  }

  export interface BackupGroupCreatedAtFieldEvent {
    field: '$.createdAt'
    value: bigint
  }

  export interface BackupGroupMembersIdentityFieldEvent {
    field: '$.members[].identity'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BackupGroupMembersPeerIdFieldEvent {
    field: '$.members[].peerId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BackupGroupMutedFieldEvent {
    field: '$.muted'
    value: boolean
  }

  export interface BackupGroupArchivedFieldEvent {
    field: '$.archived'
    value: boolean
  }

  export interface BackupGroupReplacedDevicesFieldEvent {
    field: '$.replacedDevices[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<BackupGroup>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BackupGroup.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BackupGroup>): BackupGroup {
    return decodeMessage(buf, BackupGroup.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BackupGroup>): Generator<BackupGroupIdFieldEvent | BackupGroupDirectFieldEvent | BackupGroupNameFieldEvent | BackupGroupPeerIdentityFieldEvent | BackupGroupCreatorFieldEvent | BackupGroupActiveFieldEvent | BackupGroupLamportFieldEvent | BackupGroupCreatedAtFieldEvent | BackupGroupMembersIdentityFieldEvent | BackupGroupMembersPeerIdFieldEvent | BackupGroupMutedFieldEvent | BackupGroupArchivedFieldEvent | BackupGroupReplacedDevicesFieldEvent> {
    return streamMessage(buf, BackupGroup.codec(), opts)
  }
}

export interface BackupMessage {
  id: Uint8Array<ArrayBuffer>
  groupId: Uint8Array<ArrayBuffer>
  senderIdentity: Uint8Array<ArrayBuffer>
  senderDevice: string
  own: boolean
  kind: string
  text: string
  target: Uint8Array<ArrayBuffer>
  seq: bigint
  lamport: bigint
  sentAt: bigint
  receivedAt: bigint
  epoch: bigint
  gap: boolean
}

export namespace BackupMessage {
  let _codec: Codec<BackupMessage>

  export const codec = (): Codec<BackupMessage> => {
    if (_codec == null) {
      _codec = message<BackupMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.id)
        }

        if ((obj.groupId != null && obj.groupId.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.groupId)
        }

        if ((obj.senderIdentity != null && obj.senderIdentity.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.senderIdentity)
        }

        if ((obj.senderDevice != null && obj.senderDevice !== '')) {
          w.uint32(34)
          w.string(obj.senderDevice)
        }

        if ((obj.own != null && obj.own !== false)) {
          w.uint32(40)
          w.bool(obj.own)
        }

        if ((obj.kind != null && obj.kind !== '')) {
          w.uint32(50)
          w.string(obj.kind)
        }

        if ((obj.text != null && obj.text !== '')) {
          w.uint32(58)
          w.string(obj.text)
        }

        if ((obj.target != null && obj.target.byteLength > 0)) {
          w.uint32(66)
          w.bytes(obj.target)
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(72)
          w.uint64(obj.seq)
        }

        if ((obj.lamport != null && obj.lamport !== 0n)) {
          w.uint32(80)
          w.uint64(obj.lamport)
        }

        if ((obj.sentAt != null && obj.sentAt !== 0n)) {
          w.uint32(88)
          w.uint64(obj.sentAt)
        }

        if ((obj.receivedAt != null && obj.receivedAt !== 0n)) {
          w.uint32(96)
          w.uint64(obj.receivedAt)
        }

        if ((obj.epoch != null && obj.epoch !== 0n)) {
          w.uint32(104)
          w.uint64(obj.epoch)
        }

        if ((obj.gap != null && obj.gap !== false)) {
          w.uint32(112)
          w.bool(obj.gap)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: uint8ArrayAlloc(0),
          groupId: uint8ArrayAlloc(0),
          senderIdentity: uint8ArrayAlloc(0),
          senderDevice: '',
          own: false,
          kind: '',
          text: '',
          target: uint8ArrayAlloc(0),
          seq: 0n,
          lamport: 0n,
          sentAt: 0n,
          receivedAt: 0n,
          epoch: 0n,
          gap: false
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
              obj.groupId = reader.bytes()
              break
            }
            case 3: {
              obj.senderIdentity = reader.bytes()
              break
            }
            case 4: {
              obj.senderDevice = reader.string()
              break
            }
            case 5: {
              obj.own = reader.bool()
              break
            }
            case 6: {
              obj.kind = reader.string()
              break
            }
            case 7: {
              obj.text = reader.string()
              break
            }
            case 8: {
              obj.target = reader.bytes()
              break
            }
            case 9: {
              obj.seq = reader.uint64()
              break
            }
            case 10: {
              obj.lamport = reader.uint64()
              break
            }
            case 11: {
              obj.sentAt = reader.uint64()
              break
            }
            case 12: {
              obj.receivedAt = reader.uint64()
              break
            }
            case 13: {
              obj.epoch = reader.uint64()
              break
            }
            case 14: {
              obj.gap = reader.bool()
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
                field: `${prefix}.groupId`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.senderIdentity`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.senderDevice`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.own`,
                value: reader.bool()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.kind`,
                value: reader.string()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.text`,
                value: reader.string()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.target`,
                value: reader.bytes()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.lamport`,
                value: reader.uint64()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.sentAt`,
                value: reader.uint64()
              }
              break
            }
            case 12: {
              yield {
                field: `${prefix}.receivedAt`,
                value: reader.uint64()
              }
              break
            }
            case 13: {
              yield {
                field: `${prefix}.epoch`,
                value: reader.uint64()
              }
              break
            }
            case 14: {
              yield {
                field: `${prefix}.gap`,
                value: reader.bool()
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

  export interface BackupMessageIdFieldEvent {
    field: '$.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BackupMessageGroupIdFieldEvent {
    field: '$.groupId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BackupMessageSenderIdentityFieldEvent {
    field: '$.senderIdentity'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BackupMessageSenderDeviceFieldEvent {
    field: '$.senderDevice'
    value: string
  }

  export interface BackupMessageOwnFieldEvent {
    field: '$.own'
    value: boolean
  }

  export interface BackupMessageKindFieldEvent {
    field: '$.kind'
    value: string
  }

  export interface BackupMessageTextFieldEvent {
    field: '$.text'
    value: string
  }

  export interface BackupMessageTargetFieldEvent {
    field: '$.target'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BackupMessageSeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export interface BackupMessageLamportFieldEvent {
    field: '$.lamport'
    value: bigint
  }

  export interface BackupMessageSentAtFieldEvent {
    field: '$.sentAt'
    value: bigint
  }

  export interface BackupMessageReceivedAtFieldEvent {
    field: '$.receivedAt'
    value: bigint
  }

  export interface BackupMessageEpochFieldEvent {
    field: '$.epoch'
    value: bigint
  }

  export interface BackupMessageGapFieldEvent {
    field: '$.gap'
    value: boolean
  }

  export function encode (obj: Partial<BackupMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BackupMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BackupMessage>): BackupMessage {
    return decodeMessage(buf, BackupMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BackupMessage>): Generator<BackupMessageIdFieldEvent | BackupMessageGroupIdFieldEvent | BackupMessageSenderIdentityFieldEvent | BackupMessageSenderDeviceFieldEvent | BackupMessageOwnFieldEvent | BackupMessageKindFieldEvent | BackupMessageTextFieldEvent | BackupMessageTargetFieldEvent | BackupMessageSeqFieldEvent | BackupMessageLamportFieldEvent | BackupMessageSentAtFieldEvent | BackupMessageReceivedAtFieldEvent | BackupMessageEpochFieldEvent | BackupMessageGapFieldEvent> {
    return streamMessage(buf, BackupMessage.codec(), opts)
  }
}

export interface BackupFile {
  messageId: Uint8Array<ArrayBuffer>
  fileId: Uint8Array<ArrayBuffer>
  offer: Uint8Array<ArrayBuffer>
}

export namespace BackupFile {
  let _codec: Codec<BackupFile>

  export const codec = (): Codec<BackupFile> => {
    if (_codec == null) {
      _codec = message<BackupFile>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.messageId != null && obj.messageId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.messageId)
        }

        if ((obj.fileId != null && obj.fileId.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.fileId)
        }

        if ((obj.offer != null && obj.offer.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.offer)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          messageId: uint8ArrayAlloc(0),
          fileId: uint8ArrayAlloc(0),
          offer: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.messageId = reader.bytes()
              break
            }
            case 2: {
              obj.fileId = reader.bytes()
              break
            }
            case 3: {
              obj.offer = reader.bytes()
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
                field: `${prefix}.messageId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.fileId`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.offer`,
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

  export interface BackupFileMessageIdFieldEvent {
    field: '$.messageId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BackupFileFileIdFieldEvent {
    field: '$.fileId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BackupFileOfferFieldEvent {
    field: '$.offer'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<BackupFile>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BackupFile.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BackupFile>): BackupFile {
    return decodeMessage(buf, BackupFile.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BackupFile>): Generator<BackupFileMessageIdFieldEvent | BackupFileFileIdFieldEvent | BackupFileOfferFieldEvent> {
    return streamMessage(buf, BackupFile.codec(), opts)
  }
}

export interface BackupContents {
  version: number
  createdAt: bigint
  identityPublic: Uint8Array<ArrayBuffer>
  identityPrivate: Uint8Array<ArrayBuffer>
  displayName: string
  devicePeerId: Uint8Array<ArrayBuffer>
  contacts: BackupContact[]
  devices: BackupDevice[]
  groups: BackupGroup[]
  history: boolean
  messages: BackupMessage[]
  readReceipts: boolean
  files: BackupFile[]
}

export namespace BackupContents {
  let _codec: Codec<BackupContents>

  export const codec = (): Codec<BackupContents> => {
    if (_codec == null) {
      _codec = message<BackupContents>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.createdAt != null && obj.createdAt !== 0n)) {
          w.uint32(16)
          w.uint64(obj.createdAt)
        }

        if ((obj.identityPublic != null && obj.identityPublic.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.identityPublic)
        }

        if ((obj.identityPrivate != null && obj.identityPrivate.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.identityPrivate)
        }

        if ((obj.displayName != null && obj.displayName !== '')) {
          w.uint32(42)
          w.string(obj.displayName)
        }

        if ((obj.devicePeerId != null && obj.devicePeerId.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.devicePeerId)
        }

        if (obj.contacts != null && obj.contacts.length > 0) {
          for (const value of obj.contacts) {
            w.uint32(58)
            BackupContact.codec().encode(value, w)
          }
        }

        if (obj.devices != null && obj.devices.length > 0) {
          for (const value of obj.devices) {
            w.uint32(66)
            BackupDevice.codec().encode(value, w)
          }
        }

        if (obj.groups != null && obj.groups.length > 0) {
          for (const value of obj.groups) {
            w.uint32(74)
            BackupGroup.codec().encode(value, w)
          }
        }

        if ((obj.history != null && obj.history !== false)) {
          w.uint32(80)
          w.bool(obj.history)
        }

        if (obj.messages != null && obj.messages.length > 0) {
          for (const value of obj.messages) {
            w.uint32(90)
            BackupMessage.codec().encode(value, w)
          }
        }

        if ((obj.readReceipts != null && obj.readReceipts !== false)) {
          w.uint32(96)
          w.bool(obj.readReceipts)
        }

        if (obj.files != null && obj.files.length > 0) {
          for (const value of obj.files) {
            w.uint32(106)
            BackupFile.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          createdAt: 0n,
          identityPublic: uint8ArrayAlloc(0),
          identityPrivate: uint8ArrayAlloc(0),
          displayName: '',
          devicePeerId: uint8ArrayAlloc(0),
          contacts: [],
          devices: [],
          groups: [],
          history: false,
          messages: [],
          readReceipts: false,
          files: []
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
              obj.createdAt = reader.uint64()
              break
            }
            case 3: {
              obj.identityPublic = reader.bytes()
              break
            }
            case 4: {
              obj.identityPrivate = reader.bytes()
              break
            }
            case 5: {
              obj.displayName = reader.string()
              break
            }
            case 6: {
              obj.devicePeerId = reader.bytes()
              break
            }
            case 7: {
              if (opts.limits?.contacts != null && obj.contacts.length === opts.limits.contacts) {
                throw new MaxLengthError('Decode error - repeated field "contacts" had too many elements')
              }

              obj.contacts.push(BackupContact.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.contacts$
              }))
              break
            }
            case 8: {
              if (opts.limits?.devices != null && obj.devices.length === opts.limits.devices) {
                throw new MaxLengthError('Decode error - repeated field "devices" had too many elements')
              }

              obj.devices.push(BackupDevice.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.devices$
              }))
              break
            }
            case 9: {
              if (opts.limits?.groups != null && obj.groups.length === opts.limits.groups) {
                throw new MaxLengthError('Decode error - repeated field "groups" had too many elements')
              }

              obj.groups.push(BackupGroup.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.groups$
              }))
              break
            }
            case 10: {
              obj.history = reader.bool()
              break
            }
            case 11: {
              if (opts.limits?.messages != null && obj.messages.length === opts.limits.messages) {
                throw new MaxLengthError('Decode error - repeated field "messages" had too many elements')
              }

              obj.messages.push(BackupMessage.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.messages$
              }))
              break
            }
            case 12: {
              obj.readReceipts = reader.bool()
              break
            }
            case 13: {
              if (opts.limits?.files != null && obj.files.length === opts.limits.files) {
                throw new MaxLengthError('Decode error - repeated field "files" had too many elements')
              }

              obj.files.push(BackupFile.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.files$
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
          contacts: 0,
          devices: 0,
          groups: 0,
          messages: 0,
          files: 0
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
                field: `${prefix}.createdAt`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.identityPublic`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.identityPrivate`,
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
                field: `${prefix}.devicePeerId`,
                value: reader.bytes()
              }
              break
            }
            case 7: {
              if (opts.limits?.contacts != null && obj.contacts === opts.limits.contacts) {
                throw new MaxLengthError('Streaming decode error - repeated field "contacts" had too many elements')
              }

              for (const evt of BackupContact.codec().stream(reader, reader.uint32(), `${prefix}.contacts[]`, {
                limits: opts.limits?.contacts$
              })) {
                yield {
                  ...evt,
                  index: obj.contacts
                }
              }

              obj.contacts++

              break
            }
            case 8: {
              if (opts.limits?.devices != null && obj.devices === opts.limits.devices) {
                throw new MaxLengthError('Streaming decode error - repeated field "devices" had too many elements')
              }

              for (const evt of BackupDevice.codec().stream(reader, reader.uint32(), `${prefix}.devices[]`, {
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
            case 9: {
              if (opts.limits?.groups != null && obj.groups === opts.limits.groups) {
                throw new MaxLengthError('Streaming decode error - repeated field "groups" had too many elements')
              }

              for (const evt of BackupGroup.codec().stream(reader, reader.uint32(), `${prefix}.groups[]`, {
                limits: opts.limits?.groups$
              })) {
                yield {
                  ...evt,
                  index: obj.groups
                }
              }

              obj.groups++

              break
            }
            case 10: {
              yield {
                field: `${prefix}.history`,
                value: reader.bool()
              }
              break
            }
            case 11: {
              if (opts.limits?.messages != null && obj.messages === opts.limits.messages) {
                throw new MaxLengthError('Streaming decode error - repeated field "messages" had too many elements')
              }

              for (const evt of BackupMessage.codec().stream(reader, reader.uint32(), `${prefix}.messages[]`, {
                limits: opts.limits?.messages$
              })) {
                yield {
                  ...evt,
                  index: obj.messages
                }
              }

              obj.messages++

              break
            }
            case 12: {
              yield {
                field: `${prefix}.readReceipts`,
                value: reader.bool()
              }
              break
            }
            case 13: {
              if (opts.limits?.files != null && obj.files === opts.limits.files) {
                throw new MaxLengthError('Streaming decode error - repeated field "files" had too many elements')
              }

              for (const evt of BackupFile.codec().stream(reader, reader.uint32(), `${prefix}.files[]`, {
                limits: opts.limits?.files$
              })) {
                yield {
                  ...evt,
                  index: obj.files
                }
              }

              obj.files++

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

  export interface BackupContentsVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface BackupContentsCreatedAtFieldEvent {
    field: '$.createdAt'
    value: bigint
  }

  export interface BackupContentsIdentityPublicFieldEvent {
    field: '$.identityPublic'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BackupContentsIdentityPrivateFieldEvent {
    field: '$.identityPrivate'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BackupContentsDisplayNameFieldEvent {
    field: '$.displayName'
    value: string
  }

  export interface BackupContentsDevicePeerIdFieldEvent {
    field: '$.devicePeerId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BackupContentsContactsIdentityFieldEvent {
    field: '$.contacts[].identity'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BackupContentsContactsAliasFieldEvent {
    field: '$.contacts[].alias'
    value: string
    index: number
  }

  export interface BackupContentsContactsDisplayNameFieldEvent {
    field: '$.contacts[].displayName'
    value: string
    index: number
  }

  export interface BackupContentsContactsVerifiedFieldEvent {
    field: '$.contacts[].verified'
    value: boolean
    index: number
  }

  export interface BackupContentsContactsCreatedAtFieldEvent {
    field: '$.contacts[].createdAt'
    value: bigint
    index: number
  }

  export interface BackupContentsDevicesCardFieldEvent {
    field: '$.devices[].card'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BackupContentsGroupsIdFieldEvent {
    field: '$.groups[].id'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BackupContentsGroupsDirectFieldEvent {
    field: '$.groups[].direct'
    value: boolean
    index: number
  }

  export interface BackupContentsGroupsNameFieldEvent {
    field: '$.groups[].name'
    value: string
    index: number
  }

  export interface BackupContentsGroupsPeerIdentityFieldEvent {
    field: '$.groups[].peerIdentity'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BackupContentsGroupsCreatorFieldEvent {
    field: '$.groups[].creator'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BackupContentsGroupsActiveFieldEvent {
    field: '$.groups[].active'
    value: boolean
    index: number
  }

  export interface BackupContentsGroupsLamportFieldEvent {
    field: '$.groups[].lamport'
    value: bigint
    index: number
  }

  export interface BackupContentsGroupsCreatedAtFieldEvent {
    field: '$.groups[].createdAt'
    value: bigint
    index: number
  }

  export interface BackupContentsGroupsMembersIdentityFieldEvent {
    field: '$.groups[].members[].identity'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BackupContentsGroupsMembersPeerIdFieldEvent {
    field: '$.groups[].members[].peerId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BackupContentsGroupsMutedFieldEvent {
    field: '$.groups[].muted'
    value: boolean
    index: number
  }

  export interface BackupContentsGroupsArchivedFieldEvent {
    field: '$.groups[].archived'
    value: boolean
    index: number
  }

  export interface BackupContentsGroupsReplacedDevicesFieldEvent {
    field: '$.groups[].replacedDevices[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface BackupContentsHistoryFieldEvent {
    field: '$.history'
    value: boolean
  }

  export interface BackupContentsMessagesIdFieldEvent {
    field: '$.messages[].id'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BackupContentsMessagesGroupIdFieldEvent {
    field: '$.messages[].groupId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BackupContentsMessagesSenderIdentityFieldEvent {
    field: '$.messages[].senderIdentity'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BackupContentsMessagesSenderDeviceFieldEvent {
    field: '$.messages[].senderDevice'
    value: string
    index: number
  }

  export interface BackupContentsMessagesOwnFieldEvent {
    field: '$.messages[].own'
    value: boolean
    index: number
  }

  export interface BackupContentsMessagesKindFieldEvent {
    field: '$.messages[].kind'
    value: string
    index: number
  }

  export interface BackupContentsMessagesTextFieldEvent {
    field: '$.messages[].text'
    value: string
    index: number
  }

  export interface BackupContentsMessagesTargetFieldEvent {
    field: '$.messages[].target'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BackupContentsMessagesSeqFieldEvent {
    field: '$.messages[].seq'
    value: bigint
    index: number
  }

  export interface BackupContentsMessagesLamportFieldEvent {
    field: '$.messages[].lamport'
    value: bigint
    index: number
  }

  export interface BackupContentsMessagesSentAtFieldEvent {
    field: '$.messages[].sentAt'
    value: bigint
    index: number
  }

  export interface BackupContentsMessagesReceivedAtFieldEvent {
    field: '$.messages[].receivedAt'
    value: bigint
    index: number
  }

  export interface BackupContentsMessagesEpochFieldEvent {
    field: '$.messages[].epoch'
    value: bigint
    index: number
  }

  export interface BackupContentsMessagesGapFieldEvent {
    field: '$.messages[].gap'
    value: boolean
    index: number
  }

  export interface BackupContentsReadReceiptsFieldEvent {
    field: '$.readReceipts'
    value: boolean
  }

  export interface BackupContentsFilesMessageIdFieldEvent {
    field: '$.files[].messageId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BackupContentsFilesFileIdFieldEvent {
    field: '$.files[].fileId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BackupContentsFilesOfferFieldEvent {
    field: '$.files[].offer'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<BackupContents>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BackupContents.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BackupContents>): BackupContents {
    return decodeMessage(buf, BackupContents.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BackupContents>): Generator<BackupContentsVersionFieldEvent | BackupContentsCreatedAtFieldEvent | BackupContentsIdentityPublicFieldEvent | BackupContentsIdentityPrivateFieldEvent | BackupContentsDisplayNameFieldEvent | BackupContentsDevicePeerIdFieldEvent | BackupContentsContactsIdentityFieldEvent | BackupContentsContactsAliasFieldEvent | BackupContentsContactsDisplayNameFieldEvent | BackupContentsContactsVerifiedFieldEvent | BackupContentsContactsCreatedAtFieldEvent | BackupContentsDevicesCardFieldEvent | BackupContentsGroupsIdFieldEvent | BackupContentsGroupsDirectFieldEvent | BackupContentsGroupsNameFieldEvent | BackupContentsGroupsPeerIdentityFieldEvent | BackupContentsGroupsCreatorFieldEvent | BackupContentsGroupsActiveFieldEvent | BackupContentsGroupsLamportFieldEvent | BackupContentsGroupsCreatedAtFieldEvent | BackupContentsGroupsMembersIdentityFieldEvent | BackupContentsGroupsMembersPeerIdFieldEvent | BackupContentsGroupsMutedFieldEvent | BackupContentsGroupsArchivedFieldEvent | BackupContentsGroupsReplacedDevicesFieldEvent | BackupContentsHistoryFieldEvent | BackupContentsMessagesIdFieldEvent | BackupContentsMessagesGroupIdFieldEvent | BackupContentsMessagesSenderIdentityFieldEvent | BackupContentsMessagesSenderDeviceFieldEvent | BackupContentsMessagesOwnFieldEvent | BackupContentsMessagesKindFieldEvent | BackupContentsMessagesTextFieldEvent | BackupContentsMessagesTargetFieldEvent | BackupContentsMessagesSeqFieldEvent | BackupContentsMessagesLamportFieldEvent | BackupContentsMessagesSentAtFieldEvent | BackupContentsMessagesReceivedAtFieldEvent | BackupContentsMessagesEpochFieldEvent | BackupContentsMessagesGapFieldEvent | BackupContentsReadReceiptsFieldEvent | BackupContentsFilesMessageIdFieldEvent | BackupContentsFilesFileIdFieldEvent | BackupContentsFilesOfferFieldEvent> {
    return streamMessage(buf, BackupContents.codec(), opts)
  }
}
