/** The Preact context that hands every component the client and the UI state. */
import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import type { KithClient } from '../client/types.ts'
import type { UiState } from './ui-state.ts'

/** What components reach through context. */
export interface KithUi {
  readonly client: KithClient
  readonly ui: UiState
}

/** Provided once by `mountApp`. */
export const KithContext = createContext<KithUi | null>(null)

/** The client and UI state; only valid below `mountApp`'s root. */
export function useKith (): KithUi {
  const value = useContext(KithContext)
  if (value === null) throw new Error('useKith called outside mountApp')
  return value
}
