/**
 * What the page's call code (src/web/calls/, loaded on first use) needs from the browser client:
 * the call commands, which the worker turns into CALL payloads in MLS, and the signals other devices
 * sent, buffered until the call code has loaded and listens (an offer can arrive before it has).
 */
import type { CallMedia, CallSignalOut, CallView, EarlyOfferIn, MediaSignalIn } from '../../core/messenger/messenger.ts'
import type { IceServer } from './ice-servers.ts'
import type { EpochKeys } from '../../core/sframe/mls-keys.ts'

/** A call signal from another device, as the worker hands it over. */
export interface IncomingCallSignal {
  readonly conversation: string
  readonly from: { readonly identity: string, readonly device: string }
  readonly signal: CallSignalOut
}

/** Call signalling through the messenger worker. */
export interface CallSignalling {
  /** This device's peer id. */
  readonly selfDevice: () => string
  /** The STUN/TURN servers the person configured (none by default). */
  readonly iceServers: () => readonly IceServer[]
  /** Starts a call; the INVITE carries `offers`, this device's early offers to those it rings. */
  start (conversationId: string, media: CallMedia, offers?: readonly EarlyOfferIn[]): Promise<CallView>
  answer (callId: string, media: CallMedia): Promise<CallView>
  decline (callId: string): Promise<CallView>
  hangUp (callId: string): Promise<CallView>
  send (callId: string, signal: MediaSignalIn): Promise<void>
  /** The SFrame keys of the conversation's current epoch (only while this device is in a call there). */
  keys (conversationId: string): Promise<EpochKeys>
  /** Receives signals from other devices, first those that arrived before it was called; returns the unsubscribe. */
  listen (listener: (s: IncomingCallSignal) => void): () => void
}

/** Signals kept for a listener that has not come yet, at most. */
const BUFFERED = 200

/** Hands incoming call signals to one listener, keeping them until it arrives. */
export class CallSignalBuffer {
  private readonly held: IncomingCallSignal[] = []
  private listener: ((s: IncomingCallSignal) => void) | undefined

  /** A signal arrived. */
  push (s: IncomingCallSignal): void {
    if (this.listener !== undefined) {
      this.listener(s)
      return
    }
    this.held.push(s)
    if (this.held.length > BUFFERED) this.held.shift()
  }

  /** Sets the listener and hands it what was held. */
  listen (listener: (s: IncomingCallSignal) => void): () => void {
    this.listener = listener
    for (const s of this.held.splice(0)) listener(s)
    return () => { if (this.listener === listener) this.listener = undefined }
  }
}
