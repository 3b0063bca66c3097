/**
 * A second device of one account, for tests of what members see when a device appears. Kith has
 * no command that makes one yet (no backup restore, no device linking), so the test writes it.
 */
import { encodeDeviceCertificate, issueDeviceCertificate } from '../../src/core/identity/device-certificate.ts'
import { loadAccount } from '../../src/core/messenger/account.ts'
import { initDataDir } from '../../src/node/kith-node.ts'
import { dataPaths } from '../../src/node/paths.ts'
import { SqliteStore } from '../../src/store/sqlite.node.ts'

/**
 * Makes `dir` a second device of the account in `firstDir`, as restoring the identity key from a
 * backup onto a new device would: its own device key, MLS key and peer id, certified by the same
 * identity key. Kith has no command for this yet, so the test writes the account itself.
 */
export async function secondDeviceOf (firstDir: string, dir: string, name: string): Promise<void> {
  const first = new SqliteStore(dataPaths(firstDir).database)
  const identityPrivate = (await first.getMeta('identity.private'))!
  const owner = await loadAccount(first)
  await first.close()
  await initDataDir(dataPaths(dir), name)
  const store = new SqliteStore(dataPaths(dir).database)
  const fresh = await loadAccount(store)
  const certificate = await issueDeviceCertificate(owner.identity, {
    peerId: fresh.certificate.peerId, mlsSignatureKey: fresh.certificate.mlsSignatureKey, displayName: name, createdAt: Date.now()
  })
  await store.apply([
    { kind: 'meta', key: 'identity.public', value: owner.identity.publicKey },
    { kind: 'meta', key: 'identity.private', value: identityPrivate },
    { kind: 'meta', key: 'device.certificate', value: encodeDeviceCertificate(certificate) }
  ])
  await store.close()
}
