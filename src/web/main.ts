/**
 * The browser app's entry: starts the peer and mounts the UI on it.
 */
import { BrowserClient } from './client/kith-client.ts'
import { mountApp } from './ui/app.tsx'

const root = document.getElementById('app')
if (root === null) throw new Error('index.html has no #app element')
const client = new BrowserClient()
mountApp(root, client)
void client.boot()
