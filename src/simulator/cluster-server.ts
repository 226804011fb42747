// One simulated cluster served over HTTPS with its own CA, a bearer token, and a kubeconfig that
// kubectl and @kubernetes/client-node accept unchanged; its listener can be taken off the network.
import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { createRequestHandler } from './api-server.js'
import { clusterCertificates } from './certificates.js'
import { multiKubeconfigYaml } from './kubeconfig.js'
import { SimListener, type OutageMode } from './listener.js'
import type { NodePool } from './seed.js'
import { Simulation } from './simulation.js'

export interface SimulatorOptions {
  /** The cluster's name: its kubeconfig cluster and context (default runai-sim; a fleet's are sim-1…sim-N). */
  name?: string
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
  name: string
  url: string
  token: string
  caPem: string
  kubeconfig: string
  kubeconfigPath: string | null
  sim: Simulation
  /** The outage in force, or null while the API server answers. */
  outage(): OutageMode | null
  /** Takes the API server off the network ('refuse': connections refused; 'hang': never answered) until comeBack(). */
  goDown(mode?: OutageMode): Promise<void>
  comeBack(): Promise<void>
  close(): Promise<void>
}

/** One simulated cluster; `members` are the clusters its /_sim/clusters routes reach (itself, or its fleet). */
export async function startMember(options: SimulatorOptions, members: () => readonly RunningSimulator[]): Promise<RunningSimulator> {
  if (options.name !== undefined && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(options.name)) throw new Error(`name: lower-case letters, digits, '-' and '.', got "${options.name}"`)
  const advertised = options.advertiseUrl ? new URL(options.advertiseUrl) : null
  if (advertised && advertised.protocol !== 'https:') throw new Error(`advertiseUrl must be an https:// URL, got ${options.advertiseUrl}`)
  const isIp = advertised !== null && /^[\d.]+$|^\[/.test(advertised.hostname)
  if (isIp && advertised.hostname !== '127.0.0.1') throw new Error(`advertiseUrl: give a host name (the certificate names it), not ${advertised.hostname}`)
  const certs = await clusterCertificates(advertised && !isIp && advertised.hostname !== 'localhost' ? [advertised.hostname] : [])
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
  const listener = new SimListener({ key: certs.serverKeyPem, cert: certs.serverCertPem }, createRequestHandler({ sim, token, serverUrl: () => url, members }))
  const port = await listener.listen(options.port ?? 0, options.host ?? '127.0.0.1')
  url = `https://${advertised?.hostname ?? '127.0.0.1'}:${advertised?.port || port}`
  sim.publishClusterInfo(url, certs.caPem)
  const name = options.name ?? 'runai-sim'
  const kubeconfig = multiKubeconfigYaml([{ name, server: url, caPem: certs.caPem, token }])
  if (options.kubeconfigOut) await writeFile(options.kubeconfigOut, kubeconfig, { mode: 0o600 })
  return {
    name,
    url,
    token,
    caPem: certs.caPem,
    kubeconfig,
    kubeconfigPath: options.kubeconfigOut ?? null,
    sim,
    outage: () => listener.outage(),
    goDown: (mode = 'refuse') => listener.goDown(mode),
    comeBack: () => listener.comeBack(),
    close: () => listener.close(),
  }
}
