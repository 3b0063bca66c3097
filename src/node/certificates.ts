/**
 * The node's X.509 certificates, kept in the data directory so that they survive restarts:
 * - the HTTPS/WSS certificate of `kith serve --tls self-signed` (or the files given with
 *   `--tls-cert`/`--tls-key`), whose SHA-256 fingerprint a person compares before accepting it;
 * - the DTLS certificate of the WebRTC-direct listener, whose hash is part of the node's
 *   `/webrtc-direct/certhash/…` multiaddr, so a browser can dial the node without trusting any CA.
 * Both are ECDSA P-256 (the only curve Chromium accepts for WebRTC), made with `@peculiar/x509`.
 */
import 'reflect-metadata'
import { BasicConstraintsExtension, type Extension, ExtendedKeyUsageExtension, KeyUsageFlags, KeyUsagesExtension, PemConverter, SubjectAlternativeNameExtension, X509Certificate, X509CertificateGenerator } from '@peculiar/x509'
import { createHash, createPrivateKey, randomBytes, webcrypto, X509Certificate as NodeX509 } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { dirname } from 'node:path'
import { UsageError } from '../core/errors.ts'

/** A certificate and its private key, both PEM. */
export interface PemPair {
  readonly cert: string
  readonly key: string
}

/** What `--tls` resolved to: the PEM pair and the fingerprint a person checks. */
export interface TlsMaterial extends PemPair {
  /** SHA-256 of the DER certificate, as colon-separated hex (how browsers show it). */
  readonly fingerprint: string
  /** base64 SHA-256 of the SubjectPublicKeyInfo (Chromium's `--ignore-certificate-errors-spki-list`). */
  readonly spki: string
  readonly selfSigned: boolean
}

/** The WebRTC-direct certificate in the shape `@libp2p/webrtc` takes. */
export interface WebRtcDirectCertificate {
  readonly privateKey: string
  readonly pem: string
  readonly certhash: string
}

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const
const DAY_MS = 86_400_000
/** Self-signed HTTPS certificates live long: a person accepted this one by its fingerprint. */
const TLS_LIFESPAN_MS = 3650 * DAY_MS
/** The WebRTC-direct certificate is renewed at start when it has less than this left. */
const WEBRTC_LIFESPAN_MS = 365 * DAY_MS
const WEBRTC_RENEW_MS = 30 * DAY_MS

async function generate (commonName: string, lifespanMs: number, altNames: readonly string[]): Promise<PemPair> {
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']) as unknown as CryptoKeyPair
  const notBefore = new Date(Date.now() - 60_000)
  const notAfter = new Date(Date.now() + lifespanMs)
  // Whole seconds: X.509 times carry no milliseconds.
  notBefore.setMilliseconds(0)
  notAfter.setMilliseconds(0)
  const extensions: Extension[] = [new BasicConstraintsExtension(false, undefined, true)]
  if (altNames.length > 0) {
    extensions.push(new KeyUsagesExtension(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyAgreement, true))
    extensions.push(new ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.1'], false))
    extensions.push(new SubjectAlternativeNameExtension(altNames.map((n) => ({ type: isIP(n) !== 0 ? 'ip' as const : 'dns' as const, value: n }))))
  }
  const cert = await X509CertificateGenerator.createSelfSigned({
    serialNumber: '01' + randomBytes(15).toString('hex'),
    name: `CN=${commonName}`,
    notBefore,
    notAfter,
    signingAlgorithm: SIGN,
    keys,
    extensions
  }, webcrypto as unknown as Crypto)
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as unknown as webcrypto.CryptoKey)
  return { cert: cert.toString('pem'), key: PemConverter.encode(pkcs8, 'PRIVATE KEY') }
}

function writePrivate (path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  const tmp = `${path}.tmp`
  writeFileSync(tmp, text, { mode: 0o600 })
  renameSync(tmp, path)
}

/** Checks that `cert` and `key` are a usable pair and describes them; throws a UsageError naming the problem. */
export function describeTls (pair: PemPair, selfSigned: boolean, source: string): TlsMaterial {
  let x509: NodeX509
  try { x509 = new NodeX509(pair.cert) } catch (err) {
    throw new UsageError(`${source}: the certificate is not a PEM X.509 certificate (${(err as Error).message})`)
  }
  try {
    if (!x509.checkPrivateKey(createPrivateKey(pair.key))) throw new UsageError(`${source}: the private key does not belong to the certificate`)
  } catch (err) {
    if (err instanceof UsageError) throw err
    throw new UsageError(`${source}: the private key is not a PEM private key (${(err as Error).message})`)
  }
  if (Date.parse(x509.validTo) < Date.now()) throw new UsageError(`${source}: the certificate expired on ${x509.validTo}`)
  const spkiDer = x509.publicKey.export({ type: 'spki', format: 'der' })
  return {
    ...pair,
    fingerprint: x509.fingerprint256,
    spki: createHash('sha256').update(spkiDer).digest('base64'),
    selfSigned
  }
}

/** Reads `--tls-cert FILE --tls-key FILE`. */
export function loadTlsFiles (certFile: string, keyFile: string): TlsMaterial {
  const read = (file: string, what: string): string => {
    try { return readFileSync(file, 'utf8') } catch (err) {
      throw new UsageError(`cannot read the TLS ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
    }
  }
  return describeTls({ cert: read(certFile, 'certificate'), key: read(keyFile, 'key') }, false, `--tls-cert ${certFile}`)
}

/**
 * The data directory's self-signed HTTPS certificate, made on first use for `names` (host names
 * and IP addresses) and then kept: its fingerprint is what people accepted.
 */
export async function selfSignedTls (certFile: string, keyFile: string, names: readonly string[]): Promise<TlsMaterial & { created: boolean }> {
  if (existsSync(certFile) && existsSync(keyFile)) {
    return { ...describeTls({ cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') }, true, certFile), created: false }
  }
  const pair = await generate('Kith node', TLS_LIFESPAN_MS, [...new Set(['localhost', '127.0.0.1', '::1', ...names])])
  writePrivate(keyFile, pair.key)
  writePrivate(certFile, pair.cert)
  return { ...describeTls(pair, true, certFile), created: true }
}

/** The names a certificate covers (DNS names and IP addresses of its subjectAltName). */
export function certificateNames (pem: string): string[] {
  const alt = new NodeX509(pem).subjectAltName ?? ''
  return alt.split(',').map((s) => s.trim().replace(/^(DNS|IP Address):/, '')).filter((s) => s.length > 0)
}

/** The multibase (base64url) multihash (sha2-256) of a DER certificate: the `/certhash/` value. */
export function certhashOf (der: Uint8Array): string {
  const digest = createHash('sha256').update(der).digest()
  return 'u' + Buffer.concat([Buffer.from([0x12, 0x20]), digest]).toString('base64url')
}

/** The data directory's WebRTC-direct certificate, renewed when it nears its end. */
export async function webRtcDirectCertificate (file: string): Promise<WebRtcDirectCertificate> {
  if (existsSync(file)) {
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { cert?: unknown, key?: unknown }
      if (typeof saved.cert === 'string' && typeof saved.key === 'string') {
        const cert = new X509Certificate(saved.cert)
        if (cert.notAfter.getTime() - Date.now() > WEBRTC_RENEW_MS) {
          return { privateKey: saved.key, pem: saved.cert, certhash: certhashOf(new Uint8Array(cert.rawData)) }
        }
      }
    } catch { /* a damaged file is replaced below */ }
  }
  const pair = await generate('kith webrtc-direct', WEBRTC_LIFESPAN_MS, [])
  writePrivate(file, JSON.stringify({ cert: pair.cert, key: pair.key }))
  return { privateKey: pair.key, pem: pair.cert, certhash: certhashOf(new Uint8Array(new X509Certificate(pair.cert).rawData)) }
}
