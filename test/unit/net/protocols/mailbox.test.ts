import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { PeerId } from '@libp2p/interface'
import { afterEach, describe, expect, it } from 'vitest'
import { Deliver, DeliverKind } from '../../../../src/core/codec/envelope.ts'
import { MailboxOp, MailboxRequest, MailboxResponse, MailboxStatus } from '../../../../src/core/codec/mailbox.ts'
import { newMailboxCredentials } from '../../../../src/core/mailbox/credentials.ts'
import { DEFAULT_QUOTAS, MAX_TTL_SECONDS } from '../../../../src/core/mailbox/limits.ts'
import { MAILBOX_PROTOCOL } from '../../../../src/net/constants.ts'
import { FrameStream } from '../../../../src/net/frames.ts'
import type { KithLibp2p } from '../../../../src/net/node.ts'
import { ackMailbox, depositFrame, fetchMailbox, MailboxRefusedError, MailboxService, openMailbox } from '../../../../src/net/protocols/mailbox.ts'
import { SqliteMailboxStore } from '../../../../src/store/mailbox-sqlite.node.ts'
import { LoopbackPeers } from '../loopback.ts'

const peers = new LoopbackPeers()
const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
  await peers.stop()
})

function deliverFrame (n: number): Uint8Array {
  const id = new Uint8Array(16).fill(n)
  return Deliver.encode({ id, kind: DeliverKind.MLS, message: new Uint8Array([n, n, n]), card: new Uint8Array(), hints: [], commitHash: new Uint8Array() })
}

/** A mailbox node that admits the peers in `admitted`, and what it logged. */
async function mailboxNode (admitted: (peer: PeerId) => boolean, quotas = DEFAULT_QUOTAS): Promise<{ node: KithLibp2p, logs: string[] }> {
  const node = await peers.node()
  const dir = mkdtempSync(join(tmpdir(), 'kith-mailbox-'))
  const store = new SqliteMailboxStore(join(dir, 'mailbox.db'), quotas)
  const logs: string[] = []
  const service = new MailboxService(node, store, async (p, ticket) => admitted(p) || (ticket.length === 32 && ticket.every((b) => b === 7)), (m) => logs.push(m))
  await service.start()
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => store.close(), async () => await service.stop())
  return { node, logs }
}

describe('/kith/mailbox/1.0.0', () => {
  it('holds frames for an offline owner from an admitted depositor, and deletes them once acknowledged', async () => {
    const owner = await peers.node()
    const sender = await peers.node()
    const { node } = await mailboxNode((p) => p.equals(owner.peerId))
    const creds = newMailboxCredentials()
    await expect(openMailbox(owner, node.getMultiaddrs(), creds)).resolves.toBe(0)
    await owner.stop()

    const first = await depositFrame(sender, node.getMultiaddrs(), creds, deliverFrame(1), 3600)
    const second = await depositFrame(sender, node.getMultiaddrs(), creds, deliverFrame(2), 3600)
    expect(second).toEqual({ seq: first.seq + 1, depth: 2 })

    const fetcher = await peers.node() // the owner back, on a new connection
    const got = await fetchMailbox(fetcher, node.getMultiaddrs(), creds, 0)
    expect(got.entries.map((e) => Deliver.decode(e.frame).id[0])).toEqual([1, 2])
    expect(got.more).toBe(false)
    await expect(ackMailbox(fetcher, node.getMultiaddrs(), creds, got.entries.map((e) => Number(e.seq)))).resolves.toBe(0)
    expect((await fetchMailbox(fetcher, node.getMultiaddrs(), creds, 0)).entries).toEqual([])
  })

  it('refuses to open a mailbox for a peer the node does not serve, and deposits without the token', async () => {
    const stranger = await peers.node()
    const { node, logs } = await mailboxNode(() => false)
    const creds = newMailboxCredentials()
    await expect(openMailbox(stranger, node.getMultiaddrs(), creds)).rejects.toThrow('this node keeps mailboxes only for its own devices, its contacts and the pages it serves')
    await expect(openMailbox(stranger, node.getMultiaddrs(), creds, new Uint8Array(32).fill(1))).rejects.toThrow('refused')
    const wrong = { mailboxId: creds.mailboxId, depositToken: new Uint8Array(32) }
    const err = await depositFrame(stranger, node.getMultiaddrs(), wrong, deliverFrame(1), 60).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(MailboxRefusedError)
    expect((err as MailboxRefusedError).status).toBe('refused')
    expect(logs.some((l) => l.includes('DEPOSIT') && l.includes('refused'))).toBe(true)
  })

  it('admits a peer that shows the node\'s web ticket (a page the node served)', async () => {
    const page = await peers.node()
    const { node } = await mailboxNode(() => false)
    await expect(openMailbox(page, node.getMultiaddrs(), newMailboxCredentials(), new Uint8Array(32).fill(7))).resolves.toBe(0)
  })

  it('answers over quota, so the depositor keeps the frame', async () => {
    const owner = await peers.node()
    const { node } = await mailboxNode(() => true, { ...DEFAULT_QUOTAS, entriesPerMailbox: 1 })
    const creds = newMailboxCredentials()
    await openMailbox(owner, node.getMultiaddrs(), creds)
    await depositFrame(owner, node.getMultiaddrs(), creds, deliverFrame(1), 60)
    const err = await depositFrame(owner, node.getMultiaddrs(), creds, deliverFrame(2), 60).catch((e: unknown) => e)
    expect((err as MailboxRefusedError).status).toBe('over-quota')
    expect((err as Error).message).toContain('the recipient\'s mailbox is full')
  })

  it('answers malformed, oversized-TTL and non-delivery requests with BAD_REQUEST and keeps serving', async () => {
    const client = await peers.node()
    const { node, logs } = await mailboxNode(() => true)
    const creds = newMailboxCredentials()
    const raw = async (bytes: Uint8Array): Promise<MailboxResponse> => {
      const stream = await client.dialProtocol(node.getMultiaddrs(), MAILBOX_PROTOCOL)
      const lp = new FrameStream(stream, { maxFrame: 1 << 21 })
      await lp.write(bytes)
      return MailboxResponse.decode(await lp.read())
    }
    const base = { version: 1, op: MailboxOp.DEPOSIT, mailboxId: creds.mailboxId, token: creds.depositToken, depositHash: new Uint8Array(), ttlSeconds: 60, frame: deliverFrame(1), after: 0n, seqs: [], ticket: new Uint8Array() } as MailboxRequest
    expect((await raw(new Uint8Array([0xff, 0xff, 0xff]))).status).toBe(MailboxStatus.BAD_REQUEST)
    const ttl = await raw(MailboxRequest.encode({ ...base, ttlSeconds: MAX_TTL_SECONDS + 1 }))
    expect([ttl.status, ttl.error]).toEqual([MailboxStatus.BAD_REQUEST, `mailbox TTL must be 1 to ${MAX_TTL_SECONDS} seconds, got ${MAX_TTL_SECONDS + 1}`])
    const notDeliver = await raw(MailboxRequest.encode({ ...base, frame: new Uint8Array([1, 2, 3]) }))
    expect(notDeliver.error).toContain('mailbox frame is not a delivery frame')
    const shortId = await raw(MailboxRequest.encode({ ...base, mailboxId: new Uint8Array(5) }))
    expect(shortId.error).toBe('mailbox id must be 32 bytes, got 5')
    expect(logs.filter((l) => l.includes('bad request')).length).toBe(4)
    // Still serving.
    await expect(openMailbox(client, node.getMultiaddrs(), creds)).resolves.toBe(0)
  })
})
