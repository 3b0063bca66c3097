/**
 * What a user does in a conversation: send a message or a reply, edit or delete one of their own,
 * react, mark the conversation read, say they are typing, leave a group, and the read-receipt
 * setting that governs READs.
 */
import { fromHex } from '../bytes.ts'
import { NotFoundError, UsageError, ValidationError } from '../errors.ts'
import { MESSAGE_ID_LENGTH, validateReaction, validateText } from '../conversation/payload.ts'
import { ACTION_TARGET_KINDS } from '../conversation/message-fold.ts'
import { SUMMARY_WINDOW } from './conversation-summary.ts'
import type { Conversations } from './conversations.ts'
import type { Engine } from './engine.ts'
import type { FileOffers } from './files.ts'
import type { ConversationView, MessengerSettings, SendOptions } from './events.ts'
import type { MessageOut } from './message-view.ts'
import type { Sender } from './sender.ts'
import type { MessageView } from './store.ts'
import type { Views } from './views.ts'

/** One device's user actions on messages and conversations. */
/** Checks a client-chosen message id: MESSAGE_ID_LENGTH bytes as lowercase hex. */
function checkClientMessageId (id: string): string {
  if (!new RegExp(`^[0-9a-f]{${MESSAGE_ID_LENGTH * 2}}$`).test(id)) throw new ValidationError(`a message id is ${MESSAGE_ID_LENGTH * 2} lowercase hex digits, got "${id.slice(0, 40)}"`)
  return id
}

export class MessageActions {
  private readonly typingSentAt = new Map<string, number>()
  /** Per conversation: the id of the last TYPING queued, whose outbox rows the next one replaces. */
  private readonly typingQueued = new Map<string, string>()

  constructor (
    private readonly engine: Engine, private readonly views: Views, private readonly sender: Sender, private readonly conversations: Conversations,
    private readonly files: FileOffers
  ) {}

  /** Sends a text message (or a reply); resolves once it is stored and queued for every recipient. */
  async send (target: string, text: string, options: SendOptions = {}): Promise<MessageOut> {
    const { engine } = this
    validateText(text)
    const clientId = options.id === undefined ? undefined : checkClientMessageId(options.id)
    const groupId = await this.conversations.resolveTarget(target)
    const replyTo = options.replyTo === undefined ? undefined : await this.requireMessage(groupId, options.replyTo)
    const outcome = await engine.withLock(groupId, async () => {
      // Under the lock, so that two copies of one request cannot both store a message.
      if (clientId !== undefined) {
        const earlier = await engine.store.getMessage(clientId)
        if (earlier !== undefined) return { earlier }
      }
      return {
        row: await this.sender.sendLocked(groupId, {
          kind: 'text', text, ...(replyTo !== undefined ? { target: fromHex(replyTo.id) } : {}), ...(clientId !== undefined ? { id: fromHex(clientId) } : {})
        }, true)
      }
    })
    if (outcome.earlier !== undefined) return await this.repeatedSend(groupId, outcome.earlier, text)
    const row = outcome.row
    // Sends made while this one waits share its commit.
    await engine.store.durable()
    const view = await this.views.announceNewText({ ...row, acknowledged: 0 })
    await engine.yieldToIo()
    return view
  }

  /** Replaces the text (a file's caption) of one of your own messages for everyone (an EDIT); returns its new view. */
  async edit (target: string, messageId: string, text: string): Promise<MessageOut> {
    validateText(text)
    const groupId = await this.conversations.resolveTarget(target)
    const m = await this.requireOwnLiveMessage(groupId, messageId, 'edit')
    await this.engine.withLock(groupId, async () => await this.sender.sendLocked(groupId, { kind: 'edit', text, target: fromHex(m.id) }))
    return await this.views.announceChange(groupId, m.id, true)
  }

  /**
   * Deletes one of your own messages for everyone (a DELETE); returns its new view. A file message
   * takes its file with it: the offer's key is forgotten in the same commit, and every device
   * stops serving the file and deletes its chunks (PROTOCOL.md §9.6).
   */
  async deleteMessage (target: string, messageId: string): Promise<MessageOut> {
    const groupId = await this.conversations.resolveTarget(target)
    const m = await this.requireOwnLiveMessage(groupId, messageId, 'delete')
    const withdrawn = await this.engine.withLock(groupId, async () => {
      const withdrawal = m.kind === 'file' ? await this.files.withdrawLocked(m.id) : undefined
      await this.sender.sendLocked(groupId, { kind: 'delete', text: '', target: fromHex(m.id) }, false, withdrawal?.writes ?? [])
      return withdrawal
    })
    const view = await this.views.announceChange(groupId, m.id, true)
    if (withdrawn !== undefined) this.files.announceWithdrawn(withdrawn)
    return view
  }

  /** Sets your reaction to a message (one per account; '' removes it); returns the message's new view. */
  async react (target: string, messageId: string, emoji: string): Promise<MessageOut> {
    if (emoji !== '') validateReaction(emoji)
    const groupId = await this.conversations.resolveTarget(target)
    const m = await this.requireMessage(groupId, messageId)
    if ((await this.views.viewOf(groupId, m)).deleted) throw new UsageError(`message ${m.id.slice(0, 8)} was deleted; it takes no reactions`)
    await this.engine.withLock(groupId, async () => await this.sender.sendLocked(groupId, { kind: 'reaction', text: emoji, target: fromHex(m.id) }))
    return await this.views.announceChange(groupId, m.id, false)
  }

  /**
   * Marks a conversation read up to its newest message (for unread counts) and, when read receipts
   * are on and something newer came from others, tells them with a READ.
   */
  async markRead (target: string): Promise<ConversationView> {
    const { engine } = this
    const groupId = await this.conversations.resolveTarget(target)
    const moved = await engine.withLock(groupId, async () => {
      const group = await engine.load(groupId)
      if (group === undefined) return false
      const rows = await engine.store.listMessages(groupId, SUMMARY_WINDOW)
      // Text and file messages count as unread alike; a READ names the newest of them (§7.3), so a
      // photo read shows as read to its sender as a text does.
      const shown = rows.filter((m) => m.kind === 'text' || m.kind === 'file')
      const newest = shown.at(-1)
      const before = await engine.reads.ownPosition(groupId)
      if (newest === undefined || newest.lamport <= before) return false
      const writes = [engine.reads.ownPositionWrite(groupId, newest.lamport)]
      const fromOthers = shown.some((m) => m.senderIdentity !== engine.identity && m.lamport > before)
      if (fromOthers && group.row.active && await engine.reads.readReceipts()) {
        await this.sender.sendControlLocked(groupId, 'read', fromHex(newest.id), writes, false)
      } else {
        await engine.commit(writes)
      }
      engine.summaries.invalidate(groupId)
      return true
    })
    const group = (await engine.load(groupId))!
    return moved ? await this.views.announceConversation(group) : await this.views.conversationView(group)
  }

  /**
   * Tells the others you are typing (a TYPING). At most one is sent per conversation every
   * `typingIntervalMs`; returns false when this call was throttled or there is nobody to tell.
   */
  async typing (target: string): Promise<boolean> {
    const { engine } = this
    const groupId = await this.conversations.resolveTarget(target)
    const now = engine.clock.now()
    const last = this.typingSentAt.get(groupId)
    if (last !== undefined && now - last < (engine.options.typingIntervalMs ?? 3000) && now >= last) return false
    this.typingSentAt.set(groupId, now)
    return await engine.withLock(groupId, async () => {
      // A TYPING still queued for an offline device is stale once the next one is: replace it, so the queue stays short.
      const previous = this.typingQueued.get(groupId)
      const id = await this.sender.sendControlLocked(groupId, 'typing', undefined, previous === undefined ? [] : [{ kind: 'outbox-drop-message', messageId: previous }], true)
      if (id !== undefined) this.typingQueued.set(groupId, id)
      return id !== undefined
    })
  }

  /** Leaves a group: tells the members (a LEAVE), one of whom commits your removal, and stops taking part. */
  async leave (target: string): Promise<ConversationView> {
    const { engine } = this
    const group = await this.conversations.requireGroup(target)
    if (group.row.kind !== 'group') throw new UsageError('a 1:1 conversation cannot be left; only groups can')
    if (!group.row.active) throw new UsageError(`you are no longer a member of ${group.row.name}`)
    const groupId = group.row.id
    const updated = await engine.withLock(groupId, async () => {
      await this.sender.sendLocked(groupId, { kind: 'leave', text: '' })
      const current = (await engine.load(groupId))!
      const left = { ...current, row: { ...current.row, active: false } }
      await engine.commit([{ kind: 'group', row: left.row }], [left])
      return left
    })
    engine.log(`left group ${groupId.slice(0, 12)}`)
    return await this.views.announceConversation(updated)
  }

  /** This account's settings. */
  async settings (): Promise<MessengerSettings> {
    return { readReceipts: await this.engine.reads.readReceipts() }
  }

  /** Turns read receipts on or off: when off, no READ is sent and others' are not shown. */
  async setReadReceipts (enabled: boolean): Promise<MessengerSettings> {
    if (typeof enabled !== 'boolean') throw new ValidationError('read receipts are turned on or off with true or false')
    await this.engine.commit([this.engine.reads.readReceiptsWrite(enabled)])
    return await this.settings()
  }


  /** A send whose client-chosen id is already stored: the same message again, if it is the same request. */
  private async repeatedSend (groupId: string, earlier: MessageView, text: string): Promise<MessageOut> {
    if (!earlier.own || earlier.groupId !== groupId || earlier.kind !== 'text' || earlier.text !== text) {
      throw new UsageError(`message id ${earlier.id.slice(0, 8)} is already used by another message; choose a new id for a new message`)
    }
    return await this.views.messageOut(groupId, earlier)
  }

  /**
   * Finds a text or file message of a conversation by id or by a unique prefix of at least 6 hex
   * digits, or throws an error saying what was wrong.
   */
  private async requireMessage (groupId: string, ref: string): Promise<MessageView> {
    const { store } = this.engine
    if (typeof ref !== 'string' || !/^[0-9a-fA-F]{6,32}$/.test(ref)) throw new ValidationError(`message id must be 6 to 32 hex digits, got ${JSON.stringify(String(ref))}`)
    const wanted = ref.toLowerCase()
    if (wanted.length === 32) {
      const m = await store.getMessage(wanted)
      if (m === undefined || m.groupId !== groupId || !ACTION_TARGET_KINDS.has(m.kind)) throw new NotFoundError(`no message ${wanted.slice(0, 8)} in this conversation`)
      return m
    }
    const matches = (await store.listMessages(groupId)).filter((m) => ACTION_TARGET_KINDS.has(m.kind) && m.id.startsWith(wanted))
    if (matches.length > 1) throw new UsageError(`message id ${wanted} matches ${matches.length} messages; give more digits`)
    if (matches[0] === undefined) throw new NotFoundError(`no message ${wanted} in this conversation`)
    return matches[0]
  }

  /** A message you may edit or delete: your own, and not deleted. */
  private async requireOwnLiveMessage (groupId: string, ref: string, action: 'edit' | 'delete'): Promise<MessageView> {
    const m = await this.requireMessage(groupId, ref)
    if (m.senderIdentity !== this.engine.identity) throw new UsageError(`you can only ${action} your own messages; ${m.id.slice(0, 8)} is someone else's`)
    if ((await this.views.viewOf(groupId, m)).deleted) throw new UsageError(`message ${m.id.slice(0, 8)} was already deleted`)
    return m
  }
}
