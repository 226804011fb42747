// `nodeplan simulator`: serve the simulated Run:ai cluster until SIGINT/SIGTERM.
import { MAX_CLUSTERS, startFleet } from './fleet.js'
import { startSimulator, type SimulatorOptions } from './index.js'
import { DEFAULT_SHAPE, nodePoolsProblem, type NodePool } from './seed.js'
import { SIM_ENDPOINTS } from './sim-routes.js'

const USAGE = `usage: nodeplan simulator [--clusters N] [--port P] [--host ADDR] [--advertise-url https://NAME[:PORT]] [--kubeconfig-out FILE] [--system-nodes N] [--gpu-nodes N] [--cpu-nodes N] [--gpus-per-node N] [--pods-per-gpu-node N] [--node-pool NAME=COUNT]... [--training-seconds N] [--seed S]

Serves a simulated Run:ai cluster: a Kubernetes API server over HTTPS (its URL on stdout), and
beside it control endpoints, JSON in and out (e.g. curl -sk -X POST URL/_sim/nodes/gpu-3/fail).
With --clusters N: N clusters named sim-1…sim-N, each on its own port (P, P+1, … with --port P),
seeded S, S+1, …; stdout has one line per cluster, "sim-i URL"; --kubeconfig-out writes one file
with a context per cluster (kubectl --context sim-2 …). Any cluster's /_sim/clusters/… routes
take any cluster of the fleet off the network and bring it back.

${SIM_ENDPOINTS.map(([route, does]) => `  ${route}\n      ${does}`).join('\n')}
`

const NUMERIC: Record<string, keyof SimulatorOptions> = {
  '--port': 'port',
  '--system-nodes': 'systemNodes',
  '--gpu-nodes': 'gpuNodes',
  '--cpu-nodes': 'cpuNodes',
  '--gpus-per-node': 'gpusPerNode',
  '--pods-per-gpu-node': 'podsPerGpuNode',
  '--training-seconds': 'trainingSeconds',
  '--seed': 'seed',
}

export type ParsedFlags = { ok: true; options: SimulatorOptions; clusters?: number } | { ok: false; error: string }

export function parseSimulatorFlags(argv: string[]): ParsedFlags {
  const options: Record<string, unknown> = {}
  let clusters: number | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const eq = arg.indexOf('=')
    const flag = eq > 0 ? arg.slice(0, eq) : arg
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i]
    if (flag === '--kubeconfig-out') {
      if (!value) return { ok: false, error: `${flag} needs a file name` }
      options.kubeconfigOut = value
      continue
    }
    if (flag === '--host') {
      if (!value) return { ok: false, error: `${flag} needs a listen address` }
      options.host = value
      continue
    }
    if (flag === '--advertise-url') {
      if (!value || !/^https:\/\/[^/]+\/?$/.test(value)) return { ok: false, error: `${flag} needs an https://host[:port] URL, got "${value ?? ''}"` }
      options.advertiseUrl = value
      continue
    }
    if (flag === '--clusters') {
      if (value === undefined || !/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_CLUSTERS) {
        return { ok: false, error: `${flag} needs a number of clusters from 1 to ${MAX_CLUSTERS}, got "${value ?? ''}"` }
      }
      clusters = Number(value)
      continue
    }
    if (flag === '--node-pool') {
      const m = /^([^=]+)=(\d+)$/.exec(value ?? '')
      if (!m) return { ok: false, error: `${flag} needs NAME=COUNT (e.g. a100=40), got "${value ?? ''}"` }
      const pools = (options.nodePools ??= []) as NodePool[]
      pools.push({ name: m[1]!, nodes: Number(m[2]) })
      continue
    }
    const key = NUMERIC[flag]
    if (!key) return { ok: false, error: `unknown flag "${arg}"` }
    if (value === undefined || !/^\d+$/.test(value)) return { ok: false, error: `${flag} needs a non-negative integer, got "${value ?? ''}"` }
    const n = Number(value)
    if (key === 'port' && n > 65535) return { ok: false, error: `--port must be at most 65535, got ${n}` }
    options[key] = n
  }
  if (options.nodePools) {
    const problem = nodePoolsProblem(options.nodePools as NodePool[], (options.gpuNodes as number | undefined) ?? DEFAULT_SHAPE.gpuNodes)
    if (problem) return { ok: false, error: problem }
  }
  if (clusters !== undefined && options.advertiseUrl) return { ok: false, error: '--advertise-url names one cluster; it cannot be used with --clusters' }
  if (clusters !== undefined && typeof options.port === 'number' && options.port > 0 && options.port + clusters - 1 > 65535) {
    return { ok: false, error: `--port ${options.port} with --clusters ${clusters} goes past port 65535` }
  }
  return { ok: true, options: options as SimulatorOptions, ...(clusters !== undefined ? { clusters } : {}) }
}

export async function simulatorCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE)
    return 0
  }
  const parsed = parseSimulatorFlags(argv)
  if (!parsed.ok) {
    process.stderr.write(`nodeplan simulator: ${parsed.error}\n${USAGE}`)
    return 2
  }
  if (parsed.clusters !== undefined) return serveFleet(parsed.options, parsed.clusters)
  const sim = await startSimulator(parsed.options)
  const state = sim.sim.state()
  process.stdout.write(`${sim.url}\n`)
  process.stderr.write(
    `simulated Run:ai cluster: ${state.nodes.length} nodes, ${state.pods.total} pods` +
      (sim.kubeconfigPath ? `; kubeconfig written to ${sim.kubeconfigPath}` : '') +
      '; control endpoints under /_sim/\n',
  )
  await untilSignalled()
  await sim.close()
  return 0
}

async function serveFleet(options: SimulatorOptions, clusters: number): Promise<number> {
  const { name: _unnamed, advertiseUrl: _one, ...shared } = options
  const fleet = await startFleet({ ...shared, clusters })
  for (const c of fleet.clusters) process.stdout.write(`${c.name} ${c.url}\n`)
  const state = fleet.clusters[0]!.sim.state()
  process.stderr.write(
    `${clusters} simulated Run:ai clusters (sim-1…sim-${clusters}), ${state.nodes.length} nodes each` +
      (fleet.kubeconfigPath ? `; kubeconfig with a context per cluster written to ${fleet.kubeconfigPath}` : '') +
      '; control endpoints under /_sim/ of each\n',
  )
  await untilSignalled()
  await fleet.close()
  return 0
}

function untilSignalled(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
}
