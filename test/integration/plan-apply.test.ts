import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { code, startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'

const PLAN_FIELDS = `id kind status reason createdBy approvedBy appliedBy appliedAt nodes stale warnings diff
  changes { address node resource action before after applied error }
  impact { nodes gpus readySystemNodesAfter nodesReturningToService gpusReturningToService automaticallyRescheduled { namespace name kind gpus } manualRelocation { namespace name kind } }
  rollbackOf { id }`

const { operator, operator2, approver, viewer, admin } = TEST_TOKENS
// NoExecute taints get a timeAdded from the API server, as in a real cluster.
const DRAIN = expect.objectContaining({ key: 'runai', value: 'drain', effect: 'NoExecute' })

describe('plan, approve, apply and roll back over GraphQL against the simulated cluster', () => {
  let np: TestNodeplan
  let core: CoreV1Api

  const plan = async (mutation: string, input: Record<string, unknown>, token: string = operator) => {
    const res = await np.gql(`mutation($input: ${mutation === 'planRelabel' ? 'PlanRelabelInput' : 'PlanNodesInput'}!) { ${mutation}(input: $input) { ${PLAN_FIELDS} } }`, { input }, token)
    return { res, plan: res.data?.[mutation] }
  }
  const apply = (id: string, token: string = operator) => np.gql(`mutation($id: ID!) { applyPlan(id: $id) { ${PLAN_FIELDS} } }`, { id }, token)
  const approve = (id: string, token: string = approver) => np.gql(`mutation($id: ID!) { approvePlan(id: $id) { ${PLAN_FIELDS} } }`, { id }, token)
  const rollback = (planId: string, token: string = operator) =>
    np.gql(`mutation($planId: ID!) { planRollback(planId: $planId, reason: "undo") { ${PLAN_FIELDS} } }`, { planId }, token)
  const totalPlans = async () => (await np.gql(`{ plans(first: 1) { totalCount } }`, {}, viewer)).data.plans.totalCount as number
  const liveNode = async (name: string) => {
    const node = await core.readNode({ name })
    // Plain objects, so that toContainEqual compares values rather than V1Taint instances.
    return JSON.parse(JSON.stringify(node)) as typeof node
  }
  const addTaint = async (name: string, taint: { key: string; value?: string; effect: string }) => {
    const node = await liveNode(name)
    await core.patchNode(
      { name, body: [{ op: 'test', path: '/metadata/resourceVersion', value: node.metadata!.resourceVersion }, node.spec?.taints ? { op: 'add', path: '/spec/taints/-', value: taint } : { op: 'add', path: '/spec/taints', value: [taint] }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    )
  }

  beforeAll(async () => {
    np = await startTestNodeplan({ tokens: true })
    const kc = new KubeConfig()
    kc.loadFromString(np.sim.kubeconfig)
    core = kc.makeApiClient(CoreV1Api)
  })
  afterAll(async () => {
    await np?.close()
  })
  beforeEach(() => {
    np.sim.sim.setFaults({})
  })

  it('drains a GPU worker: the plan shows the diff and impact, apply taints it and training moves elsewhere', async () => {
    const { res, plan: drain } = await plan('planDrain', { nodes: ['gpu-1'], reason: 'CHG-1 replace PSU' })
    expect(res.errors).toBeUndefined()
    expect(drain).toMatchObject({ kind: 'DRAIN', status: 'PENDING', createdBy: 'operator', nodes: ['gpu-1'], stale: false })
    expect(drain.changes).toEqual([
      {
        address: 'node/gpu-1/taint/runai:NoExecute',
        node: 'gpu-1',
        resource: 'TAINT',
        action: 'CREATE',
        before: null,
        after: { key: 'runai', value: 'drain', effect: 'NoExecute' },
        applied: false,
        error: null,
      },
    ])
    expect(drain.diff).toContain('Plan: 1 to add, 0 to change, 0 to destroy.')
    expect(drain.impact.gpus).toBe(8)
    const podsBefore = (await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=gpu-1' })).items
    const trainingBefore = podsBefore.filter((p) => p.spec?.priorityClassName === 'train')
    expect(trainingBefore.length).toBeGreaterThan(0)
    expect(drain.impact.automaticallyRescheduled.some((w: any) => w.kind === 'TRAINING')).toBe(true)

    np.sim.sim.clearRequests()
    const applied = await apply(drain.id)
    expect(applied.errors).toBeUndefined()
    expect(applied.data.applyPlan).toMatchObject({ status: 'APPLIED', appliedBy: 'operator' })
    expect(applied.data.applyPlan.changes[0]).toMatchObject({ applied: true, error: null })
    // One round trip: the guarded patch is the freshness check, from the informer cache's state (no list, no read first).
    expect(np.sim.sim.requests().filter((r) => r.resource === 'nodes' && r.verb !== 'watch').map((r) => `${r.verb} ${r.name ?? ''} ${r.code}`)).toEqual(['patch gpu-1 200'])

    const node = await liveNode('gpu-1')
    expect(node.spec!.taints).toContainEqual(DRAIN)
    np.sim.sim.advance(60)
    const podsAfter = (await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=gpu-1' })).items
    expect(podsAfter.filter((p) => p.spec?.priorityClassName === 'train')).toEqual([])
    const all = (await core.listPodForAllNamespaces({})).items
    for (const pod of trainingBefore) {
      const owner = pod.metadata!.ownerReferences![0]!.name
      const moved = all.filter((p) => p.metadata!.ownerReferences?.[0]?.name === owner && p.spec?.priorityClassName === 'train')
      expect(moved.length, `training workload ${owner} is running again`).toBeGreaterThan(0)
      for (const p of moved) expect(p.spec!.nodeName ?? null).not.toBe('gpu-1')
    }
  })

  it('undrains the node again', async () => {
    const { plan: undrain } = await plan('planUndrain', { nodes: ['gpu-1'], reason: 'CHG-1 done' })
    expect(undrain.changes[0]).toMatchObject({ action: 'DELETE', before: { key: 'runai', value: 'drain', effect: 'NoExecute' }, after: null })
    expect(undrain.diff).toContain('# node/gpu-1 returns to service (drain taint removed)')
    expect(undrain.diff).toContain('Plan: 0 to add, 0 to change, 1 to remove, 0 to destroy. 1 node (8 GPUs) returns to service.')
    expect(undrain.impact).toMatchObject({ nodes: 0, gpus: 0, nodesReturningToService: 1, gpusReturningToService: 8 })
    const applied = await apply(undrain.id)
    expect(applied.data.applyPlan.status).toBe('APPLIED')
    expect((await liveNode('gpu-1')).spec!.taints ?? []).not.toContainEqual(DRAIN)
  })

  it('shows a plan for a node already drained as no changes', async () => {
    const { plan: first } = await plan('planDrain', { nodes: ['gpu-2'], reason: 'first' })
    await apply(first.id)
    const { plan: again } = await plan('planDrain', { nodes: ['gpu-2'], reason: 'again' })
    expect(again.changes.map((c: any) => c.action)).toEqual(['NO_OP'])
    expect(again.diff).toContain('No changes.')
    const { plan: back } = await plan('planUndrain', { nodes: ['gpu-2'], reason: 'back' })
    expect((await apply(back.id)).data.applyPlan.status).toBe('APPLIED')
  })

  it('keeps a concurrent writer\'s taint through apply and rollback', async () => {
    const { plan: drain } = await plan('planDrain', { nodes: ['gpu-3'], reason: 'with a neighbour' })
    await addTaint('gpu-3', { key: 'example.com/maintenance-window', value: 'tonight', effect: 'NoSchedule' })
    expect((await apply(drain.id)).data.applyPlan.status).toBe('APPLIED')
    let taints = (await liveNode('gpu-3')).spec!.taints!
    expect(taints).toContainEqual({ key: 'example.com/maintenance-window', value: 'tonight', effect: 'NoSchedule' })
    expect(taints).toContainEqual(DRAIN)

    await addTaint('gpu-3', { key: 'example.com/after-apply', effect: 'NoSchedule' })
    const undo = await rollback(drain.id)
    expect(undo.errors).toBeUndefined()
    expect(undo.data.planRollback).toMatchObject({ kind: 'ROLLBACK', rollbackOf: { id: drain.id } })
    expect(undo.data.planRollback.changes.map((c: any) => c.action)).toEqual(['DELETE'])
    expect((await apply(undo.data.planRollback.id)).data.applyPlan.status).toBe('APPLIED')
    taints = (await liveNode('gpu-3')).spec!.taints!
    expect(taints).toContainEqual({ key: 'example.com/maintenance-window', value: 'tonight', effect: 'NoSchedule' })
    expect(taints).toContainEqual({ key: 'example.com/after-apply', effect: 'NoSchedule' })
    expect(taints).not.toContainEqual(DRAIN)
  })

  it('designates a temporary system node with a relabel, and its rollback retires it', async () => {
    const { res, plan: relabel } = await plan('planRelabel', { node: 'cpu-1', roles: ['CPU_WORKER', 'SYSTEM'], reason: 'temporary system node' })
    expect(res.errors).toBeUndefined()
    expect(relabel.changes.filter((c: any) => c.action !== 'NO_OP')).toEqual([
      expect.objectContaining({ address: 'node/cpu-1/label/node-role.kubernetes.io/runai-system', action: 'CREATE', before: null, after: '' }),
    ])
    expect((await apply(relabel.id)).data.applyPlan.status).toBe('APPLIED')
    expect((await liveNode('cpu-1')).metadata!.labels).toHaveProperty(['node-role.kubernetes.io/runai-system'], '')
    const nodes = await np.gql(`{ nodes(filter: {roles: [SYSTEM]}) { name } }`, {}, viewer)
    expect(nodes.data.nodes.map((n: any) => n.name)).toEqual(['cpu-1', 'sys-1', 'sys-2'])

    const undo = (await rollback(relabel.id)).data.planRollback
    expect(undo.changes).toEqual([expect.objectContaining({ address: 'node/cpu-1/label/node-role.kubernetes.io/runai-system', action: 'DELETE', before: '', after: null })])
    expect((await apply(undo.id)).data.applyPlan.status).toBe('APPLIED')
    expect((await liveNode('cpu-1')).metadata!.labels).not.toHaveProperty(['node-role.kubernetes.io/runai-system'])
  })

  it('leaves a label alone in a rollback when somebody changed it since', async () => {
    const { plan: relabel } = await plan('planRelabel', { node: 'cpu-2', roles: ['CPU_WORKER', 'GPU_WORKER'], reason: 'try' })
    await apply(relabel.id)
    await core.patchNode(
      { name: 'cpu-2', body: { metadata: { labels: { 'node-role.kubernetes.io/runai-gpu-worker': 'changed-by-someone' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )
    const undo = (await rollback(relabel.id)).data.planRollback
    expect(undo.changes.map((c: any) => [c.address, c.action])).toEqual([['node/cpu-2/label/node-role.kubernetes.io/runai-gpu-worker', 'NO_OP']])
    expect(undo.warnings.join('\n')).toContain('node-role.kubernetes.io/runai-gpu-worker')
    await apply(undo.id)
    expect((await liveNode('cpu-2')).metadata!.labels!['node-role.kubernetes.io/runai-gpu-worker']).toBe('changed-by-someone')
  })

  it.each([
    ['an unknown node', { nodes: ['gpu-99'], reason: 'x' }, /gpu-99/],
    ['no nodes', { nodes: [], reason: 'x' }, /node/],
    ['a node twice', { nodes: ['gpu-4', 'gpu-4'], reason: 'x' }, /gpu-4/],
    ['a blank reason', { nodes: ['gpu-4'], reason: '   ' }, /reason/],
    ['an invalid node name', { nodes: ['GPU_4/../x'], reason: 'x' }, /GPU_4/],
  ])('refuses a drain of %s with BAD_USER_INPUT and stores nothing', async (_name, input, message) => {
    const before = await totalPlans()
    const { res } = await plan('planDrain', input)
    expect(code(res)).toBe('BAD_USER_INPUT')
    expect(res.errors![0]!.message).toMatch(message)
    expect(await totalPlans()).toBe(before)
  })

  it('refuses to drain the last Ready system nodes and says how to proceed', async () => {
    const before = await totalPlans()
    const { res } = await plan('planDrain', { nodes: ['sys-1', 'sys-2'], reason: 'both' })
    expect(code(res)).toBe('LAST_SYSTEM_NODE')
    expect(res.errors![0]!.message).toMatch(/planRelabel/)
    expect(await totalPlans()).toBe(before)
  })

  it('refuses a plan whose node changed since it was computed, naming node and field', async () => {
    const { plan: drain } = await plan('planDrain', { nodes: ['gpu-4'], reason: 'stale soon' })
    await addTaint('gpu-4', { key: 'runai', value: 'drain', effect: 'NoExecute' })
    const stale = await np.gql(`{ plan(id: "${drain.id}") { stale } }`, {}, viewer)
    expect(stale.data.plan.stale).toBe(true)
    const res = await apply(drain.id)
    expect(code(res)).toBe('PLAN_STALE')
    expect(res.errors![0]!.message).toMatch(/gpu-4/)
    expect(res.errors![0]!.message).toMatch(/taint runai:NoExecute/)
    const after = await np.gql(`{ plan(id: "${drain.id}") { status } }`, {}, viewer)
    expect(after.data.plan.status).toBe('PENDING')
  })

  it('refuses applying a plan twice', async () => {
    const { plan: drain } = await plan('planDrain', { nodes: ['gpu-5'], reason: 'once' })
    expect((await apply(drain.id)).data.applyPlan.status).toBe('APPLIED')
    const again = await apply(drain.id)
    expect(code(again)).toBe('PLAN_NOT_APPLICABLE')
    const { plan: back } = await plan('planUndrain', { nodes: ['gpu-5'], reason: 'back' })
    await apply(back.id)
  })

  it('applies a plan exactly once when two applyPlan calls race', async () => {
    const { plan: drain } = await plan('planDrain', { nodes: ['gpu-6'], reason: 'race' })
    np.sim.sim.setFaults({ latencyMs: 50 })
    const results = await Promise.all([apply(drain.id), apply(drain.id)])
    const ok = results.filter((r) => !r.errors)
    const refused = results.filter((r) => r.errors)
    expect(ok).toHaveLength(1)
    expect(refused.map(code)).toEqual(['PLAN_NOT_APPLICABLE'])
    const events = await np.gql(`{ auditEvents(filter: {planId: "${drain.id}", action: "change.applied"}) { totalCount } }`, {}, viewer)
    expect(events.data.auditEvents.totalCount).toBe(1)
  })

  it('refuses a second plan on a node while another is applying, with LOCKED', async () => {
    const { plan: undrain } = await plan('planUndrain', { nodes: ['gpu-6'], reason: 'first writer' })
    const { plan: relabel } = await plan('planRelabel', { node: 'gpu-6', roles: ['GPU_WORKER', 'SYSTEM'], reason: 'second writer' })
    // Slow the write to the node, not the list each apply re-reads its nodes with first: the first
    // apply holds its locks while the second one gets to them.
    np.sim.sim.setFaults({ latencyMs: 400, paths: '^/api/v1/nodes/' })
    const first = apply(undrain.id)
    let second
    for (let i = 0; i < 200; i++) {
      const status = (await np.gql(`{ plan(id: "${undrain.id}") { status } }`, {}, viewer)).data.plan.status
      if (status === 'APPLYING') {
        second = await apply(relabel.id)
        break
      }
    }
    expect(second && code(second)).toBe('LOCKED')
    expect(second!.errors![0]!.message).toContain(undrain.id)
    expect((await first).data.applyPlan.status).toBe('APPLIED')
    np.sim.sim.setFaults({})
    expect((await apply(relabel.id)).data.applyPlan.status).toBe('APPLIED')
  })

  it('requires approval by someone else for a decommission, per the default policy', async () => {
    const { plan: decommission } = await plan('planDecommission', { nodes: ['gpu-5'], reason: 'end of life' })
    expect(decommission.changes.map((c: any) => [c.resource, c.action])).toEqual([
      ['TAINT', 'CREATE'],
      ['NODE', 'DELETE'],
    ])
    expect(code(await apply(decommission.id))).toBe('APPROVAL_REQUIRED')
    expect(code(await approve(decommission.id, operator))).toBe('FORBIDDEN')
    const own = await plan('planDecommission', { nodes: ['gpu-4'], reason: 'mine' }, admin)
    expect(code(await approve(own.plan.id, admin))).toBe('FORBIDDEN')
    const approved = await approve(decommission.id)
    expect(approved.data.approvePlan).toMatchObject({ status: 'APPROVED', approvedBy: 'approver' })
    const discarded = await np.gql(`mutation { discardPlan(id: "${own.plan.id}") { status } }`, {}, operator2)
    expect(discarded.data.discardPlan.status).toBe('DISCARDED')
    expect(code(await apply(own.plan.id))).toBe('PLAN_NOT_APPLICABLE')
  })

  it('answers audit queries by node, plan, actor, action and time, newest first, in pages', async () => {
    const all = await np.gql(`{ auditEvents(first: 500) { totalCount edges { cursor node { id at actor action planId node detail } } } }`, {}, viewer)
    const events = all.data.auditEvents.edges.map((e: any) => e.node)
    expect(events.length).toBeGreaterThan(10)
    const times = events.map((e: any) => Date.parse(e.at))
    expect([...times].sort((a, b) => b - a)).toEqual(times)

    const byNode = await np.gql(`{ auditEvents(filter: {node: "gpu-3"}) { edges { node { node action } } } }`, {}, viewer)
    expect(byNode.data.auditEvents.edges.length).toBeGreaterThan(0)
    expect(byNode.data.auditEvents.edges.every((e: any) => e.node.node === 'gpu-3')).toBe(true)
    expect(byNode.data.auditEvents.edges.map((e: any) => e.node.action)).toContain('change.applied')

    const someone = events.find((e: any) => e.actor === 'approver')
    const byActor = await np.gql(`{ auditEvents(filter: {actor: "approver"}) { edges { node { actor action } } } }`, {}, viewer)
    expect(someone).toBeDefined()
    expect(byActor.data.auditEvents.edges.map((e: any) => e.node.actor)).toEqual(expect.arrayContaining(['approver']))
    expect(new Set(byActor.data.auditEvents.edges.map((e: any) => e.node.actor))).toEqual(new Set(['approver']))

    const planId = events.find((e: any) => e.action === 'plan.applied').planId
    const byPlan = await np.gql(`{ auditEvents(filter: {planId: "${planId}"}) { edges { node { action } } } }`, {}, viewer)
    expect(byPlan.data.auditEvents.edges.map((e: any) => e.node.action).reverse()).toEqual(['plan.created', 'plan.applying', 'change.applied', 'plan.applied'])

    const middle = events[Math.floor(events.length / 2)]
    const window = await np.gql(`query($s: DateTime, $u: DateTime) { auditEvents(filter: {since: $s, until: $u}, first: 500) { edges { node { at } } } }`, { s: middle.at, u: events[0].at }, viewer)
    for (const e of window.data.auditEvents.edges) {
      expect(Date.parse(e.node.at)).toBeGreaterThanOrEqual(Date.parse(middle.at))
      expect(Date.parse(e.node.at)).toBeLessThanOrEqual(Date.parse(events[0].at))
    }

    const page1 = await np.gql(`{ auditEvents(first: 3) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`, {}, viewer)
    expect(page1.data.auditEvents.pageInfo.hasNextPage).toBe(true)
    const page2 = await np.gql(`query($a: String) { auditEvents(first: 3, after: $a) { edges { node { id } } } }`, { a: page1.data.auditEvents.pageInfo.endCursor }, viewer)
    expect([...page1.data.auditEvents.edges, ...page2.data.auditEvents.edges].map((e: any) => e.node.id)).toEqual(events.slice(0, 6).map((e: any) => e.id))
  })

  it('lists plans by status and node, and a node\'s plans newest first', async () => {
    const applied = await np.gql(`{ plans(status: [APPLIED], node: "gpu-3", first: 50) { totalCount edges { node { kind status nodes } } } }`, {}, viewer)
    expect(applied.data.plans.edges.map((e: any) => e.node.kind)).toEqual(['ROLLBACK', 'DRAIN'])
    const node = await np.gql(`{ node(name: "gpu-3") { plans(first: 1) { kind } } }`, {}, viewer)
    expect(node.data.node.plans).toEqual([{ kind: 'ROLLBACK' }])
  })
})
