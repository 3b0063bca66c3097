import { MessageChannel } from 'node:worker_threads'
import { afterEach, describe, expect, it } from 'vitest'
import { RemoteError, RpcEndpoint, type MessagePortLike } from '../../../src/web/rpc.ts'

interface Left { double (n: number): number, fail (why: string): never, slow (): Promise<string> }
interface Right { hello (name: string): string, record (line: string): void }

const ports: Array<{ close (): void }> = []
afterEach(() => { for (const p of ports.splice(0)) p.close() })

function pair (left: Left, right: Right): { a: RpcEndpoint<Left, Right>, b: RpcEndpoint<Right, Left>, errors: string[] } {
  const channel = new MessageChannel()
  ports.push(channel.port1, channel.port2)
  const errors: string[] = []
  const a = new RpcEndpoint<Left, Right>(channel.port1 as unknown as MessagePortLike, left, (e) => { errors.push(e) })
  const b = new RpcEndpoint<Right, Left>(channel.port2 as unknown as MessagePortLike, right, (e) => { errors.push(e) })
  return { a, b, errors }
}

const left: Left = {
  double: (n) => n * 2,
  fail: (why) => { const e = new Error(why); e.name = 'ValidationError'; throw e },
  slow: async () => await new Promise((resolve) => { setTimeout(() => { resolve('done') }, 5) })
}

describe('RpcEndpoint', () => {
  it('calls the other side and resolves with its result, in both directions', async () => {
    const { a, b } = pair(left, { hello: (name) => `hi ${name}`, record: () => {} })
    expect(await b.call('double', 21)).toBe(42)
    expect(await a.call('hello', 'Bob')).toBe('hi Bob')
    expect(await b.call('slow')).toBe('done')
  })

  it('keeps concurrent calls apart', async () => {
    const { b } = pair(left, { hello: () => '', record: () => {} })
    const results = await Promise.all([b.call('slow'), b.call('double', 1), b.call('double', 2)])
    expect(results).toEqual(['done', 2, 4])
  })

  it('rejects with the remote error\'s name and message', async () => {
    const { b } = pair(left, { hello: () => '', record: () => {} })
    const err = await b.call('fail', 'alias must be 1-64 characters').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RemoteError)
    expect((err as Error).name).toBe('ValidationError')
    expect((err as Error).message).toBe('alias must be 1-64 characters')
  })

  it('refuses methods the other side does not serve, including inherited ones', async () => {
    const { b } = pair(left, { hello: () => '', record: () => {} })
    const call = b.call as unknown as (m: string) => Promise<unknown>
    await expect(call.call(b, 'toString')).rejects.toThrow(/unknown method toString/)
    await expect(call.call(b, 'nope')).rejects.toThrow(/unknown method nope/)
  })

  it('delivers notes without a reply and reports their failures locally', async () => {
    const lines: string[] = []
    const { a, errors } = pair(left, { hello: () => '', record: (line) => { lines.push(line); if (line === 'bad') throw new Error('cannot record') } })
    a.note('record', 'one')
    a.note('record', 'bad')
    expect(await a.call('hello', 'x')).toBe('')
    expect(lines).toEqual(['one', 'bad'])
    expect(errors).toEqual(['record failed: cannot record'])
  })
})
