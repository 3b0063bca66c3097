import { beforeAll, describe, expect, it } from 'vitest'
import { fromHex, randomBytes, toHex, utf8 } from '../../../../src/core/bytes.ts'
import { DirectoryRecord as RecordCodec } from '../../../../src/core/codec/directory.ts'
import { buildDirectoryRecord } from '../../../../src/core/directory/build.ts'
import { directoryKey, identityOfDirectoryKey } from '../../../../src/core/directory/directory-key.ts'
import { decodeDirectoryRecord, encodeDirectoryRecord, MAX_ADDRS, MAX_LIFETIME_MS, MAX_RECORD_BYTES, type DirectoryDevice, type DirectoryRecord } from '../../../../src/core/directory/record.ts'
import { selectDirectoryRecord } from '../../../../src/core/directory/select.ts'
import { DirectoryRecordError, readDirectoryRecord } from '../../../../src/core/directory/verify.ts'
import { encodeDeviceCertificate, issueDeviceCertificate } from '../../../../src/core/identity/device-certificate.ts'
import { generateSigningKey, importSigningKey, type SigningKeyPair } from '../../../../src/core/identity/identity-key.ts'
import { ValidationError } from '../../../../src/core/errors.ts'

const NOW = 1_800_000_000_000
const HOUR = 3_600_000
let alice: SigningKeyPair
let mallory: SigningKeyPair
let aliceDevice: DirectoryDevice

async function deviceOf (identity: SigningKeyPair, addrs: string[] = ['/ip4/127.0.0.1/tcp/4001']): Promise<DirectoryDevice> {
  const cert = await issueDeviceCertificate(identity, { peerId: randomBytes(38), mlsSignatureKey: (await generateSigningKey()).publicKey, displayName: 'Alice', createdAt: NOW - HOUR })
  return { certificate: encodeDeviceCertificate(cert), addrs, mailboxes: [], keyPackages: [randomBytes(300)], lastResortKeyPackage: randomBytes(300) }
}

async function recordOf (identity: SigningKeyPair, seq: number, devices: DirectoryDevice[], issuedAt = NOW): Promise<Uint8Array> {
  return (await buildDirectoryRecord(identity, { seq, issuedAt, lifetimeMs: 24 * HOUR, devices })).encoded
}

/** Re-encodes a record with some fields replaced, keeping its signature. */
function tamper (bytes: Uint8Array, change: Partial<DirectoryRecord>): Uint8Array {
  const r = decodeDirectoryRecord(bytes)
  return encodeDirectoryRecord({ ...r, ...change })
}

beforeAll(async () => {
  alice = await generateSigningKey()
  mallory = await generateSigningKey()
  aliceDevice = await deviceOf(alice)
})

describe('directory key', () => {
  it('names the identity key and parses back to it', () => {
    const key = directoryKey(alice.publicKey)
    expect(new TextDecoder().decode(key)).toBe(`/kith/dir/${toHex(alice.publicKey)}`)
    expect(identityOfDirectoryKey(key)).toEqual(alice.publicKey)
  })

  it('refuses keys of other shapes', () => {
    expect(() => identityOfDirectoryKey(utf8('/pk/abc'))).toThrow(ValidationError)
    expect(() => identityOfDirectoryKey(utf8(`/kith/dir/${toHex(alice.publicKey).toUpperCase()}`))).toThrow(/64 lowercase hex/)
    expect(() => identityOfDirectoryKey(new Uint8Array([0x2f, 0xff, 0xfe]))).toThrow(/not UTF-8/)
  })
})

describe('build and read', () => {
  it('round-trips a record with its devices, addresses and key packages', async () => {
    const bytes = await recordOf(alice, 7, [aliceDevice])
    const r = await readDirectoryRecord(directoryKey(alice.publicKey), bytes, NOW + 1)
    expect(r.seq).toBe(7)
    expect(r.expiresAt).toBe(NOW + 24 * HOUR)
    expect(r.devices[0]!.addrs).toEqual(['/ip4/127.0.0.1/tcp/4001'])
    expect(r.devices[0]!.keyPackages).toEqual(aliceDevice.keyPackages)
    expect(r.devices[0]!.lastResortKeyPackage).toEqual(aliceDevice.lastResortKeyPackage)
    expect(r.devices[0]!.mailboxes).toEqual([])
    expect(r.certificates[0]!.identityKey).toEqual(alice.publicKey)
  })

  it('refuses to build a record readers would refuse', async () => {
    await expect(buildDirectoryRecord(alice, { seq: 0, issuedAt: NOW, lifetimeMs: HOUR, devices: [aliceDevice] })).rejects.toThrow(/seq must be a positive integer/)
    await expect(buildDirectoryRecord(alice, { seq: 1, issuedAt: NOW, lifetimeMs: MAX_LIFETIME_MS + 1, devices: [aliceDevice] })).rejects.toThrow(/lifetime/)
    await expect(buildDirectoryRecord(alice, { seq: 1, issuedAt: NOW, lifetimeMs: HOUR, devices: [] })).rejects.toThrow(/1 to 8 devices/)
    const fat = { ...aliceDevice, keyPackages: [randomBytes(4000), randomBytes(4000), randomBytes(4000), randomBytes(4000)], lastResortKeyPackage: randomBytes(4000) }
    await expect(buildDirectoryRecord(alice, { seq: 1, issuedAt: NOW, lifetimeMs: HOUR, devices: [fat, { ...fat }] })).rejects.toThrow(/at most 32768 are accepted/)
  })
})

describe('refused records', () => {
  const read = async (key: Uint8Array, bytes: Uint8Array, now = NOW + 1): Promise<unknown> => await readDirectoryRecord(key, bytes, now)

  it('refuses a forged signature', async () => {
    const bytes = await recordOf(alice, 3, [aliceDevice])
    const forged = tamper(bytes, { devices: [{ ...aliceDevice, addrs: ['/ip4/6.6.6.6/tcp/1'] }] })
    await expect(read(directoryKey(alice.publicKey), forged)).rejects.toThrow(DirectoryRecordError)
    await expect(read(directoryKey(alice.publicKey), forged)).rejects.toThrow(/refused: record: signature does not verify/)
  })

  it('refuses a record signed by another identity under Alice\'s key', async () => {
    const bytes = await recordOf(mallory, 3, [await deviceOf(mallory)])
    await expect(read(directoryKey(alice.publicKey), bytes)).rejects.toThrow(/signed for identity .*not the one its key names/)
  })

  it('refuses a record that claims Alice\'s identity but is signed by Mallory', async () => {
    const bytes = await recordOf(mallory, 3, [await deviceOf(mallory)])
    const claimed = tamper(bytes, { identityKey: alice.publicKey })
    await expect(read(directoryKey(alice.publicKey), claimed)).rejects.toThrow(/signature does not verify/)
  })

  it('refuses an expired record', async () => {
    const bytes = await recordOf(alice, 3, [aliceDevice])
    await expect(read(directoryKey(alice.publicKey), bytes, NOW + 24 * HOUR)).rejects.toThrow(/expired at .* \(seq 3\)/)
  })

  it('refuses a record issued in the future', async () => {
    const bytes = await recordOf(alice, 3, [aliceDevice], NOW + HOUR)
    await expect(read(directoryKey(alice.publicKey), bytes)).rejects.toThrow(/in the future/)
  })

  it('refuses an oversized record before decoding it', async () => {
    await expect(read(directoryKey(alice.publicKey), new Uint8Array(MAX_RECORD_BYTES + 1))).rejects.toThrow(/at most 32768 bytes/)
  })

  it('refuses a device with too many addresses', async () => {
    const many = Array.from({ length: MAX_ADDRS + 1 }, (_, i) => `/ip4/10.0.0.${i}/tcp/1`)
    const raw = RecordCodec.decode(await recordOf(alice, 3, [aliceDevice]))
    raw.devices[0]!.addrs = many
    await expect(read(directoryKey(alice.publicKey), RecordCodec.encode(raw))).rejects.toThrow(/lists more than 16 addresses for one device/)
  })

  it('refuses a device certificate from another identity, even though Alice signed the record', async () => {
    const bytes = await recordOf(alice, 3, [aliceDevice, await deviceOf(mallory)])
    await expect(read(directoryKey(alice.publicKey), bytes)).rejects.toThrow(/device certified by another identity/)
  })

  it('refuses garbage with a clear error', async () => {
    await expect(read(directoryKey(alice.publicKey), new Uint8Array([0xff, 0xff, 0xff]))).rejects.toThrow(/directory record of account .* refused: directory record is not valid protobuf/)
    await expect(read(utf8('/kith/other'), await recordOf(alice, 1, [aliceDevice]))).rejects.toThrow(/is not \/kith\/dir\//)
  })
})

describe('select', () => {
  it('prefers the highest seq, so a replayed older record loses', async () => {
    const old = await recordOf(alice, 4, [aliceDevice])
    const fresh = await recordOf(alice, 9, [await deviceOf(alice, ['/ip4/127.0.0.1/tcp/5002'])])
    expect(selectDirectoryRecord([old, fresh])).toBe(1)
    expect(selectDirectoryRecord([fresh, old, old])).toBe(0)
  })

  it('breaks a seq tie by the later expiry and ranks undecodable records last', async () => {
    const early = await recordOf(alice, 5, [aliceDevice], NOW)
    const later = await recordOf(alice, 5, [aliceDevice], NOW + 1000)
    expect(selectDirectoryRecord([early, later])).toBe(1)
    expect(selectDirectoryRecord([new Uint8Array([1, 2, 3]), early])).toBe(1)
  })
})

describe('test vector (docs/PROTOCOL.md §8.5)', () => {
  it('signs deterministically', async () => {
    const seed = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60')
    const publicKey = fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a')
    const identity = await importSigningKey(fromHex('302e020100300506032b657004220420' + toHex(seed)), publicKey)
    const cert = await issueDeviceCertificate(identity, { peerId: fromHex('0024080112201111111111111111111111111111111111111111111111111111111111111111'), mlsSignatureKey: publicKey, displayName: 'Vector', createdAt: 1_700_000_000_000 })
    const { encoded } = await buildDirectoryRecord(identity, {
      seq: 1, issuedAt: 1_700_000_000_000, lifetimeMs: 24 * HOUR,
      devices: [{ certificate: encodeDeviceCertificate(cert), addrs: ['/ip4/192.0.2.1/tcp/4001'], mailboxes: [], keyPackages: [], lastResortKeyPackage: new Uint8Array() }]
    })
    expect(new TextDecoder().decode(directoryKey(publicKey))).toBe('/kith/dir/d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a')
    expect(toHex(encoded)).toMatchInlineSnapshot(`"08011220d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a18012080d095ffbc31288088afa8bd3132db010abf0108011220d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a1a2600240801122011111111111111111111111111111111111111111111111111111111111111112220d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a2a06566563746f723080d095ffbc313a40bb20b8666b72b6a401e72e421c26424726d82c512663d1fc0f39a9677fd6590e3fef6b109213f6f197d127dd402ecdc8f1e0649abe13f20ddf92431078caba0812172f6970342f3139322e302e322e312f7463702f343030313a400bf5691c121a22cfd14a51f4dc3b0e4ceaef2cae6d1a4fd18841b78971fc8cb54370d8b4dbdaefe11d61459651ec958d4fa364a36023af25fc23dae762a1e80c"`)
    await readDirectoryRecord(directoryKey(publicKey), encoded, 1_700_000_000_001)
  })
})
