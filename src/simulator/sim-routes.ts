// The control endpoints beside the Kubernetes API, under /_sim/ (JSON in and out).
import type { IncomingMessage, ServerResponse } from 'node:http'
import { parseFaults } from './faults.js'
import { readJson } from './request-body.js'
import type { RebootOptions, RebootResult } from './node-lifecycle.js'
import type { Simulation } from './simulation.js'
import type { PodFilter } from './workload-completion.js'
import { ApiError, badRequest, methodNotAllowed, unknownRoute } from './status.js'
import { OUTAGE_MODES, type OutageMode } from './listener.js'

/** Each endpoint and what it does: GET /_sim answers the routes, `nodeplan simulator --help` prints both. */
export const SIM_ENDPOINTS: readonly [route: string, does: string][] = [
  ['POST /_sim/nodes/{name}/fail', 'the kubelet stops posting status: Ready goes Unknown, the unreachable taints follow'],
  ['POST /_sim/nodes/{name}/recover', 'the kubelet posts status again: Ready, the unreachable taints are lifted'],
  ['POST /_sim/nodes/{name}/restart-kubelet', "restarts the kubelet: a deleted node registers again with only the kubelet's labels (no roles); an existing one posts Ready again"],
  ['POST /_sim/nodes/{name}/reboot {"downSeconds": 60, "notReadySeconds": 10, "lostGpus": 0}', 'reboots the machine: Ready Unknown and the unreachable taints at once; after downSeconds a new bootID with Ready False (the not-ready taints, no GPUs allocatable); after notReadySeconds more, Ready with its GPUs allocatable again, less lostGpus (the body is optional)'],
  ['POST /_sim/nodes/{name}/pool {"pool": "a100"}', 'puts the node in a node pool (its run.ai/node-pool label); {"pool": null} takes it out'],
  ['POST /_sim/pods/finish-after {"seconds": n, "node", "namespace", "name", "labelSelector"}', 'the pods selected (at least one of node, namespace, labelSelector; name with namespace) go Succeeded n simulated seconds from now and free their GPUs, as a finished Job\'s pods do'],
  ['GET /_sim/clusters', 'the clusters this process serves (one, or the fleet of --clusters N): name, URL, outage'],
  ['POST /_sim/clusters/{name}/outage {"mode": "refuse"}', 'takes a cluster off the network: "refuse" (connections refused) or "hang" (accepted, never answered); open connections and watches are cut. Taking down the cluster you call answers 202 first; bring it back through another cluster of the fleet'],
  ['DELETE /_sim/clusters/{name}/outage', 'brings the cluster back on the same port'],
  ['POST /_sim/join {"node": "...", "token": "id.secret"}', 'what kubeadm join does: a valid bootstrap token registers the node again'],
  ['POST /_sim/clock/advance {"seconds": n}', 'moves the simulated clock (outages, token expiry, the downtime watcher)'],
  ['GET /_sim/clock', 'the simulated time'],
  ['POST /_sim/faults {"latencyMs", "errorRate", "errorStatus", "conflictRate", "unreachable", "resetRate", "paths", "times"}', 'makes the Kubernetes API slow or failing (errorStatus 500, 503 or 429; paths: a regular expression; times: only that many requests)'],
  ['GET /_sim/faults', 'the faults in force'],
  ['DELETE /_sim/faults', 'no faults'],
  ['GET /_sim/state', 'nodes, their taints and readiness, pods by phase'],
  ['GET /_sim/requests', 'the Kubernetes API requests received, by verb and path'],
  ['DELETE /_sim/requests', 'forgets them'],
]
const ENDPOINTS = SIM_ENDPOINTS.map(([route]) => route)

/** A cluster as the /_sim/clusters routes see it (RunningSimulator has all of it). */
export interface FleetMember {
  name: string
  url: string
  sim: Simulation
  outage(): OutageMode | null
  goDown(mode: OutageMode): Promise<void>
  comeBack(): Promise<void>
}

export async function handleSimRoute(
  sim: Simulation,
  members: () => readonly FleetMember[],
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const method = req.method ?? 'GET'
  const send = (code: number, body: unknown) => {
    const text = JSON.stringify(body)
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) })
    res.end(text)
  }
  const listClusters = () => members().map((m) => ({ name: m.name, url: m.url, outage: m.outage() }))
  const cluster = /^\/_sim\/clusters\/([^/]+)\/outage$/.exec(path)
  if (cluster) {
    const target = members().find((m) => m.name === decodeURIComponent(cluster[1]!))
    if (!target) throw new ApiError(404, 'NotFound', `no cluster "${decodeURIComponent(cluster[1]!)}" in this simulator (there are: ${members().map((m) => m.name).join(', ')})`)
    if (method === 'DELETE') {
      await target.comeBack()
      return send(200, { clusters: listClusters() })
    }
    if (method !== 'POST') throw methodNotAllowed()
    const body = (await readJson(req)) as { mode?: unknown } | null
    const mode = body?.mode ?? 'refuse'
    if (!OUTAGE_MODES.includes(mode as OutageMode)) throw badRequest(`mode must be one of ${OUTAGE_MODES.join(', ')}, got ${JSON.stringify(mode)}`)
    if (target.sim !== sim) {
      await target.goDown(mode as OutageMode)
      return send(200, { clusters: listClusters() })
    }
    // This very cluster: answer first, then go off the network.
    res.on('finish', () => void target.goDown(mode as OutageMode))
    return send(202, { clusters: listClusters().map((c) => (c.name === target.name ? { ...c, outage: mode } : c)) })
  }
  const node = /^\/_sim\/nodes\/([^/]+)\/(fail|recover|restart-kubelet|reboot|pool)$/.exec(path)
  if (node) {
    if (method !== 'POST') throw methodNotAllowed()
    const name = decodeURIComponent(node[1]!)
    const action = node[2]!
    let reboot: RebootResult | undefined
    if (action === 'fail') sim.failNode(name)
    else if (action === 'recover') sim.recoverNode(name)
    else if (action === 'restart-kubelet') sim.restartKubelet(name)
    else if (action === 'reboot') {
      const body = await readJson(req)
      if (body !== null && (typeof body !== 'object' || Array.isArray(body))) throw badRequest('body must be {"downSeconds": n, "notReadySeconds": n, "lostGpus": n} or empty')
      reboot = sim.rebootNode(name, (body ?? {}) as RebootOptions)
    } else {
      const body = (await readJson(req)) as { pool?: unknown } | null
      if (!body || typeof body !== 'object' || !('pool' in body)) throw badRequest('body must be {"pool": "name"} or {"pool": null}')
      sim.setNodePool(name, body.pool as string | null)
    }
    return send(200, { node: name, action, ...(reboot ? { reboot } : {}), state: sim.state().nodes.find((n) => n.name === name) ?? null })
  }
  switch (`${method} ${path}`) {
    case 'GET /_sim':
      return send(200, { endpoints: ENDPOINTS })
    case 'GET /_sim/clusters':
      return send(200, { clusters: listClusters() })
    case 'POST /_sim/join': {
      const body = (await readJson(req)) as { node?: unknown; token?: unknown; gpus?: unknown } | null
      if (!body || typeof body.node !== 'string' || typeof body.token !== 'string') throw badRequest('body must be {"node": "...", "token": "id.secret"}')
      const gpus = typeof body.gpus === 'number' ? body.gpus : undefined
      return send(201, sim.join(body.node, body.token, gpus))
    }
    case 'POST /_sim/pods/finish-after': {
      const body = (await readJson(req)) as Record<string, unknown> | null
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('body must be {"seconds": n, "node"?, "namespace"?, "name"?, "labelSelector"?}')
      const filter: PodFilter = {}
      for (const key of ['node', 'namespace', 'name', 'labelSelector'] as const) {
        const value = body[key]
        if (value === undefined) continue
        if (typeof value !== 'string' || value === '') throw badRequest(`${key} must be a non-empty string`)
        filter[key] = value
      }
      return send(200, { pods: sim.finishPodsAfter(body.seconds as number, filter) })
    }
    case 'POST /_sim/clock/advance': {
      const body = (await readJson(req)) as { seconds?: unknown } | null
      if (!body || typeof body.seconds !== 'number' || !(body.seconds >= 0)) throw badRequest('body must be {"seconds": n} with n >= 0')
      sim.advance(body.seconds)
      return send(200, { clock: sim.clock.timestamp() })
    }
    case 'GET /_sim/clock':
      return send(200, { clock: sim.clock.timestamp() })
    case 'POST /_sim/faults':
      sim.setFaults(parseFaults(await readJson(req)))
      return send(200, { faults: sim.faults() })
    case 'DELETE /_sim/faults':
      sim.setFaults(null)
      return send(200, { faults: null })
    case 'GET /_sim/faults':
      return send(200, { faults: sim.faults() })
    case 'GET /_sim/state':
      return send(200, sim.state())
    case 'GET /_sim/requests':
      return send(200, { requests: sim.requests() })
    case 'DELETE /_sim/requests':
      sim.clearRequests()
      return send(200, { requests: [] })
  }
  throw unknownRoute()
}
