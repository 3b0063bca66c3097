/**
 * Whether the message a control sits in is the message log's one Tab stop (message-list.tsx):
 * the controls of the other messages stay out of the Tab order, and are reached by moving to
 * their message with the arrow keys. True outside a message.
 */
import { createContext } from 'preact'

export const InTabOrder = createContext(true)
