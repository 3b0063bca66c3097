/**
 * Where a Kith node keeps its files: `--data DIR`, else `KITH_HOME`, else `~/.kith`.
 */
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

/** The files inside a data directory. */
export interface DataPaths {
  readonly dir: string
  readonly database: string
  readonly token: string
  readonly daemon: string
  readonly config: string
  readonly log: string
  /** Held by the running `kith serve`: its pid and web address. */
  readonly lock: string
  /** The self-signed HTTPS certificate and key of `--tls self-signed`. */
  readonly tlsCert: string
  readonly tlsKey: string
  /** The WebRTC-direct listener's certificate (its hash is in the node's address). */
  readonly webRtcCert: string
  /** The mailboxes this node keeps for other devices. */
  readonly mailbox: string
  /** The web ticket that admits a page this node served to a mailbox here (hex, mode 0600). */
  readonly mailboxTicket: string
}

/** Resolves the data directory and the files in it. */
export function dataPaths (flag?: string, env: NodeJS.ProcessEnv = process.env): DataPaths {
  const dir = resolve(flag ?? env.KITH_HOME ?? join(homedir(), '.kith'))
  return {
    dir,
    database: join(dir, 'kith.db'),
    token: join(dir, 'api-token'),
    daemon: join(dir, 'daemon.json'),
    config: join(dir, 'config.json'),
    log: join(dir, 'kith.log'),
    lock: join(dir, 'serve.lock'),
    tlsCert: join(dir, 'tls', 'cert.pem'),
    tlsKey: join(dir, 'tls', 'key.pem'),
    webRtcCert: join(dir, 'webrtc-direct.json'),
    mailbox: join(dir, 'mailbox.db'),
    mailboxTicket: join(dir, 'mailbox-ticket')
  }
}
