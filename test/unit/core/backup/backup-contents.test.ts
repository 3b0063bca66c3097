/**
 * Backup contents: what goes in comes out (file offers too), and a decrypted file whose fields are the wrong shape
 * is refused with a message naming the field, before anything is restored from it.
 */
import { describe, expect, it } from 'vitest'
import { decodeBackupContents, encodeBackupContents, type BackupContents } from '../../../../src/core/backup/backup-contents.ts'
import { CodecError, ValidationError } from '../../../../src/core/errors.ts'

const key = (b: number): Uint8Array<ArrayBuffer> => new Uint8Array(32).fill(b)

function sample (): BackupContents {
  return {
    version: 1,
    createdAt: 1_700_000_000_000n,
    identityPublic: key(1),
    identityPrivate: new Uint8Array(48).fill(2),
    displayName: 'Alice',
    devicePeerId: new Uint8Array(38).fill(3),
    contacts: [{ identity: key(4), alias: 'bob', displayName: 'Bob', verified: true, createdAt: 5n }],
    devices: [{ card: new Uint8Array([1, 2, 3]) }],
    groups: [{
      id: key(6), direct: false, name: 'friends', peerIdentity: new Uint8Array(), creator: key(1), active: true, lamport: 7n, createdAt: 8n,
      members: [{ identity: key(4), peerId: new Uint8Array(38).fill(9) }], muted: true, archived: false, replacedDevices: [new Uint8Array(38).fill(11)]
    }],
    history: true,
    messages: [{
      id: new Uint8Array(16).fill(10), groupId: key(6), senderIdentity: key(4), senderDevice: '12D3KooWexample', own: false, kind: 'text',
      text: 'hello', target: new Uint8Array(), seq: 1n, lamport: 2n, sentAt: 3n, receivedAt: 4n, epoch: 1n, gap: false
    }, {
      id: new Uint8Array(16).fill(12), groupId: key(6), senderIdentity: key(4), senderDevice: '12D3KooWexample', own: false, kind: 'file',
      text: 'the plan', target: new Uint8Array(), seq: 2n, lamport: 3n, sentAt: 4n, receivedAt: 5n, epoch: 1n, gap: false
    }],
    files: [{ messageId: new Uint8Array(16).fill(12), fileId: new Uint8Array(16).fill(13), offer: new Uint8Array([1, 2, 3]) }],
    readReceipts: false
  }
}

describe('backup contents', () => {
  it('round-trips identity, contacts, devices, groups with members and prefs, history with its file offers, and settings', () => {
    const c = sample()
    expect(decodeBackupContents(encodeBackupContents(c))).toEqual(c)
  })

  it('refuses bytes that are not contents', () => {
    expect(() => decodeBackupContents(new Uint8Array([0xff, 0xff, 0xff]))).toThrow(CodecError)
  })

  it('refuses fields of the wrong shape, naming them', () => {
    const cases: Array<[Partial<BackupContents>, RegExp]> = [
      [{ version: 2 }, /version 2 is not supported/],
      [{ identityPublic: new Uint8Array(31) }, /identity key/],
      [{ identityPrivate: new Uint8Array() }, /private key is missing/],
      [{ displayName: '' }, /display name/],
      [{ contacts: [{ ...sample().contacts[0]!, alias: 'has space' }] }, /alias/],
      [{ groups: [{ ...sample().groups[0]!, direct: true }] }, /1:1 must name its other account/],
      [{ history: false }, /history was not included/],
      [{ messages: [{ ...sample().messages[0]!, kind: 'DROP TABLE' }] }, /kind is malformed/],
      [{ files: [{ ...sample().files[0]!, fileId: new Uint8Array(15) }] }, /file id is not 16 bytes/],
      [{ files: [{ ...sample().files[0]!, messageId: new Uint8Array(16).fill(10) }] }, /names no file message of the history/],
      [{ files: [{ ...sample().files[0]!, offer: new Uint8Array(129 * 1024) }] }, /offer of file 0d0d.* is too long/],
      [{ files: [sample().files[0]!, sample().files[0]!] }, /listed with two files/],
      [{ files: [sample().files[0]!, { ...sample().files[0]!, messageId: new Uint8Array(16).fill(14) }] }, /names no file message/],
      [{
        messages: [...sample().messages, { ...sample().messages[1]!, id: new Uint8Array(16).fill(14) }],
        files: [sample().files[0]!, { ...sample().files[0]!, messageId: new Uint8Array(16).fill(14) }]
      }, /file 0d0d.* is listed twice/],
      [{ history: false, messages: [] }, /file offers are present although history was not included/]
    ]
    for (const [patch, message] of cases) {
      expect(() => decodeBackupContents(encodeBackupContents({ ...sample(), ...patch })), message.source).toThrow(message)
      expect(() => decodeBackupContents(encodeBackupContents({ ...sample(), ...patch }))).toThrow(ValidationError)
    }
  })
})
