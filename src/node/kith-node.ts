/**
 * A running Kith peer in Node.js: the data directory, the SQLite store, the account, libp2p, the
 * messenger, the delivery and KeyPackage services, the local API and the web port, started and
 * stopped together. Used by `kith serve`, the tests and the benchmarks.
 */
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { randomBytes as nodeRandomBytes } from 'node:crypto'
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { userInfo } from 'node:os'
import { createAccount, DEVICE_KEY_META, hasAccount, loadAccount, type Account } from '../core/messenger/account.ts'
import { Messenger } from '../core/messenger/messenger.ts'
import type { Log } from '../core/messenger/ports.ts'
import { UsageError } from '../core/errors.ts'
import { Libp2pTransport } from '../net/kith-transport.ts'
import { createKithNode, type KithLibp2p } from '../net/node.ts'
import { DeliveryService } from '../net/protocols/deliver.ts'
import { KeyPackageService } from '../net/protocols/key-package.ts'
import type { RetryTimerOptions } from '../net/retry-timer.ts'
import { SqliteStore } from '../store/sqlite.node.ts'
import { startApiServer, type ApiServer } from './api/server.ts'
import { dataPaths, type DataPaths } from './paths.ts'
import { startWebServer, type ServedInfo, type WebServer } from './web-server.ts'
import { installNodeCrypto } from './mls-crypto.ts'

installNodeCrypto()

/** How to start a node. Ports of 0 pick free ones; chosen ports are remembered for the next start. */
export interface KithNodeConfig {
  readonly dataDir?: string
  readonly host?: string
  readonly tcpPort?: number
  readonly wsPort?: number
  readonly webPort?: number
  readonly bootstrap?: readonly string[]
  readonly mdns?: boolean
  /** Display name used if this directory has no account yet. */
  readonly name?: string
  readonly retry?: RetryTimerOptions
  readonly establishRetryMs?: number
  readonly establishRetryMaxMs?: number
  /** Serve the local API (default true). */
  readonly api?: boolean
  /** Also print log lines to stderr. */
  readonly verbose?: boolean
}

interface SavedPorts { tcpPort?: number, wsPort?: number, webPort?: number }

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

function makeLog (paths: DataPaths, verbose: boolean): Log {
  return (message: string) => {
    const line = `${new Date().toISOString()} ${message}\n`
    try { appendFileSync(paths.log, line) } catch { /* the log is best effort */ }
    if (verbose) process.stderr.write(line)
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
    readonly api: ApiServer | undefined,
    readonly web: WebServer,
    readonly log: Log
  ) {}

  /** Opens the data directory (creating an account if needed) and starts every service. */
  static async start (config: KithNodeConfig = {}): Promise<KithNode> {
    const paths = dataPaths(config.dataDir)
    await initDataDir(paths, config.name ?? (userInfo().username || 'kith-user'))
    const log = makeLog(paths, config.verbose ?? false)
    const store = new SqliteStore(paths.database)
    const account = await loadAccount(store)
    const keyBytes = await store.getMeta(DEVICE_KEY_META)
    if (keyBytes === undefined) throw new UsageError(`${paths.dir} has an account but no device key; it is damaged`)
    const privateKey: PrivateKey = privateKeyFromProtobuf(keyBytes)
    const saved = readJson<SavedPorts>(paths.config) ?? {}
    const host = config.host ?? '127.0.0.1'
    const tcpPort = config.tcpPort ?? saved.tcpPort ?? 0
    const wsPort = config.wsPort ?? saved.wsPort ?? 0
    const ip = host.includes(':') ? 'ip6' : 'ip4'
    const listenOn = (tcp: number, ws: number): string[] => [`/${ip}/${host}/tcp/${tcp}`, `/${ip}/${host}/tcp/${ws}/ws`]
    let libp2p: KithLibp2p
    try {
      libp2p = await createKithNode({ privateKey, listen: listenOn(tcpPort, wsPort), bootstrap: config.bootstrap ?? [], mdns: config.mdns ?? false })
    } catch (err) {
      if (config.tcpPort !== undefined || config.wsPort !== undefined) throw err
      log(`remembered ports ${tcpPort}/${wsPort} are busy; picking new ones`)
      libp2p = await createKithNode({ privateKey, listen: listenOn(0, 0), bootstrap: config.bootstrap ?? [], mdns: config.mdns ?? false })
    }
    const transport = new Libp2pTransport(libp2p)
    const info = (): ServedInfo => ({
      peerId: libp2p.peerId.toString(),
      bootstrap: libp2p.getMultiaddrs().map((ma) => ma.toString()).filter((a) => a.includes('/ws/'))
    })
    const web = await startWebServer({ host, port: config.webPort ?? saved.webPort ?? 0, log, info }).catch(async () => await startWebServer({ host, port: 0, log, info }))
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
      webBase: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${web.port}`,
      ...(config.establishRetryMs !== undefined ? { establishRetryMs: config.establishRetryMs } : {}),
      ...(config.establishRetryMaxMs !== undefined ? { establishRetryMaxMs: config.establishRetryMaxMs } : {})
    })
    const delivery = new DeliveryService(libp2p, {
      next: async (peer, after, limit) => await messenger.nextFrames(peer, after, limit),
      settle: async (peer, outcomes) => { await messenger.settleFrames(peer, outcomes) }
    }, async (from, frame) => await messenger.receive(from.toString(), frame), { log, ...(config.retry !== undefined ? { retry: config.retry } : {}) })
    transport.delivery = delivery
    const keyPackages = new KeyPackageService(libp2p, async () => await messenger.provideKeyPackage(), log)
    await delivery.start()
    await keyPackages.start()
    libp2p.addEventListener('peer:connect', (evt) => messenger.peerConnected(evt.detail.toString()))
    await messenger.start()
    const ports = libp2p.getMultiaddrs().map((ma) => ma.toString())
    const portOf = (ws: boolean): number | undefined => {
      const m = ports.find((a) => a.includes('/tcp/') && a.includes('/ws') === ws)?.match(/\/tcp\/(\d+)/)
      return m?.[1] === undefined ? undefined : Number(m[1])
    }
    writeFileSync(paths.config, JSON.stringify({ tcpPort: portOf(false), wsPort: portOf(true), webPort: web.port }, null, 2))
    let api: ApiServer | undefined
    if (config.api !== false) {
      if (!existsSync(paths.token)) writeFileSync(paths.token, nodeRandomBytes(32).toString('hex'), { mode: 0o600 })
      chmodSync(paths.token, 0o600)
      api = await startApiServer({ messenger, token: readFileSync(paths.token, 'utf8').trim(), log, status: () => ({ peerId: libp2p.peerId.toString(), addrs: transport.listenAddrs(), connections: libp2p.getConnections().length, web: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${web.port}` }) })
      writeFileSync(paths.daemon, JSON.stringify({ pid: process.pid, api: `http://127.0.0.1:${api.port}`, peerId: libp2p.peerId.toString(), addrs: transport.listenAddrs(), web: web.port }, null, 2))
    }
    log(`started ${libp2p.peerId} on ${transport.listenAddrs().join(' ')}`)
    return new KithNode(paths, libp2p, messenger, store, delivery, keyPackages, api, web, log)
  }

  /** Dialable addresses with the /p2p/ suffix, for `--bootstrap`. */
  bootstrapAddrs (): string[] {
    return this.libp2p.getMultiaddrs().map((ma) => ma.toString())
  }

  /** Stops every service and closes the store. */
  async stop (): Promise<void> {
    await this.messenger.flush().catch((err: unknown) => this.log(`could not write group states at shutdown: ${(err as Error).message}`))
    this.messenger.stop()
    await this.api?.close()
    if (this.api !== undefined) rmSync(this.paths.daemon, { force: true })
    await this.web.close()
    await this.delivery.stop().catch(() => {})
    await this.keyPackages.stop().catch(() => {})
    await this.libp2p.stop()
    await this.store.close()
  }
}
