// Writing a 100-node drain with KubernetesNodeWriter (guarded JSON patches, bounded
// parallelism) against the real kubectl v1.35 tainting the same number of other nodes one
// after another, on one 5,000-node / ~100,000-pod simulator with 10 ms injected latency.
// A label on 100 nodes first shows the writer alone: a drain also makes the simulator evict
// and reschedule every pod of the node, which costs it far more than the request does.
// Run: npx tsx bench/apply-drain-writer.ts [parallelism=32] [nodes=100] [drain|label]
// `label` compares label writes only (nodeplan vs `kubectl label`), where the simulator's own
// work per request is small, so the figure is the clients' own.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { KubernetesApi } from '../src/adapters/kubernetes/kubernetes-api.js'
import { loadKubeConfig } from '../src/adapters/kubernetes/kubeconfig.js'
import { KubernetesNodeWriter } from '../src/adapters/kubernetes/node-writer.js'
import { labelChange, taintChange } from '../src/domain/change.js'
import type { Change } from '../src/domain/plan.js'
import { DRAIN_TAINT } from '../src/domain/cluster.js'
import { kubectlPath } from '../test/support/kubectl.js'
import { ms, percentile, SCALE, startSimulatorProcess } from './apply-simulator-process.js'

const NODES = Number(process.argv[3] ?? 100)
const LATENCY_MS = 10
const parallelism = Number(process.argv[2] ?? 32)
const mode = process.argv[4] ?? 'drain'

const sim = await startSimulatorProcess(SCALE)
try {
  const kc = loadKubeConfig({ kubeconfigPath: sim.kubeconfigPath })!.kc
  // The simulator serialises the evictions a drain causes; give slow answers time.
  const api = new KubernetesApi(kc, { maxSockets: parallelism, timeoutMs: 120_000 })
  const writer = new KubernetesNodeWriter(api)
  await sim.setFaults({ latencyMs: LATENCY_MS })
  console.log(`date: ${new Date().toISOString()}  node ${process.version}  cores: 2 (shared)`)
  console.log(`cluster: 5,000 nodes, ~100,000 pods; injected latency ${LATENCY_MS} ms per request`)

  const run = async (label: string, changes: Change[]) => {
    writer.api.counter.reset()
    const perNode: number[] = []
    const queue = [...changes]
    const t0 = process.hrtime.bigint()
    await Promise.all(
      Array.from({ length: parallelism }, async () => {
        for (let change = queue.shift(); change; change = queue.shift()) {
          const t = process.hrtime.bigint()
          const outcome = await writer.apply(change, { deadline: Date.now() + 300_000 })
          if (outcome !== 'applied') throw new Error(`${change.address}: ${outcome}`)
          perNode.push(ms(t))
        }
      }),
    )
    const total = ms(t0)
    const requests = writer.requestCounts().map((r) => `${r.verb} ${r.code}: ${r.count}`).join(', ')
    console.log(`nodeplan writer, ${label}, ${changes.length} nodes, parallelism ${parallelism}: ${total.toFixed(0)} ms total; per node p50 ${percentile(perNode, 50).toFixed(1)} ms, p95 ${percentile(perNode, 95).toFixed(1)} ms; requests ${requests}`)
    return total
  }
  const names = Array.from({ length: NODES }, (_, i) => `gpu-${i + 1}`)
  const labelMs = await run('label example.com/maintenance=planned', names.map((n) => labelChange(n, 'example.com/maintenance', null, 'planned', 'REQUESTED')))
  const writerMs = mode === 'drain' ? await run('drain taint runai=drain:NoExecute', names.map((n) => taintChange(n, null, DRAIN_TAINT, 'REQUESTED'))) : labelMs

  // kubectl: one `kubectl taint` per node, in sequence, discovery cache warmed first.
  const kubectl = kubectlPath()
  const cache = join(sim.dir, 'kubectl-cache')
  const verb = mode === 'drain' ? ['taint', 'nodes'] : ['label', 'nodes']
  const arg = mode === 'drain' ? 'runai=drain:NoExecute' : 'example.com/maintenance=planned'
  const write = (node: string) => execFileSync(kubectl, ['--kubeconfig', sim.kubeconfigPath, '--cache-dir', cache, ...verb, node, arg])
  write('gpu-4000')
  const t1 = process.hrtime.bigint()
  for (let i = 0; i < NODES; i++) write(`gpu-${1001 + i}`)
  const kubectlMs = ms(t1)
  console.log(`kubectl ${verb[0]}, ${NODES} nodes in sequence: ${kubectlMs.toFixed(0)} ms total (${(kubectlMs / NODES).toFixed(0)} ms per node)`)
  console.log(`ratio kubectl / nodeplan writer: ${(kubectlMs / writerMs).toFixed(1)}x`)
  api.close()
} finally {
  await sim.stop()
}
