import { describe, expect, it } from 'vitest'
import { parseIceServer } from '../../../src/node/ice-servers.ts'

describe('parseIceServer', () => {
  it('reads STUN and TURN servers, TURN with its credentials', () => {
    expect(parseIceServer('stun:10.0.0.1:3478')).toEqual({ urls: 'stun:10.0.0.1:3478' })
    expect(parseIceServer('turn:alice:s%40cret@turn.example.org:3478?transport=udp'))
      .toEqual({ urls: 'turn:turn.example.org:3478?transport=udp', username: 'alice', credential: 's@cret' })
  })

  it('refuses a TURN server without credentials, and anything else, naming the value', () => {
    expect(() => parseIceServer('turn:10.0.0.1:3478')).toThrow(/turn:10.0.0.1:3478: a TURN server needs USER:PASSWORD@/)
    expect(() => parseIceServer('stun:u:p@10.0.0.1')).toThrow(/takes no credentials/)
    expect(() => parseIceServer('http://10.0.0.1')).toThrow(/expected stun:HOST/)
    expect(() => parseIceServer('stun:10.0.0.1:99999')).toThrow(/out of range/)
  })
})
