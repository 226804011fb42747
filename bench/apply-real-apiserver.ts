// The 100-node apply against the real kube-apiserver (with etcd; scripts/control-plane.ts) beside
// the same against the simulator: 300 GPU nodes, no pods, no injected latency; nodeplan in this
// process with a SQLite file. Skipped, with a line saying so, where the control plane is not built.
import 'reflect-metadata'
import { execFile } from 'node:child_process'
import { request } from 'node:https'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseServeConfig } from '../src/config.js'
import { createLogger } from '../src/logger.js'
import { startNodeplan } from '../src/main.js'
import { startSimulator } from '../src/simulator/index.js'
import { apiGet, controlPlaneUnavailable, KUBERNETES_RELEASE, startControlPlane } from '../scripts/control-plane.js'
import { realNode } from '../scripts/control-plane-seed.js'
import { kubectlPath } from '../test/support/kubectl.js'
import { graphqlClient } from '../test/support/graphql-client.js'

const NODES = 300
const msSince = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6
const names = (from: number, count: number) => Array.from({ length: count }, (_, i) => `gpu-${from + i}`)
const run = (file: string, args: string[]) =>
  new Promise<void>((resolve, reject) => execFile(file, args, (err, _o, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve())))

interface Figures {
  firstApplyMs: number
  applyMs: number
  loopMs: number
}

async function measure(kubeconfig: string, dir: string): Promise<Figures> {
  const argv = ['--port', '0', '--database', `file:${join(dir, 'nodeplan.db')}`, '--kubeconfig', kubeconfig]
  const np = await startNodeplan(parseServeConfig(argv, {}), { log: createLogger({ level: 'error', write: () => {} }), downtimeCheckIntervalMs: 0 })
  try {
    const gql = graphqlClient(np.url)
    const call = async (query: string, variables: Record<string, unknown>) => {
      const res = await gql(query, variables)
      if (res.errors) throw new Error(JSON.stringify(res.errors))
      return res.data
    }
    const plan = async (nodes: string[]) => (await call(`mutation($n: [String!]!) { planDrain(input: {nodes: $n, reason: "bench"}) { id } }`, { n: nodes })).planDrain.id as string
    const apply = async (id: string) => {
      const start = process.hrtime.bigint()
      const status = (await call(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id })).applyPlan.status
      if (status !== 'APPLIED') throw new Error(`apply ended ${status}`)
      return msSince(start)
    }
    const firstApplyMs = await apply(await plan(names(201, 100)))
    const applyMs = await apply(await plan(names(1, 100)))
    const kc = ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'kubectl-cache')]
    await run(kubectlPath(), [...kc, 'get', 'nodes', 'gpu-101'])
    const loopStart = process.hrtime.bigint()
    for (const node of names(101, 100)) await run(kubectlPath(), [...kc, 'taint', 'nodes', node, 'runai=drain:NoExecute'])
    return { firstApplyMs, applyMs, loopMs: msSince(loopStart) }
  } finally {
    await np.close()
  }
}

const unavailable = controlPlaneUnavailable()
if (unavailable) {
  process.stdout.write(`Skipped: the real control plane is not built here (${unavailable}).\n`)
  process.exit(0)
}

const dir = mkdtempSync(join(tmpdir(), 'nodeplan-bench-real-'))
try {
  const sim = await startSimulator({ port: 0, systemNodes: 0, gpuNodes: NODES, cpuNodes: 0, podsPerGpuNode: 0 })
  let simulated: Figures
  try {
    writeFileSync(join(dir, 'sim.kubeconfig'), sim.kubeconfig)
    simulated = await measure(join(dir, 'sim.kubeconfig'), mkdtempSync(join(dir, 'sim-')))
  } finally {
    await sim.close()
  }

  const cp = await startControlPlane({ dir: join(dir, 'real'), controllers: false })
  let real: Figures
  try {
    const now = new Date().toISOString()
    const post = (body: unknown) =>
      new Promise<void>((resolve, reject) => {
        const json = JSON.stringify(body)
        const req = request(new URL('/api/v1/nodes', cp.server), { method: 'POST', ca: cp.caPem, headers: { authorization: `Bearer ${cp.adminToken}`, 'content-type': 'application/json' } }, (res) => {
          res.resume()
          res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`POST node: ${res.statusCode}`))))
        })
        req.on('error', reject)
        req.end(json)
      })
    for (let i = 0; i < NODES; i += 50) {
      await Promise.all(
        names(i + 1, 50).map((name) => {
          const node = realNode({ name, role: 'runai-gpu-worker', gpus: 8, cpu: 96, memoryGi: 768 }) as any
          node.status.conditions = [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'bench', lastHeartbeatTime: now, lastTransitionTime: now }]
          return post(node)
        }),
      )
    }
    if ((await apiGet(cp.server, cp.caPem, cp.adminToken, '/api/v1/nodes?limit=1')).status !== 200) throw new Error('API server not serving')
    real = await measure(cp.adminKubeconfig, mkdtempSync(join(dir, 'real-np-')))
  } finally {
    await cp.stop()
  }

  const row = (what: string, f: (x: Figures) => string) => `| ${what} | ${f(simulated)} | ${f(real)} |`
  process.stdout.write(
    [
      `${NODES} GPU nodes, no pods, no injected latency; nodeplan in the benchmark's process, and so is the simulator (sharing its event loop); the real kube-apiserver ${KUBERNETES_RELEASE} and etcd (no fsync) in their own processes, admin token.`,
      '',
      '| 100-node drain | simulator | real kube-apiserver + etcd |',
      '|---|---|---|',
      row('applyPlan (100 taints, parallelism 32): first apply since start', (x) => `${x.firstApplyMs.toFixed(0)} ms`),
      row('applyPlan: the next one', (x) => `${x.applyMs.toFixed(0)} ms`),
      row('`kubectl taint` once per node, 100 nodes in sequence (warm discovery cache)', (x) => `${x.loopMs.toFixed(0)} ms`),
      row('kubectl loop / applyPlan (the next apply)', (x) => `${(x.loopMs / x.applyMs).toFixed(1)}×`),
      '',
    ].join('\n'),
  )
} finally {
  rmSync(dir, { recursive: true, force: true })
}
