/**
 * Calls (docs/PROTOCOL.md §11): the numbers both sides of a call must agree on.
 */

/** Length of a call id: 16 random bytes, chosen by the caller. */
export const CALL_ID_LENGTH = 16
/** Most people in one full-mesh call (each sends its media to every other). */
export const MAX_MESH_PARTICIPANTS = 6
/**
 * Most devices a caller sends an early offer to (PROTOCOL.md §11.5): in a larger conversation its
 * INVITE promises none, and whoever answers offers to it.
 */
export const MAX_EARLY_OFFERS = MAX_MESH_PARTICIPANTS - 1
/** An INVITE older than this (by its sender's clock) no longer rings: it is recorded as missed. */
export const INVITE_MAX_AGE_MS = 60_000
/** How long an unanswered call rings before it counts as missed (and the caller stops it). */
export const RING_TIMEOUT_MS = 45_000
/** Longest SDP accepted (an offer for a 6-way mesh with audio, video and a screen stays well under it). */
export const MAX_SDP_LENGTH = 48 * 1024
/** Longest ICE candidate line accepted. */
export const MAX_CANDIDATE_LENGTH = 1024
/** Longest `sdpMid` accepted. */
export const MAX_SDP_MID_LENGTH = 64
/** Longest device id (peer id multihash) a signal may name. */
export const MAX_DEVICE_ID_BYTES = 64
/**
 * How often a device in a call tells the others it is still there (an ALIVE signal, PROTOCOL.md
 * §11.6): a tab that was closed, a machine that lost power or its network, sends no HANGUP.
 */
export const CALL_ALIVE_INTERVAL_MS = 10_000
/** A participant heard from neither by ALIVE nor by any other signal of the call for this many intervals is taken to have left it. */
export const CALL_SILENT_INTERVALS = 4
/** A call kept across a restart is forgotten once it started longer ago than this. */
export const KEPT_CALL_MAX_AGE_MS = 12 * 60 * 60_000
/** The store's meta key under which the calls a device follows are kept (calls/stored-calls.ts). */
export const STORED_CALLS_META = 'calls'
