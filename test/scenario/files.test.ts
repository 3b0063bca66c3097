/**
 * Files in conversations with real peers on loopback: a multi-MiB 1:1 transfer that arrives byte
 * for byte, a group that keeps swarming after the sender leaves, a member serving corrupt chunks,
 * a removed member who is refused, and the files of a history restored from a backup.
 */
import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { KithNode } from '../../src/node/kith-node.ts'
import type { TransferView } from '../../src/node/file-transfers.ts'
import type { MessageOut } from '../../src/core/messenger/messenger.ts'
import { NodeChunkStore } from '../../src/store/chunks.node.ts'
import { downloadFile } from '../../src/net/protocols/file.ts'
import { NotFoundError } from '../../src/core/errors.ts'
import { importBackupIntoDataDir } from '../../src/node/kith-node.ts'
import { dataPaths } from '../../src/node/paths.ts'
import { addContact, eventually, logOf, tempDir, usePeers, waitForMessage } from './harness.ts'

const { peer, stop } = usePeers()
const MiB = 1024 * 1024
const fast = { fileRetryMs: 100 }

function sha256 (path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex')
}

/** A file of `size` random bytes in a fresh directory. */
function randomFile (name: string, size: number): string {
  const path = join(tempDir('file'), name)
  writeFileSync(path, randomBytes(size))
  return path
}

/**
 * Waits for a file offer to show in `node`'s history of `target`; returns its file id. A group the
 * node has not joined yet (its Welcome is still on the way) is not found: that is waited for too.
 */
async function offerSeen (node: KithNode, target: string, name: string): Promise<string> {
  return await eventually([node], async () => {
    const messages = await node.messenger.messages(target).catch((err: unknown) => { if (err instanceof NotFoundError) return []; throw err })
    return messages.find((m) => m.file?.name === name)?.file?.fileId
  }, `${name} offered`)
}

async function transferDone (node: KithNode, fileId: string, timeoutMs = 60_000): Promise<TransferView> {
  return await eventually([node], async () => {
    const view = await node.files.view(fileId)
    return view.state === 'done' ? view : undefined
  }, `file ${fileId.slice(0, 8)} done`, timeoutMs)
}

describe('files between two people', () => {
  it('a 6 MiB file sent 1:1 arrives byte-identical and shows in history', async () => {
    const alice = await peer('Alice', undefined, fast)
    const bob = await peer('Bob', undefined, fast)
    await addContact(alice, bob, 'bob')
    await alice.messenger.send('bob', 'a file follows')
    await waitForMessage(bob, 'alice', 'a file follows')

    const original = randomFile('holiday.mp4', 6 * MiB + 12_345)
    const [sent] = await alice.files.send('bob', [original], 'our holiday')
    expect(sent!.file).toMatchObject({ name: 'holiday.mp4', size: 6 * MiB + 12_345, mimeType: 'video/mp4' })
    expect(sent!.text).toBe('our holiday')

    const fileId = await offerSeen(bob, 'alice', 'holiday.mp4')
    expect((await bob.files.view(fileId)).state).toBe('offered')
    // The conversation list previews the file message, which counts as unread until read.
    expect(await bob.messenger.conversation('alice')).toMatchObject({ unread: 2, lastMessage: { text: 'our holiday', own: false, file: { name: 'holiday.mp4', mimeType: 'video/mp4' } } })
    expect((await alice.messenger.conversation('bob')).lastMessage).toMatchObject({ own: true, file: { name: 'holiday.mp4' } })
    expect((await bob.messenger.markRead('alice')).unread).toBe(0)
    const out = join(tempDir('out'), 'copy.mp4')
    await bob.files.get(fileId, out)
    const done = await transferDone(bob, fileId)
    expect(done.path).toBe(out)
    expect(done.bytes).toBe(6 * MiB + 12_345)
    expect(sha256(out)).toBe(sha256(original))

    // History on both sides shows the file with its caption; the list shows its state.
    const history = await bob.messenger.messages('alice')
    expect(history.map((m) => m.file?.name ?? m.text)).toEqual(['a file follows', 'holiday.mp4'])
    expect(history[1]!.text).toBe('our holiday')
    expect((await alice.files.list('bob')).map((f) => [f.name, f.state, f.own])).toEqual([['holiday.mp4', 'done', true]])
    expect((await bob.files.list('alice')).map((f) => [f.name, f.state, f.own])).toEqual([['holiday.mp4', 'done', false]])
  })

  it('an offer and a paused download survive a restart, and the download resumes from its chunks', async () => {
    const bobDir = tempDir('bob')
    const alice = await peer('Alice', undefined, fast)
    let bob = await peer('Bob', bobDir, fast)
    await addContact(alice, bob, 'bob')
    const original = randomFile('data.bin', 5 * MiB)
    await alice.files.send('bob', [original])
    const fileId = await offerSeen(bob, 'alice', 'data.bin')
    await bob.files.get(fileId)
    await eventually([bob], async () => (await bob.files.view(fileId)).bytes > 0, 'some chunks held')
    await bob.files.pause(fileId).catch(() => {})
    const before = await bob.files.view(fileId)
    await stop(bob)

    bob = await peer('Bob', bobDir, fast)
    const after = await bob.files.view(fileId)
    expect(after.name).toBe('data.bin')
    expect(after.bytes).toBe(before.bytes)
    if (after.state !== 'done') {
      expect(after.state).toBe('paused')
      await bob.files.resume(fileId)
    }
    const done = await transferDone(bob, fileId)
    expect(sha256(done.path!)).toBe(sha256(original))
  })
})

describe('acting on a file message', () => {
  it('takes reactions, replies and a caption edit; deleting it for everyone withdraws the file from both devices', async () => {
    const aliceDir = tempDir('alice')
    const bobDir = tempDir('bob')
    const alice = await peer('Alice', aliceDir, fast)
    const bob = await peer('Bob', bobDir, fast)
    await addContact(alice, bob, 'bob')
    const [offer] = await alice.files.send('bob', [randomFile('notes.pdf', 3 * MiB)], 'minutes')
    const fileId = await offerSeen(bob, 'alice', 'notes.pdf')
    await bob.files.get(fileId)
    const saved = await transferDone(bob, fileId)
    const { manifest } = await bob.messenger.fileOffer(fileId)

    // Bob reacts and replies; the reply quotes the file by its name and caption.
    await bob.messenger.react('alice', offer!.id, '👍')
    const reply = await bob.messenger.send('alice', 'thanks', { replyTo: offer!.id })
    expect(reply.replyTo).toEqual({ id: offer!.id, text: 'minutes', senderName: 'alice', file: { name: 'notes.pdf', mimeType: 'application/pdf' } })
    // Once read, the reply and the file message show as read, live, and the reply still quotes the file.
    const readViews = (p: KithNode, id: string): Promise<MessageOut> => new Promise((resolve) => {
      const stop = p.messenger.subscribe((e) => { if (e.type === 'message' && e.message.id === id && e.message.state === 'read') { stop(); resolve(e.message) } })
    })
    const replyRead = readViews(bob, reply.id)
    const fileRead = readViews(alice, offer!.id)
    await waitForMessage(alice, 'bob', 'thanks')
    await alice.messenger.markRead('bob')
    await bob.messenger.markRead('alice')
    expect((await replyRead).replyTo?.file).toEqual({ name: 'notes.pdf', mimeType: 'application/pdf' })
    expect((await fileRead).file?.name).toBe('notes.pdf')
    await eventually([alice], async () => {
      const m = (await alice.messenger.messages('bob')).find((x) => x.id === offer!.id)
      return m?.reactions[0]?.emoji === '👍' && m.reactions[0].names[0] === 'bob'
    }, 'Bob\'s reaction on the file at Alice\'s')
    await alice.messenger.edit('bob', offer!.id, 'minutes of Monday')
    await eventually([bob], async () => (await bob.messenger.messages('alice')).find((x) => x.id === offer!.id)?.text === 'minutes of Monday', 'the new caption at Bob\'s')
    // `kith files` lists it with the caption as edited.
    expect((await bob.files.list('alice')).find((v) => v.fileId === fileId)?.caption).toBe('minutes of Monday')

    // A second file Bob has started and paused.
    await alice.files.send('bob', [randomFile('raw.bin', 4 * MiB)])
    const pausedId = await offerSeen(bob, 'alice', 'raw.bin')
    await bob.files.get(pausedId)
    await bob.files.pause(pausedId).catch(() => {}) // it may have finished already
    const second = (await alice.messenger.messages('bob')).find((m) => m.file?.fileId === pausedId)!

    await alice.messenger.deleteMessage('bob', offer!.id)
    await alice.messenger.deleteMessage('bob', second.id)
    for (const [p, target] of [[alice, 'bob'], [bob, 'alice']] as const) {
      await eventually([p], async () => {
        const shown = (await p.messenger.messages(target)).filter((m) => m.id === offer!.id || m.id === second.id)
        return shown.length === 2 && shown.every((m) => m.deleted && m.file === undefined)
      }, 'both file messages deleted')
      // The key is gone, and so are the chunks and any transfer of either file.
      for (const id of [fileId, pausedId]) {
        await eventually([p], async () => !existsSync(join(p === alice ? aliceDir : bobDir, 'files', 'chunks', 'files', id)), `file ${id.slice(0, 8)}'s chunks deleted`)
        await expect(p.messenger.fileOffer(id)).rejects.toThrow(NotFoundError)
        await expect(p.files.view(id)).rejects.toThrow(NotFoundError)
      }
      expect(logOf(p)).toContain(`file ${fileId}: withdrawn by its sender: its chunks are deleted`)
    }
    // The reply still quotes it, as deleted; Bob's copy saved before stays his.
    expect((await bob.messenger.messages('alice')).find((m) => m.id === reply.id)?.replyTo).toEqual({ id: offer!.id, text: '', senderName: 'alice' })
    expect(existsSync(saved.path!)).toBe(true)
    // Bob, who kept the manifest, asks Alice for it again: she no longer serves it.
    const store = await NodeChunkStore.open({ dir: tempDir('bob-again'), quotaBytes: 8 * MiB })
    await expect(downloadFile(bob.libp2p, manifest, [alice.libp2p.peerId], { store, log: () => {} })).rejects.toThrow(/no source is left|held by none/)
    expect(logOf(alice)).toContain(`refused ${bob.libp2p.peerId.toString()}: unknown file`)
  })
})

describe('withdrawn files on devices that were not there', () => {
  it('a device offline when a file is deleted for everyone withdraws it when it comes back', async () => {
    const bobDir = tempDir('bob')
    const alice = await peer('Alice', undefined, fast)
    let bob = await peer('Bob', bobDir, fast)
    await addContact(alice, bob, 'bob')
    const [offer] = await alice.files.send('bob', [randomFile('photo-album.zip', 2 * MiB)])
    const fileId = await offerSeen(bob, 'alice', 'photo-album.zip')
    await bob.files.get(fileId)
    const saved = await transferDone(bob, fileId)
    await stop(bob)

    await alice.messenger.deleteMessage('bob', offer!.id)
    bob = await peer('Bob', bobDir, fast)
    await eventually([bob], async () => (await bob.messenger.messages('alice')).find((m) => m.id === offer!.id)?.deleted === true, 'the delete at Bob')
    await eventually([bob], async () => !existsSync(join(bobDir, 'files', 'chunks', 'files', fileId)), 'Bob\'s chunks of it deleted')
    await expect(bob.files.view(fileId)).rejects.toThrow(NotFoundError)
    expect(existsSync(saved.path!)).toBe(true)
  })

  it('a file deleted before anyone else was in the group reaches a member added later as a deleted message, never as a broken offer or its caption', async () => {
    const alice = await peer('Alice', undefined, fast)
    const bob = await peer('Bob', undefined, fast)
    await addContact(alice, bob, 'bob')
    await alice.messenger.createGroup('drafts')
    const [draft] = await alice.files.send('drafts', [randomFile('draft.txt', 1000)], 'a secret caption')
    await alice.messenger.deleteMessage('drafts', draft!.id)
    // Bob is the first other member: Alice's messages so far go to him now.
    await alice.messenger.addMember('drafts', 'bob')
    const shown = await eventually([bob], async () => {
      const messages = await bob.messenger.messages('drafts').catch(() => [])
      return messages.find((m) => m.id === draft!.id)
    }, 'the deleted file at Bob')
    await eventually([bob], async () => (await bob.messenger.messages('drafts')).find((m) => m.id === draft!.id)?.deleted === true, 'it shows as deleted')
    expect(shown.file).toBeUndefined()
    expect(JSON.stringify(await bob.messenger.messages('drafts'))).not.toContain('a secret caption')
    expect(logOf(bob)).not.toMatch(/rejected|ignored delete/)
    await alice.messenger.send('drafts', 'and now the real one')
    expect((await waitForMessage(bob, 'drafts', 'and now the real one')).gapBefore).toBe(false)
  })
})

describe('bad conditions', () => {
  it('a full file store pauses the download with a clear message, and it goes on by itself once there is room, across a restart', async () => {
    const bobDir = tempDir('bob')
    const alice = await peer('Alice', undefined, fast)
    let bob = await peer('Bob', bobDir, { ...fast, fileQuotaBytes: 6 * MiB })
    await addContact(alice, bob, 'bob')
    const first = randomFile('holiday.mov', 4 * MiB)
    await alice.files.send('bob', [first])
    const firstId = await offerSeen(bob, 'alice', 'holiday.mov')
    await bob.files.get(firstId)
    await transferDone(bob, firstId)

    const original = randomFile('big.iso', 5 * MiB)
    await alice.files.send('bob', [original])
    const fileId = await offerSeen(bob, 'alice', 'big.iso')
    await bob.files.get(fileId)
    const paused = await eventually([bob], async () => {
      const v = await bob.files.view(fileId)
      return v.state === 'paused' ? v : undefined
    }, 'the download to pause')
    expect(paused.error).toMatch(/the disk or the file quota is full .*; it goes on by itself once there is room \(cancel other downloads with kith file cancel, or free disk space\)/)
    expect(paused.bytes).toBeGreaterThan(0)
    expect(paused.bytes).toBeLessThanOrEqual(2 * MiB)

    // Still waiting for room after a restart; deleting the other file makes room, and it goes on
    // from the chunks it held, with nobody asking it to.
    await stop(bob)
    bob = await peer('Bob', bobDir, { ...fast, fileQuotaBytes: 6 * MiB })
    expect((await bob.files.view(fileId)).state).toBe('paused')
    await bob.files.cancel(firstId)
    const done = await transferDone(bob, fileId)
    expect(sha256(done.path!)).toBe(sha256(original))
    expect(logOf(bob)).toMatch(/there is room again/)
  })

  it('a disk that fills while the finished file is written out pauses it, and it is saved by itself once the disk has room', async () => {
    // The file goes to a disk of its own, 3 MiB of tmpfs, too small for it.
    const disk = tempDir('small-disk')
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', disk])
    try {
      const alice = await peer('Alice', undefined, fast)
      const bob = await peer('Bob', undefined, fast)
      await addContact(alice, bob, 'bob')
      const original = randomFile('scan.tiff', 4 * MiB)
      await alice.files.send('bob', [original])
      const fileId = await offerSeen(bob, 'alice', 'scan.tiff')
      const out = join(disk, 'scan.tiff')
      await bob.files.get(fileId, out)
      const paused = await eventually([bob], async () => {
        const v = await bob.files.view(fileId)
        return v.state === 'paused' ? v : undefined
      }, 'the save to pause')
      expect(paused.error).toBe(`the disk is full while saving ${out}; it is saved by itself once that disk has room for it (4.0 MiB)`)
      expect(paused.bytes).toBe(4 * MiB)
      // Nothing half-written is left on the full disk.
      expect(readdirSync(disk)).toEqual([])

      // The person frees space (here: the disk grows); nobody runs kith file resume.
      execFileSync('mount', ['-o', 'remount,size=16m', disk])
      const done = await transferDone(bob, fileId)
      expect(done.path).toBe(out)
      expect(sha256(out)).toBe(sha256(original))
      expect(logOf(bob)).toMatch(/there is room again/)
    } finally {
      // Lazily: the peers, stopped after the test, may still hold it.
      execFileSync('umount', ['-l', disk])
    }
  })
})

describe('files in a group', () => {
  it('a group of 4 completes after the sender goes offline, and a member serving corrupt chunks is dropped', async () => {
    const alice = await peer('Alice', undefined, fast)
    const bob = await peer('Bob', undefined, fast)
    const carol = await peer('Carol', undefined, fast)
    const dave = await peer('Dave', undefined, fast)
    for (const [p, alias] of [[bob, 'bob'], [carol, 'carol'], [dave, 'dave']] as const) await addContact(alice, p, alias)
    await alice.messenger.createGroup('climbers')
    for (const alias of ['bob', 'carol', 'dave']) await alice.messenger.addMember('climbers', alias)
    await alice.messenger.send('climbers', 'hello all')
    for (const p of [bob, carol, dave]) await waitForMessage(p, 'climbers', 'hello all')
    // Members introduce themselves so that each knows how to reach the others.
    for (const [p, name] of [[bob, 'bob'], [carol, 'carol'], [dave, 'dave']] as const) await p.messenger.send('climbers', `hi from ${name}`)
    for (const p of [alice, bob, carol, dave]) {
      await eventually([p], async () => (await p.messenger.messages('climbers')).filter((m) => m.text.startsWith('hi from')).length >= 2, 'introductions')
    }

    const original = randomFile('topo.pdf', 4 * MiB + 1)
    await alice.files.send('climbers', [original])
    const fileId = await offerSeen(bob, 'climbers', 'topo.pdf')
    await bob.files.get(fileId)
    await transferDone(bob, fileId)
    await offerSeen(carol, 'climbers', 'topo.pdf')
    await offerSeen(dave, 'climbers', 'topo.pdf')

    // Alice leaves; Bob alone holds the file now.
    await stop(alice)
    await carol.files.get(fileId)
    await dave.files.get(fileId)
    const carolDone = await transferDone(carol, fileId)
    const daveDone = await transferDone(dave, fileId)
    expect(sha256(carolDone.path!)).toBe(sha256(original))
    expect(sha256(daveDone.path!)).toBe(sha256(original))
    // Whichever of Carol and Dave asked the other first was answered (HAVE, then HAVE_ONE), not refused.
    for (const p of [carol, dave]) expect(logOf(p)).not.toMatch(/refused/)

    // Bob's chunks get corrupted on disk; a fresh download from him alone is refused chunk by chunk.
    const chunksDir = join(bob.paths.dir, 'files', 'chunks', 'chunks')
    for (const sub of readdirSync(chunksDir)) {
      for (const f of readdirSync(join(chunksDir, sub))) {
        const path = join(chunksDir, sub, f)
        const bytes = readFileSync(path)
        bytes[0] = bytes[0]! ^ 0xff
        writeFileSync(path, bytes)
        expect(statSync(path).size).toBe(bytes.length)
      }
    }
    await stop(carol)
    await dave.files.cancel(fileId)
    expect((await dave.files.view(fileId)).state).toBe('offered')
    await dave.files.get(fileId)
    await eventually([dave], async () => /fails verification/.test(logOf(dave)), 'dave to drop bob as a source', 30_000)
    const waiting = await dave.files.view(fileId)
    expect(waiting.state).toBe('downloading')
    expect(waiting.bytes).toBe(0)
  })

  it('a download running while the only holder is away picks that holder up when it comes back, without starting over', async () => {
    const aliceDir = tempDir('alice')
    let alice = await peer('Alice', aliceDir, fast)
    const bob = await peer('Bob', undefined, fast)
    const carol = await peer('Carol', undefined, fast)
    await addContact(alice, bob, 'bob')
    await addContact(alice, carol, 'carol')
    await alice.messenger.createGroup('hikers')
    for (const alias of ['bob', 'carol']) await alice.messenger.addMember('hikers', alias)
    await alice.messenger.send('hikers', 'hello hikers')
    for (const p of [bob, carol]) await waitForMessage(p, 'hikers', 'hello hikers')
    await bob.messenger.send('hikers', 'hi from bob')
    await waitForMessage(carol, 'hikers', 'hi from bob')

    const original = randomFile('map.gpx', 3 * MiB + 7)
    await alice.files.send('hikers', [original])
    const fileId = await offerSeen(carol, 'hikers', 'map.gpx')
    await offerSeen(bob, 'hikers', 'map.gpx')
    // Alice, the only device holding the file, goes away. Carol's download starts with Bob as its
    // only reachable source, who holds none of it: it runs, waiting.
    await stop(alice)
    await carol.files.get(fileId)
    await eventually([carol], async () => logOf(carol).includes(`source ${alice.libp2p.peerId.toString()} unavailable`), 'carol to find alice away')
    expect((await carol.files.view(fileId)).state).toBe('downloading')

    // Alice comes back and says so; the connection alone makes Carol's running download ask her.
    alice = await peer('Alice', aliceDir, fast)
    await alice.messenger.send('hikers', 'back online')
    await waitForMessage(carol, 'hikers', 'back online')
    const done = await transferDone(carol, fileId)
    expect(sha256(done.path!)).toBe(sha256(original))
    const log = logOf(carol)
    expect(log).toContain(`file ${fileId}: asking ${alice.libp2p.peerId.toString()} too`)
    // One download, never failed and retried.
    expect(log).not.toMatch(/waiting for a member who holds the rest/)
  })

  it('a removed member is refused', async () => {
    const alice = await peer('Alice', undefined, fast)
    const bob = await peer('Bob', undefined, fast)
    const carol = await peer('Carol', undefined, fast)
    await addContact(alice, bob, 'bob')
    await addContact(alice, carol, 'carol')
    await alice.messenger.createGroup('team')
    await alice.messenger.addMember('team', 'bob')
    await alice.messenger.addMember('team', 'carol')
    await alice.files.send('team', [randomFile('plan.txt', 300_000)])
    const fileId = await offerSeen(carol, 'team', 'plan.txt')
    expect(await alice.messenger.mayFetchFile(carol.libp2p.peerId.toString(), fileId)).toBe(true)

    await alice.messenger.removeMember('team', 'carol')
    expect(await alice.messenger.mayFetchFile(carol.libp2p.peerId.toString(), fileId)).toBe(false)
    expect(await alice.messenger.mayFetchFile(bob.libp2p.peerId.toString(), fileId)).toBe(true)
    // Carol still holds the offer (and its key), but Alice answers her OPEN with a refusal.
    const { manifest } = await carol.messenger.fileOffer(fileId)
    const store = await NodeChunkStore.open({ dir: tempDir('carol-chunks'), quotaBytes: MiB })
    await expect(downloadFile(carol.libp2p, manifest, [alice.libp2p.peerId], { store, log: () => {} })).rejects.toThrow(/no source is left|held by none/)
    expect(logOf(alice)).toContain(`refused ${carol.libp2p.peerId.toString()}: not allowed to fetch it`)
    expect((await store.held(manifest.fileId))?.count ?? 0).toBe(0)
    // Once Carol knows she was removed, her own download fails at once, saying why.
    await eventually([carol], async () => (await carol.messenger.conversation('team')).active === false, 'carol to learn she was removed')
    await carol.files.get(fileId)
    const failed = await eventually([carol], async () => { const v = await carol.files.view(fileId); return v.state === 'failed' ? v : undefined }, 'carol\'s download to fail')
    expect(failed.error).toMatch(/no other member device of the conversation can serve it \(were you removed\?\)/)
    await bob.files.get(fileId)
    await transferDone(bob, fileId)
  })
})

describe('files across a backup', () => {
  it('a device restored from a backup with history fetches the files of its history again, and a withdrawn file stays withdrawn', async () => {
    const aliceDir = tempDir('alice')
    const bobDir = tempDir('bob')
    const alice = await peer('Alice', aliceDir, fast)
    let bob = await peer('Bob', bobDir, fast)
    await addContact(alice, bob, 'bob')
    const original = randomFile('report.pdf', 3 * MiB + 7)
    const [kept] = await alice.files.send('bob', [original], 'the report')
    const keptId = await offerSeen(bob, 'alice', 'report.pdf')
    await bob.files.get(keptId)
    await transferDone(bob, keptId)
    const [gone] = await alice.files.send('bob', [randomFile('draft.pdf', MiB)])
    const goneId = await offerSeen(bob, 'alice', 'draft.pdf')
    await alice.messenger.deleteMessage('bob', gone!.id)
    await eventually([bob], async () => (await bob.messenger.messages('alice')).find((m) => m.id === gone!.id)?.deleted === true, 'the delete at Bob')

    const backup = await alice.messenger.exportBackup('a backup passphrase for tests', { history: true })
    await stop(alice)
    // Bob is away while Alice restores: nobody can let her new device in yet.
    await stop(bob)
    rmSync(aliceDir, { recursive: true, force: true })
    const newDir = tempDir('alice-restored')
    await importBackupIntoDataDir(dataPaths(newDir), backup, 'a backup passphrase for tests')
    const restored = await peer('Alice', newDir, fast)

    // At once, before anyone has let the new device in: the history shows the file, not a bare caption.
    const shown = (await restored.messenger.messages('bob')).filter((m) => m.id === kept!.id || m.id === gone!.id)
    expect(shown.map((m) => [m.text, m.file?.name, m.deleted])).toEqual([['the report', 'report.pdf', false], ['', undefined, true]])
    expect((await restored.files.list('bob')).map((v) => [v.fileId, v.caption, v.state])).toEqual([[keptId, 'the report', 'offered']])
    expect(await restored.messenger.fileWithdrawn(goneId)).toBe(true)

    // Asked for before Bob has put the new device back in, the download waits for that, then
    // fetches the file from him by itself: its own chunks went with the old device.
    await restored.files.get(keptId)
    await eventually([restored], async () => /let this device back into the conversation/.test((await restored.files.view(keptId)).error ?? ''), 'the download to wait for the rejoin')
    expect((await restored.files.view(keptId)).state).toBe('downloading')
    bob = await peer('Bob', bobDir, fast)
    const done = await transferDone(restored, keptId)
    expect((await restored.messenger.conversation('bob')).rejoining).toBeUndefined()
    expect(sha256(done.path!)).toBe(sha256(original))
  }, 90_000)
})
