/**
 * The messenger's {@link Transport}, implemented over libp2p: addresses from the node, delivery
 * through the {@link DeliveryService}, KeyPackages through `/kith/key-package/1.0.0`.
 */
import type { Libp2p } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Transport } from '../core/messenger/ports.ts'
import type { DeliveryService } from './protocols/deliver.ts'
import { fetchKeyPackage } from './protocols/key-package.ts'

/** Binds the messenger to a running libp2p node. */
export class Libp2pTransport implements Transport {
  delivery: DeliveryService | undefined

  constructor (private readonly libp2p: Libp2p) {}

  listenAddrs (): string[] {
    const self = this.libp2p.peerId.toString()
    return this.libp2p.getMultiaddrs()
      .map((ma) => ma.toString().replace(`/p2p/${self}`, ''))
      .filter((a, i, all) => all.indexOf(a) === i)
  }

  notify (peerId: string): void {
    this.delivery?.notify(peerId)
  }

  async addAddresses (peerId: string, addrs: readonly string[]): Promise<void> {
    const multiaddrs = []
    for (const a of addrs) {
      try { multiaddrs.push(multiaddr(a)) } catch { /* skip an address we cannot parse */ }
    }
    if (multiaddrs.length === 0) return
    await this.libp2p.peerStore.merge(peerIdFromString(peerId), { multiaddrs })
  }

  async fetchKeyPackage (peerId: string): Promise<{ keyPackage: Uint8Array, card: Uint8Array }> {
    const response = await fetchKeyPackage(this.libp2p, peerIdFromString(peerId))
    return { keyPackage: response.keyPackage, card: response.card }
  }
}
