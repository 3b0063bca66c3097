import { describe, expect, it } from 'vitest'
import { describeError, PeerError } from '../../../src/core/errors.ts'

describe('describeError', () => {
  it('names errors without a message by their class or code, never "undefined"', () => {
    class StreamResetError extends Error { override name = 'StreamResetError' }
    expect(describeError(new StreamResetError())).toBe('StreamResetError (no message)')
    expect(describeError(Object.assign(new Error(''), { code: 'ECONNRESET' }))).toBe('ECONNRESET (no message)')
    expect(describeError(undefined)).toBe('unknown error (undefined was thrown)')
    expect(describeError('')).toMatch(/empty string/)
    expect(describeError({ type: 'close' })).toBe('Object "close"')
  })

  it('keeps the message and appends the cause and the errors of an AggregateError', () => {
    expect(describeError(new PeerError('could not get a key package', { cause: new Error('Unexpected EOF') })))
      .toBe('could not get a key package (cause: Unexpected EOF)')
    expect(describeError(new AggregateError([new Error('dial refused'), new Error('timed out')], 'All promises were rejected')))
      .toBe('All promises were rejected: dial refused; timed out')
  })
})
