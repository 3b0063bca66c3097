/**
 * The one MLS cipher suite Kith speaks: suite 1, MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519
 * (RFC 9420 §17.1), and the ts-mls client configuration every group uses.
 */
import { defaultClientConfig } from 'ts-mls/clientConfig.js'
import { defaultCapabilities, getCiphersuiteFromName, getCiphersuiteImpl, type Capabilities, type CiphersuiteImpl, type ClientConfig } from 'ts-mls'
import { KithAuthenticationService } from './authentication-service.ts'

/** RFC 9420 name of suite 1. */
export const CIPHER_SUITE = 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519' as const

let suite: Promise<CiphersuiteImpl> | undefined
let accelerator: ((impl: CiphersuiteImpl) => CiphersuiteImpl) | undefined

/**
 * Installs a runtime-specific replacement for the hot primitives (hash, HKDF, AEAD, signatures).
 * Node installs one built on node:crypto; browsers keep WebCrypto. Call before the first use.
 */
export function useCryptoAccelerator (accelerate: (impl: CiphersuiteImpl) => CiphersuiteImpl): void {
  accelerator = accelerate
  suite = undefined
}

/** The (cached) ts-mls implementation of suite 1. */
export function getSuite (): Promise<CiphersuiteImpl> {
  suite ??= getCiphersuiteImpl(getCiphersuiteFromName(CIPHER_SUITE)).then((impl) => accelerator?.(impl) ?? impl)
  return suite
}

/** Capabilities advertised in every KeyPackage and leaf: suite 1 only, basic credentials. */
export function kithCapabilities (): Capabilities {
  const caps = defaultCapabilities()
  return { ...caps, ciphersuites: [CIPHER_SUITE], credentials: ['basic'] }
}

/** Past epochs whose keys are kept so late messages still decrypt (and fork choice can roll back). */
export const RETAINED_EPOCHS = 8

/** The single authentication service shared by all groups of this process. */
export const authenticationService = new KithAuthenticationService()

/**
 * How far a sender's generation may run ahead of the last one a device received from it. Messages a
 * device never gets widen the gap: TYPING and a call's ALIVE are dropped from the outbox when the
 * next replaces them and are never left in mailboxes, so a member offline through a long call
 * misses one ALIVE per 10 s of it. 10,000 covers a day of calling. Ratcheting that far took 865 ms
 * on Node here (2,000: 225 ms), once; only a member of the group can make a device do it.
 */
export const MAX_FORWARD_RATCHET_STEPS = 10_000

/** ts-mls settings: Kith's authentication service and a longer key retention. */
export const clientConfig: ClientConfig = {
  ...defaultClientConfig,
  authService: authenticationService,
  keyRetentionConfig: { ...defaultClientConfig.keyRetentionConfig, retainKeysForEpochs: RETAINED_EPOCHS, maximumForwardRatchetSteps: MAX_FORWARD_RATCHET_STEPS }
}
