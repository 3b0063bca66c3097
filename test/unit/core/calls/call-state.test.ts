import { describe, expect, it } from 'vitest'
import { advanceCall, canJoin, startIncomingCall, startOutgoingCall, type CallParticipant, type CallState } from '../../../../src/core/calls/call-state.ts'
import { encodeStoredCalls, parseStoredCalls } from '../../../../src/core/calls/stored-calls.ts'
import { describeCall, decodeCallRecordBody, encodeCallRecordBody, formatCallDuration } from '../../../../src/core/calls/call-record.ts'

const video = { audio: true, video: true }
const self = { identity: 'aa', device: 'devA' }
const bob: CallParticipant = { identity: 'bb', device: 'devB', media: video }
const carol: CallParticipant = { identity: 'cc', device: 'devC', media: video }

function outgoing (invited = 1): CallState {
  return startOutgoingCall({ id: '01'.repeat(16), conversation: 'g', self, media: video, invited, at: 1000 })
}

function incoming (): CallState {
  return startIncomingCall({ id: '02'.repeat(16), conversation: 'g', caller: bob, invited: 2, at: 1000 })
}

describe('call state', () => {
  it('an answered 1:1 call records its length from the answer to the hang-up', () => {
    let t = advanceCall(outgoing(), { kind: 'accepted', from: bob, at: 3000 })
    expect(t.state.phase).toBe('joined')
    t = advanceCall(t.state, { kind: 'hung-up', from: 'devB', at: 68_000 })
    expect(t.state.phase).toBe('ended')
    expect(t.ended).toMatchObject({ outcome: 'answered', durationMs: 65_000, direction: 'outgoing', video: true, callerIdentity: 'aa' })
  })

  it('the callee records an answered call when it hangs up', () => {
    let t = advanceCall(incoming(), { kind: 'answer', at: 2000 })
    expect(t.state.phase).toBe('joined')
    t = advanceCall(t.state, { kind: 'hang-up', at: 12_000 })
    expect(t.ended).toMatchObject({ outcome: 'answered', durationMs: 10_000, direction: 'incoming', callerIdentity: 'bb' })
  })

  it('a caller that stops ringing leaves a missed call; a decline is recorded on both sides', () => {
    const missed = advanceCall(incoming(), { kind: 'hung-up', from: 'devB', at: 5000 })
    expect(missed.ended?.outcome).toBe('missed')
    const declined = advanceCall(incoming(), { kind: 'decline', at: 5000 })
    expect(declined.ended?.outcome).toBe('declined')
    const callerSide = advanceCall(outgoing(1), { kind: 'declined', from: 'devB', at: 5000 })
    expect(callerSide.ended).toMatchObject({ outcome: 'declined', direction: 'outgoing' })
  })

  it('in a group, one decline does not end the call, and the call runs until the last other leaves', () => {
    let t = advanceCall(outgoing(2), { kind: 'declined', from: 'devB', at: 2000 })
    expect(t.state.phase).toBe('calling')
    expect(t.ended).toBeUndefined()
    t = advanceCall(t.state, { kind: 'accepted', from: carol, at: 3000 })
    t = advanceCall(t.state, { kind: 'accepted', from: bob, at: 3500 })
    t = advanceCall(t.state, { kind: 'hung-up', from: 'devC', at: 4000 })
    expect(t.state.phase).toBe('joined')
    t = advanceCall(t.state, { kind: 'member-removed', device: 'devB', at: 9000 })
    expect(t.ended).toMatchObject({ outcome: 'answered', durationMs: 6000 })
  })

  it('a participant gone silent leaves as if it had hung up: the call goes on with the others, and ends when nobody else is left', () => {
    let t = advanceCall(outgoing(2), { kind: 'accepted', from: bob, at: 2000 })
    t = advanceCall(t.state, { kind: 'accepted', from: carol, at: 3000 })
    t = advanceCall(t.state, { kind: 'went-silent', device: 'devC', at: 50_000 })
    expect(t.state.participants).toEqual([bob])
    expect(t.ended).toBeUndefined()
    t = advanceCall(t.state, { kind: 'went-silent', device: 'devB', at: 60_000 })
    expect(t.ended).toMatchObject({ outcome: 'answered', durationMs: 58_000 })
    // A member following a call it declined sees it end once its last two participants fall silent.
    let running = advanceCall(incoming(), { kind: 'accepted', from: carol, at: 2000 })
    running = advanceCall(running.state, { kind: 'decline', at: 2500 })
    expect(running.state.phase).toBe('running')
    running = advanceCall(running.state, { kind: 'went-silent', device: 'devB', at: 45_000 })
    expect(running.state.phase).toBe('ended')
  })

  it('an unanswered call times out as missed on both sides; an ended call stays ended', () => {
    expect(advanceCall(incoming(), { kind: 'timeout', at: 50_000 }).ended?.outcome).toBe('missed')
    const t = advanceCall(outgoing(), { kind: 'timeout', at: 50_000 })
    expect(t.ended).toMatchObject({ outcome: 'missed', direction: 'outgoing' })
    expect(advanceCall(t.state, { kind: 'accepted', from: bob, at: 60_000 })).toEqual({ state: t.state })
  })

  it('a seventh person cannot join a mesh of six', () => {
    let call = incoming()
    for (const d of ['d1', 'd2', 'd3', 'd4']) call = advanceCall(call, { kind: 'accepted', from: { identity: d, device: d, media: video }, at: 1 }).state
    expect(call.participants).toHaveLength(5)
    expect(canJoin(call)).toBe(true)
    call = advanceCall(call, { kind: 'accepted', from: { identity: 'd5', device: 'd5', media: video }, at: 1 }).state
    expect(canJoin(call)).toBe(false)
  })

  it('a callee whose ring ran out follows the call that goes on, and joins it later', () => {
    let t = advanceCall(incoming(), { kind: 'accepted', from: carol, at: 2000 })
    t = advanceCall(t.state, { kind: 'timeout', at: 46_000 })
    expect(t.ended).toMatchObject({ outcome: 'missed' })
    expect(t.state.phase).toBe('running')
    expect(canJoin(t.state)).toBe(true)
    const dave = { identity: 'dd', device: 'devD', media: video }
    t = advanceCall(t.state, { kind: 'accepted', from: dave, at: 50_000 })
    expect(t.state.participants.map((p) => p.device)).toEqual(['devB', 'devC', 'devD'])
    t = advanceCall(t.state, { kind: 'answer', at: 60_000 })
    expect(t.state).toMatchObject({ phase: 'joined', connectedAt: 60_000 })
    expect(t.ended).toBeUndefined()
    // Leaving while two others go on: it can come back again.
    t = advanceCall(t.state, { kind: 'hang-up', at: 70_000 })
    expect(t.ended).toMatchObject({ outcome: 'answered', durationMs: 10_000 })
    expect(t.state.phase).toBe('running')
    expect(advanceCall(t.state, { kind: 'answer', at: 80_000 }).state.phase).toBe('joined')
  })

  it('a device that rejoins keeps its call timer, and its history entry counts every part it was in', () => {
    let t = advanceCall(incoming(), { kind: 'accepted', from: carol, at: 2000 })
    t = advanceCall(t.state, { kind: 'answer', at: 10_000 })
    t = advanceCall(t.state, { kind: 'hang-up', at: 20_000 })
    expect(t.ended).toMatchObject({ outcome: 'answered', durationMs: 10_000 })
    expect(t.state.phase).toBe('running')
    t = advanceCall(t.state, { kind: 'answer', at: 50_000 })
    // The timer runs from the first time this device was connected, not from the rejoin.
    expect(t.state).toMatchObject({ phase: 'joined', connectedAt: 10_000 })
    t = advanceCall(t.state, { kind: 'hang-up', at: 55_000 })
    expect(t.ended).toMatchObject({ outcome: 'answered', durationMs: 15_000 })
  })

  it('a missed call this device joins later ends as answered, for the time it was in', () => {
    let t = advanceCall(incoming(), { kind: 'accepted', from: carol, at: 2000 })
    t = advanceCall(t.state, { kind: 'timeout', at: 46_000 })
    expect(t.ended).toMatchObject({ outcome: 'missed', durationMs: 0 })
    t = advanceCall(t.state, { kind: 'answer', at: 60_000 })
    t = advanceCall(t.state, { kind: 'hung-up', from: 'devB', at: 61_000 })
    t = advanceCall(t.state, { kind: 'hung-up', from: 'devC', at: 90_000 })
    expect(t.state.phase).toBe('ended')
    expect(t.ended).toMatchObject({ outcome: 'answered', durationMs: 30_000 })
  })

  it('a running call ends once only one is left in it, or when this device is removed from the group', () => {
    let t = advanceCall(incoming(), { kind: 'accepted', from: carol, at: 2000 })
    t = advanceCall(t.state, { kind: 'decline', at: 3000 })
    expect(t.state.phase).toBe('running')
    expect(advanceCall(t.state, { kind: 'removed', at: 3500 }).state.phase).toBe('ended')
    t = advanceCall(t.state, { kind: 'hung-up', from: 'devC', at: 4000 })
    // Bob, alone, ends the call on his side.
    expect(t.state.phase).toBe('ended')
    expect(t.ended).toBeUndefined()
  })

  it('a 1:1 ends for both when one hangs up; before anyone answered, a decline follows the caller until it stops', () => {
    const oneToOne = startIncomingCall({ id: '03'.repeat(16), conversation: 'g', caller: bob, invited: 1, at: 1000 })
    let t = advanceCall(oneToOne, { kind: 'answer', at: 2000 })
    expect(advanceCall(t.state, { kind: 'hang-up', at: 5000 }).state.phase).toBe('ended')
    t = advanceCall(oneToOne, { kind: 'decline', at: 2000 })
    expect(t.state.phase).toBe('running')
    expect(advanceCall(t.state, { kind: 'hung-up', from: 'devB', at: 2500 }).state.phase).toBe('ended')
  })

  it('a ringing callee stops ringing once the one left in the call is alone', () => {
    let t = advanceCall(incoming(), { kind: 'accepted', from: carol, at: 2000 })
    t = advanceCall(t.state, { kind: 'hung-up', from: 'devC', at: 3000 })
    expect(t.ended).toMatchObject({ outcome: 'missed' })
    expect(t.state.phase).toBe('ended')
  })
})

describe('kept calls', () => {
  it('round-trip the calls not ended, and skip an entry that is not a call', () => {
    const ringing = incoming()
    const ended = advanceCall(incoming(), { kind: 'hung-up', from: 'devB', at: 2 }).state
    const kept = parseStoredCalls(encodeStoredCalls([ringing, ended]))
    expect(kept).toEqual([ringing])
    const damaged = new TextEncoder().encode(JSON.stringify([{ ...ringing, phase: 'sideways' }, { ...ringing, id: 'zz' }, ringing]))
    expect(parseStoredCalls(damaged)).toEqual([ringing])
    expect(parseStoredCalls(new TextEncoder().encode('not json'))).toEqual([])
    expect(parseStoredCalls(undefined)).toEqual([])
  })
})

describe('call records', () => {
  it('round-trip and read as sentences', () => {
    const body = decodeCallRecordBody(encodeCallRecordBody({ id: 'x', conversation: 'g', direction: 'incoming', callerIdentity: 'bb', video: true, outcome: 'answered', startedAt: 0, durationMs: 65_000 }))
    expect(body).toEqual({ direction: 'incoming', video: true, outcome: 'answered', durationMs: 65_000 })
    expect(describeCall('Bob', body!)).toBe('Video call from Bob · 1:05')
    expect(describeCall('Bob', { direction: 'incoming', video: false, outcome: 'missed', durationMs: 0 })).toBe('Missed voice call from Bob')
    expect(describeCall('You', { direction: 'outgoing', video: true, outcome: 'declined', durationMs: 0 })).toBe('Video call declined')
    expect(formatCallDuration(3_723_000)).toBe('1:02:03')
    expect(decodeCallRecordBody('{"direction":"sideways"}')).toBeUndefined()
    expect(decodeCallRecordBody('not json')).toBeUndefined()
  })
})
