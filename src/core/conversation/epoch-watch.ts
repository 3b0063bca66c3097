/**
 * Which conversations moved to a new MLS epoch since last seen. Every change of members (an add, a
 * removal, a device let back in after a restore) starts a new epoch, so a new epoch is when who may
 * serve a file can have changed; most conversation events (a new message, a rename) keep the epoch.
 */
export class EpochWatch {
  private readonly seen = new Map<string, number>()

  /** Notes a conversation's epoch as seen, unless one is already noted: the list at start, so its first event is no change. */
  seed (conversation: { readonly id: string, readonly epoch: number }): void {
    if (!this.seen.has(conversation.id)) this.seen.set(conversation.id, conversation.epoch)
  }

  /** Whether the conversation's epoch differs from the last one seen for it (true for one never seen). */
  changed (conversation: { readonly id: string, readonly epoch: number }): boolean {
    const before = this.seen.get(conversation.id)
    this.seen.set(conversation.id, conversation.epoch)
    return before !== conversation.epoch
  }
}
