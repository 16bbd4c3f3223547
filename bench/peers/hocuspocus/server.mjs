// Hocuspocus peer for Tandem's document benchmarks: the stock server, in memory (no database extension),
// as its docs start it. Usage: node server.mjs PORT
// Clients speak the Hocuspocus flavour of the y-websocket protocol: every message starts with the document
// name (varString), and the first one on a document is an auth message.
import { Server } from '@hocuspocus/server'

const port = Number(process.argv[2] || 1234)
const server = new Server({ port, address: '127.0.0.1', quiet: true, stopOnSignals: true })
await server.listen()
console.log(`hocuspocus listening on ${port}`)
