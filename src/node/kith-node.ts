/**
 * A running Kith peer in Node.js: the data directory, the SQLite store, the account, libp2p, the
 * messenger, the delivery and KeyPackage services, the local API and the web port, started and
 * stopped together. Used by `kith serve`, the tests and the benchmarks.
 */
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { cleanup as cleanupWebRtc } from 'node-datachannel'
import { isPrivate } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { randomBytes as nodeRandomBytes, timingSafeEqual } from 'node:crypto'
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { networkInterfaces, userInfo } from 'node:os'
import { join } from 'node:path'
import { createAccount, DEVICE_KEY_META, hasAccount, loadAccount, type Account } from '../core/messenger/account.ts'
import { Messenger } from '../core/messenger/messenger.ts'
import { importBackupFile, type RestoredAccount } from '../core/messenger/account-backup.ts'
import type { Log } from '../core/messenger/ports.ts'
import { UsageError, describeError, strictAssert } from '../core/errors.ts'
import { Libp2pTransport } from '../net/kith-transport.ts'
import { checkAnnounce, isLoopbackAddr } from '../net/announce.ts'
import { DirectUpgrader } from '../net/direct-upgrade.ts'
import { InboundWebRtcCheck, type CountsAsLink } from '../net/inbound-webrtc-check.ts'
import { DirectoryPublisher, routingTableSize, type PublishStatus } from '../net/dht-directory.ts'
import { dhtDirectory, type DirectoryAccess } from '../net/directory-access.ts'
import { DirectoryContact } from '../net/directory-contact.ts'
import { DirectoryQueryService } from '../net/protocols/directory-query.ts'
import { greetPeers } from '../net/greet.ts'
import { createKithNode, type KithLibp2p } from '../net/node.ts'
import { DeliveryService } from '../net/protocols/deliver.ts'
import { KeyPackageService } from '../net/protocols/key-package.ts'
import { MailboxCourier } from '../net/mailbox-courier.ts'
import { MailboxKeeper, type MailboxStatus } from '../net/mailbox-keeper.ts'
import { announceMailboxNode, mailboxNodesInDht } from '../net/mailbox-nodes.ts'
import { storePeerAddresses } from '../net/peer-addresses.ts'
import { MailboxService } from '../net/protocols/mailbox.ts'
import { SqliteMailboxStore } from '../store/mailbox-sqlite.node.ts'
import { DEFAULT_QUOTAS, type MailboxQuotas } from '../core/mailbox/limits.ts'
import type { RetryTimerOptions } from '../net/retry-timer.ts'
import { SqliteStore } from '../store/sqlite.node.ts'
import { startApiServer, type ApiServer } from './api/server.ts'
import { certificateNames, loadTlsFiles, selfSignedTls, webRtcDirectCertificate, type TlsMaterial } from './certificates.ts'
import { acquireInstanceLock, type InstanceLock } from './instance-lock.ts'
import { dataPaths, type DataPaths } from './paths.ts'
import { startWebServer, type ServedInfo, type WebServer } from './web-server.ts'
import { installNodeCrypto } from './mls-crypto.ts'
import { installNodeFileCrypto } from './file-crypto.ts'
import { FileTransfers } from './file-transfers.ts'
import { NodeChunkStore } from '../store/chunks.node.ts'

installNodeCrypto()
installNodeFileCrypto()

/** Bytes of file chunks a node keeps by default (`--file-quota`). */
export const DEFAULT_FILE_QUOTA = 64 * 1024 * 1024 * 1024

/** How to start a node. Ports of 0 pick free ones; chosen ports are remembered for the next start. */
export interface KithNodeConfig {
  readonly dataDir?: string
  readonly host?: string
  readonly tcpPort?: number
  readonly wsPort?: number
  readonly webPort?: number
  /** UDP port of the WebRTC-direct listener. */
  readonly webrtcPort?: number
  readonly bootstrap?: readonly string[]
  /** Hosts or multiaddrs to announce to peers (`--announce`), besides the interface addresses. */
  readonly announce?: readonly string[]
  /** HTTPS and WSS: a certificate and key (`--tls-cert`/`--tls-key`) or `'self-signed'` (`--tls self-signed`). */
  readonly tls?: { readonly certFile: string, readonly keyFile: string } | 'self-signed'
  /** STUN/TURN servers for WebRTC (`--ice-server`); none by default. */
  readonly iceServers?: readonly RTCIceServer[]
  /** Reserve a slot on a relay so peers reach this node behind a NAT (default true). */
  readonly relayReservation?: boolean
  readonly mdns?: boolean
  /** Display name used if this directory has no account yet. */
  readonly name?: string
  readonly retry?: RetryTimerOptions
  readonly establishRetryMs?: number
  readonly establishRetryMaxMs?: number
  /** How long an unanswered call rings here (tests; default 45 s). */
  readonly callRingTimeoutMs?: number
  /** How often a device in a call says it is still there (tests; default 10 s). */
  readonly callAliveIntervalMs?: number
  /** Serve the local API (default true). */
  readonly api?: boolean
  /** Also print log lines to stderr. */
  readonly verbose?: boolean
  /** Nodes (multiaddrs with /p2p/) to keep this device's mailboxes at (`--mailbox`); else the bootstrap nodes that admit it. */
  readonly mailboxes?: readonly string[]
  /** Keep mailboxes for any device that asks, within quotas (`--mailbox-for-anyone`); else only for this account's devices and its contacts'. */
  readonly mailboxForAnyone?: boolean
  /** Quotas of the mailboxes this node keeps for others (default DEFAULT_QUOTAS). */
  readonly mailboxQuotas?: Partial<MailboxQuotas>
  /** Timings of the directory record in the DHT (docs/PROTOCOL.md §10); tests shorten them. */
  readonly directory?: DirectoryConfig
  /** Bytes of encrypted file chunks this node keeps at most, sent and received (default 64 GiB). */
  readonly fileQuotaBytes?: number
  /** First wait before a download with no source left tries again (default 1 s, doubling to 30 s). */
  readonly fileRetryMs?: number
}

/** Timings of the directory record. */
export interface DirectoryConfig {
  /** Record lifetime; republished after half of it (default 24 h). */
  readonly lifetimeMs?: number
  /** Wait after an address change before republishing (default 500 ms). */
  readonly debounceMs?: number
  /** Backoff while no DHT peer takes the record. */
  readonly retry?: RetryTimerOptions
  /** Shortest time between two lookups of one account (default 10 s). */
  readonly lookupIntervalMs?: number
}

/** What `kith status` shows of the DHT and this account's record in it. */
export interface DirectoryStatus {
  readonly routingTable: number
  readonly record?: PublishStatus
}

interface SavedPorts { tcpPort?: number, wsPort?: number, webPort?: number, webrtcPort?: number }

/** Whether a listen host is a wildcard that covers every interface. */
function isWildcard (host: string): boolean {
  return host === '0.0.0.0' || host === '::'
}

/** This host's non-loopback interface addresses (what a wildcard listener is reachable on). */
function interfaceAddresses (): string[] {
  return Object.values(networkInterfaces()).flat()
    .filter((i): i is NonNullable<typeof i> => i !== undefined && !i.internal && (i.family === 'IPv4' || !i.address.startsWith('fe80')))
    .map((i) => i.address)
}

/** The host a person on another machine uses to open this node's web app. */
function publicHost (host: string, announce: readonly string[]): string {
  const named = announce.find((a) => !a.startsWith('/'))
  if (named !== undefined) return named
  if (!isWildcard(host)) return host
  return interfaceAddresses().find((a) => !a.includes(':')) ?? '127.0.0.1'
}

function urlHost (host: string): string {
  return host.includes(':') ? `[${host}]` : host
}

function readJson<T> (path: string): T | undefined {
  try { return JSON.parse(readFileSync(path, 'utf8')) as T } catch { return undefined }
}

/** Creates the directory's account and device key if missing; returns whether it was created. */
export async function initDataDir (paths: DataPaths, name: string): Promise<{ created: boolean, account: Account }> {
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 })
  const store = new SqliteStore(paths.database)
  try {
    if (await hasAccount(store)) return { created: false, account: await loadAccount(store) }
    const key = await generateKeyPair('Ed25519')
    const peerId = peerIdFromPrivateKey(key)
    const { account, writes } = await createAccount(name, peerId.toString(), peerId.toMultihash().bytes, Date.now())
    await store.apply([{ kind: 'meta', key: DEVICE_KEY_META, value: privateKeyToProtobuf(key) }, ...writes])
    return { created: true, account }
  } finally {
    await store.close()
  }
}

/**
 * Restores an encrypted backup into a data directory that has no account yet, as a new device of
 * the same identity (new libp2p key); its conversations rejoin once the node runs. Refuses a
 * directory with an account, and one whose node is running.
 */
export async function importBackupIntoDataDir (paths: DataPaths, file: Uint8Array, passphrase: string, onProgress?: (fraction: number) => void): Promise<RestoredAccount> {
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 })
  const lock = acquireInstanceLock(paths.lock, paths.dir)
  const store = new SqliteStore(paths.database)
  try {
    if (await hasAccount(store)) {
      const existing = await loadAccount(store)
      throw new UsageError(`${paths.dir} already has an account ("${existing.certificate.displayName}"); import a backup into a new data directory (--data DIR)`)
    }
    const key = await generateKeyPair('Ed25519')
    const peerId = peerIdFromPrivateKey(key)
    return await importBackupFile(store, file, passphrase, {
      peerId: peerId.toString(), peerIdBytes: peerId.toMultihash().bytes, writes: [{ kind: 'meta', key: DEVICE_KEY_META, value: privateKeyToProtobuf(key) }]
    }, Date.now(), onProgress)
  } finally {
    await store.close()
    lock.release()
  }
}

/** The node's web ticket (PROTOCOL.md §5.4): made once, kept in the data directory. */
function mailboxTicket (path: string): Buffer {
  try {
    const hex = readFileSync(path, 'utf8').trim()
    if (/^[0-9a-f]{64}$/.test(hex)) return Buffer.from(hex, 'hex')
  } catch { /* made below */ }
  const ticket = nodeRandomBytes(32)
  writeFileSync(path, ticket.toString('hex'), { mode: 0o600 })
  return ticket
}

function makeLog (paths: DataPaths, verbose: boolean): Log {
  return (message: string) => {
    const line = `${new Date().toISOString()} ${message}\n`
    try { appendFileSync(paths.log, line) } catch { /* the log is best effort */ }
    if (verbose) process.stderr.write(line)
  }
}

/** Nodes started in this process and not yet stopped: WebRTC's native threads end with the last. */
let running = 0

/** How this node can be reached, for `kith status`. */
export interface Reachability {
  /** `public`: an address AutoNAT confirmed (or one announced); `relayed`: only through a relay reservation; `lan`: private addresses only; `local`: loopback only. */
  readonly kind: 'public' | 'relayed' | 'lan' | 'local'
  readonly relays: readonly string[]
  readonly addrs: readonly string[]
}

/** Reads reachability off libp2p's announced addresses: public ones are there only once AutoNAT v2 (or `--announce`) vouches for them. */
function reachabilityOf (libp2p: KithLibp2p): Reachability {
  const addrs = libp2p.getMultiaddrs().map((ma) => ma.toString())
  // One entry per relay (a relay is reachable on several addresses): its first address.
  const byRelay = new Map<string, string>()
  for (const a of addrs.filter((x) => x.includes('/p2p-circuit'))) {
    const relayAddr = a.split('/p2p-circuit')[0]!
    const id = relayAddr.split('/p2p/').pop() ?? relayAddr
    if (!byRelay.has(id)) byRelay.set(id, relayAddr)
  }
  const relays = [...byRelay.values()]
  const direct = addrs.filter((a) => !a.includes('/p2p-circuit'))
  const isPublic = direct.some((a) => isPrivate(multiaddr(a)) === false)
  const kind = isPublic ? 'public' : relays.length > 0 ? 'relayed' : direct.every(isLoopbackAddr) ? 'local' : 'lan'
  return { kind, relays, addrs: direct }
}

/** One open connection as `kith status` shows it: relayed ones go through a relay's limits. */
export interface Link {
  readonly peer: string
  readonly addr: string
  readonly relayed: boolean
  /** Protocols of the streams open on it now. */
  readonly streams: readonly string[]
}

/** Open connections that count (an accepted WebRTC connection not proven yet may never have connected). */
function linksOf (libp2p: KithLibp2p, counts: CountsAsLink): Link[] {
  return libp2p.getConnections().filter((c) => c.status === 'open' && counts(c)).map((c) => ({
    peer: c.remotePeer.toString(),
    addr: c.remoteAddr.toString(),
    relayed: c.limits !== undefined,
    streams: c.streams.map((s) => s.protocol ?? '').filter((p) => p.length > 0)
  }))
}

/** Mailboxes for `kith status`: those this device keeps elsewhere, and those this node keeps for others. */
export interface MailboxesStatus {
  readonly own: readonly MailboxStatus[]
  readonly served: { readonly mailboxes: number, readonly entries: number, readonly bytes: number }
}

function mailboxStatus (keeper: MailboxKeeper, store: SqliteMailboxStore): MailboxesStatus {
  const depths = store.depths()
  return {
    own: keeper.status(),
    served: { mailboxes: depths.length, entries: depths.reduce((n, d) => n + d.depth, 0), bytes: depths.reduce((n, d) => n + d.bytes, 0) }
  }
}

/** A started peer. */
export class KithNode {
  private constructor (
    readonly paths: DataPaths,
    readonly libp2p: KithLibp2p,
    readonly messenger: Messenger,
    readonly store: SqliteStore,
    private readonly delivery: DeliveryService,
    private readonly keyPackages: KeyPackageService,
    /** Moves relayed links to direct ones, and keeps accepted WebRTC connections that never connected from counting. */
    private readonly links: { readonly upgrader: DirectUpgrader, readonly webRtcCheck: InboundWebRtcCheck },
    private readonly mail: { service: MailboxService, store: SqliteMailboxStore, keeper: MailboxKeeper, courier: MailboxCourier, stopAnnouncing: () => void },
    readonly api: ApiServer | undefined,
    readonly web: WebServer,
    /** The web app's address as a person on another host opens it. */
    readonly webUrl: string,
    /** The HTTPS certificate, when the node serves over TLS. */
    readonly tls: TlsMaterial | undefined,
    private readonly lock: InstanceLock,
    readonly log: Log,
    private readonly publisher: DirectoryPublisher,
    /** Files sent, served and downloaded. */
    readonly files: FileTransfers
  ) {}



  /** Opens the data directory (creating an account if needed) and starts every service. */
  static async start (config: KithNodeConfig = {}): Promise<KithNode> {
    const paths = dataPaths(config.dataDir)
    mkdirSync(paths.dir, { recursive: true, mode: 0o700 })
    // Before any file of a running node is opened or written.
    const lock = acquireInstanceLock(paths.lock, paths.dir)
    try {
      return await KithNode.open(paths, lock, config)
    } catch (err) {
      lock.release()
      throw err
    }
  }

  private static async open (paths: DataPaths, lock: InstanceLock, config: KithNodeConfig): Promise<KithNode> {
    for (const a of config.announce ?? []) {
      const problem = checkAnnounce(a)
      if (problem !== null) throw new UsageError(problem)
    }
    await initDataDir(paths, config.name ?? (userInfo().username || 'kith-user'))
    const log = makeLog(paths, config.verbose ?? false)
    const host = config.host ?? '127.0.0.1'
    const announce = config.announce ?? []
    const shownHost = publicHost(host, announce)
    const tls = await KithNode.tlsMaterial(paths, config, [shownHost, ...announce.filter((a) => !a.startsWith('/')), ...(isWildcard(host) ? interfaceAddresses() : [host])], log)
    const webRtcCertificate = await webRtcDirectCertificate(paths.webRtcCert)
    const store = new SqliteStore(paths.database)
    const account = await loadAccount(store)
    const keyBytes = await store.getMeta(DEVICE_KEY_META)
    if (keyBytes === undefined) throw new UsageError(`${paths.dir} has an account but no device key; it is damaged`)
    const privateKey: PrivateKey = privateKeyFromProtobuf(keyBytes)
    const saved = readJson<SavedPorts>(paths.config) ?? {}
    const tcpPort = config.tcpPort ?? saved.tcpPort ?? 0
    const wsPort = config.wsPort ?? saved.wsPort ?? 0
    const webrtcPort = config.webrtcPort ?? saved.webrtcPort ?? 0
    const ip = host.includes(':') ? 'ip6' : 'ip4'
    // With a certificate the WebSocket port speaks TLS only: a page served over https may not open ws:.
    const wsKind = tls !== undefined ? 'tls/ws' : 'ws'
    const listenOn = (tcp: number, ws: number, udp: number): string[] => [`/${ip}/${host}/tcp/${tcp}`, `/${ip}/${host}/tcp/${ws}/${wsKind}`, `/${ip}/${host}/udp/${udp}/webrtc-direct`]
    const nodeOptions = {
      privateKey,
      log,
      bootstrap: config.bootstrap ?? [],
      mdns: config.mdns ?? false,
      announce,
      loopbackOnly: /^(127\.|::1$|localhost$)/.test(host),
      webRtcDirectCertificate: webRtcCertificate,
      iceServers: [...(config.iceServers ?? [])],
      relayReservation: config.relayReservation ?? true,
      ...(tls !== undefined ? { tls: { cert: tls.cert, key: tls.key } } : {})
    }
    // Remembered ports are what contacts know this node by, so keep them if at all possible: first
    // all of them; then the TCP ones with a new UDP port (a WebRTC-direct socket can linger a moment
    // after a restart in the same process); only then all new ones.
    const fixed = config.tcpPort !== undefined || config.wsPort !== undefined || config.webrtcPort !== undefined
    const tries: Array<[number, number, number]> = fixed ? [[tcpPort, wsPort, webrtcPort]] : [[tcpPort, wsPort, webrtcPort], [tcpPort, wsPort, 0], [0, 0, 0]]
    let libp2p: KithLibp2p | undefined
    for (const [i, [tcp, ws, udp]] of tries.entries()) {
      try {
        libp2p = await createKithNode({ ...nodeOptions, listen: listenOn(tcp, ws, udp) })
        break
      } catch (err) {
        if (i === tries.length - 1) throw err
        log(`ports ${tcp}/${ws}/${udp} (TCP/WebSocket/UDP) are not all free (${describeError(err)}); trying ${tries[i + 1]!.join('/')}`)
      }
    }
    strictAssert(libp2p !== undefined, 'a listen attempt succeeded or threw')
    const transport = new Libp2pTransport(libp2p)
    const webTicket = mailboxTicket(paths.mailboxTicket)
    const info = (): ServedInfo => ({
      peerId: libp2p.peerId.toString(),
      mailboxTicket: webTicket.toString('hex'),
      bootstrap: libp2p.getMultiaddrs().map((ma) => ma.toString()).filter((a) => !a.includes('/p2p-circuit') && (a.includes('/ws/') || a.includes('/webrtc-direct/')))
    })
    const webPort = config.webPort ?? saved.webPort ?? 0
    let web: WebServer
    try {
      web = await startWebServer({ host, port: webPort, log, info, ...(tls !== undefined ? { tls } : {}) })
    } catch (err) {
      await libp2p.stop()
      await store.close()
      const code = (err as NodeJS.ErrnoException).code
      if (code !== 'EADDRINUSE') throw err
      throw new UsageError(config.webPort !== undefined
        ? `web port ${webPort} is busy; choose another with --web-port`
        : `web port ${webPort} (remembered in ${paths.config}) is busy. Browsers keep their identity and history per address, so Kith does not move; stop what uses the port, or start with --web-port N to move on purpose`)
    }
    const webUrl = `${tls !== undefined ? 'https' : 'http'}://${urlHost(shownHost)}:${web.port}`
    // Sends that yield together resume together, in one callback: the next sends they make then
    // share a commit, instead of each getting its own (Node drains microtasks after every callback).
    let yielding: Promise<void> | undefined
    const yieldToIo = async (): Promise<void> => {
      yielding ??= new Promise<void>((resolve) => setImmediate(() => {
        yielding = undefined
        resolve()
      }))
      await yielding
    }
    const runSoon = (task: () => void): void => { setImmediate(task) }
    const messenger = new Messenger({ store, transport, account, log, yieldToIo, runSoon }, {
      webBase: webUrl,
      ...(config.establishRetryMs !== undefined ? { establishRetryMs: config.establishRetryMs } : {}),
      ...(config.establishRetryMaxMs !== undefined ? { establishRetryMaxMs: config.establishRetryMaxMs } : {}),
      ...(config.callRingTimeoutMs !== undefined ? { callRingTimeoutMs: config.callRingTimeoutMs } : {}),
      ...(config.callAliveIntervalMs !== undefined ? { callAliveIntervalMs: config.callAliveIntervalMs } : {})
    })
    const directory = dhtDirectory(libp2p.services.dht)
    const contactDirectory = new DirectoryContact({
      directory,
      identityOf: async (peerId) => await messenger.identityOfDevice(peerId),
      addAddresses: async (peerId, addrs) => { await transport.addAddresses(peerId, addrs) },
      replaceAddresses: async (peerId, addrs) => { await storePeerAddresses(libp2p, peerId, addrs, 'replace') },
      log,
      locateIntervalMs: config.directory?.lookupIntervalMs ?? 10_000
    })
    transport.keyPackageFallback = async (peerId) => await contactDirectory.keyPackage(peerId)
    const courier = new MailboxCourier(libp2p, {
      next: async (peer, after, limit) => await messenger.nextFrames(peer, after, limit),
      deposited: async (peer, rowIds) => { await messenger.framesDeposited(peer, rowIds) },
      // A device that never told us its mailboxes (a first contact) may list intro mailboxes in its record.
      mailboxesOf: async (peer) => {
        const told = await messenger.mailboxesOf(peer)
        return told.length > 0 ? told : await contactDirectory.introMailboxes(peer)
      }
    }, log)
    // An accepted WebRTC connection counts only once a stream crossed it: a failed upgrade can leave
    // one that never connected (inbound-webrtc-check.ts), which would take chat away from the relay.
    const webRtcCheck = new InboundWebRtcCheck(libp2p, { log, changed: () => {} })
    webRtcCheck.start()
    transport.counts = webRtcCheck.counts
    const delivery = new DeliveryService(libp2p, {
      next: async (peer, after, limit) => await messenger.nextFrames(peer, after, limit),
      settle: async (peer, outcomes) => { await messenger.settleFrames(peer, outcomes) }
    }, async (from, frame) => await messenger.receive(from.toString(), frame), {
      log,
      unreachable: (peer) => { void courier.unreachable(peer) },
      locate: async (peerId) => await contactDirectory.locate(peerId),
      counts: webRtcCheck.counts,
      ...(config.retry !== undefined ? { retry: config.retry } : {})
    })
    transport.delivery = delivery
    const keyPackages = new KeyPackageService(libp2p, async () => await messenger.provideKeyPackage(), log)
    const mailboxStore = new SqliteMailboxStore(paths.mailbox, { ...DEFAULT_QUOTAS, ...config.mailboxQuotas })
    const ownDevice = libp2p.peerId.toString()
    const mailboxService = new MailboxService(libp2p, mailboxStore, async (peer, ticket) => {
      if (config.mailboxForAnyone === true || peer.toString() === ownDevice) return true
      // A page this node served (it read the ticket from /kith.json), this account's other devices,
      // and its contacts' devices.
      if (ticket.length === webTicket.length && timingSafeEqual(ticket, webTicket)) return true
      return (await store.listDevices()).some((d) => d.peerId === peer.toString())
    }, log)
    const late: { publisher?: DirectoryPublisher } = {}
    // A device's second mailbox may be at a node for anyone that it finds in the DHT.
    const publicMailboxNodes = mailboxNodesInDht(libp2p.services.dht, libp2p.peerId.toString(), log)
    const keeper = new MailboxKeeper(libp2p, {
      own: async () => await messenger.ownMailboxes(),
      setOwn: async (list) => {
        await messenger.setOwnMailboxes(list)
        // The directory record lists the mailbox nodes too.
        late.publisher?.schedule()
      },
      receive: async (from, frame) => await messenger.receive(from, frame)
    }, async () => [...(config.mailboxes ?? config.bootstrap ?? []), ...await publicMailboxNodes()], log)
    await delivery.start()
    await keyPackages.start()
    await mailboxService.start()
    const stopAnnouncing = config.mailboxForAnyone === true ? announceMailboxNode(libp2p, log) : () => {}
    const upgrader = new DirectUpgrader(libp2p, { log })
    upgrader.start()
    // No StaleConnectionSweeper on Node (PROTOCOL.md §4 "Dead connections"): with it, NAT
    // traversal on simulated hosts failed in 2 of 4 full runs (cause not found). libp2p's
    // connection monitor still ends a connection whose pings go unanswered.
    libp2p.addEventListener('peer:connect', (evt) => {
      messenger.peerConnected(evt.detail.toString())
      courier.seen(evt.detail.toString())
    })
    const chunks = await NodeChunkStore.open({ dir: join(paths.dir, 'files', 'chunks'), quotaBytes: config.fileQuotaBytes ?? DEFAULT_FILE_QUOTA, log })
    const files = new FileTransfers(libp2p, messenger, chunks, {
      downloadsDir: join(paths.dir, 'downloads'),
      stateFile: join(paths.dir, 'files', 'transfers.json'),
      log,
      ...(config.fileRetryMs !== undefined ? { retryMs: config.fileRetryMs } : {})
    })
    await messenger.start()
    await files.start()
    void keeper.start().catch((err: unknown) => { log(`mailboxes did not start: ${describeError(err)}`) })
    const directoryQueries = new DirectoryQueryService(libp2p, directory, log)
    await directoryQueries.start()
    const publisher = startPublisher(libp2p, directory, messenger, transport, log, config.directory ?? {})
    late.publisher = publisher
    // Contacts' devices that queued frames for us while we were away send them as soon as we connect.
    void store.listDevices()
      .then(async (devices) => await greetPeers(libp2p, devices.map((d) => d.peerId), { log }))
      .catch((err: unknown) => { log(`greeting contacts failed: ${describeError(err)}`) })
    const ports = libp2p.getMultiaddrs().map((ma) => ma.toString())
    const portOf = (ws: boolean): number | undefined => {
      const m = ports.find((a) => a.includes('/tcp/') && a.includes('/ws') === ws)?.match(/\/tcp\/(\d+)/)
      return m?.[1] === undefined ? undefined : Number(m[1])
    }
    const udp = ports.find((a) => a.includes('/webrtc-direct'))?.match(/\/udp\/(\d+)/)?.[1]
    writeFileSync(paths.config, JSON.stringify({ tcpPort: portOf(false), wsPort: portOf(true), webPort: web.port, webrtcPort: udp === undefined ? undefined : Number(udp) }, null, 2))
    lock.update(webUrl)
    let api: ApiServer | undefined
    if (config.api !== false) {
      if (!existsSync(paths.token)) writeFileSync(paths.token, nodeRandomBytes(32).toString('hex'), { mode: 0o600 })
      chmodSync(paths.token, 0o600)
      api = await startApiServer({ messenger, files, token: readFileSync(paths.token, 'utf8').trim(), log, status: () => ({ peerId: libp2p.peerId.toString(), addrs: transport.listenAddrs(), connections: libp2p.getConnections().length, web: webUrl, reachability: reachabilityOf(libp2p), links: linksOf(libp2p, webRtcCheck.counts), mailboxes: mailboxStatus(keeper, mailboxStore), directory: directoryStatus(libp2p, publisher), ...(tls !== undefined ? { tlsFingerprint: tls.fingerprint } : {}) }) })
      writeFileSync(paths.daemon, JSON.stringify({ pid: process.pid, api: `http://127.0.0.1:${api.port}`, peerId: libp2p.peerId.toString(), addrs: transport.listenAddrs(), web: web.port }, null, 2))
    }
    log(`started ${libp2p.peerId} on ${transport.listenAddrs().join(' ')}`)
    running++
    return new KithNode(paths, libp2p, messenger, store, delivery, keyPackages, { upgrader, webRtcCheck }, { service: mailboxService, store: mailboxStore, keeper, courier, stopAnnouncing }, api, web, webUrl, tls, lock, log, publisher, files)
  }

  private static async tlsMaterial (paths: DataPaths, config: KithNodeConfig, names: readonly string[], log: Log): Promise<TlsMaterial | undefined> {
    if (config.tls === undefined) return undefined
    if (config.tls !== 'self-signed') return loadTlsFiles(config.tls.certFile, config.tls.keyFile)
    const made = await selfSignedTls(paths.tlsCert, paths.tlsKey, names)
    const covered = new Set(certificateNames(made.cert))
    const missing = names.filter((n) => !covered.has(n) && !covered.has(n.replace(/^::1$/, '0:0:0:0:0:0:0:1')))
    if (!made.created && missing.length > 0) log(`the self-signed certificate ${paths.tlsCert} does not name ${missing.join(', ')}; browsers will warn for those. Delete it to make a new one (its fingerprint changes)`)
    return made
  }

  /** Whether peers on other hosts can reach this node, and how. */
  reachability (): Reachability {
    return reachabilityOf(this.libp2p)
  }

  /** The mailboxes this device keeps and those this node keeps for others (`kith status`). */
  mailboxStatus (): MailboxesStatus {
    return mailboxStatus(this.mail.keeper, this.mail.store)
  }

  /** The DHT routing table's size and this account's published record. */
  directory (): DirectoryStatus {
    return directoryStatus(this.libp2p, this.publisher)
  }

  /** Dialable addresses with the /p2p/ suffix, for `--bootstrap`. */
  bootstrapAddrs (): string[] {
    return this.libp2p.getMultiaddrs().map((ma) => ma.toString())
  }

  /** Stops every service and closes the store. */
  async stop (): Promise<void> {
    await this.messenger.flush().catch((err: unknown) => this.log(`could not write group states at shutdown: ${describeError(err)}`))
    this.messenger.stop()
    await this.api?.close()
    if (this.api !== undefined) rmSync(this.paths.daemon, { force: true })
    await this.web.close()
    this.mail.keeper.stop()
    this.mail.courier.stop()
    this.mail.stopAnnouncing()
    this.publisher.stop()
    await this.files.stop().catch(() => {})
    await this.delivery.stop().catch(() => {})
    await this.keyPackages.stop().catch(() => {})
    await this.mail.service.stop().catch(() => {})
    this.links.upgrader.stop()
    this.links.webRtcCheck.stop()
    await this.libp2p.stop()
    // libdatachannel's threads outlive the peer connections; a process that exits with them still
    // running (a test worker, say) can crash in their destructors. The next start makes new ones.
    if (--running === 0) cleanupWebRtc()
    await this.store.close()
    this.mail.store.close()
    this.lock.release()
  }
}

function directoryStatus (libp2p: KithLibp2p, publisher: DirectoryPublisher): DirectoryStatus {
  const record = publisher.status()
  return { routingTable: routingTableSize(libp2p.services.dht), ...(record !== undefined ? { record } : {}) }
}

/** Starts publishing this account's record: this device, its addresses, mailboxes and published KeyPackages. */
function startPublisher (libp2p: KithLibp2p, directory: DirectoryAccess, messenger: Messenger, transport: Libp2pTransport, log: Log, config: DirectoryConfig): DirectoryPublisher {
  const publisher = new DirectoryPublisher(libp2p, directory, {
    sign: async (issuedAt, lifetimeMs) => await messenger.signDirectoryRecord(transport.listenAddrs(), issuedAt, lifetimeMs),
    log,
    ...(config.lifetimeMs !== undefined ? { lifetimeMs: config.lifetimeMs } : {}),
    ...(config.debounceMs !== undefined ? { debounceMs: config.debounceMs } : {}),
    ...(config.retry !== undefined ? { retry: config.retry } : {})
  })
  publisher.start()
  return publisher
}

