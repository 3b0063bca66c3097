/**
 * The directory port (docs/PROTOCOL.md §10): how a runtime looks records up and publishes them. A
 * Node peer uses its own kad-dht; a browser, a Kith node's `/kith/directory/1.0.0` service
 * (src/net/directory-access.ts has both).
 */
import type { VerifiedDirectoryRecord } from './verify.ts'

/** A verified record with the bytes it was read from. */
export type FoundRecord = VerifiedDirectoryRecord & { readonly encoded: Uint8Array }

/** Looking records up and publishing them. */
export interface DirectoryAccess {
  /** The newest valid record of `identityKey`, or undefined if there is none. */
  lookup (identityKey: Uint8Array, signal?: AbortSignal): Promise<FoundRecord | undefined>
  /** Stores a signed record; resolves to how many DHT peers took it (at least 1), or throws. */
  publish (encoded: Uint8Array, signal?: AbortSignal): Promise<number>
  /** DHT peers known: this node's routing table, or the last size a serving node reported. */
  routingTableSize (): number
}
