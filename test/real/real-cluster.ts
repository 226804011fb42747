// The real control plane (scripts/control-plane.ts) with nodeplan in front of it, running as the
// ServiceAccount of deploy/kubernetes with exactly its RBAC, as a platform team would deploy it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseServeConfig } from '../../src/config.js'
import { createLogger } from '../../src/logger.js'
import { startNodeplan, type RunningNodeplan } from '../../src/main.js'
import { kubeconfigYaml } from '../../src/simulator/kubeconfig.js'
import { apiGet, startControlPlane, type ControlPlane } from '../../scripts/control-plane.js'
import { loadManifests, type ApiRequest } from '../deploy/manifests.js'
import { kubectlFor, type Kubectl } from '../support/kubectl.js'
import { graphqlClient, type GraphQLResponse } from '../support/graphql-client.js'
import { TEST_TOKENS } from '../support/nodeplan.js'

export const NODEPLAN_SA = { namespace: 'nodeplan', name: 'nodeplan' }
export const NODEPLAN_USER = `system:serviceaccount:${NODEPLAN_SA.namespace}:${NODEPLAN_SA.name}`
const RBAC_KINDS = new Set(['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'])

export interface AuditedRequest extends ApiRequest {
  code: number
  uri: string
}

export interface RealCluster {
  dir: string
  cp: ControlPlane
  /** kubectl as the cluster admin. */
  kubectl: Kubectl
  /** A kubeconfig with nodeplan's ServiceAccount token. */
  nodeplanKubeconfig: string
  np: RunningNodeplan
  logs: string[]
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<T>>
  /** GET as the cluster admin: the truth a test compares nodeplan's answers with. */
  get(path: string): Promise<any>
  /** Every request nodeplan's ServiceAccount made, from the API server's audit log. */
  nodeplanRequests(): AuditedRequest[]
  close(): Promise<void>
}

export async function waitUntil<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await check()
      if (v) return v
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

export async function startRealCluster(options: { ownKubelet?: string[]; policy?: Record<string, unknown> } = {}): Promise<RealCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'nodeplan-real-'))
  const cp = await startControlPlane({ dir, ownKubelet: options.ownKubelet })
  try {
    const kubectl = kubectlFor(cp.adminKubeconfig, join(dir, 'kubectl-cache'))
    // The RBAC of deploy/kubernetes as it is in the repository, whatever rules it holds today.
    const rbac = loadManifests().filter((m) => RBAC_KINDS.has(m.kind))
    await kubectlWithInput(kubectl, ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: rbac }), dir)
    const token = (await kubectl.ok('create', 'token', NODEPLAN_SA.name, '-n', NODEPLAN_SA.namespace, '--duration=2h')).trim()
    const nodeplanKubeconfig = join(dir, 'nodeplan.kubeconfig')
    writeFileSync(nodeplanKubeconfig, kubeconfigYaml(cp.server, cp.caPem, token), { mode: 0o600 })

    const tokensFile = join(dir, 'tokens.json')
    writeFileSync(tokensFile, JSON.stringify(Object.entries(TEST_TOKENS).map(([subject, t]) => ({ token: t, subject, role: subject.replace(/\d+$/, '') }))))
    const argv = ['--port', '0', '--host', '127.0.0.1', '--database', `file:${join(dir, 'nodeplan.db')}`, '--kubeconfig', nodeplanKubeconfig, '--tokens', tokensFile]
    if (options.policy) {
      writeFileSync(join(dir, 'policy.json'), JSON.stringify(options.policy))
      argv.push('--policy', join(dir, 'policy.json'))
    }
    const logs: string[] = []
    // The downtime watcher runs when a test calls check(), as in the simulator tests.
    // POD_NAMESPACE as deploy/kubernetes's Deployment sets it: the leader Lease lives there.
    const np = await startNodeplan(parseServeConfig(argv, { POD_NAMESPACE: NODEPLAN_SA.namespace }), { log: createLogger({ level: 'info', write: (l) => logs.push(l) }), downtimeCheckIntervalMs: 0 })
    return {
      dir,
      cp,
      kubectl,
      nodeplanKubeconfig,
      np,
      logs,
      gql: graphqlClient(np.url),
      async get(path) {
        const res = await apiGet(cp.server, cp.caPem, cp.adminToken, path)
        if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.body}`)
        return JSON.parse(res.body)
      },
      nodeplanRequests: () => readAudit(cp.auditLogPath),
      async close() {
        await np.close()
        await cp.stop()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  } catch (err) {
    await cp.stop()
    throw err
  }
}

let manifests = 0
/** kubectl with `-` read from `input` (kubectlFor closes stdin: a file in `dir` stands in). */
function kubectlWithInput(kubectl: Kubectl, args: string[], input: string, dir: string): Promise<string> {
  const file = join(dir, `objects-${++manifests}.json`)
  writeFileSync(file, input)
  return kubectl.ok(...args.map((a) => (a === '-' ? file : a)))
}

export { kubectlWithInput }

function readAudit(path: string): AuditedRequest[] {
  const seen = new Map<string, AuditedRequest>()
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line) continue
    const e = JSON.parse(line)
    if (e.user?.username !== NODEPLAN_USER) continue
    const ref = e.objectRef ?? {}
    // A watch is logged when it starts and again when it ends: one request.
    seen.set(e.auditID, {
      verb: e.verb,
      group: ref.apiGroup ?? '',
      resource: ref.resource ?? '',
      subresource: ref.subresource ?? null,
      namespace: ref.namespace ?? null,
      name: ref.name ?? null,
      code: e.responseStatus?.code ?? 0,
      uri: e.requestURI,
    })
  }
  return [...seen.values()]
}
