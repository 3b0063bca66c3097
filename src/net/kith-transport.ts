/**
 * The messenger's {@link Transport}, implemented over libp2p: addresses from the node, delivery
 * through the {@link DeliveryService}, KeyPackages through `/kith/key-package/1.0.0`.
 */
import type { Libp2p } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Transport } from '../core/messenger/ports.ts'
import type { CountsAsLink } from './inbound-webrtc-check.ts'
import type { DeliveryService } from './protocols/deliver.ts'
import { fetchKeyPackage } from './protocols/key-package.ts'
import { storePeerAddresses } from './peer-addresses.ts'

/** Binds the messenger to a running libp2p node. */
export class Libp2pTransport implements Transport {
  delivery: DeliveryService | undefined
  /** Which connections may carry a KeyPackage request (`InboundWebRtcCheck.counts`); every one until set. */
  counts: CountsAsLink = () => true
  /**
   * Where else a KeyPackage may come from when the device does not answer (its directory record,
   * so a first contact needs it not to be online); its failure leaves the device's own error thrown.
   */
  keyPackageFallback: ((peerId: string) => Promise<{ keyPackage: Uint8Array, card: Uint8Array }>) | undefined

  constructor (private readonly libp2p: Libp2p) {}

  listenAddrs (): string[] {
    const self = this.libp2p.peerId.toString()
    return compactAddrs(this.libp2p.getMultiaddrs().map((ma) => ma.toString().replace(`/p2p/${self}`, '')))
  }

  notify (peerId: string): void {
    this.delivery?.notify(peerId)
  }

  async addAddresses (peerId: string, addrs: readonly string[]): Promise<void> {
    await storePeerAddresses(this.libp2p, peerId, addrs, 'merge')
  }

  async fetchKeyPackage (peerId: string): Promise<{ keyPackage: Uint8Array, card: Uint8Array }> {
    try {
      const response = await fetchKeyPackage(this.libp2p, peerIdFromString(peerId), undefined, this.counts)
      return { keyPackage: response.keyPackage, card: response.card }
    } catch (err) {
      if (this.keyPackageFallback === undefined) throw err
      try {
        return await this.keyPackageFallback(peerId)
      } catch {
        throw err
      }
    }
  }
}

/**
 * The addresses worth handing out, in order: direct ones first, then, for each relay, one plain
 * relayed address and one relayed WebRTC address (the relay's TCP address if it has one). A relay
 * reachable on several transports would otherwise fill an invite's 16 addresses on its own.
 */
export function compactAddrs (addrs: readonly string[]): string[] {
  const unique = [...new Set(addrs)]
  const direct = unique.filter((a) => !a.includes('/p2p-circuit'))
  const relayed = new Map<string, string>()
  const rank = (a: string): number => (a.includes('/webrtc-direct') ? 2 : a.includes('/ws') ? 1 : 0)
  for (const a of unique.filter((x) => x.includes('/p2p-circuit'))) {
    const [relayAddr = '', rest = ''] = a.split('/p2p-circuit')
    const key = `${relayAddr.split('/p2p/').pop() ?? relayAddr}${rest}`
    const held = relayed.get(key)
    if (held === undefined || rank(a) < rank(held)) relayed.set(key, a)
  }
  return [...direct, ...relayed.values()]
}
