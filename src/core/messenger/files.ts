/**
 * Files in conversations (docs/PROTOCOL.md §9.6–9.7): a FILE payload's offer is kept beside its
 * message row, so history shows it and it survives restarts; who may fetch a file's chunks (a
 * device of a current member of the conversation it was offered in); and which devices may serve
 * it. The messenger hands FILE payloads here; chunks never pass through the messenger (DESIGN.md §6).
 * The offer codec and its records are loaded on first use (browser JS budget).
 */
import { toHex } from '../bytes.ts'
import { NotFoundError, ValidationError } from '../errors.ts'
import { newMessageId, type Payload } from '../conversation/payload.ts'
import type { FileManifest } from '../files/manifest.ts'
import { peerIdToString } from '../identity/peer-id.ts'
import { listMembers } from '../mls/group.ts'
import type { Conversations } from './conversations.ts'
import type { Engine } from './engine.ts'
import { foldWindow, type MessageOut } from './message-view.ts'
import type { Sender } from './sender.ts'
import type { Write } from './store.ts'
import type { FileOfferRecord } from './file-offer-record.ts'

export type { FileOfferRecord, FileOut } from './file-offer-record.ts'

/** The offer codec and records, loaded once, when a file is first met. */
async function records (): Promise<typeof import('./file-offer-record.ts')> {
  return await import('./file-offer-record.ts')
}
import type { Views } from './views.ts'

/** One device's file offers: sending them, receiving them, and who may fetch what. */
export class FileOffers {
  constructor (
    private readonly engine: Engine, private readonly views: Views, private readonly sender: Sender, private readonly conversations: Conversations
  ) {}

  /**
   * Offers a sealed file (files/sealed-file.ts) in a conversation, with an optional caption;
   * resolves once the offer is stored and queued for every member device.
   */
  async send (target: string, manifest: FileManifest, caption = ''): Promise<MessageOut> {
    const { engine } = this
    const { encodeFileOffer, fileIdKnown, fileIdOf, offerWrites } = await records()
    const file = encodeFileOffer(manifest, caption)
    const groupId = await this.conversations.resolveTarget(target)
    const id = newMessageId()
    const record: FileOfferRecord = {
      messageId: toHex(id), groupId, senderIdentity: engine.identity, senderDevice: engine.account.peerId, caption, sentAt: engine.clock.now(), manifest
    }
    const row = await engine.withLock(groupId, async () => {
      if (await fileIdKnown(engine.store, fileIdOf(manifest))) throw new ValidationError('this file was offered already; seal it again for a new offer')
      return await this.sender.sendLocked(groupId, { kind: 'file', text: caption, id, file }, false, offerWrites(record))
    })
    return await this.views.announceNewText({ ...row, acknowledged: 0 })
  }

  /**
   * Checks the offer a received FILE payload carries (PROTOCOL.md §9.1); throws naming what is
   * wrong, and the payload is then rejected like any other that breaks §7.
   */
  async check (payload: Payload): Promise<void> {
    if (payload.kind !== 'file') return
    const { decodeFileOffer } = await records()
    decodeFileOffer(payload.file ?? new Uint8Array())
  }

  /**
   * The writes that keep a received offer (checked by {@link check}), under the conversation's
   * lock; `refused` when the file id is already known (a replayed or colliding offer must not take
   * over another's file).
   */
  async receivedLocked (groupId: string, messageId: string, senderIdentity: string, senderDevice: string, payload: Payload): Promise<{ writes: Write[] } | { refused: string }> {
    const { decodeFileOffer, fileIdKnown, fileIdOf, offerWrites } = await records()
    const manifest = decodeFileOffer(payload.file ?? new Uint8Array())
    if (await fileIdKnown(this.engine.store, fileIdOf(manifest))) return { refused: `file ${fileIdOf(manifest)} was offered already` }
    return { writes: offerWrites({ messageId, groupId, senderIdentity, senderDevice, caption: payload.text, sentAt: payload.sentAt, manifest }) }
  }

  /**
   * The writes that withdraw the file a FILE message offered, for the commit that stores its
   * DELETE (PROTOCOL.md §9.6), and its file id to announce once that commit is durable (see
   * {@link announceWithdrawn}); nothing when this device holds no offer for it.
   */
  async withdrawLocked (messageId: string): Promise<{ writes: Write[], fileId: string, groupId: string } | undefined> {
    const { fileIdOf, readFileOfferOfMessage, withdrawWrites } = await records()
    const record = await readFileOfferOfMessage(this.engine.store, messageId)
    if (record === undefined) return undefined
    return { writes: withdrawWrites(record), fileId: fileIdOf(record.manifest), groupId: record.groupId }
  }

  /** Tells the apps a file was withdrawn: each stops fetching and serving it and deletes its chunks. */
  announceWithdrawn (withdrawn: { fileId: string, groupId: string }): void {
    this.engine.log(`file ${withdrawn.fileId} was withdrawn (its message was deleted for everyone)`)
    this.engine.emit({ type: 'file-withdrawn', conversation: withdrawn.groupId, fileId: withdrawn.fileId })
  }

  /** Whether a file's offer was withdrawn here (its FILE message deleted for everyone). */
  async withdrawn (fileId: string): Promise<boolean> {
    return await (await records()).fileOfferWithdrawn(this.engine.store, fileId.toLowerCase())
  }

  /** The offer of a file by its hex id; throws NotFoundError if this device holds none. */
  async offer (fileId: string): Promise<FileOfferRecord> {
    const record = await (await records()).readFileOffer(this.engine.store, fileId.toLowerCase())
    if (record === undefined) throw new NotFoundError(`no file ${fileId.slice(0, 32)} was offered in any of your conversations`)
    return record
  }

  /** Every file offered in a conversation and not withdrawn, oldest first, each with its caption as last edited. */
  async list (target: string): Promise<FileOfferRecord[]> {
    const groupId = await this.conversations.resolveTarget(target)
    const rows = await this.engine.store.listMessages(groupId)
    const files = rows.filter((r) => r.kind === 'file')
    if (files.length === 0) return []
    const { readFileOfferOfMessage } = await records()
    const found = await Promise.all(files.map(async (r) => await readFileOfferOfMessage(this.engine.store, r.id)))
    const folded = foldWindow(groupId, rows)
    return found.filter((r) => r !== undefined).map((r) => ({ ...r, caption: folded.get(r.messageId)?.text ?? r.caption }))
  }

  /**
   * Whether `peerId` may fetch chunks of a file: it is a device of a current member of the
   * conversation the file was offered in, and this device still takes part in it.
   */
  async mayFetch (peerId: string, fileId: string): Promise<boolean> {
    const record = await (await records()).readFileOffer(this.engine.store, fileId)
    if (record === undefined) return false
    const group = await this.engine.load(record.groupId)
    if (group === undefined || !group.row.active) return false
    return listMembers(group.state).some((m) => peerIdToString(m.certificate.peerId) === peerId)
  }

  /** Devices that may hold a file's chunks: the current member devices but this one, the sender's first; none once this device left or was removed. */
  async sourcesOf (fileId: string): Promise<string[]> {
    return (await this.sourcesState(fileId)).sources
  }

  /**
   * {@link sourcesOf}, and whether the file's conversation is still rejoining after a restore (no
   * member has let this device back in, so there are no sources yet but there will be), both read
   * under one look at the conversation.
   */
  async sourcesState (fileId: string): Promise<{ sources: string[], rejoining: boolean }> {
    const record = await this.offer(fileId)
    const group = await this.engine.load(record.groupId)
    if (group === undefined || !group.row.active) return { sources: [], rejoining: false }
    const rejoining = await this.engine.rejoins.get(group.row.id) !== undefined
    const devices = this.engine.recipientsOf(group.state)
    return { sources: [...devices.filter((d) => d === record.senderDevice), ...devices.filter((d) => d !== record.senderDevice)], rejoining }
  }
}
