/**
 * Delivery state of a message, derived from how many member devices acknowledged it.
 */

/** What a person sees next to a message. */
export type DeliveryState = 'pending' | 'sending' | 'sent' | 'delivered' | 'received'

/**
 * Own messages: `pending` while the conversation has nobody to send to yet, `sending` until a device
 * acknowledges, `sent` once some have, `delivered` once all have. Others' messages are `received`.
 */
export function deliveryState (own: boolean, recipients: number, acknowledged: number): DeliveryState {
  if (!own) return 'received'
  if (recipients === 0) return 'pending'
  if (acknowledged === 0) return 'sending'
  return acknowledged >= recipients ? 'delivered' : 'sent'
}
