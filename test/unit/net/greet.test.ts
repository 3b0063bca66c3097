import { afterEach, expect, it } from 'vitest'
import { greetPeers } from '../../../src/net/greet.ts'
import { LoopbackPeers } from './loopback.ts'

const peers = new LoopbackPeers()
afterEach(async () => { await peers.stop() })

it('greets a peer whose dial under way was just given up by the part of the node that started it', async () => {
  const [alice, bob] = [await peers.node(), await peers.node()]
  await alice.peerStore.merge(bob.peerId, { multiaddrs: bob.getMultiaddrs() })
  // Another part of the node (a DHT query, say) dials Bob and gives up; the greeting, right after,
  // joins that dial (libp2p runs one dial per peer) and got its abort, though its own time was not up.
  const other = new AbortController()
  const given = alice.dial(bob.peerId, { signal: other.signal }).then(() => 'connected', (err: Error) => err.name)
  const lines: string[] = []
  other.abort()
  const greeting = greetPeers(alice, [bob.peerId.toString()], { log: (l) => lines.push(l) })
  expect(await given).toBe('AbortError')
  expect(await greeting, lines.join('\n')).toBe(1)
  expect(alice.getConnections(bob.peerId).some((c) => c.status === 'open')).toBe(true)
})
