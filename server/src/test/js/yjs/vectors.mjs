// Generates Yjs update vectors with the real `yjs` package: random concurrent edits by several clients
// (text with emoji, map, array of any values, nested types, XML, deletions), then for each case the individual
// updates, Y.mergeUpdates of them, Y.encodeStateVectorFromUpdate and Y.diffUpdate against a peer's state vector.
// Usage: node vectors.mjs OUT.json [cases] [seed]
import * as Y from 'yjs'
import { writeFileSync } from 'node:fs'

const [out, casesArg, seedArg] = process.argv.slice(2)
let seed = Number(seedArg || 42)
const random = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 }
const pick = (arr) => arr[Math.floor(random() * arr.length)]
const hex = (u8) => Buffer.from(u8).toString('hex')
const words = ['a', 'hello ', 'ü', '😀', 'xyz', '\u{1F600}b', '中文', ' ']

const edit = (doc) => {
  const text = doc.getText('text')
  const map = doc.getMap('map')
  const arr = doc.getArray('arr')
  const r = random()
  if (r < 0.35) {
    text.insert(Math.floor(random() * (text.length + 1)), pick(words))
  } else if (r < 0.5 && text.length > 0) {
    const at = Math.floor(random() * text.length)
    text.delete(at, Math.min(text.length - at, 1 + Math.floor(random() * 4)))
  } else if (r < 0.6) {
    map.set(pick(['k1', 'k2', 'k3']), pick([1, 2.5, 'v', null, true, { o: [1, 'x'] }, new Uint8Array([1, 2])]))
  } else if (r < 0.7) {
    arr.insert(Math.floor(random() * (arr.length + 1)), [pick([1, -7, 3.25, 'a', false]), pick(['b', 2 ** 40])])
  } else if (r < 0.75 && arr.length > 0) {
    arr.delete(Math.floor(random() * arr.length), 1)
  } else if (r < 0.8) {
    const sub = new Y.Map(); sub.set('n', 1); map.set('sub' + Math.floor(random() * 3), sub)
  } else if (r < 0.85) {
    const xml = doc.getXmlFragment('xml')
    const el = new Y.XmlElement('p'); el.insert(0, [new Y.XmlText('t')]); xml.insert(0, [el])
  } else if (r < 0.9) {
    text.format(0, Math.min(text.length, 2), { bold: true })
  } else {
    map.delete(pick(['k1', 'k2', 'k3']))
  }
}

const cases = []
const n = Number(casesArg || 40)
for (let c = 0; c < n; c++) {
  const peers = 2 + Math.floor(random() * 3)
  const docs = Array.from({ length: peers }, (_, i) => { const d = new Y.Doc(); d.clientID = 1000 + i * 7919 + c; d.gc = random() < 0.5; return d })
  const updates = []
  docs.forEach((d) => d.on('update', (u) => updates.push(u)))
  const rounds = 1 + Math.floor(random() * 6)
  for (let r = 0; r < rounds; r++) {
    for (const d of docs) for (let e = 0; e < 1 + Math.floor(random() * 5); e++) edit(d)
    if (random() < 0.6) { // sync a random pair
      const a = pick(docs); const b = pick(docs)
      Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)))
    }
  }
  const subset = updates.filter(() => random() < 0.8)
  const merged = Y.mergeUpdates(subset.length ? subset : updates)
  const peerSv = Y.encodeStateVector(pick(docs))
  const partial = Y.mergeUpdates(subset.slice(0, Math.ceil(subset.length / 2)))
  cases.push({
    updates: (subset.length ? subset : updates).map(hex),
    merged: hex(merged),
    stateVector: hex(Y.encodeStateVectorFromUpdate(merged)),
    peerStateVector: hex(peerSv),
    diff: hex(Y.diffUpdate(merged, peerSv)),
    partialStateVector: hex(Y.encodeStateVectorFromUpdate(partial)),
    diffFromPartial: hex(Y.diffUpdate(merged, Y.encodeStateVectorFromUpdate(partial))),
    fullState: hex(Y.encodeStateAsUpdate(docs[0]))
  })
}
writeFileSync(out, JSON.stringify({ yjs: '13.6', cases }, null, 0))
console.log(`wrote ${cases.length} cases to ${out}`)
