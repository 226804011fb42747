// Scale benchmark for the simulated cluster: 5,000 nodes and ~100,000 pods in one process.
// Measures start time, RSS, `kubectl get nodes` wall time, and full node lists through
// @kubernetes/client-node (p50/p95). Run: npx tsx bench/simulator-scale.ts
import { execFile } from 'node:child_process'
import { request } from 'node:https'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as k8s from '@kubernetes/client-node'
import { startSimulator } from '../src/simulator/index.js'
import { kubectlPath } from '../test/support/kubectl.js'

const SYSTEM = 10
const GPU = 4_900
const CPU = 90
const PODS_PER_GPU_NODE = 19 // + 2 DaemonSet pods on every node: ~103k pods

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

const dir = mkdtempSync(join(tmpdir(), 'nodeplan-bench-'))
const rssBefore = process.memoryUsage().rss
const t0 = process.hrtime.bigint()
const sim = await startSimulator({
  port: 0,
  systemNodes: SYSTEM,
  gpuNodes: GPU,
  cpuNodes: CPU,
  podsPerGpuNode: PODS_PER_GPU_NODE,
  seed: 1,
  kubeconfigOut: join(dir, 'kubeconfig'),
})
const startMs = ms(t0)
global.gc?.()
const state = sim.sim.state()
console.log(`date: ${new Date().toISOString()}  node ${process.version}`)
console.log(`cluster: ${state.nodes.length} nodes, ${state.pods.total} pods`)
console.log(`start: ${startMs.toFixed(0)} ms; RSS ${mb(process.memoryUsage().rss)} (before: ${mb(rssBefore)}), heap used ${mb(process.memoryUsage().heapUsed)}`)

const kubectl = kubectlPath()
const cache = join(dir, 'cache')
// kubectl is a child process answered from this event loop, so it must run asynchronously.
const runAsync = (...args: string[]) =>
  new Promise<string>((resolve, reject) =>
    execFile(kubectl, ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', cache, ...args], { maxBuffer: 512 * 1024 * 1024 }, (e, out) =>
      e ? reject(e) : resolve(out),
    ),
  )

const kubectlTimes: number[] = []
for (let i = 0; i < 5; i++) {
  const t = process.hrtime.bigint()
  const out = await runAsync('get', 'nodes')
  kubectlTimes.push(ms(t))
  if (i === 0 && out.trim().split('\n').length !== state.nodes.length + 1) throw new Error('kubectl did not print every node')
}
console.log(`kubectl get nodes (${state.nodes.length} rows, first run fills the discovery cache): ${kubectlTimes.map((t) => t.toFixed(0)).join(', ')} ms`)

const t1 = process.hrtime.bigint()
const podsOut = await runAsync('get', 'pods', '-A', '--field-selector', 'spec.nodeName=gpu-17')
console.log(`kubectl get pods -A --field-selector spec.nodeName=gpu-17 (${podsOut.trim().split('\n').length - 1} rows): ${ms(t1).toFixed(0)} ms`)

const kc = new k8s.KubeConfig()
kc.loadFromString(sim.kubeconfig)
const core = kc.makeApiClient(k8s.CoreV1Api)
const listTimes: number[] = []
for (let i = 0; i < 20; i++) {
  const t = process.hrtime.bigint()
  const list = await core.listNode()
  listTimes.push(ms(t))
  if (list.items.length !== state.nodes.length) throw new Error('short node list')
}
console.log(`client-node listNode (${state.nodes.length} nodes) x${listTimes.length}: p50 ${percentile(listTimes, 50).toFixed(0)} ms, p95 ${percentile(listTimes, 95).toFixed(0)} ms`)

const podTimes: number[] = []
for (let i = 0; i < 20; i++) {
  const t = process.hrtime.bigint()
  await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=gpu-${i + 1}` })
  podTimes.push(ms(t))
}
console.log(`client-node pods on one node x${podTimes.length}: p50 ${percentile(podTimes, 50).toFixed(1)} ms, p95 ${percentile(podTimes, 95).toFixed(1)} ms`)

/** Server cost alone: the raw HTTPS response, bytes counted, nothing parsed. */
const raw = (path: string, accept = 'application/json') =>
  new Promise<number>((resolve, reject) => {
    const req = request(`${sim.url}${path}`, { ca: sim.caPem, headers: { Authorization: `Bearer ${sim.token}`, Accept: accept } }, (res) => {
      let bytes = 0
      res.on('data', (c: Buffer) => (bytes += c.length))
      res.on('end', () => resolve(bytes))
    })
    req.on('error', reject)
    req.end()
  })
for (const [label, path, accept] of [
  ['raw GET /api/v1/nodes (JSON)', '/api/v1/nodes', 'application/json'],
  ['raw GET /api/v1/nodes?limit=500 (Table page)', '/api/v1/nodes?limit=500', 'application/json;as=Table;v=v1;g=meta.k8s.io'],
  ['raw GET /api/v1/pods (all, JSON)', '/api/v1/pods', 'application/json'],
] as const) {
  const times: number[] = []
  let bytes = 0
  for (let i = 0; i < 5; i++) {
    const t = process.hrtime.bigint()
    bytes = await raw(path, accept)
    times.push(ms(t))
  }
  console.log(`${label}: ${mb(bytes)}; p50 ${percentile(times, 50).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms`)
}

const t3 = process.hrtime.bigint()
await core.patchNode(
  { name: 'gpu-42', body: { spec: { taints: [{ key: 'runai', value: 'drain', effect: 'NoExecute' }] } } },
  k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
)
console.log(`drain taint on gpu-42 (evict + resubmit + schedule ${PODS_PER_GPU_NODE} pods): ${ms(t3).toFixed(0)} ms`)
console.log(`RSS at end: ${mb(process.memoryUsage().rss)}`)

await sim.close()
rmSync(dir, { recursive: true, force: true })
