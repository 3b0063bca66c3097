/**
 * Mailbox nodes for anyone in the DHT (docs/PROTOCOL.md §5.4): a node run with
 * `--mailbox-for-anyone` announces itself as a provider of a well-known key, and a device with
 * fewer than two mailboxes finds candidates there after its configured nodes.
 */
import type { Libp2p } from '@libp2p/interface'
import type { KadDHT } from '@libp2p/kad-dht'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { describeError } from '../core/errors.ts'
import { routingTableSize } from './dht-directory.ts'
import type { Log } from './protocols/deliver.ts'

/** How long an empty answer is kept before the DHT is asked again (it may still be filling). */
const ASK_AGAIN_EMPTY_MS = 5_000

/** What public mailbox nodes provide in the DHT: CIDv1 (raw) of SHA-256("/kith/mailbox-nodes/1"). */
async function mailboxNodesKey (): Promise<CID> {
  return CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode('/kith/mailbox-nodes/1')))
}

/** How long the mailbox nodes found in the DHT are used before the DHT is asked again. */
const LOOK_AGAIN_MS = 2 * 60_000
/** Provider records live 48 h in kad-dht: announce again well before. */
const REANNOUNCE_MS = 12 * 60 * 60_000

/**
 * A node that keeps mailboxes for anyone (`--mailbox-for-anyone`) says so in the DHT, as a provider
 * record: at start once a DHT peer is there (again on each new peer until one took it), then every
 * 12 h. Returns a function that stops it.
 */
export function announceMailboxNode (libp2p: Libp2p<{ dht: KadDHT }>, log: Log): () => void {
  let done = false
  let running = false
  let retry: ReturnType<typeof setTimeout> | undefined
  const announce = async (): Promise<void> => {
    if (running) return
    running = true
    try {
      // With no DHT peer the record would stay here alone: wait for one.
      if (routingTableSize(libp2p.services.dht) === 0) throw new Error('no DHT peer yet')
      for await (const event of libp2p.services.dht.provide(await mailboxNodesKey(), { signal: AbortSignal.timeout(60_000) })) void event
      if (!done) log('announced in the DHT as a mailbox node for anyone')
      done = true
    } catch (err) {
      if (!done) {
        log(`not yet announced as a mailbox node in the DHT: ${describeError(err)}`)
        // The routing table fills a moment after a peer is identified: try again shortly.
        clearTimeout(retry)
        retry = setTimeout(() => { void announce() }, 5_000)
        retry.unref?.()
      }
    } finally {
      running = false
    }
  }
  const onPeer = (): void => { if (!done) void announce() }
  libp2p.addEventListener('peer:identify', onPeer)
  const timer = setInterval(() => { void announce() }, REANNOUNCE_MS)
  timer.unref?.()
  void announce()
  return () => {
    done = true
    clearTimeout(retry)
    clearInterval(timer)
    libp2p.removeEventListener('peer:identify', onPeer)
  }
}

/**
 * Mailbox nodes for anyone found in the DHT (their provider records), as candidates with /p2p/:
 * where a device finds its second mailbox when it has only one configured node. A lookup's result
 * is kept for 2 minutes (5 s if it found none), so the keeper's refreshes do not query the DHT each time.
 */
export function mailboxNodesInDht (dht: KadDHT, self: string, log: Log, limit = 8): () => Promise<string[]> {
  let cached: { at: number, list: string[] } | undefined
  return async () => {
    // An empty answer (the DHT is still filling, or no such node yet) is asked again sooner.
    if (cached !== undefined && Date.now() - cached.at < (cached.list.length > 0 ? LOOK_AGAIN_MS : ASK_AGAIN_EMPTY_MS)) return cached.list
    const list: string[] = []
    try {
      for await (const event of dht.findProviders(await mailboxNodesKey(), { signal: AbortSignal.timeout(5_000) })) {
        // Providers come in the peers' answers along the path (and as PROVIDER events from this node's own store).
        const providers = event.name === 'PROVIDER' || event.name === 'PEER_RESPONSE' ? event.providers : []
        for (const p of providers) {
          if (p.id.toString() === self || list.some((c) => c.endsWith(`/p2p/${p.id.toString()}`))) continue
          list.push(...p.multiaddrs.filter((a) => !a.toString().includes('/p2p-circuit')).slice(0, 4).map((a) => `${a.toString()}/p2p/${p.id.toString()}`))
        }
        if (new Set(list.map((c) => c.slice(c.lastIndexOf('/p2p/')))).size >= limit) break
      }
    } catch (err) {
      log(`looking for mailbox nodes in the DHT failed: ${describeError(err)}`)
    }
    cached = { at: Date.now(), list }
    return list
  }
}
