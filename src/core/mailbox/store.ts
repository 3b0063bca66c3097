/**
 * The port behind which a mailbox node keeps its mailboxes (src/store/mailbox-sqlite.node.ts).
 * Every method checks tokens and quotas and changes nothing unless it succeeds; a method that
 * returns has made its change durable.
 */
import type { MailboxQuotas } from './limits.ts'

/** A frame waiting in a mailbox. */
export interface MailboxEntryRow {
  readonly seq: number
  readonly frame: Uint8Array
  readonly expiresAt: number
  /** The peer id that deposited it. */
  readonly depositor: string
}

/** Why an operation was refused: the protocol's statuses other than OK. */
export type MailboxRefusal = 'refused' | 'over-quota'

/** The outcome of an operation: a value, or a refusal with a sentence naming what was wrong. */
export type MailboxResult<T> = { readonly ok: true, readonly value: T } | { readonly ok: false, readonly refusal: MailboxRefusal, readonly error: string }

/** Mailboxes of one node. Ids and hashes are 32 bytes; times are ms since the Unix epoch. */
export interface MailboxStore {
  /**
   * Creates a mailbox, or re-keys its deposit hash when `fetchHash` matches the stored one
   * (the owner proving it holds the fetch token). Refused if the id exists with another fetch hash.
   */
  open (mailboxId: Uint8Array, fetchHash: Uint8Array, depositHash: Uint8Array, now: number): MailboxResult<{ depth: number }>
  /**
   * Stores a frame for `depositor` (a peer id) if its deposit hash matches and no quota is exceeded.
   * The same frame deposited twice keeps its first entry (and its seq).
   */
  deposit (mailboxId: Uint8Array, depositHash: Uint8Array, depositor: string, frame: Uint8Array, expiresAt: number, now: number): MailboxResult<{ seq: number, depth: number }>
  /** Entries after `after`, oldest first, within the byte and count limits; expired ones are gone. */
  fetch (mailboxId: Uint8Array, fetchHash: Uint8Array, after: number, now: number, limits: { entries: number, bytes: number }): MailboxResult<{ entries: MailboxEntryRow[], more: boolean, depth: number }>
  /** Deletes entries the owner has stored. Unknown seqs are ignored (an ack may be repeated). */
  ack (mailboxId: Uint8Array, fetchHash: Uint8Array, seqs: readonly number[], now: number): MailboxResult<{ depth: number }>
  /** Entries waiting in each mailbox, for `kith status`. */
  depths (): Array<{ mailboxId: Uint8Array, depth: number, bytes: number }>
  /** Deletes expired entries; returns how many. */
  sweep (now: number): number
  readonly quotas: MailboxQuotas
  close (): void
}
