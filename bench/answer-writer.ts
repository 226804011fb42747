// Why the service writes a `nodes` answer in chunks rather than as the one string Apollo's
// `stringifyResult` returns (docs/speed.md): the same answer as kept texts (5,000 nodes with 20
// workloads each, ~14 MB), served over node:http in this process and read to its last byte by a
// client, written three ways, interleaved:
//  - chunks: `writeJson`, what the service does (64 KB buffers, kept texts copied in as they are);
//  - one string, ended: the texts joined into one string and `res.end(text)`, as an integration
//    writes Apollo's string;
//  - one string, in slices: the same string written 64K characters at a time, waiting on 'drain'.
// Run: npx tsx --expose-gc bench/answer-writer.ts   (prints a Markdown section)
import { createServer, request, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { JsonTexts, writeJson } from '../src/server/json-stream.js'
import { percentile } from './support/processes.js'

const NODES = 5000
const ROUNDS = 3
const REQUESTS = 40

const texts = Array.from({ length: NODES }, (_, i) =>
  JSON.stringify({
    name: `gpu-${i}`,
    roles: ['GPU_WORKER'],
    ready: true,
    draining: false,
    gpus: 8,
    gpusInUse: 8,
    taints: [],
    workloads: Array.from({ length: 20 }, (_, w) => ({ namespace: 'runai-vision', name: `train-${i}-${w}-abcde`, kind: 'TRAINING', relocation: 'RESTART', project: 'vision', gpus: 1, pods: 1 })),
  }),
)
const answer = () => ({ data: { nodes: new JsonTexts(texts) } })
/** The answer as one string, built the cheapest way (one join, the kept texts as they are). */
const oneString = () => `{"data":{"nodes":[${texts.join(',')}]}}`

const drained = (res: ServerResponse) => new Promise<void>((resolve) => res.once('drain', resolve))
const WAYS: Record<string, (res: ServerResponse, joined: number[]) => Promise<void> | void> = {
  'chunks (`writeJson`, what the service does)': (res) => writeJson(res, answer()),
  'one string, `res.end(text)`': (res, joined) => {
    const t = performance.now()
    const text = oneString()
    joined.push(performance.now() - t)
    res.end(text)
  },
  'one string, written in 64K-character slices': async (res, joined) => {
    const t = performance.now()
    const text = oneString()
    joined.push(performance.now() - t)
    for (let at = 0; at < text.length; at += 65536) if (!res.write(text.slice(at, at + 65536))) await drained(res)
    res.end()
  },
}

let way = Object.keys(WAYS)[0]!
const joined: Record<string, number[]> = {}
const server = createServer((_req, res) => void WAYS[way]!(res, (joined[way] ??= [])))
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const { port } = server.address() as AddressInfo
const ask = () =>
  new Promise<number>((resolve, reject) => {
    const start = performance.now()
    const req = request({ host: '127.0.0.1', port, method: 'POST' }, (res) => {
      res.on('data', () => {})
      res.on('end', () => resolve(performance.now() - start))
    })
    req.on('error', reject)
    req.end()
  })

const times: Record<string, number[]> = {}
const peakRss: Record<string, number> = {}
for (let round = 0; round < ROUNDS; round++) {
  for (way of Object.keys(WAYS)) {
    global.gc?.()
    for (let i = 0; i < REQUESTS; i++) {
      ;(times[way] ??= []).push(await ask())
      peakRss[way] = Math.max(peakRss[way] ?? 0, process.memoryUsage().rss)
    }
  }
}
server.close()

const mb = (Buffer.byteLength(oneString()) / 1048576).toFixed(1)
console.log(`One process, ${NODES} nodes' kept texts (${mb} MB answer), ${ROUNDS} rounds of ${REQUESTS} requests per way, interleaved.\n`)
console.log('| way | request to last byte p50 / p95 | of which joining the string, p50 | highest RSS |')
console.log('|---|---|---|---|')
for (const name of Object.keys(WAYS)) {
  const t = times[name]!
  const j = joined[name]
  console.log(`| ${name} | ${percentile(t, 50).toFixed(1)} / ${percentile(t, 95).toFixed(1)} ms | ${j?.length ? `${percentile(j, 50).toFixed(1)} ms` : '–'} | ${Math.round(peakRss[name]! / 1048576)} MB |`)
}
process.exit(0)
