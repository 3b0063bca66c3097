/**
 * SFrame's cost per video frame, runtime-neutral (Node's WebCrypto or a browser's): one frame of
 * each size encrypted by one context and decrypted by another, `frames` times, against bare
 * AES-128-GCM encrypt + decrypt of the same bytes under one imported key (no header, no KID
 * lookup, no replay window) in the same run.
 */
import { SFrameContext } from '../src/core/sframe/context.ts'

/** Milliseconds per frame for one size. */
export interface FrameCost { size: number, sframeMs: number, bareMs: number }

async function perFrame (frames: number, step: () => Promise<void>): Promise<number> {
  const start = performance.now()
  for (let i = 0; i < frames; i++) await step()
  return (performance.now() - start) / frames
}

/** Measures `rounds` alternating rounds per size and returns the median of each. */
export async function measureFrameCost (sizes: number[], frames: number, rounds: number): Promise<FrameCost[]> {
  const baseKey = crypto.getRandomValues(new Uint8Array(16))
  const out: FrameCost[] = []
  for (const size of sizes) {
    const payload = crypto.getRandomValues(new Uint8Array(size))
    const sframe: number[] = []
    const bare: number[] = []
    for (let r = 0; r < rounds; r++) {
      const sender = new SFrameContext()
      const receiver = new SFrameContext()
      await sender.setSendKey(0x21n, baseKey)
      await receiver.addReceiveKey(0x21n, baseKey)
      sframe.push(await perFrame(frames, async () => { await receiver.decrypt(await sender.encrypt(payload)) }))
      const key = await crypto.subtle.importKey('raw', baseKey, 'AES-GCM', false, ['encrypt', 'decrypt'])
      const iv = new Uint8Array(12)
      bare.push(await perFrame(frames, async () => {
        const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, payload)
        await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, sealed)
      }))
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number
    out.push({ size, sframeMs: median(sframe), bareMs: median(bare) })
  }
  return out
}
