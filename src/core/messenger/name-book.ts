/**
 * Display names of accounts, cached in memory: a contact's alias, else the name in the newest of
 * its device certificates, else a prefix of its identity key. The owner clears the cache whenever a
 * contact or device changes.
 */
import { decodeInvite } from '../identity/invite.ts'
import type { Store } from './store.ts'

/** Cached identity → display name lookups. */
export class NameBook {
  private readonly names = new Map<string, string>()

  constructor (private readonly store: Store, private readonly own: { readonly identity: string, readonly displayName: string }) {}

  /** The name to show for an identity key (hex). */
  readonly nameOf = async (identity: string): Promise<string> => {
    if (identity === this.own.identity) return this.own.displayName
    const cached = this.names.get(identity)
    if (cached !== undefined) return cached
    let name = identity.slice(0, 12)
    const contact = await this.store.getContact(identity)
    if (contact !== undefined) {
      name = contact.alias
    } else {
      // The newest certificate names the account: a PROFILE may have renamed one of its devices.
      let newest = -1
      for (const device of await this.store.devicesOf(identity)) {
        try {
          const cert = (await decodeInvite(device.certificate)).certificate
          if (cert.createdAt > newest) { newest = cert.createdAt; name = cert.displayName }
        } catch { /* keep the key prefix */ }
      }
    }
    if (this.names.size > 10_000) this.names.clear()
    this.names.set(identity, name)
    return name
  }

  /** Forgets every cached name. */
  clear (): void {
    this.names.clear()
  }
}
