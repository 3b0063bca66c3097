/**
 * Protocol ids and limits of Kith's libp2p protocols (docs/PROTOCOL.md).
 */

/** Delivery of MLS messages and welcomes, with acknowledgements. */
export const DELIVER_PROTOCOL = '/kith/deliver/1.0.0'
/** Fetching a one-time KeyPackage from a device. */
export const KEY_PACKAGE_PROTOCOL = '/kith/key-package/1.0.0'
/** Kith's own Kademlia DHT, kept apart from any public one. */
export const DHT_PROTOCOL = '/kith/kad/1.0.0'

/** Largest Deliver frame (an MLS message plus envelope). */
export const MAX_DELIVER_FRAME = 1024 * 1024 + 8 * 1024
/** Largest Ack frame. */
export const MAX_ACK_FRAME = 64
/** Largest KeyPackage request or response frame. */
export const MAX_KEY_PACKAGE_FRAME = 16 * 1024
/**
 * Frames sent ahead of acknowledgements on one delivery stream: enough that a burst of sends
 * reaches the receiver while the sender is still busy encrypting the rest.
 */
export const DELIVERY_WINDOW = 1024
/** Bytes of frames sent ahead of acknowledgements on one delivery stream. */
export const DELIVERY_WINDOW_BYTES = 1024 * 1024

/**
 * What a Kith relay lets one relayed connection carry before closing it: enough for chat (the
 * delivery streams that an unreachable peer needs), not for bulk data, which goes direct.
 * libp2p's defaults (2 minutes, 128 KiB) would cut a chat off silently.
 */
export const RELAY_DURATION_LIMIT_MS = 60 * 60 * 1000
/** Bytes one relayed connection may carry in each direction (see {@link RELAY_DURATION_LIMIT_MS}). */
export const RELAY_DATA_LIMIT_BYTES = 64n * 1024n * 1024n
/** Peers a Kith relay holds reservations for at once. */
export const RELAY_MAX_RESERVATIONS = 256

/** Directory lookups and publications a Node peer makes for browsers (`protocols/directory-query.ts`). */
export const DIRECTORY_QUERY_PROTOCOL = '/kith/directory/1.0.0'
/** Store-and-forward of frames for offline devices (`protocols/mailbox.ts`). */
export const MAILBOX_PROTOCOL = '/kith/mailbox/1.0.0'
/** Fetching encrypted file chunks from a device that holds them (docs/PROTOCOL.md §9.4). */
export const FILE_PROTOCOL = '/kith/file/1.0.0'
/** Largest frame a file downloader sends (OPEN, GET or CANCEL). */
export const MAX_FILE_REQUEST_FRAME = 64
/** Largest frame a file source sends: a 4 MiB chunk with its tag, proof and framing. */
export const MAX_FILE_RESPONSE_FRAME = 4 * 1024 * 1024 + 4 * 1024
/** GETs a source queues on one stream, at most, before it drops the stream. */
export const MAX_QUEUED_FILE_REQUESTS = 256
