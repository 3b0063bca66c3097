/**
 * The KeyPackages this device lists in its directory record (PROTOCOL.md §10.3): a few one-time
 * ones and one last-resort one, for first contacts made while the device is offline.
 *
 * A published KeyPackage may be used by several people at once: they read the same record. So it
 * is not deleted when a Welcome first uses it, as one handed out over `/kith/key-package` is:
 * - a one-time one is marked used and left out of the next record; its private half stays until
 *   every record that listed it has expired, so a second Welcome racing the first still joins;
 * - the last-resort one is kept until it is replaced (RFC 9420 §16.8).
 * Published KeyPackages are also exempt from the cap on outstanding ones, so that strangers asking
 * for KeyPackages cannot push them out.
 */
import { fromUtf8, utf8 } from '../bytes.ts'
import type { Engine } from './engine.ts'
import type { KeyPackageRow, Write } from './store.ts'

/** Meta key of the published set. */
export const PUBLISHED_KEY_PACKAGES_META = 'directory.key-packages'

/** One-time KeyPackages a record lists. */
export const PUBLISHED_ONE_TIME = 3

/** How long a used one-time KeyPackage's private half is kept: the longest a record listing it lives. */
export const USED_KEEP_MS = 48 * 60 * 60 * 1000

/** A last-resort KeyPackage is replaced after this long (ts-mls KeyPackages are valid far longer). */
export const LAST_RESORT_ROTATE_MS = 30 * 24 * 60 * 60 * 1000

interface Entry {
  readonly ref: string
  readonly lastResort: boolean
  /** When a Welcome first used it (one-time ones only). */
  readonly usedAt?: number
  readonly createdAt: number
}

/** What the record should list now. */
export interface PublishedKeyPackages {
  readonly oneTime: Uint8Array[]
  readonly lastResort: Uint8Array
}

/** Makes one KeyPackage and its store row (the caller writes it). */
export type MakeKeyPackage = () => Promise<{ row: KeyPackageRow }>

function parse (bytes: Uint8Array | undefined): Entry[] {
  if (bytes === undefined) return []
  try {
    const value = JSON.parse(fromUtf8(bytes)) as unknown
    if (!Array.isArray(value)) return []
    return value.filter((e): e is Entry => typeof e === 'object' && e !== null && typeof (e as Entry).ref === 'string' && typeof (e as Entry).lastResort === 'boolean')
  } catch {
    return []
  }
}

/** The published set, kept in the store's meta table. */
export class KeyPackagePublication {
  constructor (private readonly engine: Engine, private readonly make: MakeKeyPackage) {}

  private async entries (): Promise<Entry[]> {
    return parse(await this.engine.store.getMeta(PUBLISHED_KEY_PACKAGES_META))
  }

  /** Refs that must survive the cap on outstanding KeyPackages. */
  async reserved (): Promise<Set<string>> {
    return new Set((await this.entries()).map((e) => e.ref))
  }

  /** Whether a Welcome using `ref` must leave the KeyPackage in place (it is published). */
  async isPublished (ref: string): Promise<boolean> {
    return (await this.entries()).some((e) => e.ref === ref)
  }

  /**
   * The writes that record a Welcome's use of the published KeyPackage `ref`: a one-time one is
   * marked used (left out of the next record), the last-resort one stays as it is.
   */
  async used (ref: string, at: number): Promise<Write[]> {
    const entries = await this.entries()
    let changed = false
    const next = entries.map((e) => {
      if (e.ref !== ref || e.lastResort || e.usedAt !== undefined) return e
      changed = true
      return { ...e, usedAt: at }
    })
    return changed ? [{ kind: 'meta', key: PUBLISHED_KEY_PACKAGES_META, value: utf8(JSON.stringify(next)) }] : []
  }

  /**
   * The KeyPackages to list now: unused one-time ones topped up to {@link PUBLISHED_ONE_TIME},
   * and the last-resort one (made, or replaced once old). Used ones past {@link USED_KEEP_MS}
   * are deleted.
   */
  async current (): Promise<PublishedKeyPackages> {
    const { engine } = this
    const now = engine.clock.now()
    const rows = new Map((await engine.store.listKeyPackages()).map((r) => [r.ref, r]))
    const writes: Write[] = []
    const keep: Entry[] = []
    let lastResort: Entry | undefined
    for (const e of await this.entries()) {
      const gone = !rows.has(e.ref)
      const expired = e.usedAt !== undefined && now - e.usedAt > USED_KEEP_MS
      const stale = e.lastResort && now - e.createdAt > LAST_RESORT_ROTATE_MS
      if (gone || expired) {
        if (!gone) writes.push({ kind: 'key-package-used', ref: e.ref })
        continue
      }
      if (e.lastResort && (stale || lastResort !== undefined)) {
        // A replaced last-resort KeyPackage may still be in records that have not expired: keep it that long.
        keep.push({ ref: e.ref, lastResort: false, usedAt: now, createdAt: e.createdAt })
        continue
      }
      if (e.lastResort) lastResort = e
      keep.push(e)
    }
    const fresh = async (isLastResort: boolean): Promise<Entry> => {
      const { row } = await this.make()
      rows.set(row.ref, row)
      writes.push({ kind: 'key-package', row })
      const entry = { ref: row.ref, lastResort: isLastResort, createdAt: now }
      keep.push(entry)
      return entry
    }
    lastResort ??= await fresh(true)
    while (keep.filter((e) => !e.lastResort && e.usedAt === undefined).length < PUBLISHED_ONE_TIME) await fresh(false)
    writes.push({ kind: 'meta', key: PUBLISHED_KEY_PACKAGES_META, value: utf8(JSON.stringify(keep)) })
    await engine.store.apply(writes)
    const oneTime = keep.filter((e) => !e.lastResort && e.usedAt === undefined).map((e) => rows.get(e.ref)!.publicPackage)
    return { oneTime, lastResort: rows.get(lastResort.ref)!.publicPackage }
  }
}
