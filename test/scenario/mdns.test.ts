/**
 * LAN discovery with mDNS. Multicast leaves loopback, so this runs in a network namespace the test
 * creates (`unshare -n`), with only its own loopback interface, multicast-enabled.
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const run = promisify(execFile)
const root = join(import.meta.dirname, '../..')

it('two peers started with --mdns find each other on the LAN', async () => {
  const script = join(root, 'test/scenario/fixtures/mdns-pair.ts')
  const inner = [
    'ip link set lo up',
    'ip link set lo multicast on',
    'ip route add 224.0.0.0/4 dev lo',
    `exec "${process.execPath}" --disable-warning=ExperimentalWarning --import tsx "${script}"`
  ].join(' && ')
  const { stdout } = await run('unshare', ['-n', 'sh', '-c', inner], { cwd: root, timeout: 60_000 })
  expect(stdout).toMatch(/discovered 12D3Koo/)
})
