/**
 * A certificate authority made for one test run, and a server certificate it signs for a host's
 * address: what a person with their own CA (or a public one) gives `kith serve --tls-cert/--tls-key`.
 * Chromium trusts it through `--ignore-certificate-errors-spki-list`, with the hashes given here.
 */
import 'reflect-metadata'
import {
  BasicConstraintsExtension, ExtendedKeyUsageExtension, KeyUsageFlags, KeyUsagesExtension, PemConverter,
  SubjectAlternativeNameExtension, X509CertificateGenerator, type X509Certificate
} from '@peculiar/x509'
import { createHash, randomBytes, webcrypto } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const
const crypto = webcrypto as unknown as Crypto

/** Files and hashes of a server certificate signed by the test CA. */
export interface IssuedCertificate {
  readonly certFile: string
  readonly keyFile: string
  /** base64 SHA-256 of the leaf's and the CA's SubjectPublicKeyInfo, for Chromium's SPKI list. */
  readonly spkiList: string
}

function spkiHash (cert: X509Certificate): string {
  return createHash('sha256').update(Buffer.from(cert.publicKey.rawData)).digest('base64')
}

function validity (): { notBefore: Date, notAfter: Date } {
  const notBefore = new Date(Date.now() - 3_600_000)
  const notAfter = new Date(Date.now() + 7 * 86_400_000)
  notBefore.setMilliseconds(0)
  notAfter.setMilliseconds(0)
  return { notBefore, notAfter }
}

/** Makes a CA and a certificate it signs for `ip`, and writes the leaf's PEM files into `dir`. */
export async function issueCertificate (dir: string, ip: string): Promise<IssuedCertificate> {
  const caKeys = await crypto.subtle.generateKey(EC, true, ['sign', 'verify'])
  const ca = await X509CertificateGenerator.createSelfSigned({
    serialNumber: '01' + randomBytes(8).toString('hex'),
    name: 'CN=Kith test CA',
    ...validity(),
    signingAlgorithm: SIGN,
    keys: caKeys,
    extensions: [new BasicConstraintsExtension(true, 0, true), new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true)]
  }, crypto)
  const keys = await crypto.subtle.generateKey(EC, true, ['sign', 'verify'])
  const leaf = await X509CertificateGenerator.create({
    serialNumber: '02' + randomBytes(8).toString('hex'),
    subject: `CN=${ip}`,
    issuer: ca.subject,
    ...validity(),
    signingAlgorithm: SIGN,
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    extensions: [
      new BasicConstraintsExtension(false, undefined, true),
      new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
      new ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.1']),
      new SubjectAlternativeNameExtension([{ type: 'ip', value: ip }])
    ]
  }, crypto)
  const certFile = join(dir, 'server.pem')
  const keyFile = join(dir, 'server.key')
  writeFileSync(certFile, leaf.toString('pem') + '\n' + ca.toString('pem') + '\n')
  writeFileSync(keyFile, PemConverter.encode(await crypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY'), { mode: 0o600 })
  return { certFile, keyFile, spkiList: [spkiHash(leaf), spkiHash(ca)].join(',') }
}
