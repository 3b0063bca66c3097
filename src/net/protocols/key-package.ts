/**
 * `/kith/key-package/1.0.0`: ask a device for a one-time KeyPackage (plus its card) so it can be
 * added to a group. Rate-limited per peer, since each answer costs a key generation.
 */
import type { Libp2p, PeerId } from '@libp2p/interface'
import { PeerError, describeError } from '../../core/errors.ts'
import { KEY_PACKAGE_PROTOCOL, MAX_KEY_PACKAGE_FRAME } from '../constants.ts'
import { connectionFor } from '../connection-choice.ts'
import type { CountsAsLink } from '../inbound-webrtc-check.ts'
import type { Log } from './deliver.ts'
import { FrameStream } from '../frames.ts'
import { KeyPackageRequest, KeyPackageResponse } from '../../core/codec/envelope.ts'

/** Produces a KeyPackage for a requesting peer. */
export interface KeyPackageProvider {
  (from: PeerId): Promise<{ keyPackage: Uint8Array, card: Uint8Array }>
}

const BURST = 16
const REFILL_PER_SECOND = 1

/** Serves KeyPackage requests. */
export class KeyPackageService {
  private readonly buckets = new Map<string, { tokens: number, at: number }>()

  constructor (private readonly libp2p: Libp2p, private readonly provide: KeyPackageProvider, private readonly log: Log) {}

  private allow (peer: string): boolean {
    const now = Date.now()
    const b = this.buckets.get(peer) ?? { tokens: BURST, at: now }
    b.tokens = Math.min(BURST, b.tokens + (now - b.at) / 1000 * REFILL_PER_SECOND)
    b.at = now
    if (this.buckets.size > 10_000) this.buckets.clear()
    this.buckets.set(peer, b)
    if (b.tokens < 1) return false
    b.tokens -= 1
    return true
  }

  async start (): Promise<void> {
    await this.libp2p.handle(KEY_PACKAGE_PROTOCOL, async (stream, connection) => {
      const from = connection.remotePeer
      const lp = new FrameStream(stream, { maxFrame: MAX_KEY_PACKAGE_FRAME })
      try {
        const request = KeyPackageRequest.decode(await lp.read(), {})
        if (request.version !== 1) throw new Error(`unsupported key package request version ${request.version}`)
        if (!this.allow(from.toString())) throw new Error('too many key package requests')
        const { keyPackage, card } = await this.provide(from)
        await lp.write(KeyPackageResponse.encode({ keyPackage: keyPackage as Uint8Array<ArrayBuffer>, card: card as Uint8Array<ArrayBuffer> }))
        await stream.close()
      } catch (err) {
        this.log(`key package request from ${from} refused: ${describeError(err)}`)
        stream.abort(err as Error)
      }
    }, { maxInboundStreams: 4, runOnLimitedConnection: true })
  }

  async stop (): Promise<void> {
    await this.libp2p.unhandle(KEY_PACKAGE_PROTOCOL)
  }
}

/**
 * Fetches a KeyPackage from a device; the caller verifies it. `counts` leaves out connections that
 * may never have connected (`InboundWebRtcCheck.counts`): the request then goes over the relay.
 */
export async function fetchKeyPackage (libp2p: Libp2p, peer: PeerId, timeoutMs = 10_000, counts: CountsAsLink = () => true): Promise<KeyPackageResponse> {
  try {
    const connection = await connectionFor(libp2p, peer, counts, async () => await libp2p.dial(peer, { signal: AbortSignal.timeout(timeoutMs) }))
    const stream = await connection.newStream(KEY_PACKAGE_PROTOCOL, { signal: AbortSignal.timeout(timeoutMs), runOnLimitedConnection: true })
    const lp = new FrameStream(stream, { maxFrame: MAX_KEY_PACKAGE_FRAME })
    await lp.write(KeyPackageRequest.encode({ version: 1 }))
    const response = KeyPackageResponse.decode(await lp.read({ signal: AbortSignal.timeout(timeoutMs) }))
    await stream.close()
    return response
  } catch (err) {
    throw new PeerError(`could not get a key package from ${peer}: ${describeError(err)}`, { cause: err })
  }
}
