/**
 * `kith chat TARGET`: an interactive terminal chat. New messages print above the composer, which
 * keeps what you were typing; delivery ticks update as acknowledgements arrive.
 */
import { createInterface } from 'node:readline'
import type { ApiClient } from '../api/client.ts'
import { formatMessageLine, type MessageJson } from './format.ts'

/** Runs the chat until the user types /quit or closes stdin. */
export async function runChat (client: ApiClient, target: string): Promise<void> {
  const { conversation } = await client.call<{ conversation: { id: string, name: string, kind: string, members: unknown[] } }>('GET', `/v1/groups/${encodeURIComponent(target)}`)
  const { messages } = await client.call<{ messages: MessageJson[] }>('GET', `/v1/messages?target=${encodeURIComponent(target)}&limit=30`)
  const out = process.stdout
  out.write(`\x1b[1m${conversation.name}\x1b[0m  (${conversation.kind === 'direct' ? '1:1' : `group of ${conversation.members.length}`}; /quit to leave)\n`)
  for (const m of messages) out.write(formatMessageLine(m) + '\n')
  const rl = createInterface({ input: process.stdin, output: out, prompt: '> ', terminal: process.stdin.isTTY })
  const printAbove = (line: string): void => {
    if (process.stdin.isTTY) {
      out.write('\r\x1b[K' + line + '\n')
      rl.prompt(true)
    } else {
      out.write(line + '\n')
    }
  }
  const abort = new AbortController()
  void client.events((event) => {
    if (event.type === 'message') {
      const m = event.message as MessageJson
      if (m.conversation === conversation.id && !m.own) printAbove(formatMessageLine(m))
    } else if (event.type === 'message-state') {
      if (event.conversation === conversation.id && event.state === 'delivered') printAbove(`\x1b[2m  ✓✓ delivered\x1b[0m`)
    }
  }, abort.signal).catch(() => {})
  rl.prompt()
  for await (const line of rl) {
    const text = line.trim()
    if (text === '/quit' || text === '/exit') break
    if (text.length > 0) {
      try {
        const { message } = await client.call<{ message: MessageJson }>('POST', '/v1/messages', { target, text })
        if (process.stdin.isTTY) out.write('\x1b[1A\r\x1b[K')
        out.write(formatMessageLine(message) + '\n')
      } catch (err) {
        out.write(`\x1b[31m${(err as Error).message}\x1b[0m\n`)
      }
    }
    rl.prompt()
  }
  abort.abort()
  rl.close()
}
