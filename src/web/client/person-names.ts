/**
 * How the browser names people. The messenger names a contact by its alias (the CLI's handle, e.g.
 * "bob"); the page shows people as they named themselves, and this is the one place that decides.
 */
import type { Contact } from './types.ts'

/** What naming needs: the contacts, and who "You" is. */
export interface NameSources {
  readonly contacts: readonly Contact[]
  readonly myIdentity: string | null
}

/**
 * The rule, everywhere in the browser (messages, reply quotes, reactions, typing, members, lists):
 * a person is shown by their display name (the contact's displayName; "You" for yourself, or your
 * own display name where `self` says so), and by the messenger's name (an alias) only when no
 * display name is known.
 */
export function personName (sources: NameSources, identity: string, fallback: string, self = 'You'): string {
  if (identity === sources.myIdentity) return self
  return sources.contacts.find((c) => c.identity === identity)?.displayName ?? fallback
}

/** The same rule for a name the messenger gave without an identity (reply quotes, list previews). */
export function personNameByAlias (sources: NameSources, name: string, myName: string | null, self = 'You'): string {
  const contact = sources.contacts.find((c) => c.alias === name)
  if (contact !== undefined) return contact.displayName
  return name === myName ? self : name
}
