import { X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { certhashOf, certificateNames, loadTlsFiles, selfSignedTls, webRtcDirectCertificate } from '../../../src/node/certificates.ts'

const dir = mkdtempSync(join(tmpdir(), 'kith-certs-'))
afterAll(() => { rmSync(dir, { recursive: true, force: true }) })

describe('self-signed TLS', () => {
  it('is made once for the given names and then kept, with the same fingerprint', async () => {
    const made = await selfSignedTls(join(dir, 'tls/cert.pem'), join(dir, 'tls/key.pem'), ['10.20.0.1', 'kith.lan'])
    expect(made.created).toBe(true)
    expect(certificateNames(made.cert)).toEqual(expect.arrayContaining(['localhost', '127.0.0.1', '10.20.0.1', 'kith.lan']))
    expect(made.fingerprint).toBe(new X509Certificate(made.cert).fingerprint256)
    const again = await selfSignedTls(join(dir, 'tls/cert.pem'), join(dir, 'tls/key.pem'), ['10.20.0.1'])
    expect(again.created).toBe(false)
    expect(again.fingerprint).toBe(made.fingerprint)
    expect(again.spki).toBe(made.spki)
  })

  it('refuses files that do not belong together, saying which', async () => {
    const a = await selfSignedTls(join(dir, 'a/cert.pem'), join(dir, 'a/key.pem'), [])
    const b = await selfSignedTls(join(dir, 'b/cert.pem'), join(dir, 'b/key.pem'), [])
    expect(a.fingerprint).not.toBe(b.fingerprint)
    expect(() => loadTlsFiles(join(dir, 'a/cert.pem'), join(dir, 'b/key.pem'))).toThrow(/the private key does not belong to the certificate/)
    writeFileSync(join(dir, 'junk.pem'), 'not a certificate')
    expect(() => loadTlsFiles(join(dir, 'junk.pem'), join(dir, 'a/key.pem'))).toThrow(/not a PEM X.509 certificate/)
    expect(() => loadTlsFiles(join(dir, 'missing.pem'), join(dir, 'a/key.pem'))).toThrow(/cannot read the TLS certificate .*missing.pem: ENOENT/)
  })
})

describe('WebRTC-direct certificate', () => {
  it('keeps its certhash across restarts, and the hash is the multihash of the DER', async () => {
    const file = join(dir, 'webrtc-direct.json')
    const first = await webRtcDirectCertificate(file)
    const second = await webRtcDirectCertificate(file)
    expect(second.certhash).toBe(first.certhash)
    expect(first.certhash).toMatch(/^uEi[A-D]/) // base64url of 0x12 0x20 …
    expect(certhashOf(new Uint8Array(new X509Certificate(first.pem).raw))).toBe(first.certhash)
    expect(JSON.parse(readFileSync(file, 'utf8')).key).toContain('PRIVATE KEY')
  })

  it('replaces a damaged file with a fresh certificate', async () => {
    const file = join(dir, 'damaged.json')
    writeFileSync(file, '{')
    const made = await webRtcDirectCertificate(file)
    expect(made.pem).toContain('BEGIN CERTIFICATE')
  })
})
