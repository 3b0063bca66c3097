/**
 * Delivery state of a message, derived from how many member devices acknowledged it, how many of
 * the others' copies wait in a mailbox, and whether every other member account has sent a read
 * receipt (READ) covering it.
 */

/** What a person sees next to a message. */
export type DeliveryState = 'pending' | 'sending' | 'sent' | 'stored' | 'delivered' | 'read' | 'received'

/** Own messages' states from least to most advanced: pending < sending < sent < stored < delivered < read. */
export const OWN_DELIVERY_ORDER: readonly DeliveryState[] = ['pending', 'sending', 'sent', 'stored', 'delivered', 'read']

/**
 * Own messages: `pending` while the conversation has nobody to send to yet, `sending` until a device
 * acknowledges or a mailbox holds a copy, `sent` once some have, `stored` once every device has
 * either acknowledged or has its copy waiting in one of its mailboxes (`stored` counts those), `delivered`
 * once all have acknowledged, and `read` once every other member account has read it (`readByAll`;
 * reading implies receipt, so it wins over the ack count). Others' messages are `received`.
 */
export function deliveryState (own: boolean, recipients: number, acknowledged: number, readByAll = false, stored = 0): DeliveryState {
  if (!own) return 'received'
  if (recipients === 0) return 'pending'
  if (readByAll) return 'read'
  if (acknowledged >= recipients) return 'delivered'
  if (stored > 0 && acknowledged + stored >= recipients) return 'stored'
  return acknowledged + stored === 0 ? 'sending' : 'sent'
}
