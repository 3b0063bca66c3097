/**
 * Directory lookups (issue 18) on a DHT of 100 Kith nodes on loopback (light nodes: libp2p + Kith's
 * kad-dht, test/unit/net/dht-swarm.ts): p50 and p99 latency and success rate of
 * `lookupDirectoryRecord`, against raw kad-dht `getClosestPeers` for the same key from the same
 * node in the same run, the two alternated. Anchor: the IPFS DHT finds 80% of records in under
 * 500 ms across the internet.
 */
import { addressesOf, lookupDirectoryRecord } from '../src/net/dht-directory.ts'
import { startSwarm, testAccount, testPublisher, type DhtNode } from '../test/unit/net/dht-swarm.ts'
import { quantile, result, type BenchResult } from './stats.ts'

/** Runs the benchmark; `log` gets progress lines. */
export async function benchDirectory (quick: boolean, log: (line: string) => void): Promise<BenchResult[]> {
  const nodeCount = 100
  const accountCount = quick ? 10 : 20
  const samples = quick ? 50 : 100
  // libp2p can leave a failed internal dial unhandled when a handshake times out under load; count
  // those instead of letting them end the run.
  let internalFailures = 0
  const onUnhandled = (): void => { internalFailures++ }
  process.on('unhandledRejection', onUnhandled)
  log(`directory: starting ${nodeCount} DHT nodes`)
  const nodes = await startSwarm(nodeCount, 4)
  try {
    log(`directory: publishing ${accountCount} records`)
    const accounts = await Promise.all(nodes.slice(0, accountCount).map(async (home, i) => {
      const account = await testAccount(home.peerId.toMultihash().bytes, home.peerId.toString(), [`/ip4/127.0.0.1/tcp/${5000 + i}`])
      const publisher = testPublisher(home, account, () => 1)
      await publisher.publish()
      return { home, account, addr: `/ip4/127.0.0.1/tcp/${5000 + i}` }
    }))
    const lookups: number[] = []
    const closest: number[] = []
    let found = 0
    let closestFound = 0
    log(`directory: ${samples} lookups, alternated with getClosestPeers for the same key`)
    for (let i = 0; i < samples; i++) {
      const { home, account, addr } = accounts[i % accounts.length]!
      let reader: DhtNode
      do { reader = nodes[Math.floor(Math.random() * nodes.length)]! } while (reader === home)
      const key = new TextEncoder().encode(`/kith/dir/${Buffer.from(account.identity.publicKey).toString('hex')}`)
      let t = performance.now()
      const record = await lookupDirectoryRecord(reader.services.dht, account.identity.publicKey, { signal: AbortSignal.timeout(10_000) }).catch(() => undefined)
      lookups.push(performance.now() - t)
      if (record !== undefined && addressesOf(record, account.peerId)[0] === addr) found++
      t = performance.now()
      let peers = 0
      try {
        for await (const e of reader.services.dht.getClosestPeers(key, { signal: AbortSignal.timeout(10_000) })) if (e.name === 'FINAL_PEER') peers++
      } catch { /* counted as a miss */ }
      closest.push(performance.now() - t)
      if (peers > 0) closestFound++
      if ((i + 1) % 25 === 0) log(`directory: ${i + 1}/${samples}, lookup p50 ${quantile(lookups, 0.5).toFixed(1)} ms, getClosestPeers p50 ${quantile(closest, 0.5).toFixed(1)} ms`)
    }
    const under500 = lookups.filter((ms) => ms < 500).length / lookups.length * 100
    return [
      result(`directory lookup p50, ${nodeCount} nodes`, quantile(lookups, 0.5), 'ms', 'kad-dht getClosestPeers p50, same key and node', quantile(closest, 0.5)),
      result(`directory lookup p99, ${nodeCount} nodes`, quantile(lookups, 0.99), 'ms', 'kad-dht getClosestPeers p99, same key and node', quantile(closest, 0.99)),
      result(`directory lookup success, ${nodeCount} nodes`, found / samples * 100, '%', 'getClosestPeers returning peers', closestFound / samples * 100),
      result(`directory lookups under 500 ms, ${nodeCount} nodes`, under500, '%', 'IPFS DHT anchor: 80% of records under 500 ms (internet)', 80)
    ]
  } finally {
    await Promise.all(nodes.map(async (n) => { await n.stop() }))
    process.off('unhandledRejection', onUnhandled)
    if (internalFailures > 0) log(`directory: ${internalFailures} libp2p-internal dial failure(s) left unhandled by libp2p`)
  }
}
