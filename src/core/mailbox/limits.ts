/**
 * What one mailbox node holds at most (docs/PROTOCOL.md §5.4). A deposit over a quota is refused
 * with OVER_QUOTA, so the depositor keeps its frame and tries the recipient's other mailboxes.
 */

/** Longest time a frame may wait in a mailbox: 14 days. */
export const MAX_TTL_SECONDS = 14 * 24 * 60 * 60
/** Largest frame a mailbox takes: a Deliver frame at its largest (one MLS message plus envelope). */
export const MAX_MAILBOX_FRAME = 1024 * 1024 + 8 * 1024
/** Largest request or response frame on the stream: one frame plus the request's own fields. */
export const MAX_MAILBOX_MESSAGE = MAX_MAILBOX_FRAME + 4 * 1024
/** Bytes of entries one FETCH answer carries, at most (one entry always goes). */
export const FETCH_BYTES = 1024 * 1024
/** Entries one FETCH answer carries, at most. */
export const FETCH_ENTRIES = 256
/** Entries one ACK may delete. */
export const MAX_ACK_SEQS = 1024

/** The quotas a mailbox node enforces. */
export interface MailboxQuotas {
  /** Entries one mailbox (one recipient device) holds at most. */
  readonly entriesPerMailbox: number
  /** Bytes of frames one mailbox holds at most. */
  readonly bytesPerMailbox: number
  /** Entries one depositor (by libp2p peer id) has waiting across all mailboxes of the node. */
  readonly entriesPerDepositor: number
  /** Bytes one depositor has waiting across all mailboxes of the node. */
  readonly bytesPerDepositor: number
  /** Mailboxes the node holds at most. */
  readonly mailboxes: number
}

/** Kith's default quotas: a month of heavy chat for a device, and no single depositor can fill a node. */
export const DEFAULT_QUOTAS: MailboxQuotas = {
  entriesPerMailbox: 10_000,
  bytesPerMailbox: 64 * 1024 * 1024,
  entriesPerDepositor: 5_000,
  bytesPerDepositor: 32 * 1024 * 1024,
  mailboxes: 10_000
}
