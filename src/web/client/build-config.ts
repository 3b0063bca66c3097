/**
 * The `kith.config.json` this copy of the app was built with (checked at build time by
 * `vite.config.ts`, which defines `__KITH_CONFIG__`); empty when there was none, and in tests.
 */
import { EMPTY_CONFIG, type KithConfig } from './kith-config.ts'

declare const __KITH_CONFIG__: KithConfig | undefined

/** Bootstrap nodes and default ICE servers built into this copy of the app. */
export const buildConfig: KithConfig = typeof __KITH_CONFIG__ === 'undefined' ? EMPTY_CONFIG : __KITH_CONFIG__
