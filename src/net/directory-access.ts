/**
 * How a runtime reaches the directory (docs/PROTOCOL.md §10): a Node peer through its own kad-dht,
 * a browser through the `/kith/directory/1.0.0` service of the Kith nodes it is connected to. The
 * publisher, first contact and locating a contact use this port and work the same on both.
 */
import type { Libp2p, PeerId } from '@libp2p/interface'
import type { KadDHT } from '@libp2p/kad-dht'
import { DirectoryAnswerStatus, DirectoryQueryOp } from '../core/codec/directory.ts'
import { directoryKey, DIRECTORY_NAMESPACE } from '../core/directory/directory-key.ts'
import { readDirectoryRecord } from '../core/directory/verify.ts'
import type { DirectoryAccess } from '../core/directory/access.ts'

export type { DirectoryAccess, FoundRecord } from '../core/directory/access.ts'
import { decodeDirectoryRecord } from '../core/directory/record.ts'
import { describeError, PeerError } from '../core/errors.ts'
import { DIRECTORY_QUERY_PROTOCOL } from './constants.ts'
import { lookupDirectoryRecord, routingTableSize } from './dht-directory.ts'
import { queryDirectory } from './protocols/directory-query.ts'

/** The directory through this node's own kad-dht. */
export function dhtDirectory (dht: KadDHT): DirectoryAccess {
  return {
    lookup: async (identityKey, signal) => await lookupDirectoryRecord(dht, identityKey, signal === undefined ? {} : { signal }),
    publish: async (encoded, signal) => {
      const key = directoryKey(decodeDirectoryRecord(encoded).identityKey)
      // kad-dht stores a record put from here without validating it: check it first. That also
      // tells this node's validator its seq, so that this node too refuses replays of older ones.
      await dht.validators[DIRECTORY_NAMESPACE]?.(key, encoded)
      const stored = new Set<string>()
      for await (const event of dht.put(key, encoded, { signal: signal ?? AbortSignal.timeout(30_000) })) {
        if (event.name === 'PEER_RESPONSE' && event.messageName === 'PUT_VALUE') stored.add(event.from.toString())
      }
      if (stored.size === 0) throw new PeerError('no DHT peer took the record')
      return stored.size
    },
    routingTableSize: () => routingTableSize(dht)
  }
}

/**
 * The directory through the Kith nodes this peer is connected to that serve
 * `/kith/directory/1.0.0` (identify lists it), `preferred` ones first. Each answer is checked:
 * a looked-up record must verify for the identity asked about.
 */
export function servedDirectory (libp2p: Libp2p, preferred: () => readonly string[] = () => []): DirectoryAccess {
  let lastSize = 0
  const servers = async (): Promise<PeerId[]> => {
    const connected = new Map(libp2p.getConnections().map((c) => [c.remotePeer.toString(), c.remotePeer]))
    const serving: PeerId[] = []
    for (const peer of connected.values()) {
      const info = await libp2p.peerStore.get(peer).catch(() => undefined)
      if (info?.protocols.includes(DIRECTORY_QUERY_PROTOCOL) === true) serving.push(peer)
    }
    const first = new Set(preferred())
    return serving.sort((a, b) => Number(first.has(b.toString())) - Number(first.has(a.toString())))
  }
  const each = async <T>(what: string, ask: (node: PeerId) => Promise<T | 'next'>): Promise<T> => {
    const nodes = await servers()
    if (nodes.length === 0) throw new PeerError(`cannot ${what}: connected to no Kith node that serves the directory`)
    const errors: string[] = []
    for (const node of nodes.slice(0, 3)) {
      try {
        const result = await ask(node)
        if (result !== 'next') return result
      } catch (err) {
        errors.push(describeError(err))
      }
    }
    throw new PeerError(`cannot ${what}: ${errors.join('; ')}`)
  }
  return {
    lookup: async (identityKey, signal) => {
      const key = directoryKey(identityKey)
      return await each('look the record up', async (node) => {
        const reply = await queryDirectory(libp2p, node, { op: DirectoryQueryOp.LOOKUP, identityKey: identityKey as Uint8Array<ArrayBuffer>, record: new Uint8Array() }, signal)
        lastSize = reply.routingTable
        if (reply.status === DirectoryAnswerStatus.NOT_FOUND) return undefined
        const record = await readDirectoryRecord(key, reply.record, Date.now())
        return { ...record, encoded: reply.record }
      })
    },
    publish: async (encoded, signal) => {
      return await each('publish the record', async (node) => {
        const reply = await queryDirectory(libp2p, node, { op: DirectoryQueryOp.PUBLISH, identityKey: new Uint8Array(), record: encoded as Uint8Array<ArrayBuffer> }, signal)
        lastSize = reply.routingTable
        return reply.storedOn > 0 ? reply.storedOn : 'next'
      })
    },
    routingTableSize: () => lastSize
  }
}
