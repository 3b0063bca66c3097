/**
 * Delivery state of a message, derived from how many member devices acknowledged it and whether
 * every other member account has sent a read receipt (READ) covering it.
 */

/** What a person sees next to a message. */
export type DeliveryState = 'pending' | 'sending' | 'sent' | 'delivered' | 'read' | 'received'

/** Own messages' states from least to most advanced: pending < sending < sent < delivered < read. */
export const OWN_DELIVERY_ORDER: readonly DeliveryState[] = ['pending', 'sending', 'sent', 'delivered', 'read']

/**
 * Own messages: `pending` while the conversation has nobody to send to yet, `sending` until a device
 * acknowledges, `sent` once some have, `delivered` once all have, and `read` once every other
 * member account has read it (`readByAll`; reading implies receipt, so it wins over the ack count).
 * Others' messages are `received`.
 */
export function deliveryState (own: boolean, recipients: number, acknowledged: number, readByAll = false): DeliveryState {
  if (!own) return 'received'
  if (recipients === 0) return 'pending'
  if (readByAll) return 'read'
  if (acknowledged === 0) return 'sending'
  return acknowledged >= recipients ? 'delivered' : 'sent'
}
