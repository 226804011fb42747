// Least privilege, proved: nodeplan runs its whole lifecycle against the simulator, which records
// every API request it serves; the ClusterRole and Roles in deploy/kubernetes must allow each one,
// and every verb of every rule must have been used.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RequestRecord } from '../../src/simulator/index.js'
import { findResource } from '../../src/simulator/resources.js'
import type { KubeObject } from '../../src/simulator/store.js'
import { eventually } from '../support/eventually.js'
import { startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'
import { SIM_START, startTestCluster, type TestCluster } from '../support/simulator.js'
import { allows, grantsFor, loadManifests, type ApiRequest, type Grant } from './manifests.js'

const { operator, approver, admin } = TEST_TOKENS
/** The API group of each resource the simulator serves (its records name the plural only). */
const GROUPS: Record<string, string> = { nodes: '', pods: '', secrets: '', configmaps: '', namespaces: '', events: '', poddisruptionbudgets: 'policy', leases: 'coordination.k8s.io' }

describe('the RBAC of deploy/kubernetes against what nodeplan does', () => {
  let cluster: TestCluster
  let np: TestNodeplan
  let used: ApiRequest[]
  const grants = (): Grant[] => grantsFor(loadManifests(), { namespace: 'nodeplan', name: 'nodeplan' })

  const gql = async (query: string, variables: Record<string, unknown>, token: string = operator) => {
    const res = await np.gql(query, variables, token)
    expect(res.errors, query).toBeUndefined()
    return res.data
  }
  const apply = async (id: string) => (await gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id })).applyPlan.status
  const plan = async (mutation: string, input: Record<string, unknown>) =>
    (await gql(`mutation($input: ${mutation === 'planRelabel' ? 'PlanRelabelInput' : 'PlanNodesInput'}!) { ${mutation}(input: $input) { id } }`, { input }))[mutation].id as string

  beforeAll(async () => {
    cluster = await startTestCluster({ startTime: SIM_START })
    // Deployed, nodeplan's namespace: where its leader Lease lives (deployment.yaml gives POD_NAMESPACE).
    const namespaces = findResource('', 'v1', 'namespaces')!
    cluster.sim.namespaces.create(cluster.sim.admitCreate(namespaces, { metadata: { name: 'nodeplan' } } as KubeObject, undefined))
    np = await startTestNodeplan({
      tokens: true,
      sim: cluster,
      env: { POD_NAMESPACE: 'nodeplan' },
      overrides: { clock: cluster.sim.clock, downtimeCheckIntervalMs: 0 },
    })

    // The whole lifecycle, as the integration tests run it; only nodeplan talks to the API server here.
    await gql('{ nodes { name roles ready draining gpus workloads { name kind } } systemNodes { ready } }', {})
    const drain = await plan('planDrain', { nodes: ['gpu-1'], reason: 'CHG-1 PSU' })
    expect(await apply(drain)).toBe('APPLIED')
    expect(await apply(await plan('planUndrain', { nodes: ['gpu-1'], reason: 'CHG-1 done' }))).toBe('APPLIED')
    const relabel = await plan('planRelabel', { node: 'cpu-1', roles: ['CPU_WORKER', 'SYSTEM'], reason: 'temporary system node' })
    expect(await apply(relabel)).toBe('APPLIED')
    const rollback = (await gql(`mutation($id: ID!) { planRollback(planId: $id, reason: "retire") { id } }`, { id: relabel })).planRollback.id
    expect(await apply(rollback)).toBe('APPLIED')

    const decommission = await plan('planDecommission', { nodes: ['gpu-2'], reason: 'CHG-2 motherboard' })
    await gql(`mutation($id: ID!) { approvePlan(id: $id) { status } }`, { id: decommission }, approver)
    expect(await apply(decommission)).toBe('APPLIED')
    const join = (await gql('mutation { createJoinCommand(ttlHours: 2) { command } }', {}, admin)).createJoinCommand.command as string
    const token = /--token (\S+)/.exec(join)![1]!
    expect(cluster.sim.join('gpu-2', token).created).toBe(true)
    const rejoin = await eventually(async () => {
      await np.app.services.downtime.check()
      const found = (await gql('{ plans(node: "gpu-2", first: 20) { edges { node { id kind status } } } }', {})).plans.edges
        .map((e: any) => e.node)
        .find((p: any) => p.kind === 'REJOIN' && p.status === 'PENDING')
      expect(found).toBeDefined()
      return found.id as string
    })
    expect(await apply(rejoin)).toBe('APPLIED')
    // Unplanned downtime: seen through the watch, audited (and a DRAIN proposed) by the watcher.
    cluster.sim.failNode('gpu-3')
    cluster.sim.advance(600)
    await eventually(async () => {
      await np.app.services.downtime.check()
      const events = (await gql('{ auditEvents(filter: {node: "gpu-3", action: "node.notready"}, first: 5) { totalCount } }', {})).auditEvents
      expect(events.totalCount).toBeGreaterThan(0)
    })

    // The leader renews its Lease (an update) at least once.
    await np.app.services.leader.tick()
    expect(np.app.services.leader.isLeader()).toBe(true)

    used = cluster.sim.requests().map((r: RequestRecord) => {
      const group = GROUPS[r.resource]
      if (group === undefined) throw new Error(`no API group known for ${r.resource}`)
      return { verb: r.verb, group, resource: r.resource, subresource: r.subresource, namespace: r.namespace, name: r.name }
    })
  })
  afterAll(async () => {
    await np?.close()
    await cluster?.close()
  })

  it('should allow every request nodeplan made through the whole lifecycle', () => {
    const g = grants()
    const denied = used.filter((req) => !g.some((grant) => allows(grant, req)))
    expect(denied).toEqual([])
    // The lifecycle reached every kind of access, so the proof covers all of it.
    const kinds = new Set(used.map((r) => `${r.verb} ${r.resource}${r.namespace ? ` in ${r.namespace}` : ''}`))
    for (const k of ['list nodes', 'watch nodes', 'patch nodes', 'delete nodes', 'list pods', 'create secrets in kube-system', 'get configmaps in kube-public', 'get leases in nodeplan', 'create leases in nodeplan', 'update leases in nodeplan']) {
      expect([...kinds], k).toContain(k)
    }
  })

  it('should grant nothing unused: every verb on every resource of every rule served a request', () => {
    const unused: string[] = []
    for (const grant of grants()) {
      for (const group of grant.rule.apiGroups)
        for (const resource of grant.rule.resources)
          for (const verb of grant.rule.verbs) {
            const [plural, sub = null] = resource.split('/') as [string, string?]
            const single: Grant = { ...grant, rule: { ...grant.rule, apiGroups: [group], resources: [resource], verbs: [verb] } }
            if (!used.some((req) => req.group === group && req.resource === plural && req.subresource === sub && allows(single, req))) {
              unused.push(`${grant.role}: ${verb} ${group || 'core'}/${resource}${grant.namespace ? ` in ${grant.namespace}` : ''}`)
            }
          }
    }
    expect(unused).toEqual([])
  })

  it('should use no wildcard, no eviction and nothing cluster-wide on secrets or configmaps', () => {
    const g = grants()
    for (const { rule } of g) {
      expect([...rule.apiGroups, ...rule.resources, ...rule.verbs]).not.toContain('*')
      expect(rule.resources).not.toContain('pods/eviction')
    }
    expect(used.some((r) => r.subresource === 'eviction')).toBe(false)
    expect(g.filter((x) => x.namespace === null && x.rule.resources.some((r) => r === 'secrets' || r === 'configmaps'))).toEqual([])
  })

  it('should refuse what the rules do not grant (the checker itself can say no)', () => {
    const g = grants()
    const denied: ApiRequest[] = [
      { verb: 'create', group: 'policy', resource: 'pods', subresource: 'eviction', namespace: 'team-a', name: 'p' },
      { verb: 'get', group: '', resource: 'secrets', subresource: null, namespace: 'kube-system', name: 'bootstrap-token-abcdef' },
      { verb: 'create', group: '', resource: 'secrets', subresource: null, namespace: 'default', name: null },
      { verb: 'get', group: '', resource: 'configmaps', subresource: null, namespace: 'kube-public', name: 'other' },
      { verb: 'update', group: '', resource: 'nodes', subresource: null, namespace: null, name: 'gpu-1' },
      { verb: 'patch', group: '', resource: 'nodes', subresource: 'status', namespace: null, name: 'gpu-1' },
    ]
    for (const req of denied) expect(g.some((grant) => allows(grant, req)), JSON.stringify(req)).toBe(false)
  })
})
