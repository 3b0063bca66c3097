/**
 * The per-frame AEAD nonce (RFC 9605 §4.4.3): sframe_salt XOR CTR, with CTR as a big-endian
 * integer of Nn bytes. Unique per frame as long as (KID, CTR) is never reused (§4.3).
 */

/** sframe_salt XOR encode_big_endian(CTR, Nn). */
export function frameNonce (salt: Uint8Array, ctr: bigint): Uint8Array {
  const nonce = salt.slice()
  let value = ctr
  for (let i = nonce.length - 1; i >= 0 && value > 0n; i--) {
    nonce[i] = (nonce[i] as number) ^ Number(value & 0xffn)
    value >>= 8n
  }
  return nonce
}
