// One nodeplan serving three simulated clusters through a clusters file; one of them stops
// answering for a while and comes back.
import { createClient } from 'graphql-ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { RESOURCES } from '../../src/simulator/resources.js'
import { eventually } from '../support/eventually.js'
import { code } from '../support/graphql-client.js'
import { startTestFleet, type TestFleet } from '../support/fleet.js'
import { TEST_TOKENS } from '../support/nodeplan.js'

const CLUSTERS = ['train-eu', 'train-us', 'infer']
const DRAIN = `mutation($n: [String!]!, $c: String) { planDrain(input: {nodes: $n, reason: "fleet", cluster: $c}) { id cluster status } }`

describe('a fleet of three clusters', () => {
  let fleet: TestFleet
  const admin = (query: string, variables?: Record<string, unknown>) => fleet.gql(query, variables, TEST_TOKENS.admin)

  beforeAll(async () => {
    fleet = await startTestFleet(CLUSTERS, { simulator: { systemNodes: 2, gpuNodes: 4, cpuNodes: 1 } })
  })
  afterAll(async () => {
    await fleet?.close()
  })

  it('lists the clusters in the file\'s order, each from its own cache', async () => {
    const res = await admin(`{ clusters { name reachable lastSyncedAt kubernetesVersion nodes nodesByRole { role nodes } ready notReady draining gpus gpusInService gpusOutOfService plansAwaitingApproval warnings } }`)
    expect(res.errors).toBeUndefined()
    const clusters = res.data.clusters
    expect(clusters.map((c: { name: string }) => c.name)).toEqual(CLUSTERS)
    for (const c of clusters) {
      expect(c).toMatchObject({ reachable: true, nodes: 7, gpus: 32, draining: 0, plansAwaitingApproval: 0 })
      expect(c.kubernetesVersion).toMatch(/^v1\./)
      expect(c.lastSyncedAt).not.toBeNull()
      expect(c.nodesByRole).toEqual([{ role: 'SYSTEM', nodes: 2 }, { role: 'GPU_WORKER', nodes: 4 }, { role: 'CPU_WORKER', nodes: 1 }])
    }
  })

  it('spans every cluster in nodes without a cluster, one cluster with it, and asks which one for node(name)', async () => {
    const all = await admin(`{ nodes { name cluster } }`)
    expect(all.data.nodes).toHaveLength(21)
    expect([...new Set(all.data.nodes.map((n: { cluster: string }) => n.cluster))]).toEqual(CLUSTERS)
    const one = await admin(`{ nodes(cluster: "train-us") { name cluster } }`)
    expect(one.data.nodes).toHaveLength(7)
    expect(one.data.nodes.every((n: { cluster: string }) => n.cluster === 'train-us')).toBe(true)

    const ambiguous = await admin(`{ node(name: "gpu-1") { name } }`)
    expect(code(ambiguous)).toBe('BAD_USER_INPUT')
    expect(ambiguous.errors![0]!.message).toContain('train-eu, train-us, infer')
    const unknown = await admin(`{ node(name: "gpu-1", cluster: "nowhere") { name } }`)
    expect(code(unknown)).toBe('BAD_USER_INPUT')
    expect(unknown.errors![0]!.message).toContain('unknown cluster "nowhere"')
    const found = await admin(`{ node(name: "gpu-1", cluster: "infer") { name cluster } }`)
    expect(found.data.node).toEqual({ name: 'gpu-1', cluster: 'infer' })
  })

  it('plans, applies and audits in the named cluster only', async () => {
    const noCluster = await fleet.gql(DRAIN, { n: ['gpu-1'] }, TEST_TOKENS.operator)
    expect(code(noCluster)).toBe('BAD_USER_INPUT')
    expect(noCluster.errors![0]!.message).toMatch(/give the cluster/)

    const planned = await fleet.gql(DRAIN, { n: ['gpu-1'], c: 'train-us' }, TEST_TOKENS.operator)
    expect(planned.errors).toBeUndefined()
    expect(planned.data.planDrain).toMatchObject({ cluster: 'train-us', status: 'PENDING' })
    const applied = await fleet.gql(`mutation($id: ID!) { applyPlan(id: $id) { status cluster } }`, { id: planned.data.planDrain.id }, TEST_TOKENS.operator)
    expect(applied.data.applyPlan).toEqual({ status: 'APPLIED', cluster: 'train-us' })

    const drained = (name: string) => {
      const node = fleet.sims[name]!.sim.store(RESOURCES.find((r) => r.kind === 'Node')!).get(undefined, 'gpu-1') as { spec?: { taints?: { key: string; effect: string }[] } }
      return node.spec?.taints?.some((t) => t.key === 'runai' && t.effect === 'NoExecute') ?? false
    }
    expect(drained('train-us')).toBe(true)
    expect(drained('train-eu')).toBe(false)
    expect(drained('infer')).toBe(false)

    const plans = await admin(`{ a: plans(cluster: "train-us") { totalCount } b: plans(cluster: "train-eu") { totalCount } all: plans { totalCount } }`)
    expect([plans.data.a.totalCount, plans.data.b.totalCount, plans.data.all.totalCount]).toEqual([1, 0, 1])

    const audit = await admin(`{ us: auditEvents(filter: {cluster: "train-us"}) { edges { node { action cluster } } } eu: auditEvents(filter: {cluster: "train-eu"}) { totalCount } }`)
    const actions = audit.data.us.edges.map((e: { node: { action: string } }) => e.node.action)
    expect(actions).toEqual(expect.arrayContaining(['plan.created', 'plan.applying', 'plan.applied']))
    expect(audit.data.us.edges.every((e: { node: { cluster: string } }) => e.node.cluster === 'train-us')).toBe(true)
    expect(audit.data.eu.totalCount).toBe(0)
    const verified = await admin(`{ verifyAuditTrail { ok } }`)
    expect(verified.data.verifyAuditTrail.ok).toBe(true)
  })

  it('calls a cluster unreachable only when it fails to answer twice in a row', async () => {
    const infer = fleet.sims['infer']!.sim
    const reachable = async () => (await admin(`{ clusters { name reachable } }`)).data.clusters.find((c: { name: string }) => c.name === 'infer').reachable
    infer.setFaults({ errorRate: 1, errorStatus: 503, paths: '^/version$', times: 1 })
    await fleet.checkContact()
    expect(infer.faults()).toBeNull()
    expect(await reachable()).toBe(true)
    expect(fleet.logs.some((l) => l.includes('cluster \\"infer\\" is unreachable'))).toBe(false)

    infer.setFaults({ errorRate: 1, errorStatus: 503, paths: '^/version$', times: 2 })
    await fleet.checkContact()
    expect(await reachable()).toBe(false)
    expect(fleet.logs.filter((l) => l.includes('cluster \\"infer\\" is unreachable'))).toHaveLength(1)
    await fleet.checkContact()
    expect(await reachable()).toBe(true)
  })

  it('keeps serving the others while one cluster does not answer, refuses plans for it, and recovers', async () => {
    await fleet.sims['infer']!.goDown('refuse')
    await fleet.checkContact()

    const res = await admin(`{ clusters { name reachable lastSyncedAt warnings } }`)
    const infer = res.data.clusters.find((c: { name: string }) => c.name === 'infer')
    expect(infer.reachable).toBe(false)
    expect(infer.lastSyncedAt).not.toBeNull()
    expect(infer.warnings.join(' ')).toMatch(/unreachable: what is shown is as of/)
    expect(res.data.clusters.filter((c: { reachable: boolean }) => c.reachable).map((c: { name: string }) => c.name)).toEqual(['train-eu', 'train-us'])

    const refused = await fleet.gql(DRAIN, { n: ['gpu-3'], c: 'infer' }, TEST_TOKENS.operator)
    expect(code(refused)).toBe('KUBERNETES_UNAVAILABLE')
    expect(refused.errors![0]!.extensions!.cluster).toBe('infer')
    const before = await admin(`{ plans(cluster: "infer") { totalCount } }`)
    expect(before.data.plans.totalCount).toBe(0)

    // What is known of it is still shown, saying so; the other clusters plan as before.
    const known = await admin(`{ nodes(cluster: "infer") { name } }`)
    expect(known.data.nodes).toHaveLength(7)
    expect(known.extensions?.unreachableClusters).toEqual([{ name: 'infer', lastSyncedAt: infer.lastSyncedAt }])
    expect((await admin(`{ nodes(cluster: "train-eu") { name } }`)).extensions?.unreachableClusters).toBeUndefined()
    const other = await fleet.gql(DRAIN, { n: ['gpu-3'], c: 'train-eu' }, TEST_TOKENS.operator)
    expect(other.data.planDrain).toMatchObject({ cluster: 'train-eu', status: 'PENDING' })

    const ready = await fetch(`${fleet.url}/readyz`)
    expect(ready.status).toBe(200)
    const body = (await ready.json()) as { checks: Record<string, string> }
    expect(body.checks).toMatchObject({ 'cluster:train-eu': 'ok', 'cluster:train-us': 'ok', 'cluster:infer': 'unreachable', clusters: 'ok' })

    await fleet.sims['infer']!.comeBack()
    await fleet.checkContact()
    const back = await fleet.gql(DRAIN, { n: ['gpu-3'], c: 'infer' }, TEST_TOKENS.operator)
    expect(back.data.planDrain).toMatchObject({ cluster: 'infer', status: 'PENDING' })
    expect(((await (await fetch(`${fleet.url}/readyz`)).json()) as { checks: Record<string, string> }).checks['cluster:infer']).toBe('ok')
  })

  it('does not wait on a cluster whose API server accepts connections and never answers', async () => {
    await fleet.sims['train-us']!.goDown('hang')
    const others = await Promise.all([
      admin(`{ nodes { cluster } clusters { name } }`),
      fleet.gql(DRAIN, { n: ['gpu-2'], c: 'train-eu' }, TEST_TOKENS.operator),
      fetch(`${fleet.url}/readyz`).then((r) => r.status),
    ])
    expect(others[0].data.clusters).toHaveLength(3)
    expect(others[1].data.planDrain).toMatchObject({ cluster: 'train-eu', status: 'PENDING' })
    expect(others[2]).toBe(200)
    // Its contact check gives up on its own; from then on plans for it are refused at once.
    await fleet.checkContact()
    expect(code(await fleet.gql(DRAIN, { n: ['gpu-2'], c: 'train-us' }, TEST_TOKENS.operator))).toBe('KUBERNETES_UNAVAILABLE')
    await fleet.sims['train-us']!.comeBack()
    await fleet.checkContact()
    expect((await admin(`{ clusters { reachable } }`)).data.clusters.map((c: { reachable: boolean }) => c.reachable)).toEqual([true, true, true])
  })

  it('limits a token to its clusters', async () => {
    const token = fleet.tokens['train-eu-operator']!.token
    const me = await fleet.gql(`{ me { subject clusters } clusters { name } nodes { cluster } }`, {}, token)
    expect(me.data.me).toEqual({ subject: 'train-eu-operator', clusters: ['train-eu'] })
    expect(me.data.clusters.map((c: { name: string }) => c.name)).toEqual(['train-eu'])
    expect(new Set(me.data.nodes.map((n: { cluster: string }) => n.cluster))).toEqual(new Set(['train-eu']))
    expect((await fleet.gql(`{ me { clusters } }`, {}, TEST_TOKENS.viewer)).data.me.clusters).toBeNull()

    // A token limited to a cluster the server does not serve reaches none, and the log said so at start.
    const retired = await fleet.gql(`{ me { clusters } clusters { name } nodes { cluster } }`, {}, fleet.tokens['retired-operator']!.token)
    expect(retired.data).toEqual({ me: { clusters: [] }, clusters: [], nodes: [] })
    const warned = fleet.logs.map((l) => JSON.parse(l)).filter((l) => l.msg.startsWith('the tokens file names clusters this server does not serve'))
    expect(warned).toEqual([expect.objectContaining({ level: 'warn', clusters: ['retired'], served: CLUSTERS })])

    // Several clusters in the file: the cluster is named even by a token limited to one.
    expect(code(await fleet.gql(DRAIN, { n: ['gpu-4'] }, token))).toBe('BAD_USER_INPUT')
    const own = await fleet.gql(DRAIN, { n: ['gpu-4'], c: 'train-eu' }, token)
    expect(own.data.planDrain).toMatchObject({ cluster: 'train-eu' })
    const other = await fleet.gql(DRAIN, { n: ['gpu-4'], c: 'train-us' }, token)
    expect(code(other)).toBe('FORBIDDEN')

    const usPlan = (await admin(`{ plans(cluster: "train-us") { edges { node { id } } } }`)).data.plans.edges[0].node.id
    expect((await fleet.gql(`query($id: ID!) { plan(id: $id) { id } }`, { id: usPlan }, token)).data.plan).toBeNull()
    expect(code(await fleet.gql(`mutation($id: ID!) { discardPlan(id: $id) { id } }`, { id: usPlan }, token))).toBe('FORBIDDEN')
    // Nor can its apply be followed: the plan is not there for this token.
    const ws = createClient({ url: fleet.url.replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${token}` }, retryAttempts: 0 })
    const followed = await new Promise<unknown>((resolve) => {
      ws.subscribe({ query: `subscription($id: ID!) { planProgress(id: $id) { index } }`, variables: { id: usPlan } }, {
        next: (value) => resolve(value.errors?.[0]?.extensions?.code ?? 'data'),
        error: (error) => resolve(error),
        complete: () => resolve('complete'),
      })
    })
    await ws.dispose()
    expect(followed).toBe('NOT_FOUND')
    const events = await fleet.gql(`{ auditEvents(first: 500) { edges { node { cluster } } } }`, {}, token)
    const seen = new Set(events.data.auditEvents.edges.map((e: { node: { cluster: string | null } }) => e.node.cluster))
    expect([...seen].filter((c) => c !== null)).toEqual(['train-eu'])
    expect(code(await fleet.gql(`{ auditEvents(filter: {cluster: "train-us"}) { totalCount } }`, {}, token))).toBe('FORBIDDEN')
  })

  it('runs a rollout on the cluster it names, by that cluster\'s runner, seen only by tokens that cover it', async () => {
    const fields = 'id cluster status waitingFor waves { nodes { name stage } plans { kind cluster status } }'
    const planned = await admin(`mutation { planRollout(input: {nodes: ["gpu-2"], reason: "fleet rollout", cluster: "infer"}) { ${fields} } }`)
    expect(planned.errors).toBeUndefined()
    const id = planned.data.planRollout.id as string
    expect(planned.data.planRollout).toMatchObject({ cluster: 'infer', status: 'PENDING' })
    expect((await admin(`mutation($id: ID!) { startRollout(id: $id) { status } }`, { id })).data.startRollout.status).toBe('SCHEDULED')

    // Its cluster's runner drives it (startRollout prompted it; a pass more changes nothing): gpu-2 of infer is drained, of no other cluster.
    const runner = fleet.app.fleet.clusters.find((c) => c.name === 'infer')!.rolloutRunner
    await eventually(async () => {
      await runner.tick()
      const rollout = (await admin(`query($id: ID!) { rollout(id: $id) { ${fields} } }`, { id })).data.rollout
      expect(rollout.waves[0].nodes[0].stage).toBe('IN_MAINTENANCE')
      expect(rollout.waves[0].plans).toEqual([{ kind: 'DRAIN', cluster: 'infer', status: 'APPLIED' }])
    })
    const taints = (name: string) => fleet.sims[name]!.sim.state().nodes.find((n) => n.name === 'gpu-2')!.taints.map((t) => `${t.key}:${t.effect}`)
    expect(taints('infer')).toContain('runai:NoExecute')
    expect(taints('train-eu')).not.toContain('runai:NoExecute')

    const listed = async (token: string, cluster?: string) =>
      ((await fleet.gql(`query($c: String) { rollouts(cluster: $c) { edges { node { id } } } }`, { c: cluster }, token)).data?.rollouts.edges ?? []).map((e: { node: { id: string } }) => e.node.id)
    expect(await listed(TEST_TOKENS.viewer)).toContain(id)
    expect(await listed(TEST_TOKENS.viewer, 'train-eu')).not.toContain(id)
    expect(await listed(fleet.tokens['infer-operator']!.token)).toContain(id)
    expect(await listed(fleet.tokens['train-eu-operator']!.token)).not.toContain(id)
    const events = await admin(`query($id: ID!) { auditEvents(filter: {planId: $id}, first: 50) { edges { node { action cluster } } } }`, { id })
    expect(new Set(events.data.auditEvents.edges.map((e: { node: { cluster: string } }) => e.node.cluster))).toEqual(new Set(['infer']))
    expect(code(await fleet.gql(`mutation($id: ID!) { pauseRollout(id: $id) { status } }`, { id }, fleet.tokens['train-eu-operator']!.token))).toBe('FORBIDDEN')
    expect((await admin(`mutation($id: ID!) { abortRollout(id: $id, reason: "done looking") { status leftDrained } }`, { id })).data.abortRollout).toEqual({ status: 'ABORTED', leftDrained: ['gpu-2'] })
  })

  it('labels metrics with the cluster', async () => {
    const text = await (await fetch(`${fleet.url}/metrics`)).text()
    for (const name of CLUSTERS) expect(text).toMatch(new RegExp(`^nodeplan_gpus\\{state="in_service",cluster="${name}"\\} \\d+$`, 'm'))
    expect(text).toMatch(/^nodeplan_plans_total\{kind="DRAIN",status="APPLIED",cluster="train-us"\} 1$/m)
    expect(text).toMatch(/^nodeplan_leader\{cluster="infer"\} 1$/m)
  })
})
