import { describe, expect, it } from 'vitest'
import { formatCallLine, formatMessageLine, incomingCallLine, type CallJson } from '../../../../src/node/cli/format.ts'

describe('call lines in the CLI', () => {
  const call: CallJson = { id: 'ab'.repeat(16), conversation: 'g1', direction: 'incoming', caller: { name: 'alice' }, media: { audio: true, video: true }, phase: 'ringing', startedAt: Date.UTC(2026, 0, 2, 3, 4) }

  it('kith chat shows a call ringing in this conversation as a line', () => {
    const line = incomingCallLine(call, 'g1')
    expect(line).toBeDefined()
    expect(formatMessageLine(line!)).toContain('-- Incoming video call from alice (answer it in the browser app) --')
    expect(incomingCallLine(call, 'other')).toBeUndefined()
    expect(incomingCallLine({ ...call, phase: 'joined' }, 'g1')).toBeUndefined()
  })

  it('kith calls lists when, where and how each call went', () => {
    const line = formatCallLine({ id: 'x', conversation: 'g1', conversationName: 'book-club', direction: 'incoming', outcome: 'missed', video: false, startedAt: call.startedAt, durationMs: 0, text: 'Missed voice call from alice' })
    expect(line).toMatch(/^2026-01-0\d \d\d:\d\d {2}book-club {2}Missed voice call from alice$/)
  })
})
