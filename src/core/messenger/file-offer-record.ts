/**
 * A file offer as this device keeps it: the manifest (with its key) and the conversation and
 * message it came in, stored as meta rows beside the FILE message (docs/ARCHITECTURE.md, "Files"),
 * and the public part history shows. Loaded on first use, with the manifest codec (browser JS
 * budget): only a device that meets a file needs it.
 */
import { fromHex, fromUtf8, toHex, utf8 } from '../bytes.ts'
import { decodeManifest, encodeManifest, fileIdHex, validateManifest, type FileManifest } from '../files/manifest.ts'
import { validateText } from '../conversation/payload.ts'
import { ValidationError } from '../errors.ts'
import type { MessageRow, Store, Write } from './store.ts'

/** Meta key prefix of a stored offer, by file id (hex). */
const OFFER_META = 'file.offer.'
/** Meta key prefix mapping a FILE message id to its file id. */
const MESSAGE_META = 'file.message.'

/** What history and the API show of a file: everything but the key and the Merkle root. */
export interface FileOut {
  /** 32 lowercase hex digits. */
  readonly fileId: string
  readonly name: string
  readonly size: number
  readonly mimeType: string
  readonly chunkSize: number
  /** MIME type of the encrypted thumbnail the offer carries, if any. */
  readonly thumbnailType?: string
}

/** A stored offer: the manifest (with its key) and where it was offered. */
export interface FileOfferRecord {
  readonly messageId: string
  readonly groupId: string
  readonly senderIdentity: string
  readonly senderDevice: string
  readonly caption: string
  readonly sentAt: number
  readonly manifest: FileManifest
}

interface StoredRecord { messageId: string, groupId: string, senderIdentity: string, senderDevice: string, caption: string, sentAt: number, offer: string }

/** The writes that keep an offer. */
export function offerWrites (record: FileOfferRecord): Write[] {
  const id = fileIdHex(record.manifest.fileId)
  const stored: StoredRecord = {
    messageId: record.messageId,
    groupId: record.groupId,
    senderIdentity: record.senderIdentity,
    senderDevice: record.senderDevice,
    caption: record.caption,
    sentAt: record.sentAt,
    offer: toHex(encodeManifest(record.manifest))
  }
  return [
    { kind: 'meta', key: OFFER_META + id, value: utf8(JSON.stringify(stored)) },
    { kind: 'meta', key: MESSAGE_META + record.messageId, value: utf8(id) }
  ]
}

/** What is left of an offer its sender withdrew: no key, no manifest (PROTOCOL.md §9.6). */
interface WithdrawnRecord { withdrawn: true, messageId: string, groupId: string }

/**
 * The writes that forget a withdrawn offer's key and manifest (its FILE message was deleted for
 * everyone). A tombstone stays under the file id, so the same offer is never taken up again.
 */
export function withdrawWrites (record: FileOfferRecord): Write[] {
  return tombstoneWrites(fileIdHex(record.manifest.fileId), record.messageId, record.groupId)
}

function tombstoneWrites (fileId: string, messageId: string, groupId: string): Write[] {
  const tombstone: WithdrawnRecord = { withdrawn: true, messageId, groupId }
  return [{ kind: 'meta', key: OFFER_META + fileId, value: utf8(JSON.stringify(tombstone)) }]
}

/** What is stored under a file id (by its hex id): the offer, its tombstone, or nothing. */
async function readStored (store: Store, fileId: string): Promise<StoredRecord | WithdrawnRecord | undefined> {
  if (!/^[0-9a-f]{32}$/.test(fileId)) return undefined
  const bytes = await store.getMeta(OFFER_META + fileId)
  return bytes === undefined ? undefined : JSON.parse(fromUtf8(bytes)) as StoredRecord | WithdrawnRecord
}

/** A FILE message's file as a backup keeps it: its id, and its encoded offer (key included) unless it was withdrawn. */
export async function backupFileOfMessage (store: Store, messageId: string): Promise<{ fileId: Uint8Array, offer: Uint8Array } | undefined> {
  const id = await store.getMeta(MESSAGE_META + messageId)
  if (id === undefined) return undefined
  const fileId = fromUtf8(id)
  const s = await readStored(store, fileId)
  if (s === undefined) return undefined
  return { fileId: fromHex(fileId), offer: 'withdrawn' in s ? new Uint8Array() : fromHex(s.offer) }
}

/** An encoded offer without its thumbnail (a backup past its thumbnail budget); the offer as it is when it has none. */
export function offerWithoutThumbnail (offer: Uint8Array): Uint8Array {
  const manifest = decodeManifest(offer)
  if (manifest.thumbnail === undefined) return offer
  const { thumbnail: _, ...rest } = manifest
  return encodeManifest(rest)
}

/**
 * The writes that restore a backed-up file beside its FILE message's row: the offer, where it was
 * offered taken from the row; or, for a withdrawn file (no offer), the tombstone. Throws naming the
 * file when the offer does not decode or is another file's.
 */
export function restoredFileWrites (row: MessageRow, fileId: string, offer: Uint8Array): Write[] {
  if (offer.length === 0) return [...tombstoneWrites(fileId, row.id, row.groupId), { kind: 'meta', key: MESSAGE_META + row.id, value: utf8(fileId) }]
  let manifest: FileManifest
  try {
    manifest = decodeManifest(offer)
  } catch (err) {
    throw new ValidationError(`backup contents: the offer of file ${fileId} does not decode`, { cause: err })
  }
  if (fileIdHex(manifest.fileId) !== fileId) throw new ValidationError(`backup contents: the offer listed as file ${fileId} is file ${fileIdHex(manifest.fileId)}`)
  return offerWrites({ messageId: row.id, groupId: row.groupId, senderIdentity: row.senderIdentity, senderDevice: row.senderDevice, caption: row.text, sentAt: row.sentAt, manifest })
}

/** Whether a file's offer was withdrawn here (only its tombstone is left). */
export async function fileOfferWithdrawn (store: Store, fileId: string): Promise<boolean> {
  const s = await readStored(store, fileId)
  return s !== undefined && 'withdrawn' in s
}

/** Whether a file id was ever offered here, withdrawn or not. */
export async function fileIdKnown (store: Store, fileId: string): Promise<boolean> {
  return await store.getMeta(OFFER_META + fileId) !== undefined
}

/** The stored offer of a file (by its hex id), or undefined (also once withdrawn). */
export async function readFileOffer (store: Store, fileId: string): Promise<FileOfferRecord | undefined> {
  const s = await readStored(store, fileId)
  if (s === undefined || 'withdrawn' in s) return undefined
  return { messageId: s.messageId, groupId: s.groupId, senderIdentity: s.senderIdentity, senderDevice: s.senderDevice, caption: s.caption, sentAt: s.sentAt, manifest: decodeManifest(fromHex(s.offer)) }
}

/** The stored offer a FILE message carried, or undefined. */
export async function readFileOfferOfMessage (store: Store, messageId: string): Promise<FileOfferRecord | undefined> {
  const id = await store.getMeta(MESSAGE_META + messageId)
  return id === undefined ? undefined : await readFileOffer(store, fromUtf8(id))
}

/** The public part of a manifest, as history shows it. */
export function describeFile (manifest: FileManifest): FileOut {
  return {
    fileId: fileIdHex(manifest.fileId),
    name: manifest.name,
    size: manifest.size,
    mimeType: manifest.mimeType,
    chunkSize: manifest.chunkSize,
    ...(manifest.thumbnail !== undefined ? { thumbnailType: manifest.thumbnail.type } : {})
  }
}


/** A manifest's file id as lowercase hex. */
export function fileIdOf (manifest: FileManifest): string {
  return fileIdHex(manifest.fileId)
}

/** Decodes and checks the offer a FILE payload carries (PROTOCOL.md §9.1); throws naming what is wrong. */
export function decodeFileOffer (bytes: Uint8Array): FileManifest {
  return decodeManifest(bytes)
}

/** Encodes an offer for a FILE payload, checking it and its caption first. */
export function encodeFileOffer (manifest: FileManifest, caption: string): Uint8Array {
  validateManifest(manifest)
  if (caption !== '') validateText(caption)
  return encodeManifest(manifest)
}
