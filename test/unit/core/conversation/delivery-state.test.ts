import { describe, expect, it } from 'vitest'
import { deliveryState, OWN_DELIVERY_ORDER } from '../../../../src/core/conversation/delivery-state.ts'

describe('deliveryState', () => {
  it('shows others’ messages as received, whatever the counts', () => {
    expect(deliveryState(false, 0, 0)).toBe('received')
    expect(deliveryState(false, 3, 1)).toBe('received')
  })

  it('shows an own message as pending while there is nobody to send to', () => {
    expect(deliveryState(true, 0, 0)).toBe('pending')
  })

  it('shows an own message as sending until a device acknowledges', () => {
    expect(deliveryState(true, 1, 0)).toBe('sending')
    expect(deliveryState(true, 5, 0)).toBe('sending')
  })

  it('shows an own message as sent once some but not all devices acknowledged', () => {
    expect(deliveryState(true, 5, 1)).toBe('sent')
    expect(deliveryState(true, 5, 4)).toBe('sent')
  })

  it('shows an own message as delivered once every device acknowledged', () => {
    expect(deliveryState(true, 1, 1)).toBe('delivered')
    expect(deliveryState(true, 5, 5)).toBe('delivered')
  })

  it('shows an own message as stored once every device acknowledged or has a copy waiting in a mailbox', () => {
    expect(deliveryState(true, 1, 0, false, 1)).toBe('stored')
    expect(deliveryState(true, 3, 1, false, 2)).toBe('stored')
    // Some devices neither acknowledged nor have a copy in a mailbox: only sent.
    expect(deliveryState(true, 3, 0, false, 1)).toBe('sent')
    // Every device acknowledged: delivered, whatever waits in mailboxes.
    expect(deliveryState(true, 2, 2, false, 1)).toBe('delivered')
  })

  it('stays delivered when a member left after acknowledging', () => {
    expect(deliveryState(true, 2, 3)).toBe('delivered')
  })
})

describe('deliveryState with read receipts', () => {
  it('shows an own message as read once every other member read it, whatever the acks say', () => {
    expect(deliveryState(true, 2, 2, true)).toBe('read')
    expect(deliveryState(true, 2, 0, true)).toBe('read')
  })

  it('never shows a message nobody was sent, or someone else’s, as read', () => {
    expect(deliveryState(true, 0, 0, true)).toBe('pending')
    expect(deliveryState(false, 1, 1, true)).toBe('received')
  })

  it('orders own states pending < sending < sent < stored < delivered < read', () => {
    expect(OWN_DELIVERY_ORDER).toEqual(['pending', 'sending', 'sent', 'stored', 'delivered', 'read'])
  })
})
