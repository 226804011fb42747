// The informer cache at 5,000 nodes / ~100,000 pods (simulator in its own process): time to
// the first complete list, memory held, snapshot() and podsOn() cost, refresh() of the 100
// nodes a drain plan reads (with 10 ms injected latency), and how soon a write shows up.
// Run: npx tsx --expose-gc bench/apply-cluster-cache.ts   (or without --expose-gc: rougher RSS)
import { KubernetesClusterCache } from '../src/adapters/kubernetes/cluster-cache.js'
import { KubernetesApi } from '../src/adapters/kubernetes/kubernetes-api.js'
import { loadKubeConfig } from '../src/adapters/kubernetes/kubeconfig.js'
import { KubernetesNodeWriter } from '../src/adapters/kubernetes/node-writer.js'
import { labelChange } from '../src/domain/change.js'
import { mb, ms, percentile, SCALE, startSimulatorProcess } from './apply-simulator-process.js'

const gc = () => (globalThis as { gc?: () => void }).gc?.()
const sim = await startSimulatorProcess(SCALE)
try {
  const kc = loadKubeConfig({ kubeconfigPath: sim.kubeconfigPath })!.kc
  const api = new KubernetesApi(kc, { timeoutMs: 60_000 })
  const cache = new KubernetesClusterCache(api, { startTimeoutMs: 300_000 })
  console.log(`date: ${new Date().toISOString()}  node ${process.version}  cores: 2 (shared)`)
  gc()
  const rss0 = process.memoryUsage().rss
  const heap0 = process.memoryUsage().heapUsed
  const t0 = process.hrtime.bigint()
  await cache.start()
  const syncMs = ms(t0)
  gc()
  const snap = cache.snapshot()
  console.log(`synced ${snap.nodes.length} nodes, ${snap.pods.length} pods, ${snap.pdbs.length} PDBs in ${syncMs.toFixed(0)} ms; requests ${api.counter.rows().map((r) => `${r.verb} ${r.code}: ${r.count}`).join(', ')}`)
  console.log(`memory held by the cache: heap +${mb(process.memoryUsage().heapUsed - heap0)}, RSS +${mb(process.memoryUsage().rss - rss0)} (process RSS ${mb(process.memoryUsage().rss)})`)

  const writer = new KubernetesNodeWriter(api)
  const changed = new Promise<void>((resolve) => cache.onNodeEvent((e) => e.node.name === 'gpu-7' && e.node.labels['example.com/bench'] === '0' && resolve()))
  await writer.apply(labelChange('gpu-7', 'example.com/bench', null, '0', 'REQUESTED'), { deadline: Date.now() + 60_000 })
  await changed
  const cold: number[] = []
  const warm: number[] = []
  for (let i = 0; i < 20; i++) {
    let t = process.hrtime.bigint()
    const s = cache.snapshot()
    warm.push(ms(t))
    if (s.nodes.length !== 5000) throw new Error('snapshot lost nodes')
    // Invalidate: a node event arrives (the common case on a live cluster).
    const seen = new Promise<void>((resolve) => {
      const off = cache.onNodeEvent((e) => {
        if (e.node.name === 'gpu-7' && e.node.labels['example.com/bench'] === String(i + 1)) {
          off()
          resolve()
        }
      })
    })
    await writer.apply(labelChange('gpu-7', 'example.com/bench', String(i), String(i + 1), 'REQUESTED'), { deadline: Date.now() + 60_000 })
    await seen
    t = process.hrtime.bigint()
    cache.snapshot()
    cold.push(ms(t))
  }
  console.log(`snapshot(): rebuilt after a change p50 ${percentile(cold, 50).toFixed(2)} ms, p95 ${percentile(cold, 95).toFixed(2)} ms; unchanged p50 ${percentile(warm, 50).toFixed(4)} ms`)

  let t = process.hrtime.bigint()
  let pods = 0
  for (const n of cache.snapshot().nodes) pods += cache.podsOn(n.name).length
  console.log(`podsOn() for all 5,000 nodes: ${ms(t).toFixed(1)} ms (${pods} pods)`)

  const names = Array.from({ length: 100 }, (_, i) => `gpu-${i + 101}`)
  for (const latency of [0, 10]) {
    await sim.setFaults(latency ? { latencyMs: latency } : {})
    const runs: number[] = []
    for (let i = 0; i < 5; i++) {
      api.counter.reset()
      t = process.hrtime.bigint()
      await cache.refresh(names)
      runs.push(ms(t))
    }
    console.log(`refresh(100 nodes) with ${latency} ms latency: p50 ${percentile(runs, 50).toFixed(0)} ms over 5 runs; ${api.counter.total()} requests each (GET node + LIST pods per node, 16 at a time)`)
    const nodeRuns: number[] = []
    for (let i = 0; i < 5; i++) {
      t = process.hrtime.bigint()
      await cache.refresh(names, { pods: false })
      nodeRuns.push(ms(t))
    }
    console.log(`refresh(100 nodes, { pods: false }) with ${latency} ms latency: p50 ${percentile(nodeRuns, 50).toFixed(0)} ms over 5 runs; 100 requests each`)
  }
  await sim.setFaults({})

  const lag: number[] = []
  for (let i = 0; i < 20; i++) {
    const value = `lag-${i}`
    const seen = new Promise<void>((resolve) => {
      const off = cache.onNodeEvent((e) => {
        if (e.node.name === 'gpu-8' && e.node.labels['example.com/lag'] === value) {
          off()
          resolve()
        }
      })
    })
    const before = i === 0 ? null : `lag-${i - 1}`
    t = process.hrtime.bigint()
    await writer.apply(labelChange('gpu-8', 'example.com/lag', before, value, 'REQUESTED'), { deadline: Date.now() + 60_000 })
    await seen
    lag.push(ms(t))
  }
  console.log(`write → watch event in the cache (GET + PATCH + watch delivery): p50 ${percentile(lag, 50).toFixed(1)} ms, p95 ${percentile(lag, 95).toFixed(1)} ms`)
  await cache.stop()
} finally {
  await sim.stop()
}
