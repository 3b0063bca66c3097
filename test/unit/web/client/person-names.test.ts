import { describe, expect, it } from 'vitest'
import { personName, personNameByAlias, type NameSources } from '../../../../src/web/client/person-names.ts'
import type { Contact } from '../../../../src/web/client/types.ts'

const bob: Contact = { alias: 'bob', displayName: 'Bob', identity: 'b0b', verified: false, devices: [], link: 'none' }
const sources: NameSources = { contacts: [bob], myIdentity: 'a11ce' }

describe('naming people in the browser', () => {
  it('shows a contact by their display name, not the alias the messenger gives', () => {
    expect(personName(sources, 'b0b', 'bob')).toBe('Bob')
    expect(personNameByAlias(sources, 'bob', 'Alice')).toBe('Bob')
  })
  it('shows me as "You", or under my own name where asked', () => {
    expect(personName(sources, 'a11ce', 'Alice')).toBe('You')
    expect(personName(sources, 'a11ce', 'Alice', 'Alice')).toBe('Alice')
    expect(personNameByAlias(sources, 'Alice', 'Alice')).toBe('You')
  })
  it('falls back to the messenger\'s name when no display name is known', () => {
    expect(personName(sources, 'ca201', 'Carol')).toBe('Carol')
    expect(personNameByAlias(sources, 'carol', 'Alice')).toBe('carol')
  })
})
