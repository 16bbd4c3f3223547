// Interop scenarios for Tandem's /yjs/{room} endpoint, driven with the real `yjs` and `y-websocket` clients.
// Usage: node interop.mjs SCENARIO PORT [ARGS...]; exits non-zero (with a message) when the scenario fails.
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'

const [scenario, port, ...args] = process.argv.slice(2)
const url = `ws://127.0.0.1:${port}/yjs`
const TIMEOUT = 60_000

const fail = (msg) => { console.error('FAIL: ' + msg); process.exit(1) }
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const until = async (what, predicate, timeout = TIMEOUT, describe = () => '') => {
  const start = Date.now()
  while (!predicate()) {
    if (Date.now() - start > timeout) fail(`timed out waiting for ${what}\n${describe()}`)
    await sleep(20)
  }
}
const connect = (room, params = {}, to = url) => {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(to, room, doc, { WebSocketPolyfill: WebSocket, disableBc: true, params })
  return { doc, provider, text: doc.getText('text') }
}
const synced = (client) => until('sync', () => client.provider.synced)
const hex = (u8) => Buffer.from(u8).toString('hex')
let seed = Number(process.env.SEED || 1)
const random = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 }

const mapOf = (client) => JSON.stringify(Object.entries(client.doc.getMap('map').toJSON()).sort())

const randomEdit = (client) => {
  const t = client.text
  if (t.length > 0 && random() < 0.3) {
    const at = Math.floor(random() * t.length)
    t.delete(at, Math.min(t.length - at, 1 + Math.floor(random() * 3)))
  } else {
    t.insert(Math.floor(random() * (t.length + 1)), ['a', 'bc', 'ü', '😀', ' '][Math.floor(random() * 5)])
  }
  if (random() < 0.2) client.doc.getMap('map').set('k' + Math.floor(random() * 4), random())
}

const scenarios = {
  // three editors make concurrent random edits and converge; a late joiner receives the whole document
  async converge (room) {
    const editors = [connect(room), connect(room), connect(room)]
    await Promise.all(editors.map(synced))
    for (let round = 0; round < 40; round++) {
      for (const e of editors) randomEdit(e)
      if (round % 5 === 0) await sleep(10)
    }
    const same = () => editors.every((e) => e.text.toString() === editors[0].text.toString() &&
      hex(Y.encodeStateVector(e.doc)) === hex(Y.encodeStateVector(editors[0].doc)) &&
      mapOf(e) === mapOf(editors[0]))
    await until('three editors to converge', same, TIMEOUT, () => editors.map((e) =>
      `${e.text.toString()} sv=${hex(Y.encodeStateVector(e.doc))} pending=${e.doc.store.pendingStructs !== null} pendingDs=${e.doc.store.pendingDs !== null} synced=${e.provider.synced} connected=${e.provider.wsconnected}`).join('\n'))
    if (editors[0].text.length === 0) fail('document is empty after edits')
    const late = connect(room)
    await synced(late)
    await until('late joiner to receive the whole document', () => late.text.toString() === editors[0].text.toString())
    if (hex(Y.encodeStateVector(late.doc)) !== hex(Y.encodeStateVector(editors[0].doc))) fail('late joiner state vector differs')
    console.log(`converged on ${editors[0].text.length} characters`)
    for (const c of [...editors, late]) c.provider.destroy()
  },

  // two nodes of a cluster (this port and OTHER): editors on both converge, see each other's awareness (and its
  // end when a tab crashes), and a late joiner on either node receives the whole document; prints the content
  async cluster (otherPort, room) {
    const other = `ws://127.0.0.1:${otherPort}/yjs`
    const editors = [connect(room), connect(room, {}, other), connect(room), connect(room, {}, other)]
    await Promise.all(editors.map(synced))
    for (let round = 0; round < 40; round++) {
      for (const e of editors) randomEdit(e)
      if (round % 5 === 0) await sleep(10)
    }
    const same = (clients) => () => clients.every((e) => e.text.toString() === clients[0].text.toString() &&
      hex(Y.encodeStateVector(e.doc)) === hex(Y.encodeStateVector(clients[0].doc)) && mapOf(e) === mapOf(clients[0]))
    const describe = (clients) => () => clients.map((e) => `${e.text.toString()} sv=${hex(Y.encodeStateVector(e.doc))}`).join('\n')
    await until('editors on both nodes to converge', same(editors), TIMEOUT, describe(editors))
    if (editors[0].text.length === 0) fail('document is empty after edits')

    const [a, b] = [editors[0], editors[1]]
    a.provider.awareness.setLocalStateField('user', { name: 'alice' })
    b.provider.awareness.setLocalStateField('user', { name: 'bob' })
    await until('bob (other node) to see alice', () => b.provider.awareness.getStates().get(a.doc.clientID)?.user?.name === 'alice')
    await until('alice to see bob (other node)', () => a.provider.awareness.getStates().get(b.doc.clientID)?.user?.name === 'bob')
    const lates = [connect(room), connect(room, {}, other)]
    await Promise.all(lates.map(synced))
    await until('late joiners on both nodes to receive the whole document', same([editors[0], ...lates]), 15_000,
      describe([editors[0], ...lates]))
    await until('a late joiner on the other node to see alice', () => lates[1].provider.awareness.getStates().get(a.doc.clientID)?.user?.name === 'alice')
    // alice's tab crashes: her state must go for the editors on the other node too, well before the 30 s timeout
    a.provider.shouldConnect = false
    a.provider.ws.terminate ? a.provider.ws.terminate() : a.provider.ws.close()
    await until('alice to disappear on the other node', () => !b.provider.awareness.getStates().has(a.doc.clientID), 15_000)
    console.log('CONTENT ' + JSON.stringify(editors[0].text.toString()))
    for (const c of [...editors, ...lates]) c.provider.destroy()
  },

  // offline edits merge on reconnect
  async offline (room) {
    const a = connect(room); const b = connect(room)
    await Promise.all([synced(a), synced(b)])
    a.text.insert(0, 'shared ')
    await until('b to see a', () => b.text.toString() === 'shared ')
    a.provider.disconnect()
    a.text.insert(a.text.length, 'offline-a ')
    b.text.insert(0, 'online-b ')
    await sleep(200)
    a.provider.connect()
    await until('offline edits to merge', () => a.text.toString() === b.text.toString() &&
      a.text.toString().includes('offline-a') && a.text.toString().includes('online-b'))
    console.log('merged: ' + a.text.toString())
    a.provider.destroy(); b.provider.destroy()
  },

  // awareness of a closed client disappears for the others
  async awareness (room) {
    const a = connect(room); const b = connect(room)
    await Promise.all([synced(a), synced(b)])
    a.provider.awareness.setLocalStateField('user', { name: 'alice' })
    await until('b to see alice', () => b.provider.awareness.getStates().get(a.doc.clientID)?.user?.name === 'alice')
    const c = connect(room)
    await synced(c)
    await until('a newcomer to receive current awareness', () => c.provider.awareness.getStates().get(a.doc.clientID)?.user?.name === 'alice')
    // close the socket without a goodbye, as a crashed tab would
    a.provider.shouldConnect = false
    a.provider.ws.terminate ? a.provider.ws.terminate() : a.provider.ws.close()
    await until('alice to disappear for b', () => !b.provider.awareness.getStates().has(a.doc.clientID), 20_000)
    await until('alice to disappear for c', () => !c.provider.awareness.getStates().has(a.doc.clientID), 20_000)
    b.provider.destroy(); c.provider.destroy(); a.provider.destroy()
  },

  // editors appear as presence members of doc:{room} for a native client: join with the awareness user, leave on close
  async presence (room) {
    const native = new WebSocket(`ws://127.0.0.1:${port}/ws?user=watcher`)
    const frames = []
    native.on('message', (data) => frames.push(JSON.parse(data.toString())))
    const frame = (what, predicate) => until(what, () => frames.some(predicate), 20_000,
      () => JSON.stringify(frames.map((f) => [f.type, f.payload])))
    await frame('connected', (f) => f.type === 'connected')
    native.send(JSON.stringify({ type: 'subscribe', channel: `doc:${room}`, requestId: 's1' }))
    await frame('subscribed', (f) => f.requestId === 's1' && f.type !== 'error')
    const ada = connect(room, { user: 'ada' })
    await synced(ada)
    ada.provider.awareness.setLocalStateField('user', { name: 'Ada', color: '#f80' })
    // y-websocket announces an empty state on connect (join), then the user field (update)
    await frame('presence:join of ada', (f) => f.type === 'presence:join' && f.channel === `doc:${room}` && f.payload.id === 'ada')
    await frame('ada named in presence', (f) => f.type.startsWith('presence:') && f.payload.id === 'ada' &&
      f.payload.name === 'Ada' && f.payload.state.color === '#f80')
    native.send(JSON.stringify({ type: 'presence:get', channel: `doc:${room}`, requestId: 'g1' }))
    await frame('presence:sync listing ada', (f) => f.type === 'presence:sync' && f.requestId === 'g1' &&
      f.payload.users.length === 1 && f.payload.users[0].id === 'ada' && f.payload.users[0].name === 'Ada')
    ada.provider.awareness.setLocalStateField('cursor', { index: 3 }) // cursor moves are not presence updates
    ada.provider.awareness.setLocalStateField('user', { name: 'Ada L.', color: '#f80' })
    await frame('presence:update of ada', (f) => f.type === 'presence:update' && f.payload.name === 'Ada L.')
    // close the socket without a goodbye, as a crashed tab would
    ada.provider.shouldConnect = false
    ada.provider.ws.terminate ? ada.provider.ws.terminate() : ada.provider.ws.close()
    await frame('presence:leave of ada', (f) => f.type === 'presence:leave' && f.payload.id === 'ada')
    const names = frames.filter((f) => f.type === 'presence:update').map((f) => f.payload.name)
    if (JSON.stringify(names) !== '["Ada","Ada L."]') fail(`presence updates should be the two user changes, got ${names}`)
    ada.provider.destroy(); native.close()
  },

  // writes content (phase 1 of a restart test) and prints it
  async write (room, content) {
    const a = connect(room)
    await synced(a)
    a.text.insert(0, content)
    const check = connect(room)
    await synced(check)
    await until('a second client to see the content', () => check.text.toString() === content)
    a.provider.destroy(); check.provider.destroy()
  },

  // a late joiner sees exactly `content`
  async read (room, content) {
    const c = connect(room)
    await synced(c)
    await until(`content "${content}"`, () => c.text.toString() === content, 15_000)
    c.provider.destroy()
  },

  // an unauthorised client is refused with a final close code and does not reconnect
  async refused (room, expectedCode) {
    const c = connect(room)
    let closed = null
    c.provider.on('closed', (e) => { closed = e })
    await until('the closed event', () => closed !== null)
    if (closed.code !== Number(expectedCode)) fail(`close code ${closed.code}, expected ${expectedCode}`)
    await sleep(500)
    if (c.provider.wsconnected || c.provider.synced) fail('refused client connected anyway')
    c.provider.destroy()
  }
}

const run = scenarios[scenario]
if (!run) fail('unknown scenario ' + scenario)
const timer = setTimeout(() => fail('scenario timed out'), 120_000)
run(...args).then(() => { clearTimeout(timer); console.log('OK ' + scenario); process.exit(0) }, (e) => fail(e.stack || String(e)))
