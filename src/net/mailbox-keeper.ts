/**
 * The receiving side of mailboxes: this device keeps a mailbox at up to {@link MAILBOXES_PER_DEVICE}
 * nodes that admit it, tells its conversations where they are (through the messenger), and fetches
 * what waits there: at start, whenever it connects to one of those nodes, and every
 * {@link POLL_MS}. A fetched frame is handed to the messenger like a delivered one and deleted from
 * the mailbox only once its outcome is durable; a frame that arrives through two mailboxes (or
 * directly as well) is dropped the second time by the messenger's replay check.
 */
import type { Libp2p, PeerId } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import type { Deliver } from '../core/codec/envelope.ts'
import { describeError } from '../core/errors.ts'
import { newMailboxCredentials } from '../core/mailbox/credentials.ts'
import type { OwnMailbox } from '../core/messenger/mailboxes.ts'
import { mailboxNodeAddrs } from './mailbox-courier.ts'
import { ackMailbox, fetchMailbox, MailboxRefusedError, openMailbox } from './protocols/mailbox.ts'
import { decodeDeliver, type Log } from './protocols/deliver.ts'

/** Mailboxes each device keeps, for redundancy (issue: at least 2 where 2 nodes admit it). */
export const MAILBOXES_PER_DEVICE = 2
/** How often mailboxes are checked while online: frames are deposited only when a direct delivery failed. */
const POLL_MS = 30_000
/** While a device has fewer mailboxes than it wants, a new peer makes it look again, at most this often. */
const TOP_UP_MS = 5_000
/** A node that refused this device a mailbox is asked again after this long. */
const RETRY_REFUSED_MS = 10 * 60_000

/** What the keeper reads and records through the messenger. */
export interface KeeperPorts {
  own (): Promise<OwnMailbox[]>
  /** Stores the device's mailboxes and tells its conversations. */
  setOwn (list: readonly OwnMailbox[]): Promise<void>
  /** Handles a fetched frame; resolves once its outcome is durable. */
  receive (fromPeer: string, frame: Deliver): Promise<'stored' | 'rejected'>
}

/** One mailbox as `kith status` shows it. */
export interface MailboxStatus {
  readonly node: string
  /** The node's addresses, without /p2p. */
  readonly addrs: readonly string[]
  /** Entries waiting there at the last look; undefined if the node has not answered yet. */
  readonly depth: number | undefined
  readonly lastError?: string
}

/** Keeps this device's mailboxes and empties them into the messenger. */
export class MailboxKeeper {
  private mailboxes: OwnMailbox[] = []
  private readonly depths = new Map<string, number>()
  private readonly errors = new Map<string, string>()
  private readonly fetching = new Map<string, Promise<void>>()
  private timer: ReturnType<typeof setInterval> | undefined
  private stopped = false
  /** Nodes that refused a mailbox or did not answer, and when: not asked again for {@link RETRY_REFUSED_MS}. */
  private readonly declined = new Map<string, number>()
  private readonly onConnect = (evt: CustomEvent<PeerId>): void => {
    const m = this.mailboxes.find((b) => b.node === evt.detail.toString())
    if (m !== undefined) void this.fetch(m)
  }

  private lastTopUp = 0
  /** A new peer may be (or lead to) a node that keeps a mailbox: look again while short of them. */
  private readonly onIdentify = (): void => {
    if (this.stopped || this.mailboxes.length >= MAILBOXES_PER_DEVICE || Date.now() - this.lastTopUp < TOP_UP_MS) return
    this.lastTopUp = Date.now()
    void this.choose().then(() => { this.changed() }, (err: unknown) => { this.log(`could not set up mailboxes: ${describeError(err)}`) })
  }

  constructor (
    private readonly libp2p: Libp2p,
    private readonly ports: KeeperPorts,
    /**
     * Nodes that may keep a mailbox for this device, as multiaddrs with /p2p/, best first
     * (`--mailbox`, bootstrap nodes, then Kith nodes met through the DHT).
     */
    private readonly candidates: () => readonly string[] | Promise<readonly string[]>,
    private readonly log: Log,
    /** Called whenever {@link status} may have changed. */
    private readonly changed: () => void = () => {},
    /** The web ticket of a node that served this page, if any (admits the page to a mailbox there). */
    private readonly ticketFor: (node: string) => Uint8Array | undefined = () => undefined
  ) {}

  /** Opens the mailboxes (choosing nodes if needed) and fetches what waits there. */
  async start (): Promise<void> {
    this.mailboxes = await this.ports.own()
    this.libp2p.addEventListener('peer:connect', this.onConnect)
    this.libp2p.addEventListener('peer:identify', this.onIdentify)
    await this.refresh()
    this.timer = setInterval(() => { void this.refresh() }, POLL_MS)
    this.timer.unref?.()
  }

  stop (): void {
    this.stopped = true
    if (this.timer !== undefined) clearInterval(this.timer)
    this.libp2p.removeEventListener('peer:connect', this.onConnect)
    this.libp2p.removeEventListener('peer:identify', this.onIdentify)
  }

  /** The mailboxes in use and their queue depths. */
  status (): MailboxStatus[] {
    return this.mailboxes.map((m) => ({ node: m.node, addrs: m.addrs, depth: this.depths.get(m.node), ...(this.errors.has(m.node) ? { lastError: this.errors.get(m.node) } : {}) }))
  }

  /** Tops up the set of mailboxes, then fetches from each. Never throws. */
  async refresh (): Promise<void> {
    // What waits in the mailboxes this device has comes first: choosing more may wait on the DHT.
    const kept = new Set(this.mailboxes.map((m) => m.node))
    const fetching = Promise.all(this.mailboxes.map(async (m) => { await this.fetch(m) }))
    try {
      await this.choose()
    } catch (err) {
      this.log(`could not set up mailboxes: ${describeError(err)}`)
    }
    await Promise.all([fetching, ...this.mailboxes.filter((m) => !kept.has(m.node)).map(async (m) => { await this.fetch(m) })])
    this.changed()
  }

  /** Adds mailboxes at candidate nodes until the device has enough; tells its conversations if the set changed. */
  private choosing: Promise<void> | undefined
  /** {@link chooseOnce}, one run at a time: a second caller waits for the run under way. */
  private async choose (): Promise<void> {
    this.choosing ??= this.chooseOnce().finally(() => { this.choosing = undefined })
    await this.choosing
  }

  private async chooseOnce (): Promise<void> {
    if (this.stopped) return
    // Mailboxes opened before intro mailboxes existed get one.
    let rekeyed = false
    this.mailboxes = await Promise.all(this.mailboxes.map(async (m) => {
      if (m.intro !== undefined) return m
      const intro = newMailboxCredentials()
      try {
        await openMailbox(this.libp2p, mailboxNodeAddrs(m), intro, this.ticketFor(m.node))
        rekeyed = true
        return { ...m, intro }
      } catch {
        return m
      }
    }))
    if (rekeyed && this.mailboxes.length >= MAILBOXES_PER_DEVICE) await this.ports.setOwn(this.mailboxes)
    if (this.mailboxes.length >= MAILBOXES_PER_DEVICE) return
    const self = this.libp2p.peerId.toString()
    const used = new Set(this.mailboxes.map((m) => m.node))
    const added: OwnMailbox[] = []
    const candidates = await this.candidates()
    const now = Date.now()
    for (const candidate of candidates) {
      if (this.mailboxes.length + added.length >= MAILBOXES_PER_DEVICE) break
      let ma
      try {
        ma = multiaddr(candidate)
      } catch {
        continue
      }
      const node = ma.getComponents().find((c) => c.name === 'p2p')?.value
      if (node === undefined || node === self || used.has(node)) continue
      if (now - (this.declined.get(node) ?? -Infinity) < RETRY_REFUSED_MS) continue
      const creds = newMailboxCredentials()
      const intro = newMailboxCredentials()
      try {
        const depth = await openMailbox(this.libp2p, [ma], creds, this.ticketFor(node))
        await openMailbox(this.libp2p, [ma], intro, this.ticketFor(node))
        // Depositors dial the node at any of its addresses this device knows (a Node peer cannot
        // use the WebRTC-direct one a page may have used), up to the 4 a MAILBOXES carries.
        const addrs = [...new Set(candidates.filter((c) => c.endsWith(`/p2p/${node}`)).map((c) => c.slice(0, c.lastIndexOf('/p2p/'))))].slice(0, 4)
        added.push({ node, addrs, ...creds, intro })
        used.add(node)
        this.depths.set(node, depth)
        this.log(`keeping a mailbox at ${node}`)
      } catch (err) {
        this.declined.set(node, now)
        if (this.declined.size > 1000) this.declined.delete(this.declined.keys().next().value!)
        if (!(err instanceof MailboxRefusedError)) this.log(`mailbox node ${node} did not answer: ${describeError(err)}`)
        else this.log(`mailbox node ${node} refused a mailbox: ${err.message}`)
      }
    }
    if (added.length === 0) {
      if (rekeyed) await this.ports.setOwn(this.mailboxes)
      return
    }
    this.mailboxes = [...this.mailboxes, ...added]
    await this.ports.setOwn(this.mailboxes)
  }

  /** Empties one mailbox into the messenger; one fetch per mailbox at a time. */
  async fetch (m: OwnMailbox): Promise<void> {
    const running = this.fetching.get(m.node)
    if (running !== undefined) return await running
    const run = this.drain(m).catch((err: unknown) => {
      this.errors.set(m.node, describeError(err))
      this.log(`could not fetch from mailbox at ${m.node}: ${describeError(err)}`)
    }).finally(() => {
      this.fetching.delete(m.node)
      this.changed()
    })
    this.fetching.set(m.node, run)
    await run
  }

  /** Empties a device's mailbox at a node, then its intro mailbox there. */
  private async drain (m: OwnMailbox): Promise<void> {
    const main = await this.drainOne(m, m)
    const intro = m.intro === undefined ? 0 : await this.drainOne(m, m.intro)
    this.errors.delete(m.node)
    this.depths.set(m.node, main + intro)
  }

  /** Empties one mailbox into the messenger; returns how many entries it still holds. */
  private async drainOne (m: OwnMailbox, creds: { mailboxId: Uint8Array, fetchToken: Uint8Array, depositToken: Uint8Array }): Promise<number> {
    const node = mailboxNodeAddrs(m)
    let after = 0
    let depth = 0
    for (;;) {
      if (this.stopped) return depth
      const page = await fetchMailbox(this.libp2p, node, creds, after)
      depth = page.depth
      if (page.entries.length === 0) return depth
      // Handed over together, in order, so that they share commits as frames of one delivery stream
      // do; each is acknowledged only once its own outcome is durable.
      const handled = page.entries.map((e) => {
        let frame: Deliver
        try {
          frame = decodeDeliver(e.frame)
        } catch (err) {
          this.log(`dropped a malformed frame from mailbox at ${m.node}: ${describeError(err)}`)
          return { seq: Number(e.seq), outcome: Promise.resolve() }
        }
        const outcome = this.ports.receive(e.depositor, frame).then(() => {})
        outcome.catch(() => {}) // awaited below
        return { seq: Number(e.seq), outcome }
      })
      const done: number[] = []
      try {
        for (const h of handled) {
          // Throws if it could not be stored: it and the rest stay for the next fetch.
          await h.outcome
          done.push(h.seq)
        }
      } finally {
        if (done.length > 0) depth = await ackMailbox(this.libp2p, node, creds, done)
      }
      after = handled[handled.length - 1]!.seq
      if (!page.more) return depth
    }
  }
}
