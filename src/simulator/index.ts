// Starting the simulated Run:ai cluster in-process: HTTPS on 127.0.0.1 with its own CA, a
// bearer token, and a kubeconfig that kubectl and @kubernetes/client-node accept unchanged.
// Beside the Kubernetes API, JSON control endpoints under /_sim/ (no token needed; GET /_sim
// lists them) do what `sim` does in-process: fail/recover/restart-kubelet a node, join with a
// bootstrap token, advance the clock, inject faults, read the state and the request log.
import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { createRequestHandler } from './api-server.js'
import { clusterCertificates } from './certificates.js'
import { kubeconfigYaml } from './kubeconfig.js'
import type { NodePool } from './seed.js'
import { Simulation } from './simulation.js'

export { Simulation } from './simulation.js'
export type { JoinResult, NodeSummary, RequestRecord, SimulationState } from './simulation.js'
export type { Faults } from './faults.js'
export type { RebootOptions, RebootResult } from './node-lifecycle.js'
export type { NodePool } from './seed.js'
export { POOL_LABEL } from './seed.js'
export { RUN_SECONDS_ANNOTATION, type FinishingPod, type PodFilter } from './workload-completion.js'

export interface SimulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number
  /** Listen address (default 127.0.0.1); 0.0.0.0 for a simulator in its own container. */
  host?: string
  /**
   * The API server URL clients are given (kubeconfig, cluster-info, join commands), e.g.
   * https://simulator:6443; without a port, the listening one. Its host name is added to the
   * server certificate. Default https://127.0.0.1:<port>.
   */
  advertiseUrl?: string
  systemNodes?: number
  gpuNodes?: number
  cpuNodes?: number
  gpusPerNode?: number
  seed?: number
  /** Write the kubeconfig to this file as well. */
  kubeconfigOut?: string
  /** Workload pods per GPU node (benchmarks: 100k pods at 5k nodes); unset = the default mix. */
  podsPerGpuNode?: number
  /** Node pools over the GPU nodes in order (gpu-1… get the first pool's `run.ai/node-pool` label). */
  nodePools?: NodePool[]
  /** Seeded training pods go Succeeded this many simulated seconds after the start; unset = they run on. */
  trainingSeconds?: number
  /** Where the simulated clock starts (default: now). */
  startTime?: Date
  /** A fixed bearer token (default: random). */
  token?: string
  /** Watch events kept per resource type (default 20,000); older resourceVersions get 410 Gone. */
  watchHistoryLimit?: number
}

export interface RunningSimulator {
  url: string
  token: string
  caPem: string
  kubeconfig: string
  kubeconfigPath: string | null
  sim: Simulation
  close(): Promise<void>
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const advertised = options.advertiseUrl ? new URL(options.advertiseUrl) : null
  if (advertised && advertised.protocol !== 'https:') throw new Error(`advertiseUrl must be an https:// URL, got ${options.advertiseUrl}`)
  const isIp = advertised !== null && /^[\d.]+$|^\[/.test(advertised.hostname)
  if (isIp && advertised.hostname !== '127.0.0.1') throw new Error(`advertiseUrl: give a host name (the certificate names it), not ${advertised.hostname}`)
  const certs = clusterCertificates(advertised && !isIp && advertised.hostname !== 'localhost' ? [advertised.hostname] : [])
  const token = options.token ?? randomBytes(24).toString('base64url')
  const sim = new Simulation({
    ...(options.systemNodes !== undefined ? { systemNodes: options.systemNodes } : {}),
    ...(options.gpuNodes !== undefined ? { gpuNodes: options.gpuNodes } : {}),
    ...(options.cpuNodes !== undefined ? { cpuNodes: options.cpuNodes } : {}),
    ...(options.gpusPerNode !== undefined ? { gpusPerNode: options.gpusPerNode } : {}),
    ...(options.podsPerGpuNode !== undefined ? { podsPerGpuNode: options.podsPerGpuNode } : {}),
    ...(options.nodePools ? { nodePools: options.nodePools } : {}),
    ...(options.trainingSeconds !== undefined ? { trainingSeconds: options.trainingSeconds } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.startTime ? { startTime: options.startTime } : {}),
    ...(options.watchHistoryLimit !== undefined ? { watchHistoryLimit: options.watchHistoryLimit } : {}),
  })
  let url = ''
  const server = createServer({ key: certs.serverKeyPem, cert: certs.serverCertPem }, createRequestHandler({ sim, token, serverUrl: () => url }))
  server.keepAliveTimeout = 30_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  url = `https://${advertised?.hostname ?? '127.0.0.1'}:${advertised?.port || port}`
  sim.publishClusterInfo(url, certs.caPem)
  const kubeconfig = kubeconfigYaml(url, certs.caPem, token)
  if (options.kubeconfigOut) await writeFile(options.kubeconfigOut, kubeconfig, { mode: 0o600 })
  return {
    url,
    token,
    caPem: certs.caPem,
    kubeconfig,
    kubeconfigPath: options.kubeconfigOut ?? null,
    sim,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
