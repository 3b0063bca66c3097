/**
 * The browser's part in the directory (docs/PROTOCOL.md §10.5), loaded after start-up: it publishes
 * this device's record, and looks contacts' records up, through the `/kith/directory/1.0.0`
 * service of the Kith nodes the page is connected to. The record is signed in the messenger
 * worker, which holds the identity key; the page only carries it.
 */
import type { Libp2p } from '@libp2p/interface'
import { DirectoryPublisher } from '../../net/dht-directory.ts'
import { servedDirectory, type DirectoryAccess } from '../../net/directory-access.ts'
import { DirectoryContact } from '../../net/directory-contact.ts'
import { storePeerAddresses } from '../../net/peer-addresses.ts'
import type { SignedDirectoryRecord } from '../../core/messenger/directory-record.ts'
import { dialableContactAddr } from './connectivity.ts'
import type { DirectoryInfo } from './types.ts'

/** What the link needs from the page. */
export interface DirectoryLinkDeps {
  readonly sign: (issuedAt: number, lifetimeMs: number) => Promise<SignedDirectoryRecord>
  readonly identityOf: (peerId: string) => Promise<string | undefined>
  readonly addAddresses: (peerId: string, addrs: readonly string[]) => Promise<void>
  /** Peer ids of the nodes this page bootstraps from: asked first. */
  readonly preferred: () => readonly string[]
  readonly log: (line: string) => void
  /** The record was published, or could not be: {@link DirectoryLink.info} changed. */
  readonly changed: () => void
}

/** The running link. */
export interface DirectoryLink {
  readonly contact: DirectoryContact
  readonly directory: DirectoryAccess
  info (): DirectoryInfo
  /** Publishes again soon (this device's mailboxes changed). */
  republish (): void
  stop (): void
}

/** Starts publishing this device's record and answers contacts' lookups. */
export function startDirectoryLink (node: Libp2p, deps: DirectoryLinkDeps): DirectoryLink {
  const directory = servedDirectory(node, deps.preferred)
  let lastError: string | null = null
  const publisher = new DirectoryPublisher(node, directory, {
    sign: deps.sign,
    log: (line) => {
      deps.log(line)
      lastError = line.startsWith('directory record not published') ? line.replace(/^directory record not published, will retry: /, '') : null
      deps.changed()
    }
  })
  publisher.start()
  const contact = new DirectoryContact({
    directory,
    identityOf: deps.identityOf,
    addAddresses: deps.addAddresses,
    replaceAddresses: async (peerId, addrs) => {
      // Only what this page can open; the record is newer than what failed, so it replaces it.
      await storePeerAddresses(node, peerId, addrs.filter((a) => dialableContactAddr(a, location.protocol)), 'replace')
    },
    log: deps.log
  })
  return {
    contact,
    directory,
    info: () => {
      const status = publisher.status()
      return {
        routingTable: directory.routingTableSize(),
        record: status === undefined ? null : { seq: status.seq, storedOn: status.storedOn, expiresAt: status.expiresAt },
        error: lastError
      }
    },
    republish: () => { publisher.schedule() },
    stop: () => { publisher.stop() }
  }
}
