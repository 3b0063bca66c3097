/**
 * Small network probes that run inside simulated hosts through `host.runNode` / `host.spawnNode`:
 * TCP and HTTP servers that report who connected, a TCP dial that tells a timeout from a refusal,
 * a UDP burst counter, and a STUN/TURN client (RFC 5389 binding, RFC 5766 allocate, permission
 * and send). Each function is self-contained, because its source is what runs in the child.
 */

/** How a TCP connection attempt ended: a server reply, silence until the timeout, or an error code. */
export type Dial = { outcome: 'connected', reply: string } | { outcome: 'timeout' } | { outcome: 'error', code: string }

/** A TCP server on `ip:port` that answers each connection with `{"from":"<peer address>"}`; prints `listening`. */
export async function serveTcp ({ ip, port }: { ip: string, port: number }): Promise<void> {
  const net = await import('node:net')
  net.createServer((socket) => { socket.end(JSON.stringify({ from: socket.remoteAddress })) })
    .listen(port, ip, () => { console.log('listening') })
}

/** An HTTP server on `ip:port` whose page shows the client's address in `#from`; prints `listening`. */
export async function serveHttp ({ ip, port }: { ip: string, port: number }): Promise<void> {
  const http = await import('node:http')
  http.createServer((req, res) => {
    res.setHeader('content-type', 'text/html')
    res.end(`<!doctype html><title>sim</title><p id="from">${req.socket.remoteAddress ?? ''}</p>`)
  }).listen(port, ip, () => { console.log('listening') })
}

/** Connects to `ip:port` and reads the reply; a connection that neither opens nor fails in `timeoutMs` is a timeout. */
export async function dialTcp ({ ip, port, timeoutMs }: { ip: string, port: number, timeoutMs: number }): Promise<Dial> {
  const net = await import('node:net')
  return await new Promise<Dial>((resolve) => {
    const socket = net.connect({ host: ip, port })
    let reply = ''
    const timer = setTimeout(() => { socket.destroy(); resolve({ outcome: 'timeout' }) }, timeoutMs)
    socket.on('data', (d: Buffer) => { reply += d.toString() })
    socket.once('end', () => { clearTimeout(timer); resolve({ outcome: 'connected', reply }) })
    socket.once('error', (e: NodeJS.ErrnoException) => { clearTimeout(timer); resolve({ outcome: 'error', code: e.code ?? e.message }) })
  })
}

/** Counts UDP datagrams on `ip:port`; answers each `end` datagram with `count:<datagrams so far>`; prints `listening`. */
export async function countUdp ({ ip, port }: { ip: string, port: number }): Promise<void> {
  const dgram = await import('node:dgram')
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 20 })
  let count = 0
  socket.on('message', (msg, from) => {
    if (msg.toString() === 'end') socket.send(`count:${count}`, from.port, from.address)
    else count++
  })
  socket.bind(port, ip, () => { console.log('listening') })
}

/**
 * Sends `count` datagrams to a `countUdp` server, then repeats `end` until a count comes back
 * (markers and answers can be lost too). Reports how many arrived and how many sends failed locally.
 */
export async function sendUdpBurst ({ ip, port, count }: { ip: string, port: number, count: number }): Promise<{ received: number, sendErrors: number }> {
  const dgram = await import('node:dgram')
  const socket = dgram.createSocket('udp4')
  let sendErrors = 0
  const send = async (text: string): Promise<void> => {
    await new Promise<void>((resolve) => { socket.send(text, port, ip, (err) => { if (err != null) sendErrors++; resolve() }) })
  }
  for (let i = 0; i < count; i++) await send(`d${i}`)
  const answer = new Promise<number>((resolve) => {
    socket.on('message', (msg) => {
      const m = /^count:(\d+)$/.exec(msg.toString())
      if (m?.[1] !== undefined) resolve(Number(m[1]))
    })
  })
  for (let attempt = 0; attempt < 200; attempt++) {
    await send('end')
    const received = await Promise.race([answer, new Promise<undefined>((resolve) => setTimeout(resolve, 50))])
    if (received !== undefined) {
      socket.close()
      return { received, sendErrors }
    }
  }
  throw new Error('no count came back from the UDP counter')
}

/** What `probeStun` learnt: the reflexive address, and with `turn` the allocation and a relayed echo. */
export interface StunReport {
  mapped: { ip: string, port: number }
  allocateError?: number
  relayed?: { ip: string, port: number }
  echo?: string
}

/** A STUN binding request to `server:port`; with `turn`, also allocate, permit `turn.peer`, send it `turn.text` and await its reply. */
export async function probeStun (probe: {
  server: string, port: number,
  turn?: { username: string, credential: string, peer: { ip: string, port: number }, text: string }
}): Promise<StunReport> {
  const dgram = await import('node:dgram')
  const crypto = await import('node:crypto')
  // RFC 5389 §6 header; §15 attributes; RFC 5766 §13-14 for the TURN ones.
  const COOKIE = Buffer.from([0x21, 0x12, 0xa4, 0x42])
  const BINDING = 0x0001; const ALLOCATE = 0x0003; const CREATE_PERMISSION = 0x0008; const SEND = 0x0016; const DATA_INDICATION = 0x0017
  const USERNAME = 0x0006; const MESSAGE_INTEGRITY = 0x0008; const ERROR_CODE = 0x0009; const XOR_PEER = 0x0012; const DATA = 0x0013
  const REALM = 0x0014; const NONCE = 0x0015; const XOR_RELAYED = 0x0016; const REQUESTED_TRANSPORT = 0x0019; const XOR_MAPPED = 0x0020
  type Attr = [type: number, value: Buffer]
  interface Message { type: number, id: Buffer, attrs: Map<number, Buffer> }

  const socket = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => { socket.bind(0, resolve) })
  const encode = (type: number, id: Buffer, attrs: Attr[], key?: Buffer): Buffer => {
    const body = Buffer.concat(attrs.map(([t, v]) => {
      const head = Buffer.alloc(4)
      head.writeUInt16BE(t, 0)
      head.writeUInt16BE(v.length, 2)
      return Buffer.concat([head, v, Buffer.alloc((4 - (v.length % 4)) % 4)])
    }))
    const header = Buffer.alloc(20)
    header.writeUInt16BE(type, 0)
    COOKIE.copy(header, 4)
    id.copy(header, 8)
    if (key === undefined) {
      header.writeUInt16BE(body.length, 2)
      return Buffer.concat([header, body])
    }
    // §15.4: the HMAC covers everything before MESSAGE-INTEGRITY, with the length already counting it.
    header.writeUInt16BE(body.length + 24, 2)
    const mac = crypto.createHmac('sha1', key).update(Buffer.concat([header, body])).digest()
    const head = Buffer.alloc(4)
    head.writeUInt16BE(MESSAGE_INTEGRITY, 0)
    head.writeUInt16BE(20, 2)
    return Buffer.concat([header, body, head, mac])
  }
  const decode = (msg: Buffer): Message | undefined => {
    if (msg.length < 20 || !msg.subarray(4, 8).equals(COOKIE)) return undefined
    const attrs = new Map<number, Buffer>()
    for (let at = 20; at + 4 <= msg.length;) {
      const length = msg.readUInt16BE(at + 2)
      attrs.set(msg.readUInt16BE(at), msg.subarray(at + 4, at + 4 + length))
      at += 4 + length + ((4 - (length % 4)) % 4)
    }
    return { type: msg.readUInt16BE(0), id: msg.subarray(8, 20), attrs }
  }
  const xorAddress = (v: Buffer | undefined): { ip: string, port: number } => {
    if (v === undefined || v.length < 8) throw new Error('missing XOR address')
    const ip = [0, 1, 2, 3].map((i) => v.readUInt8(4 + i) ^ (COOKIE.readUInt8(i))).join('.')
    return { ip, port: v.readUInt16BE(2) ^ 0x2112 }
  }
  const xorPeer = (ip: string, port: number): Buffer => {
    const v = Buffer.alloc(8)
    v.writeUInt16BE(0x0001, 0)
    v.writeUInt16BE(port ^ 0x2112, 2)
    ip.split('.').forEach((octet, i) => { v.writeUInt8(Number(octet) ^ COOKIE.readUInt8(i), 4 + i) })
    return v
  }
  // Retransmit until the answer with our transaction id arrives (§7.2.1, with a short fixed interval).
  const transact = async (type: number, attrs: Attr[], key?: Buffer): Promise<Message> => {
    const id = crypto.randomBytes(12)
    const msg = encode(type, id, attrs, key)
    return await new Promise<Message>((resolve, reject) => {
      let tries = 0
      const send = (): void => {
        if (tries++ === 40) { finish(); reject(new Error(`no answer to STUN method ${type}`)); return }
        socket.send(msg, probe.port, probe.server)
      }
      const onMessage = (m: Buffer): void => {
        const d = decode(m)
        if (d !== undefined && d.id.equals(id)) { finish(); resolve(d) }
      }
      const timer = setInterval(send, 250)
      const finish = (): void => { clearInterval(timer); socket.off('message', onMessage) }
      socket.on('message', onMessage)
      send()
    })
  }

  const binding = await transact(BINDING, [])
  const report: StunReport = { mapped: xorAddress(binding.attrs.get(XOR_MAPPED)) }
  const turn = probe.turn
  if (turn !== undefined) {
    const udp: Attr = [REQUESTED_TRANSPORT, Buffer.from([17, 0, 0, 0])]
    const challenge = await transact(ALLOCATE, [udp])
    const realm = challenge.attrs.get(REALM)
    const nonce = challenge.attrs.get(NONCE)
    if (realm === undefined || nonce === undefined) throw new Error('the unauthenticated allocate was not challenged')
    // §15.4 long-term credentials: key = MD5(username ":" realm ":" password).
    const key = crypto.createHash('md5').update(`${turn.username}:${realm.toString()}:${turn.credential}`).digest()
    const auth: Attr[] = [[USERNAME, Buffer.from(turn.username)], [REALM, realm], [NONCE, nonce]]
    const allocated = await transact(ALLOCATE, [udp, ...auth], key)
    const error = allocated.attrs.get(ERROR_CODE)
    if (error !== undefined) {
      report.allocateError = error.readUInt8(2) * 100 + error.readUInt8(3)
    } else {
      report.relayed = xorAddress(allocated.attrs.get(XOR_RELAYED))
      const peer = xorPeer(turn.peer.ip, turn.peer.port)
      const permitted = await transact(CREATE_PERMISSION, [[XOR_PEER, peer], ...auth], key)
      if (permitted.attrs.has(ERROR_CODE)) throw new Error('CreatePermission failed')
      const echoed = new Promise<string>((resolve) => {
        socket.on('message', (m: Buffer) => {
          const d = decode(m)
          const data = d?.type === DATA_INDICATION ? d.attrs.get(DATA) : undefined
          if (data !== undefined) resolve(data.toString())
        })
      })
      const indication = encode(SEND, crypto.randomBytes(12), [[XOR_PEER, peer], [DATA, Buffer.from(turn.text)]])
      for (let attempt = 0; attempt < 40 && report.echo === undefined; attempt++) {
        socket.send(indication, probe.port, probe.server)
        report.echo = await Promise.race([echoed, new Promise<undefined>((resolve) => setTimeout(resolve, 250))])
      }
    }
  }
  socket.close()
  return report
}

/** A UDP server on `ip:port` that answers each datagram with `echo:<text>` and prints `from <address>:<port>`; prints `listening`. */
export async function echoUdp ({ ip, port }: { ip: string, port: number }): Promise<void> {
  const dgram = await import('node:dgram')
  const socket = dgram.createSocket('udp4')
  socket.on('message', (msg, from) => {
    console.log(`from ${from.address}:${from.port}`)
    socket.send(`echo:${msg.toString()}`, from.port, from.address)
  })
  socket.bind(port, ip, () => { console.log('listening') })
}
