import { describe, expect, it } from 'vitest'
import type { EpochKeys } from '../../../../src/core/sframe/mls-keys.ts'
import { installEpochKeys, onSFrameEvent, readSFrameStats } from '../../../../src/web/calls/sframe-keys.ts'
import type { SFrameWorkerRequest } from '../../../../src/web/calls/sframe-protocol.ts'
import { SFrameTransformer } from '../../../../src/web/calls/sframe-transform.ts'

/** A Worker stand-in that records requests and runs a real SFrameTransformer. */
function fakeWorker (): { worker: Worker, requests: SFrameWorkerRequest[], transformer: SFrameTransformer } {
  const target = new EventTarget()
  const requests: SFrameWorkerRequest[] = []
  const transformer = new SFrameTransformer((event) => { queueMicrotask(() => target.dispatchEvent(new MessageEvent('message', { data: event }))) })
  const worker = Object.assign(target, {
    postMessage: (request: SFrameWorkerRequest) => { requests.push(request); transformer.handleRequest(request) }
  }) as unknown as Worker
  return { worker, requests, transformer }
}

const keys: EpochKeys = {
  epoch: 5n,
  baseKey: new Uint8Array(16).fill(7),
  ownKid: 0x15n,
  members: [{ leafIndex: 0, kid: 0x05n }, { leafIndex: 2, kid: 0x25n }]
}

describe('installEpochKeys', () => {
  it('installs every receive key before the send key, then drops the epochs before the previous one', () => {
    const { worker, requests } = fakeWorker()
    installEpochKeys(worker, keys)
    expect(requests.map((r) => [r.type, 'kid' in r ? r.kid : 'epoch' in r ? r.epoch : undefined])).toEqual([
      ['receive-key', 0x05n], ['receive-key', 0x25n], ['send-key', 0x15n], ['drop-before', 4n]
    ])
  })

  it('leaves the worker sending under its own KID and receiving under every other member\'s', async () => {
    const { worker, transformer } = fakeWorker()
    installEpochKeys(worker, { ...keys, epoch: 9n, ownKid: 0x19n, members: [{ leafIndex: 0, kid: 0x09n }] })
    // An older epoch's keys arriving late never take over sending: a removed member could read that.
    installEpochKeys(worker, keys)
    expect(transformer.context.sendKid).toBe(0x19n)
    expect([0x05n, 0x25n, 0x09n].map((kid) => transformer.context.hasReceiveKey(kid))).toEqual([true, true, true])
    installEpochKeys(worker, { ...keys, epoch: 10n, ownKid: 0x1an, members: [{ leafIndex: 0, kid: 0x0an }] })
    expect([0x05n, 0x09n, 0x0an].map((kid) => transformer.context.hasReceiveKey(kid))).toEqual([false, true, true])
    const events: unknown[] = []
    onSFrameEvent(worker, (e) => { events.push(e) })
    expect(await readSFrameStats(worker)).toMatchObject({ type: 'stats', encrypted: 0, unkeyed: 0 })
    expect(events).toContainEqual({ type: 'error', message: expect.stringMatching(/epoch 5 is older than the current one \(epoch 9\)/) })
  })
})
