/**
 * The browser peer behind {@link KithClient}: starts the messenger worker, runs libp2p on the main
 * thread (WebRTC exists only here), bridges the delivery and KeyPackage protocols to the worker,
 * and keeps the UI's signals current from the worker's events and libp2p's connection events.
 */
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { signal, type ReadonlySignal, type Signal } from '@preact/signals'
import { EpochWatch } from '../../core/conversation/epoch-watch.ts'
import { formatSafetyNumber } from '../../core/identity/safety-number.ts'
import type { ConversationView, MessengerEvent } from '../../core/messenger/messenger.ts'
import type { MessageOut } from '../../core/messenger/message-view.ts'
import { greetPeers } from '../../net/greet.ts'
import { createBrowserNode, type BrowserLibp2p } from '../../net/node.browser.ts'
import { DeliveryService } from '../../net/protocols/deliver.ts'
import { MailboxCourier } from '../../net/mailbox-courier.ts'
import { MailboxKeeper } from '../../net/mailbox-keeper.ts'
import { fetchKeyPackage, KeyPackageService } from '../../net/protocols/key-package.ts'
import { RpcEndpoint } from '../rpc.ts'
import type { PageApi, UiMethod, WorkerApi, WorkerIdentity } from '../worker/protocol.ts'
import type { Messenger } from '../../core/messenger/messenger.ts'
import { dialableFromPage } from './bootstrap-addrs.ts'
import { BootstrapDialer } from './bootstrap.ts'
import { buildConfig } from './build-config.ts'
import { StaleConnectionSweeper } from '../../net/connection-probe.ts'
import { InboundWebRtcCheck } from '../../net/inbound-webrtc-check.ts'
import { WebRtcPathWatch } from '../../net/webrtc-path-watch.ts'
import { dialableContactAddr, linkOf, relayLabel, statusOf, upgradeRelayedLinks, usableAddrs } from './connectivity.ts'
import type { IceServer } from './ice-servers.ts'
import { CallSignalBuffer, type CallSignalling } from './call-signalling.ts'
import { testHooks } from './test-hooks.ts'
import type { CallView } from '../../core/messenger/messenger.ts'
import { loadLocalSettings, saveLocalSettings } from './local-settings.ts'
import { requote } from './reply-quotes.ts'
import { OfferedFrames } from './offered-frames.ts'
import { personName, personNameByAlias, type NameSources } from './person-names.ts'
import { fetchServedNode, rememberBootstrap, type ServedNode } from './served-bootstrap.ts'
import { sortConversations } from './conversation-order.ts'
import type { DirectoryLink } from './directory-link.ts'
import type { FileTransfers } from './file-transfers.ts'
import type { ConnectionStatus, Contact, DirectoryInfo, MailboxInfo, Conversation, KithClient, Me, Message, Notice, SearchResult, Settings } from './types.ts'

const TYPING_SHOWN_MS = 6_000
const TYPING_SEND_EVERY_MS = 3_000
const LOG_LINES = 500
const SEARCH_LIMIT = 50
/**
 * Greeting contacts right as the page comes online can fail (a reservation not in place yet, a
 * loaded machine): the contacts not linked yet are greeted again, each wait twice the last (1, 2,
 * 4, 8, 16 s), so a contact who is online is not shown Offline until a message happens to flow.
 */
const GREET_ROUNDS = 6
const GREET_RETRY_MS = 1_000
/** The Web Lock one tab holds while it is this device, and the channel tabs ask each other for it on. */
const DEVICE_LOCK = 'kith-device'
/** How long a "may fetch" answer is reused at most, even with no membership change seen. */
const FETCH_ALLOWED_MS = 2_000
/** Set before a reload that should take the device back from the tab that has it. */
const TAKE_OVER_FLAG = 'kith.takeOver'

/** What one tab asks of another on the device channel. */
interface DeviceRequest { readonly type: 'take-over' }

/** Error text for the UI: the worker's message, without class-name noise. */
function messageOf (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** The running browser peer. */
export class BrowserClient implements KithClient {
  readonly phase = signal<'loading' | 'onboarding' | 'ready' | 'failed' | 'elsewhere'>('loading')
  readonly handedOver = signal(false)
  readonly failure = signal<string | null>(null)
  readonly me = signal<Me | null>(null)
  readonly connection = signal<ConnectionStatus>({ kind: 'connecting' })
  readonly mailboxes = signal<readonly MailboxInfo[]>([])
  readonly directory = signal<DirectoryInfo | null>(null)
  /** Publishing this device's record and looking contacts up; loaded once the page is ready. */
  private directoryLink: Promise<DirectoryLink> | undefined
  readonly contacts = signal<readonly Contact[]>([])
  readonly conversations = signal<readonly Conversation[]>([])
  readonly typing = signal<Readonly<Record<string, readonly string[]>>>({})
  readonly settings = signal<Settings>({ readReceipts: true, ...loadLocalSettings() })
  readonly defaultIceServers: readonly IceServer[] = buildConfig.iceServers
  readonly notices = signal<readonly Notice[]>([])
  readonly backupProgress = signal<number | null>(null)
  readonly calls = signal<readonly CallView[]>([])
  readonly lastEndedCall = signal<CallView | null>(null)
  private readonly callSignals = new CallSignalBuffer()
  readonly callSignalling: CallSignalling = {
    selfDevice: () => this.me.value?.peerId ?? '',
    iceServers: () => this.settings.value.iceServers ?? this.defaultIceServers,
    start: async (conversationId, media, offers) => await this.invoke('startCall', conversationId, media, offers),
    answer: async (callId, media) => await this.invoke('answerCall', callId, media),
    decline: async (callId) => await this.invoke('declineCall', callId),
    hangUp: async (callId) => await this.invoke('hangUp', callId),
    send: async (callId, s) => { await this.invoke('sendCallSignal', callId, s) },
    keys: async (conversationId) => await this.invoke('callKeys', conversationId),
    listen: (listener) => this.callSignals.listen(listener)
  }
  /** Recent log lines, for diagnostics (never secrets or plaintext). */
  readonly log: string[] = []

  private readonly worker: Worker
  private readonly rpc: RpcEndpoint<PageApi, WorkerApi>
  private readonly lists = new Map<string, Signal<readonly Message[]>>()
  /** Frames the worker offered as it queued them, sent without asking it again. */
  private readonly offered = new OfferedFrames()
  /** Per conversation: who is typing (by identity), under what name, until when. */
  private readonly typers = new Map<string, Map<string, { readonly name: string, readonly timer: ReturnType<typeof setTimeout> }>>()
  private readonly lastTyped = new Map<string, number>()
  private node: BrowserLibp2p | undefined
  private delivery: DeliveryService | undefined
  private mailboxKeeper: MailboxKeeper | undefined
  private served: ServedNode = { bootstrap: [] }
  private dialer: BootstrapDialer | undefined
  private webRtcCheck: InboundWebRtcCheck | undefined
  private staleSweeper: StaleConnectionSweeper | undefined
  private pathWatch: WebRtcPathWatch | undefined
  private refreshTimer: ReturnType<typeof setTimeout> | undefined
  private nextNotice = 1
  private learned: string[] = []
  /** Lets go of the device lock; set while this tab holds it. */
  private releaseLock: (() => void) | undefined
  /** The page's file transfers, loaded on first use or once online. */
  private transfers: Promise<FileTransfers> | undefined
  /** When a peer was last allowed to fetch a file, by "peer file"; cleared on any membership change. */
  private readonly fetchAllowed = new Map<string, number>()
  /** Conversations' epochs: a new one sets off the downloads waiting for a source. */
  private readonly epochs = new EpochWatch()
  /** The page came online and has not greeted its contacts since. */
  private greetDue = false
  /** The contact list has been read from the messenger at least once. */
  private listsRead = false
  private readonly devices = 'BroadcastChannel' in globalThis ? new BroadcastChannel(DEVICE_LOCK) : undefined

  constructor () {
    this.worker = new Worker(new URL('../worker/messenger.worker.ts', import.meta.url), { type: 'module', name: 'kith-messenger' })
    this.worker.addEventListener('error', (e) => { this.fail(`the messenger worker stopped: ${e.message}`) })
    this.rpc = new RpcEndpoint<PageApi, WorkerApi>(this.worker, {
      addAddresses: async (peerId, addrs) => { await this.addAddresses(peerId, addrs) },
      fetchKeyPackage: async (peerId) => {
        try {
          const response = await fetchKeyPackage(this.requireNode(), peerIdFromString(peerId), undefined, this.webRtcCheck?.counts)
          return { keyPackage: response.keyPackage, card: response.card }
        } catch (err) {
          // The device is offline: a KeyPackage from its directory record makes a first contact anyway.
          const link = this.directoryLink
          if (link === undefined) throw err
          return await (await link).contact.keyPackage(peerId).catch(() => { throw err })
        }
      },
      notify: (peerId) => { this.delivery?.notify(peerId) },
      offer: (peerId, frames) => {
        this.offered.add(peerId, frames)
        this.delivery?.notify(peerId)
      },
      withdraw: (messageId) => { this.offered.withdraw(messageId) },
      event: (event) => { this.onEvent(event) },
      log: (line) => { this.record(line) },
      progress: (fraction) => { if (this.backupProgress.value !== null) this.backupProgress.value = fraction }
    }, (line) => { this.record(line) })
  }

  /** Opens storage and, if this browser already has an identity, goes online. */
  async boot (): Promise<void> {
    const takingOver = sessionStorage.getItem(TAKE_OVER_FLAG) !== null
    sessionStorage.removeItem(TAKE_OVER_FLAG)
    if (!await this.holdDeviceLock(false)) {
      if (takingOver) await this.takeOver()
      else this.phase.value = 'elsewhere'
      return
    }
    await this.start()
  }

  /** Asks the tab that has Kith open to let go, then starts here once it has. */
  async takeOver (): Promise<void> {
    if (this.handedOver.value) {
      // This tab's worker is gone: a fresh page takes the device back.
      sessionStorage.setItem(TAKE_OVER_FLAG, '1')
      location.reload()
      return
    }
    this.phase.value = 'loading'
    this.devices?.postMessage({ type: 'take-over' } satisfies DeviceRequest)
    await this.holdDeviceLock(true)
    await this.start()
  }

  /** Another tab takes over: closes libp2p and the worker, then gives up the device lock. */
  private async letGo (): Promise<void> {
    const release = this.releaseLock
    if (release === undefined) return
    this.releaseLock = undefined
    this.record('another tab of this browser takes over')
    this.webRtcCheck?.stop()
    this.staleSweeper?.stop()
    this.pathWatch?.stop()
    this.dialer?.stop()
    this.mailboxKeeper?.stop()
    // The other tab runs the downloads from now on: none may go on here (they share the wanted list).
    await this.transfers?.then(async (t) => { await t.stop() }).catch((err: unknown) => { this.record(`stopping file transfers: ${messageOf(err)}`) })
    const node = this.node
    this.node = undefined
    try { await node?.stop() } catch (err) { this.record(`stopping libp2p: ${messageOf(err)}`) }
    await this.rpc.call('flush').catch((err: unknown) => { this.record(`flushing: ${messageOf(err)}`) })
    this.worker.terminate()
    this.handedOver.value = true
    this.phase.value = 'elsewhere'
    release()
  }

  private async start (): Promise<void> {
    this.devices?.addEventListener('message', (e: MessageEvent<unknown>) => {
      if ((e.data as Partial<DeviceRequest> | null)?.type === 'take-over') void this.letGo()
    })
    try {
      // Remember the nodes that served this app, so a page loaded from another node (or a static
      // host, or the service worker's copy while this node is down) can still reach them later.
      // Asked while storage opens: a host that does not answer must not delay start-up.
      const served = fetchServedNode()
      const { callRingTimeoutMs, callAliveIntervalMs } = testHooks()
      const existing = await this.rpc.call('open', location.origin, {
        ...(callRingTimeoutMs !== undefined ? { callRingTimeoutMs } : {}),
        ...(callAliveIntervalMs !== undefined ? { callAliveIntervalMs } : {})
      })
      this.served = await served
      this.learned = rememberBootstrap([...this.served.bootstrap, ...urlBootstrap()])
      if (existing === null) this.phase.value = 'onboarding'
      else await this.goOnline(existing)
    } catch (err) {
      this.fail(`Kith could not open its storage in this browser: ${messageOf(err)}`)
    }
  }

  private fail (why: string): void {
    this.failure.value = why
    this.phase.value = 'failed'
  }

  /**
   * One tab per browser profile owns the device key; a second tab would be a second peer with the
   * same id. Resolves whether this tab got the lock; with `wait`, once the holder lets go.
   */
  private async holdDeviceLock (wait: boolean): Promise<boolean> {
    if (!('locks' in navigator)) return true
    return await new Promise<boolean>((resolve) => {
      void navigator.locks.request(DEVICE_LOCK, wait ? {} : { ifAvailable: true }, async (lock) => {
        if (lock !== null) await new Promise<void>((release) => { this.releaseLock = release; resolve(true) })
        else resolve(false)
      })
    })
  }

  private record (line: string): void {
    this.log.push(`${new Date().toISOString()} ${line}`)
    if (this.log.length > LOG_LINES) this.log.splice(0, this.log.length - LOG_LINES)
  }

  /** Shows a toast; the UI times it out. */
  notice (kind: Notice['kind'], text: string): void {
    this.notices.value = [...this.notices.value, { id: this.nextNotice++, kind, text, at: Date.now() }]
  }

  dismissNotice (id: number): void {
    this.notices.value = this.notices.value.filter((n) => n.id !== id)
  }

  private requireNode (): BrowserLibp2p {
    if (this.node === undefined) throw new Error('not connected yet')
    return this.node
  }

  private async invoke<M extends UiMethod> (method: M, ...args: Parameters<Messenger[M]>): Promise<Awaited<ReturnType<Messenger[M]>>> {
    return await this.rpc.call('invoke', method, args as never) as Awaited<ReturnType<Messenger[M]>>
  }

  // ------------------------------------------------------------------ identity and start-up

  async onboard (displayName: string): Promise<void> {
    const name = displayName.trim()
    if (name.length === 0 || name.length > 64) throw new Error('a display name has 1 to 64 characters')
    await this.goOnline(await this.rpc.call('onboard', name))
  }

  async restoreBackup (file: Uint8Array, passphrase: string): Promise<void> {
    this.backupProgress.value = 0
    try {
      const id = await this.rpc.call('restoreBackup', file, passphrase)
      this.backupProgress.value = null
      await this.goOnline(id)
    } finally {
      this.backupProgress.value = null
    }
  }

  async exportBackup (passphrase: string, includeHistory: boolean): Promise<Uint8Array> {
    this.backupProgress.value = 0
    try {
      return await this.rpc.call('exportBackup', passphrase, includeHistory)
    } finally {
      this.backupProgress.value = null
    }
  }

  private async goOnline (id: WorkerIdentity): Promise<void> {
    this.record(`starting libp2p at ${Math.round(performance.now())} ms`)
    // Asked for every new WebRTC connection, so a change in Settings applies without a restart.
    const iceServers = (): readonly IceServer[] => this.settings.value.iceServers ?? this.defaultIceServers
    const node = await createBrowserNode({ privateKey: privateKeyFromProtobuf(id.libp2pKey), iceServers })
    this.node = node
    const rpc = this.rpc
    const log = (l: string): void => { this.record(l) }
    // Frames for a device that cannot be reached wait in its mailboxes; this device's own wait in
    // mailboxes at the nodes it bootstraps from that keep one for it (PROTOCOL.md §5.4).
    const courier = new MailboxCourier(node, {
      next: async (peer, after, limit) => await rpc.call('nextFrames', peer, after, limit),
      deposited: async (peer, rowIds) => { await rpc.call('framesDeposited', peer, [...rowIds]) },
      mailboxesOf: async (peer) => {
        const told = await rpc.call('mailboxesOf', peer)
        // A device that never told us its mailboxes (a first contact) may list intro mailboxes in its record.
        if (told.length > 0 || this.directoryLink === undefined) return told
        return await (await this.directoryLink).contact.introMailboxes(peer)
      }
    }, log)
    this.mailboxKeeper = new MailboxKeeper(node, {
      own: async () => await rpc.call('ownMailboxes'),
      setOwn: async (list) => {
        await rpc.call('setOwnMailboxes', [...list])
        // The directory record lists the mailbox nodes too.
        void this.directoryLink?.then((link) => { link.republish() })
      },
      receive: async (from, frame) => await rpc.call('receive', from, frame)
    }, () => this.bootstrapList().filter((a) => a.includes('/p2p/') && dialableFromPage(a, location.protocol)), log, () => {
      this.mailboxes.value = this.mailboxKeeper?.status().map((m) => ({ node: m.node, place: m.addrs[0] === undefined ? m.node.slice(-12) : relayLabel(m.addrs[0]), waiting: m.depth ?? null, error: m.lastError ?? null })) ?? []
    }, (peer) => this.served.mailbox?.node === peer ? this.served.mailbox.ticket : undefined)
    const update = (): void => { this.updateConnectivity() }
    this.webRtcCheck = new InboundWebRtcCheck(node, { log: (l) => { this.record(l) }, changed: update })
    this.webRtcCheck.start()
    const webRtcCheck = this.webRtcCheck
    this.delivery = new DeliveryService(node, {
      next: async (peer, after, limit) => this.offered.take(peer, after, limit) ?? await rpc.call('nextFrames', peer, after, limit),
      settle: async (peer, outcomes) => { await rpc.call('settleFrames', peer, outcomes) }
    }, async (from, frame) => await rpc.call('receive', from.toString(), frame), {
      log,
      unreachable: (peer) => { void courier.unreachable(peer) },
      locate: async (peer) => this.directoryLink === undefined ? false : await (await this.directoryLink).contact.locate(peer),
      counts: webRtcCheck.counts
    })
    const keyPackages = new KeyPackageService(node, async () => await rpc.call('provideKeyPackage'), (l) => { this.record(l) })
    await this.delivery.start()
    await keyPackages.start()
    // An accepted WebRTC connection not proven yet is the check's to probe (it may never connect).
    this.staleSweeper = new StaleConnectionSweeper(node, { log: (l) => { this.record(l) }, changed: update, skip: (c) => !webRtcCheck.counts(c) })
    this.staleSweeper.start()
    // A WebRTC connection whose other end went away (a closed tab) is dropped within seconds, not after ICE gives up.
    this.pathWatch = new WebRtcPathWatch(node, { log: (l) => { this.record(l) }, changed: update })
    this.pathWatch.start()
    // libp2p announces its own new addresses after a 1 s debounce; a relay reservation shows up
    // in getMultiaddrs() as soon as its listener is up, so react to that too.
    const addressesChanged = (): void => {
      rpc.note('setAddrs', usableAddrs(node))
      void this.refreshInvite()
      update()
    }
    node.addEventListener('self:peer:update', addressesChanged)
    node.addEventListener('transport:listening', addressesChanged)
    node.addEventListener('transport:close', addressesChanged)
    node.addEventListener('connection:open', (evt) => {
      this.record(`connection to ${evt.detail.remotePeer.toString().slice(-8)} open at ${Math.round(performance.now())} ms`)
      update()
    })
    node.addEventListener('connection:close', update)
    node.addEventListener('peer:connect', (evt) => {
      rpc.note('peerConnected', evt.detail.toString())
      courier.seen(evt.detail.toString())
    })
    addEventListener('online', update)
    addEventListener('offline', update)
    addEventListener('pagehide', () => { void rpc.call('flush') })
    this.dialer = new BootstrapDialer(node, () => this.bootstrapList(), (l) => { this.record(l) }, update)
    this.me.value = { name: id.name, identity: id.identity, peerId: id.peerId, inviteLink: '' }
    await rpc.call('startMessenger', usableAddrs(node))
    await Promise.all([this.refreshInvite(), this.refreshLists(), this.loadSettings()])
    this.phase.value = 'ready'
    this.dialer.start()
    void this.mailboxKeeper.start().catch((err: unknown) => { this.record(`mailboxes did not start: ${messageOf(err)}`) })
    this.directoryLink = import('./directory-link.ts').then((m) => {
      const link = m.startDirectoryLink(node, {
        sign: async (issuedAt, lifetimeMs) => await rpc.call('signDirectoryRecord', usableAddrs(node), issuedAt, lifetimeMs),
        identityOf: async (peerId) => await rpc.call('identityOfDevice', peerId),
        addAddresses: async (peerId, addrs) => { await this.addAddresses(peerId, addrs) },
        preferred: () => this.bootstrapList().flatMap((a) => a.split('/p2p/')[1]?.split('/')[0] ?? []),
        log,
        changed: () => { this.directory.value = link.info() }
      })
      this.directory.value = link.info()
      return link
    })
    // Serving files and resuming interrupted downloads: loaded after start-up, off the critical path.
    void this.fileTransfers().catch(() => {})
    ;(globalThis as { kithDebug?: unknown }).kithDebug = { libp2p: node, log: this.log, client: this }
  }

  /** Every bootstrap address this page knows, the person's own choices first; the dialer filters and orders them. */
  private bootstrapList (): string[] {
    return [...new Set([...urlBootstrap(), ...this.settings.value.bootstrap, ...buildConfig.bootstrap, ...this.learned])]
  }

  private async refreshInvite (): Promise<void> {
    const me = this.me.value
    if (me === null) return
    this.me.value = { ...me, inviteLink: await this.invoke('inviteLink') }
  }

  private async addAddresses (peerId: string, addrs: readonly string[]): Promise<void> {
    // Only what this page can open (no plain /ws from an https:// page). Relayed addresses stay in
    // both forms: WebRTC is dialled first, the plain relayed connection when ICE cannot get through.
    const multiaddrs = addrs.filter((a) => dialableContactAddr(a, location.protocol)).map((a) => multiaddr(a))
    if (multiaddrs.length > 0) await this.requireNode().peerStore.merge(peerIdFromString(peerId), { multiaddrs })
  }

  private updateConnectivity (): void {
    const node = this.node
    if (node === undefined) return
    const contacts = this.contacts.value
    const devices = contacts.flatMap((c) => c.devices)
    const counts = this.webRtcCheck?.counts
    const status = statusOf(node, devices, navigator.onLine, this.dialer?.lastError ?? null, counts)
    if (status.kind !== this.connection.value.kind) {
      this.record(`status ${status.kind} at ${Math.round(performance.now())} ms`)
      // Back online: the contact devices are greeted (again).
      if (status.kind === 'online') this.greetDue = true
    }
    // The contact list may be read after the page came online (a reloaded page often is): the
    // greeting waits for it. A contact added later is not greeted: adding it links to it already.
    if (status.kind === 'online' && this.greetDue && this.listsRead) {
      this.greetDue = false
      if (devices.length > 0) this.greetContacts(node, devices)
    }
    this.connection.value = status
    let changed = false
    const next = contacts.map((c) => {
      const link = linkOf(node, c.devices, counts)
      if (link !== c.link) changed = true
      return link === c.link ? c : { ...c, link }
    })
    if (changed) this.contacts.value = next
  }

  /**
   * Dials every contact device on coming online (after a reload, say), so their pills show the
   * real link at once and anything they queued for this device arrives, instead of only when a
   * message next flows.
   */
  private greetContacts (node: BrowserLibp2p, devices: readonly string[], round = 1): void {
    const log = (l: string): void => { this.record(l) }
    const counts = this.webRtcCheck?.counts
    // Later rounds try WebRTC again for a link that came back relayed: on a loaded machine a
    // reloaded page's first WebRTC dial can run out of time and leave the contact on the relay.
    const relayed = round > 1 ? devices.filter((d) => linkOf(node, [d], counts) === 'relayed') : []
    Promise.all([
      greetPeers(node, devices.filter((d) => !relayed.includes(d)), { log }),
      relayed.length > 0 ? upgradeRelayedLinks(node, relayed, { log, counts }) : Promise.resolve([])
    ])
      .then(([reached, upgraded]) => {
        this.record(`greeted ${reached + upgraded.length} of ${devices.length} contact devices${relayed.length > 0 ? ` (${upgraded.length} of ${relayed.length} moved off the relay)` : ''}`)
        const unlinked = devices.filter((d) => linkOf(node, [d], counts) !== 'direct')
        if (unlinked.length > 0 && round < GREET_ROUNDS && this.node === node) {
          setTimeout(() => { this.greetContacts(node, unlinked, round + 1) }, GREET_RETRY_MS * 2 ** (round - 1))
        }
      })
      .catch((err: unknown) => { this.record(`greeting contacts failed: ${messageOf(err)}`) })
  }

  // ------------------------------------------------------------------ lists and events

  private async refreshLists (): Promise<void> {
    const [contacts, conversations] = await Promise.all([this.invoke('contacts'), this.invoke('conversations')])
    const node = this.node
    const renamed = contacts.some((c) => this.contacts.value.some((k) => k.identity === c.identity && k.displayName !== c.displayName))
    this.contacts.value = contacts.map((c) => ({ ...c, link: node === undefined ? 'none' : linkOf(node, c.devices, this.webRtcCheck?.counts) }))
    this.conversations.value = sortConversations(conversations.map((c) => this.toConversation(c)))
    for (const c of conversations) this.epochs.seed(c)
    this.listsRead = true
    if (renamed) this.renameShown()
    this.updateConnectivity()
  }

  /** Messages already shown carry the names they were shown with: a contact's new name replaces them. */
  private renameShown (): void {
    const names = this.names
    for (const list of this.lists.values()) {
      list.value = list.value.map((m) => {
        if (m.own) return m
        const senderName = personName(names, m.sender, m.senderName)
        return senderName === m.senderName ? m : { ...m, senderName }
      })
    }
  }

  /** Who is who, for naming people by the one rule in `person-names.ts`. */
  private get names (): NameSources {
    return { contacts: this.contacts.value, myIdentity: this.me.value?.identity ?? null }
  }

  /** A conversation as the UI shows it: people under their display names (person-names.ts), not the CLI's aliases. */
  private toConversation (c: ConversationView): Conversation {
    const names = this.names
    const myName = this.me.value?.name ?? null
    const last = c.lastMessage
    return {
      id: c.id,
      kind: c.kind,
      name: c.peerIdentity === null ? c.name : personName(names, c.peerIdentity, c.name),
      active: c.active,
      epoch: c.epoch,
      // The member list shows my own display name (the dialog adds "(you)"), and each person once
      // however many devices they take part with.
      members: c.members.filter((m, i) => c.members.findIndex((o) => o.identity === m.identity) === i)
        .map((m) => ({ ...m, name: personName(names, m.identity, m.name, myName ?? m.name) })),
      peerIdentity: c.peerIdentity,
      unread: c.unread,
      lastMessage: last === null ? null : { ...last, senderName: last.own ? 'You' : personNameByAlias(names, last.senderName, myName) },
      since: c.since,
      muted: c.muted,
      archived: c.archived,
      rejoining: c.rejoining === undefined ? null : c.rejoining.map((alias) => personNameByAlias(names, alias, myName))
    }
  }

  /** Applies a conversation the messenger announced; a new one may bring a new contact, so lists reload. */
  private upsertConversation (view: ConversationView): void {
    const list = this.conversations.value
    const known = list.some((c) => c.id === view.id)
    const newPeer = view.peerIdentity !== null && !this.contacts.value.some((c) => c.identity === view.peerIdentity)
    if (!known || newPeer) {
      this.scheduleRefresh()
      return
    }
    this.conversations.value = sortConversations(list.map((c) => (c.id === view.id ? this.toConversation(view) : c)))
  }

  private scheduleRefresh (): void {
    if (this.refreshTimer !== undefined) return
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined
      this.refreshLists().catch((err: unknown) => { this.record(`refresh failed: ${messageOf(err)}`) })
    }, 30)
  }

  private onEvent (event: MessengerEvent): void {
    // Membership may have changed: who may fetch files is asked afresh.
    if (event.type === 'conversation' || (event.type === 'message' && event.message.notice !== undefined)) {
      this.fetchAllowed.clear()
      const newEpoch = event.type === 'conversation' && this.epochs.changed(event.conversation)
      void this.transfers?.then((t) => {
        t.membershipChanged()
        if (newEpoch) t.sourcesChanged()
      }, () => {})
    }
    if (event.type === 'file-withdrawn') {
      this.fetchAllowed.clear()
      void this.transfers?.then(async (t) => { await t.withdraw(event.fileId) })
        .catch((err: unknown) => { this.record(`withdrawing file ${event.fileId.slice(0, 8)} failed: ${messageOf(err)}`) })
    }
    if (event.type === 'message' && event.message.notice?.type === 'profile' && !event.message.own) {
      // Someone took a new name: their contact row changed, so lists (and names shown) reload.
      this.scheduleRefresh()
    }
    if (event.type === 'message') {
      const list = this.lists.get(event.message.conversation)
      const message = this.displayed(event.message)
      const i = list === undefined ? -1 : list.value.findIndex((m) => m.id === message.id)
      if (list !== undefined) list.value = requote(i >= 0 ? list.value.map((m, j) => (j === i ? message : m)) : insertInOrder(list.value, message), message)
      // Their message is what they were typing; a change to a message already shown is not.
      if (i < 0 && !message.own) this.stopTyping(message.conversation, message.sender)
    } else if (event.type === 'message-state') {
      const list = this.lists.get(event.conversation)
      if (list !== undefined) list.value = list.value.map((m) => (m.id === event.id ? { ...m, state: event.state } : m))
    } else if (event.type === 'typing') {
      this.showTyping(event.conversation, event.identity, event.name)
    } else if (event.type === 'conversation') {
      this.upsertConversation(event.conversation)
    } else if (event.type === 'call') {
      const call = event.call
      const others = this.calls.value.filter((c) => c.id !== call.id)
      // Before the list: whoever sees the call leave it can read how it ended.
      if (call.phase === 'ended') this.lastEndedCall.value = call
      this.calls.value = call.phase === 'ended' ? others : [...others, call]
    } else if (event.type === 'call-signal') {
      this.callSignals.push({ conversation: event.conversation, from: event.from, signal: event.signal })
    }
  }

  private showTyping (conversation: string, identity: string, name: string): void {
    const typers = this.typers.get(conversation) ?? new Map<string, { readonly name: string, readonly timer: ReturnType<typeof setTimeout> }>()
    this.typers.set(conversation, typers)
    clearTimeout(typers.get(identity)?.timer)
    const shown = personName(this.names, identity, name)
    typers.set(identity, { name: shown, timer: setTimeout(() => { this.stopTyping(conversation, identity) }, TYPING_SHOWN_MS) })
    this.renderTyping(conversation)
  }

  private stopTyping (conversation: string, identity: string): void {
    const typers = this.typers.get(conversation)
    const typer = typers?.get(identity)
    if (typers === undefined || typer === undefined) return
    clearTimeout(typer.timer)
    typers.delete(identity)
    this.renderTyping(conversation)
  }

  private renderTyping (conversation: string): void {
    const names = [...(this.typers.get(conversation)?.values() ?? [])].map((t) => t.name)
    this.typing.value = { ...this.typing.value, [conversation]: names }
  }

  /** A message as the UI shows it: people under their display names (person-names.ts), not the CLI's aliases. */
  private displayed (m: MessageOut): Message {
    const names = this.names
    const quoted = m.replyTo
    return {
      ...m,
      senderName: m.own ? 'You' : personName(names, m.sender, m.senderName),
      replyTo: quoted === null ? null : { ...quoted, senderName: this.quoteAuthor(m.conversation, quoted.id, quoted.senderName) },
      reactions: m.reactions.map((r) => ({ ...r, names: r.identities.map((id, i) => personName(names, id, r.names[i] ?? '')) }))
    }
  }

  /** The author of a quoted message: by identity when it is loaded, else by the alias the quote carries. */
  private quoteAuthor (conversation: string, id: string, name: string): string {
    const loaded = this.lists.get(conversation)?.value.find((q) => q.id === id)
    if (loaded !== undefined) return loaded.own ? 'You' : personName(this.names, loaded.sender, name)
    return personNameByAlias(this.names, name, this.me.value?.name ?? null)
  }

  messages (conversationId: string): ReadonlySignal<readonly Message[]> {
    let list = this.lists.get(conversationId)
    if (list === undefined) {
      const created = signal<readonly Message[]>([])
      list = created
      this.lists.set(conversationId, created)
      this.invoke('messages', conversationId, 500)
        .then((rows) => { created.value = mergeLoaded(created.value, rows.map((m) => this.displayed(m))) })
        .catch((err: unknown) => { this.notice('error', `Could not load messages: ${messageOf(err)}`) })
    }
    return list
  }

  // ------------------------------------------------------------------ actions

  async addContact (inviteLinkOrCode: string): Promise<{ contact: Contact, conversationId: string, existing: boolean }> {
    const { alias, conversationId, existing } = await this.rpc.call('addContact', inviteLinkOrCode)
    await this.refreshLists()
    const contact = this.contacts.value.find((c) => c.alias === alias)
    if (contact === undefined) throw new Error('the contact was added but cannot be listed')
    return { contact, conversationId, existing }
  }

  async checkInvite (inviteLinkOrCode: string): Promise<string | null> {
    return await this.rpc.call('checkInvite', inviteLinkOrCode)
  }

  async setDisplayName (name: string): Promise<void> {
    const profile = await this.invoke('setDisplayName', name)
    const me = this.me.value
    if (me !== null) this.me.value = { ...me, name: profile.displayName, inviteLink: profile.inviteLink }
  }

  async safetyNumber (alias: string): Promise<string> {
    return formatSafetyNumber((await this.invoke('safetyNumber', alias)).safetyNumber)
  }

  async setVerified (alias: string, verified: boolean): Promise<void> {
    await this.invoke('markVerified', alias, verified)
    await this.refreshLists()
  }

  async createGroup (name: string): Promise<string> {
    const view = await this.invoke('createGroup', name)
    await this.refreshLists()
    return view.id
  }

  async renameGroup (conversationId: string, name: string): Promise<void> {
    await this.invoke('renameGroup', conversationId, name)
    await this.refreshLists()
  }

  async search (query: string): Promise<readonly SearchResult[]> {
    const hits = await this.invoke('search', query, SEARCH_LIMIT)
    // 1:1s under the contact's own name, as the list shows them, rather than the CLI's alias.
    const names = new Map(this.conversations.value.map((c) => [c.id, c.name]))
    return hits.map((h) => ({ conversationId: h.conversationId, conversationName: names.get(h.conversationId) ?? h.conversationName, message: this.displayed(h.message) }))
  }

  async addMember (conversationId: string, alias: string): Promise<void> {
    await this.invoke('addMember', conversationId, alias)
    await this.refreshLists()
  }

  async removeMember (conversationId: string, alias: string): Promise<void> {
    await this.invoke('removeMember', conversationId, alias)
    await this.refreshLists()
  }

  async leave (conversationId: string): Promise<void> {
    await this.invoke('leave', conversationId)
    await this.refreshLists()
  }

  async setMuted (conversationId: string, muted: boolean): Promise<void> {
    this.upsertConversation(await this.invoke('setMuted', conversationId, muted))
  }

  async setArchived (conversationId: string, archived: boolean): Promise<void> {
    this.upsertConversation(await this.invoke('setArchived', conversationId, archived))
  }

  async send (conversationId: string, text: string, replyTo?: string): Promise<void> {
    this.lastTyped.delete(conversationId)
    await this.invoke('send', conversationId, text, replyTo === undefined ? {} : { replyTo })
  }

  async sendFiles (conversationId: string, files: readonly File[], caption: string, previews?: ReadonlyMap<number, Blob>): Promise<void> {
    for (const [i, file] of files.entries()) {
      await this.rpc.call('sendFile', conversationId, file, i === 0 ? caption : '', previews?.get(i) ?? null)
    }
  }

  async fileTransfers (): Promise<FileTransfers> {
    this.transfers ??= (async () => {
      const node = this.requireNode()
      const { FileTransfers } = await import('./file-transfers.ts')
      return await FileTransfers.start({
        node,
        log: (l) => { this.record(l) },
        offers: {
          manifest: async (fileId) => (await this.invoke('fileOffer', fileId)).manifest,
          mayFetch: async (peerId, fileId) => {
            // Asked before every chunk served: a yes is reused until the conversation changes.
            const key = `${peerId} ${fileId}`
            const at = this.fetchAllowed.get(key)
            if (at !== undefined && Date.now() - at < FETCH_ALLOWED_MS) return true
            const allowed = await this.invoke('mayFetchFile', peerId, fileId)
            if (allowed) this.fetchAllowed.set(key, Date.now())
            else this.fetchAllowed.delete(key)
            return allowed
          },
          sources: async (fileId) => await this.invoke('fileSources', fileId),
          withdrawn: async (fileId) => await this.invoke('fileWithdrawn', fileId),
          senderDevice: async (fileId) => (await this.invoke('fileOffer', fileId)).senderDevice
        }
      })
    })()
    this.transfers.catch((err: unknown) => {
      this.record(`file transfers did not start: ${messageOf(err)}`)
      this.transfers = undefined
    })
    return await this.transfers
  }

  async edit (conversationId: string, messageId: string, text: string): Promise<void> {
    await this.invoke('edit', conversationId, messageId, text)
  }

  async deleteMessage (conversationId: string, messageId: string): Promise<void> {
    await this.invoke('deleteMessage', conversationId, messageId)
  }

  async react (conversationId: string, messageId: string, emoji: string): Promise<void> {
    await this.invoke('react', conversationId, messageId, emoji)
  }

  async markRead (conversationId: string): Promise<void> {
    await this.invoke('markRead', conversationId)
  }

  typed (conversationId: string): void {
    const now = Date.now()
    if (now - (this.lastTyped.get(conversationId) ?? 0) < TYPING_SEND_EVERY_MS) return
    this.lastTyped.set(conversationId, now)
    this.invoke('typing', conversationId).catch((err: unknown) => { this.record(`typing: ${messageOf(err)}`) })
  }

  private async loadSettings (): Promise<void> {
    const { readReceipts } = await this.invoke('settings')
    this.settings.value = { ...this.settings.value, readReceipts }
  }

  async updateSettings (patch: Partial<Settings>): Promise<void> {
    if (patch.readReceipts !== undefined) await this.invoke('setReadReceipts', patch.readReceipts)
    this.settings.value = { ...this.settings.value, ...patch }
    const { notifications, bootstrap, iceServers, theme, autoDownloadBytes } = this.settings.value
    saveLocalSettings({ notifications, bootstrap, iceServers, theme, autoDownloadBytes })
    if (patch.bootstrap !== undefined) this.dialer?.start()
    // New STUN/TURN servers may open a WebRTC path where only the relay got through (the pills follow connection:open).
    if (patch.iceServers !== undefined && this.node !== undefined) {
      void upgradeRelayedLinks(this.node, this.contacts.value.flatMap((c) => c.devices), { log: (l) => { this.record(l) }, counts: this.webRtcCheck?.counts })
    }
  }
}

/** Bootstrap addresses given in the page's URL (`?bootstrap=MULTIADDR`, repeatable). */
function urlBootstrap (): string[] {
  return new URLSearchParams(location.search).getAll('bootstrap').map((a) => a.trim()).filter((a) => a.length > 0)
}

/** A conversation's messages in their order: Lamport clock, then sender, then id. */
function order (a: Message, b: Message): number {
  return a.lamport - b.lamport || (a.sender < b.sender ? -1 : a.sender > b.sender ? 1 : 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

function insertInOrder (list: readonly Message[], message: Message): readonly Message[] {
  const next = [...list, message]
  if (list.length > 0 && order(list[list.length - 1]!, message) > 0) next.sort(order)
  return next
}

/** Loaded history merged with anything that arrived live while it loaded. */
function mergeLoaded (live: readonly Message[], loaded: readonly Message[]): readonly Message[] {
  const byId = new Map(loaded.map((m) => [m.id, m]))
  for (const m of live) byId.set(m.id, m)
  return [...byId.values()].sort(order)
}
