import { describe, expect, it } from 'vitest'
import { decodeCallSignal, encodeCallSignal, fromWireSignal, toWireSignal, type CallSignal } from '../../../../src/core/calls/signal.ts'
import { CallSignalType, type CallSignal as WireSignal } from '../../../../src/core/codec/calls.ts'
import { decodePayload, encodePayload } from '../../../../src/core/conversation/payload.ts'
import { ValidationError } from '../../../../src/core/errors.ts'

const callId = new Uint8Array(16).fill(7)
const device = new Uint8Array([0x12, 0x20, ...new Array(32).fill(1)])

function wire (fields: Partial<WireSignal>): WireSignal {
  return {
    type: CallSignalType.CALL_INVITE, callId: callId as Uint8Array<ArrayBuffer>, audio: false, video: false, toDevice: new Uint8Array(), sdpType: '', sdp: '', sdpMid: '', sdpMlineIndex: 0, offers: [], ...fields
  }
}

describe('call signals', () => {
  const signals: CallSignal[] = [
    { type: 'invite', callId, media: { audio: true, video: true } },
    { type: 'invite', callId, media: { audio: true, video: true }, offers: [{ toDevice: device, sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' }] },
    { type: 'accept', callId, media: { audio: true, video: false } },
    { type: 'decline', callId },
    { type: 'hangup', callId },
    { type: 'alive', callId },
    { type: 'sdp', callId, toDevice: device, sdpType: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' },
    { type: 'ice', callId, toDevice: device, candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 }
  ]

  it('every signal type survives a CALL payload round trip', () => {
    for (const call of signals) {
      const bytes = encodePayload({ id: new Uint8Array(16).fill(1), kind: 'call', text: '', sentAt: 5, seq: 0, lamport: 3, call: encodeCallSignal(call) })
      expect(decodeCallSignal(decodePayload(bytes).call!)).toEqual(call)
    }
  })

  it('a CALL payload must carry a signal, and no other kind may', () => {
    const bare = encodePayload({ id: new Uint8Array(16).fill(1), kind: 'call', text: '', sentAt: 5, seq: 0, lamport: 3 })
    expect(() => decodePayload(bare)).toThrow(/must carry a call signal/)
    const text = encodePayload({ id: new Uint8Array(16).fill(1), kind: 'text', text: 'hi', sentAt: 5, seq: 1, lamport: 3, call: encodeCallSignal(signals[0]!) })
    expect(() => decodePayload(text)).toThrow(/carries no call signal/)
    const seq = encodePayload({ id: new Uint8Array(16).fill(1), kind: 'call', text: '', sentAt: 5, seq: 4, lamport: 3, call: encodeCallSignal(signals[0]!) })
    expect(() => decodePayload(seq)).toThrow(/sequence number 0/)
  })

  it('malformed signals are refused with a reason', () => {
    const cases: Array<[Partial<WireSignal>, RegExp]> = [
      [{ type: CallSignalType.CALL_SIGNAL_NONE }, /unknown/],
      [{ callId: new Uint8Array(15) as Uint8Array<ArrayBuffer> }, /call id must be 16 bytes/],
      [{ type: CallSignalType.CALL_SDP, sdpType: 'offer', sdp: 'v=0' }, /must name the device/],
      [{ type: CallSignalType.CALL_HANGUP, toDevice: device as Uint8Array<ArrayBuffer> }, /names no device/],
      [{ type: CallSignalType.CALL_DECLINE, video: true }, /no media kinds/],
      [{ type: CallSignalType.CALL_SDP, toDevice: device as Uint8Array<ArrayBuffer>, sdpType: 'pranswer', sdp: 'v=0' }, /"offer" or an "answer"/],
      [{ type: CallSignalType.CALL_SDP, toDevice: device as Uint8Array<ArrayBuffer>, sdpType: 'offer', sdp: 'hello' }, /v=0/],
      [{ type: CallSignalType.CALL_SDP, toDevice: device as Uint8Array<ArrayBuffer>, sdpType: 'offer', sdp: 'v=0' + 'a'.repeat(49 * 1024) }, /at most/],
      [{ type: CallSignalType.CALL_ICE, toDevice: device as Uint8Array<ArrayBuffer>, sdp: 'nope' }, /candidate:/],
      [{ type: CallSignalType.CALL_INVITE, sdp: 'v=0' }, /no SDP/],
      [{ type: CallSignalType.CALL_ACCEPT, offers: [{ toDevice: device as Uint8Array<ArrayBuffer>, sdp: 'v=0' }] }, /only an invite carries early offers/],
      [{ offers: [{ toDevice: new Uint8Array() as Uint8Array<ArrayBuffer>, sdp: 'v=0' }] }, /must name the device/],
      [{ offers: [{ toDevice: device as Uint8Array<ArrayBuffer>, sdp: 'v=0' }, { toDevice: device as Uint8Array<ArrayBuffer>, sdp: 'v=0' }] }, /one early offer per device/],
      [{ offers: [{ toDevice: device as Uint8Array<ArrayBuffer>, sdp: 'hello' }] }, /v=0/],
      [{ offers: new Array(6).fill(0).map((_, i) => ({ toDevice: new Uint8Array([i + 1]) as Uint8Array<ArrayBuffer>, sdp: 'v=0' })) }, /at most 5 early offers/]
    ]
    for (const [fields, message] of cases) {
      expect(() => fromWireSignal(wire(fields))).toThrow(ValidationError)
      expect(() => fromWireSignal(wire(fields))).toThrow(message)
    }
  })

  it('an ALIVE names no device and carries nothing but the call id', () => {
    const alive = toWireSignal({ type: 'alive', callId })
    expect(alive.type).toBe(CallSignalType.CALL_ALIVE)
    expect(() => fromWireSignal({ ...alive, toDevice: device as Uint8Array<ArrayBuffer> })).toThrow(/alive signal names no device/)
    expect(() => fromWireSignal({ ...alive, audio: true })).toThrow(/alive signal carries no media/)
    expect(() => fromWireSignal({ ...alive, callId: new Uint8Array(3) })).toThrow(/call id/)
  })

  it('bytes that are not a CallSignal are refused', () => {
    expect(() => decodeCallSignal(new Uint8Array([0x0a, 0xff]))).toThrow(/not valid protobuf/)
  })

  it('wire form keeps unused fields empty', () => {
    const w = toWireSignal({ type: 'hangup', callId })
    expect(w).toMatchObject({ type: CallSignalType.CALL_HANGUP, audio: false, video: false, sdp: '', sdpType: '', sdpMid: '', offers: [] })
    expect(w.toDevice.length).toBe(0)
  })
})
