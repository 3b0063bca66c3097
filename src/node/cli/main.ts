/**
 * The `kith` command line. `kith init` and `kith serve` work on a data directory directly; every
 * other command talks to that directory's running daemon through the local API. Errors print one
 * line on stderr and exit non-zero; `--json` prints machine-readable output.
 */
import { parseArgs } from 'node:util'
import { validateText } from '../../core/conversation/payload.ts'
import { KithError } from '../../core/errors.ts'
import { ApiClient } from '../api/client.ts'
import { parseIceServer } from '../ice-servers.ts'
import { initDataDir, KithNode, type KithNodeConfig } from '../kith-node.ts'
import { dataPaths } from '../paths.ts'
import { runBackup } from './backup.ts'
import { runChat } from './chat.ts'
import { formatFileMessageLine, listFiles, runFile, transferStates } from './files.ts'
import { describeDirectory, formatCallLine, formatConversationLine, formatMessageLine, formatProfile, shortId, type CallHistoryJson, type ConversationJson, type DirectoryStatusJson, type MessageJson, type ProfileJson } from './format.ts'

const HELP = `kith: serverless end-to-end encrypted chat

usage: kith [--data DIR] [--json] COMMAND

  init --name NAME              create this device's account and keys
  serve [--name NAME] [--bootstrap ADDR]... [--mdns] [--host HOST]
        [--announce HOST|MULTIADDR]... [--tls self-signed | --tls-cert FILE --tls-key FILE]
        [--ice-server stun:HOST[:PORT] | turn:USER:PASS@HOST[:PORT]]...
        [--mailbox MULTIADDR]... [--mailbox-for-anyone]
        [--tcp-port N] [--ws-port N] [--webrtc-port N] [--web-port N] [--verbose]
                                run the peer (and its local API); --host 0.0.0.0
                                listens on every interface, --announce adds a
                                public address, --tls serves https and wss;
                                --mailbox keeps this device's mailboxes there
                                (default: the bootstrap nodes that accept it),
                                --mailbox-for-anyone holds messages for any
                                device, not only yours and your contacts'
  status                        the running peer's id, addresses, reachability,
                                DHT, directory record and mailboxes
  invite                        print your invite link
  profile                       show your display name, identity key and invite link
  profile name NEW NAME         change your display name; contacts and groups see it
  contact add LINK [--name ALIAS]
                                add a contact; prints the safety number
  contact verify ALIAS [--confirm]
                                print the safety number; --confirm marks it verified
  contacts                      list contacts
  group create NAME             create a group
  group add GROUP CONTACT       add a contact to a group
  group remove GROUP CONTACT    remove a contact from a group
  group rekey TARGET            rotate your keys in a conversation (an MLS update commit)
  group rename GROUP NAME       rename a group for everyone in it
  group leave GROUP             leave a group (also: leave GROUP)
  groups                        list conversations, with unread counts, [muted] and [archived]
  mute TARGET [--off]           mute a conversation (no notifications); --off unmutes
  archive TARGET [--off]        archive a conversation; --off brings it back
  send TARGET TEXT [--reply ID] send a message to a contact alias or group name
  edit TARGET ID TEXT           change the text of your message ID for everyone
  delete TARGET ID              delete your message ID for everyone
  react TARGET ID EMOJI         react to message ID; --remove takes your reaction back
  read TARGET                   mark a conversation read (sends a read receipt)
  messages TARGET               show a conversation's history
  calls [TARGET]                list calls (missed, declined, answered with their length)
  search TEXT [--limit N]       find messages containing TEXT in every conversation
  chat TARGET                   interactive chat (/send PATH offers a file, /get ID fetches one)
  file send TARGET PATH... [--caption TEXT]
                                offer files in a conversation (encrypted, and copied
                                into this node's chunk store, which serves them)
  files TARGET                  every file offered in a conversation, with its state
                                (offered, downloading, paused, done, failed)
  file get TARGET FILE_ID [--out PATH]
                                download a file (to --out, else DATA/downloads) and
                                follow it; the daemon keeps going if you stop watching
  file pause|resume|cancel TARGET FILE_ID
                                pause, resume, or cancel a download (cancel deletes
                                its chunks)
  settings [--read-receipts on|off]
                                show or change settings
  backup export FILE [--history] [--passphrase-file PATH]
                                write your account (identity, contacts, groups,
                                and with --history your messages) to FILE,
                                encrypted under a passphrase (the daemon must run)
  backup import FILE [--passphrase-file PATH]
                                restore a backup into a data directory with no
                                account, as a new device; conversations rejoin
                                once a member is online

Message ids are shown as 8 hex digits; any unique prefix of 6 or more is accepted.

The data directory is --data DIR, else $KITH_HOME, else ~/.kith.`

interface Flags {
  data?: string
  json?: boolean
  name?: string
  bootstrap?: string[]
  mdns?: boolean
  host?: string
  'tcp-port'?: string
  'ws-port'?: string
  'web-port'?: string
  'webrtc-port'?: string
  announce?: string[]
  tls?: string
  'tls-cert'?: string
  'tls-key'?: string
  'ice-server'?: string[]
  mailbox?: string[]
  'mailbox-for-anyone'?: boolean
  verbose?: boolean
  confirm?: boolean
  limit?: string
  reply?: string
  remove?: boolean
  off?: boolean
  'read-receipts'?: string
  history?: boolean
  'passphrase-file'?: string
  caption?: string
  out?: string
  help?: boolean
}

function port (value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new KithError(`--${flag} must be a port number from 0 to 65535`)
  return n
}

/** ` [muted]` / ` [archived]` after a conversation in `kith groups`. */
function prefMarks (c: object): string {
  const { muted, archived, rejoining } = c as { muted?: unknown, archived?: unknown, rejoining?: unknown }
  const waiting = Array.isArray(rejoining) ? `  [rejoining: waiting for ${rejoining.join(' or ')} to come online]` : ''
  return `${muted === true ? '  [muted]' : ''}${archived === true ? '  [archived]' : ''}${waiting}`
}

function need (args: string[], index: number, what: string): string {
  const v = args[index]
  if (v === undefined || v.length === 0) throw new KithError(`missing ${what}; see \`kith --help\``)
  return v
}

async function main (argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      data: { type: 'string' },
      json: { type: 'boolean' },
      name: { type: 'string' },
      bootstrap: { type: 'string', multiple: true },
      mdns: { type: 'boolean' },
      host: { type: 'string' },
      'tcp-port': { type: 'string' },
      'ws-port': { type: 'string' },
      'web-port': { type: 'string' },
      'webrtc-port': { type: 'string' },
      announce: { type: 'string', multiple: true },
      tls: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'ice-server': { type: 'string', multiple: true },
      mailbox: { type: 'string', multiple: true },
      'mailbox-for-anyone': { type: 'boolean' },
      verbose: { type: 'boolean' },
      confirm: { type: 'boolean' },
      limit: { type: 'string' },
      reply: { type: 'string' },
      remove: { type: 'boolean' },
      off: { type: 'boolean' },
      'read-receipts': { type: 'string' },
      history: { type: 'boolean' },
      'passphrase-file': { type: 'string' },
      caption: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' }
    }
  }) as { values: Flags, positionals: string[] }
  const json = values.json === true
  const print = (human: string, data: unknown): void => {
    process.stdout.write(json ? JSON.stringify(data) + '\n' : human + '\n')
  }
  const paths = dataPaths(values.data)
  const [command, sub] = positionals
  if (values.help === true || command === undefined || command === 'help') {
    process.stdout.write(HELP + '\n')
    return
  }

  if (command === 'init') {
    const name = values.name ?? need(positionals, 1, 'display name (--name NAME)')
    const { created, account } = await initDataDir(paths, name)
    print(created ? `created account "${account.certificate.displayName}" in ${paths.dir}` : `${paths.dir} already has an account ("${account.certificate.displayName}")`,
      { created, dir: paths.dir, identity: account.identityHex, peerId: account.peerId, name: account.certificate.displayName })
    return
  }

  if (command === 'serve') {
    const node = await KithNode.start({
      ...tlsOption(values),
      announce: values.announce ?? [],
      iceServers: (values['ice-server'] ?? []).map(parseIceServer),
      ...(values.mailbox !== undefined ? { mailboxes: values.mailbox.map((a) => mailboxAddr(a)) } : {}),
      ...(values['mailbox-for-anyone'] === true ? { mailboxForAnyone: true } : {}),
      ...(values['webrtc-port'] !== undefined ? { webrtcPort: port(values['webrtc-port'], 'webrtc-port') } : {}),
      dataDir: paths.dir,
      ...(values.name !== undefined ? { name: values.name } : {}),
      ...(values.host !== undefined ? { host: values.host } : {}),
      ...(values['tcp-port'] !== undefined ? { tcpPort: port(values['tcp-port'], 'tcp-port') } : {}),
      ...(values['ws-port'] !== undefined ? { wsPort: port(values['ws-port'], 'ws-port') } : {}),
      ...(values['web-port'] !== undefined ? { webPort: port(values['web-port'], 'web-port') } : {}),
      bootstrap: values.bootstrap ?? [],
      mdns: values.mdns === true,
      verbose: values.verbose === true
    })
    // Before the status line: whoever reads it may stop the node at once, and a signal that came
    // before its handler would end the process without closing the store and the lock.
    let stopping = false
    const stop = (): void => {
      if (stopping) return
      stopping = true
      void node.stop().then(() => process.exit(0), () => process.exit(1))
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
    const tls = node.tls
    const status = { peerId: node.libp2p.peerId.toString(), addrs: node.bootstrapAddrs(), web: node.webUrl, data: paths.dir, ...(tls !== undefined ? { tlsFingerprint: tls.fingerprint, tlsSpki: tls.spki } : {}) }
    print([
      `Kith node ${status.peerId} is running (data: ${paths.dir})`,
      ...status.addrs.map((a) => `  listening  ${a}`),
      `  web app    ${status.web}   (open it in a browser to chat; it is also this node's relay)`,
      ...(tls?.selfSigned === true ? [`  tls        self-signed; SHA-256 fingerprint ${tls.fingerprint}`, '             (browsers warn once: accept it only if this fingerprint matches)'] : []),
      `  invite     npx kith --data ${paths.dir} invite`,
      'Press Ctrl+C to stop.'
    ].join('\n'), status)
    return
  }

  if (command === 'backup') {
    await runBackup(sub, { paths, args: positionals.slice(2), history: values.history === true, passphraseFile: values['passphrase-file'], print })
    return
  }

  const client = ApiClient.forDataDir(paths)
  const leave = async (group: string): Promise<void> => {
    const r = await client.call<{ conversation: ConversationJson }>('POST', `/v1/groups/${encodeURIComponent(group)}/leave`)
    print(`you left ${r.conversation.name}`, r)
  }
  switch (command) {
    case 'status': {
      const s = await client.call<{
        peerId: string, addrs: string[], connections: number, web: string, reachability: { kind: string, relays: string[] }, links: Array<{ peer: string, addr: string, relayed: boolean }>, directory?: DirectoryStatusJson
        mailboxes: { own: Array<{ node: string, depth?: number, lastError?: string }>, served: { mailboxes: number, entries: number, bytes: number } }
      }>('GET', '/v1/status')
      print([
        `peer ${s.peerId}`,
        ...s.addrs.map((a) => `  ${a}`),
        `web app ${s.web}`,
        `reachability: ${describeReachability(s.reachability)}`,
        ...(s.directory !== undefined ? describeDirectory(s.directory) : []),
        `${s.connections} connection(s)`,
        ...s.links.map((l) => `  ${l.peer.slice(-8)}  ${l.relayed ? 'relayed' : 'direct '}  ${l.addr}`),
        s.mailboxes.own.length === 0 ? 'mailboxes: none yet (no bootstrap or --mailbox node has accepted one)' : `mailboxes: ${s.mailboxes.own.length}`,
        ...s.mailboxes.own.map((m) => `  ${m.node}  ${m.lastError !== undefined ? `unreachable: ${m.lastError}` : m.depth === undefined ? 'not checked yet' : `${m.depth} waiting`}`),
        `holding for others: ${s.mailboxes.served.entries} message(s) in ${s.mailboxes.served.mailboxes} mailbox(es), ${formatBytes(s.mailboxes.served.bytes)}`
      ].join('\n'), s)
      return
    }
    case 'invite': {
      const r = await client.call<{ link: string }>('GET', '/v1/invite')
      print(r.link, r)
      return
    }
    case 'profile': {
      if (sub === undefined) {
        const r = await client.call<{ profile: ProfileJson }>('GET', '/v1/profile')
        print(formatProfile(r.profile), r)
        return
      }
      if (sub === 'name') {
        const name = positionals.slice(2).join(' ')
        if (name.trim() === '') throw new KithError('usage: kith profile name NEW NAME')
        const r = await client.call<{ profile: ProfileJson }>('POST', '/v1/profile', { name })
        print(`you are now ${r.profile.displayName}; your contacts and groups are told, and your invite link carries the new name:\n${r.profile.inviteLink}`, r)
        return
      }
      throw new KithError('usage: kith profile | kith profile name NEW NAME')
    }
    case 'contact': {
      if (sub === 'add') {
        const r = await client.call<{ contact: { alias: string, displayName: string }, formatted: string, warning?: string }>('POST', '/v1/contacts', { link: need(positionals, 2, 'invite link'), ...(values.name !== undefined ? { name: values.name } : {}) })
        const warning = r.warning !== undefined ? `warning: ${r.warning}\n` : ''
        print(`${warning}added ${r.contact.alias} (${r.contact.displayName})\nsafety number: ${r.formatted}\ncompare it with theirs (kith contact verify ${r.contact.alias}) to be sure nobody is in between.`, r)
        return
      }
      if (sub === 'verify') {
        const alias = need(positionals, 2, 'contact alias')
        const r = await client.call<{ contact: { alias: string, verified: boolean }, formatted: string, safetyNumber: string }>('GET', `/v1/contacts/${encodeURIComponent(alias)}/safety-number`)
        if (values.confirm === true) {
          const v = await client.call<{ contact: { verified: boolean } }>('POST', `/v1/contacts/${encodeURIComponent(alias)}/verified`, { verified: true })
          print(`${r.formatted}\n${alias} is now marked verified`, { ...r, contact: v.contact })
          return
        }
        print(`safety number with ${alias}${r.contact.verified ? ' (verified)' : ''}:\n${r.formatted}`, r)
        return
      }
      throw new KithError('usage: kith contact add LINK [--name ALIAS] | kith contact verify ALIAS')
    }
    case 'contacts': {
      const r = await client.call<{ contacts: Array<{ alias: string, displayName: string, verified: boolean }> }>('GET', '/v1/contacts')
      print(r.contacts.length === 0 ? 'no contacts yet: `kith contact add LINK`' : r.contacts.map((c) => `${c.alias}  (${c.displayName})${c.verified ? '  verified' : ''}`).join('\n'), r)
      return
    }
    case 'group': {
      if (sub === 'create') {
        const r = await client.call<{ conversation: { name: string, id: string } }>('POST', '/v1/groups', { name: need(positionals, 2, 'group name') })
        print(`created group ${r.conversation.name}`, r)
        return
      }
      if (sub === 'add' || sub === 'remove') {
        const group = need(positionals, 2, 'group')
        const contact = need(positionals, 3, 'contact')
        const r = sub === 'add'
          ? await client.call<{ conversation: { name: string, members: unknown[] } }>('POST', `/v1/groups/${encodeURIComponent(group)}/members`, { contact })
          : await client.call<{ conversation: { name: string, members: unknown[] } }>('DELETE', `/v1/groups/${encodeURIComponent(group)}/members/${encodeURIComponent(contact)}`)
        print(`${sub === 'add' ? 'added' : 'removed'} ${contact} ${sub === 'add' ? 'to' : 'from'} ${r.conversation.name} (${r.conversation.members.length} member device(s))`, r)
        return
      }
      if (sub === 'rename') {
        const group = need(positionals, 2, 'group')
        const name = positionals.slice(3).join(' ')
        if (name.trim().length === 0) throw new KithError('missing the new name: kith group rename GROUP NEW NAME')
        const r = await client.call<{ conversation: { name: string } }>('POST', `/v1/groups/${encodeURIComponent(group)}/rename`, { name })
        print(`renamed ${group} to ${r.conversation.name} for everyone in it`, r)
        return
      }
      if (sub === 'leave') return await leave(need(positionals, 2, 'group name'))
      if (sub === 'rekey') {
        const target = need(positionals, 2, 'conversation (contact alias or group name)')
        const r = await client.call<{ conversation: { name: string, epoch: number } }>('POST', `/v1/groups/${encodeURIComponent(target)}/rekey`)
        print(`rotated your keys in ${r.conversation.name} (epoch ${r.conversation.epoch})`, r)
        return
      }
      throw new KithError('usage: kith group create NAME | group add GROUP CONTACT | group remove GROUP CONTACT | group rename GROUP NAME | group leave GROUP | group rekey TARGET')
    }
    case 'leave':
      return await leave(need(positionals, 1, 'group name'))
    case 'groups': {
      const r = await client.call<{ conversations: ConversationJson[] }>('GET', '/v1/groups')
      print(r.conversations.length === 0 ? 'no conversations yet' : r.conversations.map((c) => formatConversationLine(c) + prefMarks(c)).join('\n'), r)
      return
    }
    case 'mute':
    case 'archive': {
      const target = need(positionals, 1, 'target (contact alias or group name)')
      const on = values.off !== true
      const r = command === 'mute'
        ? await client.call<{ conversation: ConversationJson }>('POST', `/v1/groups/${encodeURIComponent(target)}/mute`, { muted: on })
        : await client.call<{ conversation: ConversationJson }>('POST', `/v1/groups/${encodeURIComponent(target)}/archive`, { archived: on })
      print(`${r.conversation.name}: ${command === 'mute' ? (on ? 'muted' : 'unmuted') : (on ? 'archived' : 'unarchived')}`, r)
      return
    }
    case 'send': {
      const target = need(positionals, 1, 'target (contact alias or group name)')
      const text = positionals.slice(2).join(' ')
      if (text.trim().length === 0) throw new KithError('missing message text')
      validateText(text)
      const r = await client.sendMessage<{ message: MessageJson }>({ target, text, ...(values.reply !== undefined ? { replyTo: values.reply } : {}) })
      print(formatMessageLine(r.message), r)
      return
    }
    case 'edit': {
      const target = need(positionals, 1, 'target (contact alias or group name)')
      const id = need(positionals, 2, 'message id')
      const text = positionals.slice(3).join(' ')
      if (text.trim().length === 0) throw new KithError('missing the new message text')
      validateText(text)
      const r = await client.call<{ message: MessageJson }>('POST', `/v1/messages/${encodeURIComponent(id)}/edit`, { target, text })
      print(formatMessageLine(r.message), r)
      return
    }
    case 'delete': {
      const target = need(positionals, 1, 'target (contact alias or group name)')
      const id = need(positionals, 2, 'message id')
      const r = await client.call<{ message: MessageJson }>('DELETE', `/v1/messages/${encodeURIComponent(id)}?target=${encodeURIComponent(target)}`)
      print(`deleted ${shortId(r.message.id)} for everyone`, r)
      return
    }
    case 'react': {
      const target = need(positionals, 1, 'target (contact alias or group name)')
      const id = need(positionals, 2, 'message id')
      const emoji = values.remove === true ? '' : need(positionals, 3, 'emoji (or --remove)')
      const r = await client.call<{ message: MessageJson }>('POST', `/v1/messages/${encodeURIComponent(id)}/reactions`, { target, emoji })
      print(formatMessageLine(r.message), r)
      return
    }
    case 'read': {
      const target = need(positionals, 1, 'target (contact alias or group name)')
      const r = await client.call<{ conversation: ConversationJson }>('POST', `/v1/groups/${encodeURIComponent(target)}/read`)
      print(`${r.conversation.name}: all read`, r)
      return
    }
    case 'settings': {
      const wanted = values['read-receipts']
      if (wanted !== undefined && wanted !== 'on' && wanted !== 'off') throw new KithError('--read-receipts takes on or off')
      const r = wanted === undefined
        ? await client.call<{ settings: { readReceipts: boolean } }>('GET', '/v1/settings')
        : await client.call<{ settings: { readReceipts: boolean } }>('POST', '/v1/settings', { readReceipts: wanted === 'on' })
      print(`read receipts: ${r.settings.readReceipts ? 'on' : 'off'}`, r)
      return
    }
    case 'messages': {
      const target = need(positionals, 1, 'target (contact alias or group name)')
      const r = await client.call<{ messages: MessageJson[] }>('GET', `/v1/messages?target=${encodeURIComponent(target)}${values.limit !== undefined ? `&limit=${encodeURIComponent(values.limit)}` : ''}`)
      const states = r.messages.some((m) => m.file !== undefined) ? await transferStates(client, target) : new Map()
      print(r.messages.length === 0 ? 'no messages yet' : r.messages.map((m) => formatFileMessageLine(m, states)).join('\n'), r)
      return
    }
    case 'files':
      await listFiles({ client, json, print }, need(positionals, 1, 'target (contact alias or group name)'))
      return
    case 'file':
      await runFile({ client, json, print }, sub, positionals.slice(2), {
        ...(values.caption !== undefined ? { caption: values.caption } : {}), ...(values.out !== undefined ? { out: values.out } : {})
      })
      return
    case 'calls': {
      const target = positionals[1]
      const r = await client.call<{ calls: CallHistoryJson[] }>('GET', `/v1/calls${target !== undefined ? `?target=${encodeURIComponent(target)}` : ''}`)
      print(r.calls.length === 0 ? 'no calls yet' : r.calls.map(formatCallLine).join('\n'), r)
      return
    }
    case 'search': {
      const query = positionals.slice(1).join(' ')
      if (query.trim().length === 0) throw new KithError('missing what to search for: kith search TEXT')
      const r = await client.call<{ results: Array<{ conversationName: string, message: MessageJson }> }>('GET', `/v1/search?q=${encodeURIComponent(query)}${values.limit !== undefined ? `&limit=${encodeURIComponent(values.limit)}` : ''}`)
      print(r.results.length === 0 ? `no messages contain "${query}"` : r.results.map((h) => `${h.conversationName}  ${formatMessageLine(h.message)}`).join('\n'), r)
      return
    }
    case 'chat':
      await runChat(client, need(positionals, 1, 'target (contact alias or group name)'))
      return
    default:
      throw new KithError(`unknown command "${command}"; see \`kith --help\``)
  }
}

/** `--tls self-signed`, or `--tls-cert FILE --tls-key FILE`, checked together. */
function tlsOption (values: Flags): { tls?: KithNodeConfig['tls'] } {
  const cert = values['tls-cert']
  const key = values['tls-key']
  if (values.tls !== undefined) {
    if (values.tls !== 'self-signed') throw new KithError('--tls takes self-signed (or give --tls-cert FILE --tls-key FILE)')
    if (cert !== undefined || key !== undefined) throw new KithError('--tls self-signed and --tls-cert/--tls-key exclude each other')
    return { tls: 'self-signed' }
  }
  if (cert === undefined && key === undefined) return {}
  if (cert === undefined || key === undefined) throw new KithError('--tls-cert and --tls-key go together')
  return { tls: { certFile: cert, keyFile: key } }
}

/** A `--mailbox` value: a multiaddr that names its node with /p2p/. */
function mailboxAddr (value: string): string {
  if (!value.startsWith('/') || !value.includes('/p2p/')) throw new KithError(`--mailbox needs a multiaddr ending in /p2p/PEER_ID, got ${JSON.stringify(value)}`)
  return value
}

function formatBytes (n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`
}

function describeReachability (r: { kind: string, relays: string[] }): string {
  switch (r.kind) {
    case 'public': return 'public (AutoNAT confirmed an address, or one is announced)'
    case 'relayed': return `behind a NAT; reachable through ${r.relays.length} relay(s): ${r.relays.join(', ')}`
    case 'lan': return 'private network addresses only (reachable on this LAN)'
    default: return 'this machine only (listening on loopback; use --host 0.0.0.0)'
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err)
  process.stderr.write(`kith: ${message.split('\n')[0]}\n`)
  // A serve that failed half-way may hold native handles (WebRTC) that would keep the process up.
  process.exit(1)
})
