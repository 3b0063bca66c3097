/**
 * A mailbox's secrets, made by the device that owns it, one set per mailbox node so that two nodes
 * cannot link the mailboxes of one device (docs/SECURITY.md, "Mailbox nodes"):
 * - the mailbox id names the mailbox at its node;
 * - the fetch token lets the owner read and delete; the node keeps only its hash;
 * - the deposit token admits depositors. The owner hands it to the members of its conversations
 *   inside MLS, so only they can deposit; the node keeps only its hash.
 */
import { abytes, randomBytes, sha256 } from '../bytes.ts'

/** Bytes of a mailbox id and of each token. */
export const MAILBOX_SECRET_BYTES = 32

/** The owner's view of one mailbox at one node. */
export interface MailboxCredentials {
  readonly mailboxId: Uint8Array
  readonly fetchToken: Uint8Array
  readonly depositToken: Uint8Array
}

/** Fresh random credentials for a mailbox at a new node. */
export function newMailboxCredentials (): MailboxCredentials {
  return { mailboxId: randomBytes(MAILBOX_SECRET_BYTES), fetchToken: randomBytes(MAILBOX_SECRET_BYTES), depositToken: randomBytes(MAILBOX_SECRET_BYTES) }
}

/** What a node stores in place of a token: SHA-256 of it. */
export async function tokenHash (token: Uint8Array): Promise<Uint8Array> {
  abytes(token, 'mailbox token', { length: MAILBOX_SECRET_BYTES })
  return await sha256(token)
}
