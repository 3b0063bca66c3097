import { decodeMessage, encodeMessage, enumeration, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface FileOffer {
  fileId: Uint8Array<ArrayBuffer>
  name: string
  size: bigint
  mimeType: string
  chunkSize: number
  key: Uint8Array<ArrayBuffer>
  merkleRoot: Uint8Array<ArrayBuffer>
  thumbnail: Uint8Array<ArrayBuffer>
  thumbnailType: string
}

export namespace FileOffer {
  let _codec: Codec<FileOffer>

  export const codec = (): Codec<FileOffer> => {
    if (_codec == null) {
      _codec = message<FileOffer>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.fileId != null && obj.fileId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.fileId)
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(18)
          w.string(obj.name)
        }

        if ((obj.size != null && obj.size !== 0n)) {
          w.uint32(24)
          w.uint64(obj.size)
        }

        if ((obj.mimeType != null && obj.mimeType !== '')) {
          w.uint32(34)
          w.string(obj.mimeType)
        }

        if ((obj.chunkSize != null && obj.chunkSize !== 0)) {
          w.uint32(40)
          w.uint32(obj.chunkSize)
        }

        if ((obj.key != null && obj.key.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.key)
        }

        if ((obj.merkleRoot != null && obj.merkleRoot.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.merkleRoot)
        }

        if ((obj.thumbnail != null && obj.thumbnail.byteLength > 0)) {
          w.uint32(66)
          w.bytes(obj.thumbnail)
        }

        if ((obj.thumbnailType != null && obj.thumbnailType !== '')) {
          w.uint32(74)
          w.string(obj.thumbnailType)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          fileId: uint8ArrayAlloc(0),
          name: '',
          size: 0n,
          mimeType: '',
          chunkSize: 0,
          key: uint8ArrayAlloc(0),
          merkleRoot: uint8ArrayAlloc(0),
          thumbnail: uint8ArrayAlloc(0),
          thumbnailType: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.fileId = reader.bytes()
              break
            }
            case 2: {
              obj.name = reader.string()
              break
            }
            case 3: {
              obj.size = reader.uint64()
              break
            }
            case 4: {
              obj.mimeType = reader.string()
              break
            }
            case 5: {
              obj.chunkSize = reader.uint32()
              break
            }
            case 6: {
              obj.key = reader.bytes()
              break
            }
            case 7: {
              obj.merkleRoot = reader.bytes()
              break
            }
            case 8: {
              obj.thumbnail = reader.bytes()
              break
            }
            case 9: {
              obj.thumbnailType = reader.string()
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
                field: `${prefix}.fileId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.size`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.mimeType`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.chunkSize`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.key`,
                value: reader.bytes()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.merkleRoot`,
                value: reader.bytes()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.thumbnail`,
                value: reader.bytes()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.thumbnailType`,
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

  export interface FileOfferFileIdFieldEvent {
    field: '$.fileId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FileOfferNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface FileOfferSizeFieldEvent {
    field: '$.size'
    value: bigint
  }

  export interface FileOfferMimeTypeFieldEvent {
    field: '$.mimeType'
    value: string
  }

  export interface FileOfferChunkSizeFieldEvent {
    field: '$.chunkSize'
    value: number
  }

  export interface FileOfferKeyFieldEvent {
    field: '$.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FileOfferMerkleRootFieldEvent {
    field: '$.merkleRoot'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FileOfferThumbnailFieldEvent {
    field: '$.thumbnail'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FileOfferThumbnailTypeFieldEvent {
    field: '$.thumbnailType'
    value: string
  }

  export function encode (obj: Partial<FileOffer>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FileOffer.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FileOffer>): FileOffer {
    return decodeMessage(buf, FileOffer.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FileOffer>): Generator<FileOfferFileIdFieldEvent | FileOfferNameFieldEvent | FileOfferSizeFieldEvent | FileOfferMimeTypeFieldEvent | FileOfferChunkSizeFieldEvent | FileOfferKeyFieldEvent | FileOfferMerkleRootFieldEvent | FileOfferThumbnailFieldEvent | FileOfferThumbnailTypeFieldEvent> {
    return streamMessage(buf, FileOffer.codec(), opts)
  }
}

export enum FileRequestKind {
  OPEN = 'OPEN',
  GET = 'GET',
  CANCEL = 'CANCEL'
}

enum __FileRequestKindValues {
  OPEN = 0,
  GET = 1,
  CANCEL = 2
}

export namespace FileRequestKind {
  export const codec = (): Codec<FileRequestKind> => {
    return enumeration<FileRequestKind>(__FileRequestKindValues)
  }
}

export interface FileRequest {
  kind: FileRequestKind
  fileId: Uint8Array<ArrayBuffer>
  index: number
}

export namespace FileRequest {
  let _codec: Codec<FileRequest>

  export const codec = (): Codec<FileRequest> => {
    if (_codec == null) {
      _codec = message<FileRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.kind != null && __FileRequestKindValues[obj.kind] !== 0) {
          w.uint32(8)
          FileRequestKind.codec().encode(obj.kind, w)
        }

        if ((obj.fileId != null && obj.fileId.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.fileId)
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(24)
          w.uint32(obj.index)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: FileRequestKind.OPEN,
          fileId: uint8ArrayAlloc(0),
          index: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.kind = FileRequestKind.codec().decode(reader)
              break
            }
            case 2: {
              obj.fileId = reader.bytes()
              break
            }
            case 3: {
              obj.index = reader.uint32()
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
                field: `${prefix}.kind`,
                value: FileRequestKind.codec().decode(reader)
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
                field: `${prefix}.index`,
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

  export interface FileRequestKindFieldEvent {
    field: '$.kind'
    value: FileRequestKind
  }

  export interface FileRequestFileIdFieldEvent {
    field: '$.fileId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FileRequestIndexFieldEvent {
    field: '$.index'
    value: number
  }

  export function encode (obj: Partial<FileRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FileRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FileRequest>): FileRequest {
    return decodeMessage(buf, FileRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FileRequest>): Generator<FileRequestKindFieldEvent | FileRequestFileIdFieldEvent | FileRequestIndexFieldEvent> {
    return streamMessage(buf, FileRequest.codec(), opts)
  }
}

export enum FileResponseKind {
  HAVE = 'HAVE',
  CHUNK = 'CHUNK',
  HAVE_ONE = 'HAVE_ONE',
  DONT_HAVE = 'DONT_HAVE',
  REFUSED = 'REFUSED'
}

enum __FileResponseKindValues {
  HAVE = 0,
  CHUNK = 1,
  HAVE_ONE = 2,
  DONT_HAVE = 3,
  REFUSED = 4
}

export namespace FileResponseKind {
  export const codec = (): Codec<FileResponseKind> => {
    return enumeration<FileResponseKind>(__FileResponseKindValues)
  }
}

export interface FileResponse {
  kind: FileResponseKind
  bitfield: Uint8Array<ArrayBuffer>
  index: number
  chunk: Uint8Array<ArrayBuffer>
  proof: Uint8Array<ArrayBuffer>
  reason: string
}

export namespace FileResponse {
  let _codec: Codec<FileResponse>

  export const codec = (): Codec<FileResponse> => {
    if (_codec == null) {
      _codec = message<FileResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.kind != null && __FileResponseKindValues[obj.kind] !== 0) {
          w.uint32(8)
          FileResponseKind.codec().encode(obj.kind, w)
        }

        if ((obj.bitfield != null && obj.bitfield.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.bitfield)
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(24)
          w.uint32(obj.index)
        }

        if ((obj.chunk != null && obj.chunk.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.chunk)
        }

        if ((obj.proof != null && obj.proof.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.proof)
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(50)
          w.string(obj.reason)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: FileResponseKind.HAVE,
          bitfield: uint8ArrayAlloc(0),
          index: 0,
          chunk: uint8ArrayAlloc(0),
          proof: uint8ArrayAlloc(0),
          reason: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.kind = FileResponseKind.codec().decode(reader)
              break
            }
            case 2: {
              obj.bitfield = reader.bytes()
              break
            }
            case 3: {
              obj.index = reader.uint32()
              break
            }
            case 4: {
              obj.chunk = reader.bytes()
              break
            }
            case 5: {
              obj.proof = reader.bytes()
              break
            }
            case 6: {
              obj.reason = reader.string()
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
                field: `${prefix}.kind`,
                value: FileResponseKind.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.bitfield`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.index`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.chunk`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.proof`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.reason`,
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

  export interface FileResponseKindFieldEvent {
    field: '$.kind'
    value: FileResponseKind
  }

  export interface FileResponseBitfieldFieldEvent {
    field: '$.bitfield'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FileResponseIndexFieldEvent {
    field: '$.index'
    value: number
  }

  export interface FileResponseChunkFieldEvent {
    field: '$.chunk'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FileResponseProofFieldEvent {
    field: '$.proof'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FileResponseReasonFieldEvent {
    field: '$.reason'
    value: string
  }

  export function encode (obj: Partial<FileResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FileResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FileResponse>): FileResponse {
    return decodeMessage(buf, FileResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FileResponse>): Generator<FileResponseKindFieldEvent | FileResponseBitfieldFieldEvent | FileResponseIndexFieldEvent | FileResponseChunkFieldEvent | FileResponseProofFieldEvent | FileResponseReasonFieldEvent> {
    return streamMessage(buf, FileResponse.codec(), opts)
  }
}
