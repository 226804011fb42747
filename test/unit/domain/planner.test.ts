import { describe, expect, it } from 'vitest'
import { DRAIN_TAINT, type ClusterSnapshot } from '../../../src/domain/cluster.js'
import type { ErrorCode } from '../../../src/domain/errors.js'
import type { PlanDraft } from '../../../src/domain/plan.js'
import { planDecommission, planDrain, planRejoin, planRelabel, planUndrain } from '../../../src/domain/planner.js'
import { buildNode, buildPdb, buildPod, buildSnapshot, refusal } from '../../factories.js'

const SYSTEM = 'node-role.kubernetes.io/runai-system'
const GPU = 'node-role.kubernetes.io/runai-gpu-worker'
const CPU = 'node-role.kubernetes.io/runai-cpu-worker'
const by = { reason: 'kernel upgrade', createdBy: 'alice' }

/** Two system nodes, GPU workers (gpu-2 drained, gpu-3 NotReady, gpu-4 with 4 free GPUs), a CPU worker, and a mix of workloads on gpu-1. */
function cluster(): ClusterSnapshot {
  return buildSnapshot(
    [
      buildNode('sys-1', { roles: ['SYSTEM'] }),
      buildNode('sys-2', { roles: ['SYSTEM'] }),
      buildNode('gpu-1', { extraLabels: { 'topology.kubernetes.io/zone': 'z1', 'beta.kubernetes.io/arch': 'amd64', 'node.kubernetes.io/instance-type': 'p4d', team: 'vision' } }),
      buildNode('gpu-2', { drained: true }),
      buildNode('gpu-3', { ready: false, notReadySince: '2026-01-01T08:00:00Z' }),
      buildNode('cpu-1', { roles: ['CPU_WORKER'] }),
      buildNode('gpu-4'),
    ],
    [
      buildPod('bert-0', { nodeName: 'gpu-1', owner: { kind: 'TrainingWorkload', name: 'bert' }, priorityClassName: 'train', gpus: 2, labels: { project: 'team-a' } }),
      buildPod('bert-1', { nodeName: 'gpu-1', owner: { kind: 'TrainingWorkload', name: 'bert' }, priorityClassName: 'train', gpus: 2, labels: { project: 'team-a' } }),
      buildPod('jupyter-0', { nodeName: 'gpu-1', owner: { kind: 'InteractiveWorkload', name: 'jupyter' }, priorityClassName: 'interactive-preemptible', gpus: 1, labels: { project: 'team-b' } }),
      buildPod('web-5f7b9-x', { nodeName: 'gpu-1', owner: { kind: 'ReplicaSet', name: 'web-5f7b9' }, labels: { app: 'web', 'pod-template-hash': '5f7b9' }, gpus: 1 }),
      buildPod('dcgm-x', { namespace: 'gpu-operator', nodeName: 'gpu-1', owner: { kind: 'DaemonSet', name: 'dcgm' } }),
      buildPod('other-0', { nodeName: 'gpu-2', priorityClassName: 'train', gpus: 8 }),
      buildPod('busy-0', { nodeName: 'gpu-3', owner: { kind: 'Job', name: 'busy' }, gpus: 8 }),
      buildPod('small-0', { nodeName: 'gpu-4', owner: { kind: 'Job', name: 'small' }, gpus: 4 }),
    ],
    [buildPdb('web', { selector: { matchLabels: { app: 'web' } } })],
  )
}

describe('planDrain', () => {
  it('taints a node, lists its evicted workloads by relocation, and warns', () => {
    const draft = planDrain(cluster(), { nodes: ['gpu-1'], ...by })
    expect(draft).toMatchObject({ kind: 'DRAIN', reason: 'kernel upgrade', createdBy: 'alice', nodes: ['gpu-1'], rollbackOf: null })
    expect(draft.changes).toEqual([
      { address: 'node/gpu-1/taint/runai:NoExecute', node: 'gpu-1', resource: 'TAINT', target: { node: 'gpu-1', key: 'runai', effect: 'NoExecute' }, action: 'CREATE', before: null, after: DRAIN_TAINT, reason: 'REQUESTED' },
    ])
    expect(draft.impact).toEqual({
      nodes: 1,
      gpus: 8,
      automaticallyRescheduled: [
        { namespace: 'runai-team-a', name: 'bert', kind: 'TRAINING', relocation: 'AUTOMATIC', project: 'team-a', gpus: 4, pods: 2 },
        { namespace: 'runai-team-a', name: 'web', kind: 'INFERENCE', relocation: 'AUTOMATIC', project: null, gpus: 1, pods: 1 },
      ],
      manualRelocation: [{ namespace: 'runai-team-a', name: 'jupyter', kind: 'INTERACTIVE', relocation: 'MANUAL', project: 'team-b', gpus: 1, pods: 1 }],
      readySystemNodesAfter: 2,
      nodesReturningToService: 0,
      gpusReturningToService: 0,
    })
    expect(draft.warnings).toEqual([
      'PodDisruptionBudget runai-team-a/web covers 1 pod of runai-team-a/web that the taint evicts without consulting it (the taint manager deletes pods directly)',
      '1 workload will be killed and must be resubmitted by hand (interactive and build sessions are not rescheduled): runai-team-a/jupyter (INTERACTIVE)',
    ])
    expect(draft.inputs).toEqual([
      { node: 'gpu-1', exists: true, uid: 'uid-gpu-1', taintIds: ['runai:NoExecute'], taints: [], labelKeys: [], labels: { [GPU]: '' } },
    ])
  })

  type Case = { name: string; nodes: string[]; check: (d: PlanDraft) => void }
  const cases: Case[] = [
    {
      name: 'an already drained node is a NO_OP that takes nothing out of service',
      nodes: ['gpu-2'],
      check: (d) => {
        expect(d.changes).toEqual([{ address: 'node/gpu-2/taint/runai:NoExecute', node: 'gpu-2', resource: 'TAINT', target: { node: 'gpu-2', key: 'runai', effect: 'NoExecute' }, action: 'NO_OP', before: DRAIN_TAINT, after: DRAIN_TAINT, reason: 'ALREADY_DONE' }])
        expect(d.impact).toMatchObject({ nodes: 0, gpus: 0, automaticallyRescheduled: [], manualRelocation: [] })
        expect(d.inputs[0]!.taints).toEqual([DRAIN_TAINT])
      },
    },
    {
      name: 'a NotReady node is drained with a warning naming since when',
      nodes: ['gpu-3'],
      check: (d) => {
        expect(d.changes[0]!.action).toBe('CREATE')
        expect(d.warnings).toContain('node gpu-3 is NotReady since 2026-01-01T08:00:00Z')
        expect(d.impact.automaticallyRescheduled.map((w) => w.name)).toEqual(['busy'])
      },
    },
    {
      name: 'nodes keep the request order',
      nodes: ['gpu-3', 'cpu-1', 'gpu-1'],
      check: (d) => {
        expect(d.nodes).toEqual(['gpu-3', 'cpu-1', 'gpu-1'])
        expect(d.changes.map((c) => c.node)).toEqual(['gpu-3', 'cpu-1', 'gpu-1'])
        expect(d.inputs.map((i) => i.node)).toEqual(['gpu-3', 'cpu-1', 'gpu-1'])
        expect(d.impact).toMatchObject({ nodes: 3, gpus: 16 })
      },
    },
    {
      name: 'draining one of two system nodes warns that one remains',
      nodes: ['sys-1'],
      check: (d) => {
        expect(d.impact.readySystemNodesAfter).toBe(1)
        expect(d.warnings).toContain(
          'only 1 Ready Run:ai system node remains after this plan; the procedure recommends more than one: designate a temporary system node with nodeplan plan relabel NODE --roles …,system (planRelabel)',
        )
      },
    },
    {
      name: 'training that cannot fit elsewhere will wait in its queue',
      nodes: ['gpu-1', 'gpu-4'],
      check: (d) => {
        // gpu-2 is drained, gpu-3 NotReady: nowhere for bert's 4 and small's 4 GPUs.
        expect(d.warnings).toContain('training workloads need 8 GPUs but only 0 are free on other nodes: some will wait in their queue until GPUs free up')
      },
    },
  ]
  it.each(cases)('$name', ({ nodes, check }) => check(planDrain(cluster(), { nodes, ...by })))

  it('marks changes of a drain proposed for unplanned downtime', () => {
    const draft = planDrain(cluster(), { nodes: ['gpu-3'], ...by, createdBy: 'system', changeReason: 'UNPLANNED_DOWNTIME' })
    expect(draft.changes[0]).toMatchObject({ action: 'CREATE', reason: 'UNPLANNED_DOWNTIME' })
  })

  it('counts a system node designated by an applied relabel (a live label)', () => {
    const snapshot = cluster()
    snapshot.nodes = snapshot.nodes.map((n) => (n.name === 'gpu-1' ? { ...n, labels: { ...n.labels, [SYSTEM]: '' } } : n))
    expect(planDrain(snapshot, { nodes: ['sys-1', 'sys-2'], ...by }).impact.readySystemNodesAfter).toBe(1)
  })
})

describe('refusals', () => {
  const withSys2Drained = (): ClusterSnapshot => {
    const snapshot = cluster()
    snapshot.nodes = snapshot.nodes.map((n) => (n.name === 'sys-2' ? { ...n, taints: [DRAIN_TAINT] } : n))
    return snapshot
  }
  const cases: { name: string; run: () => unknown; code: ErrorCode; message: RegExp }[] = [
    { name: 'drain of no node', run: () => planDrain(cluster(), { nodes: [], ...by }), code: 'BAD_USER_INPUT', message: /nodes: name at least one node/ },
    { name: 'drain of an unknown node', run: () => planDrain(cluster(), { nodes: ['gpu-9'], ...by }), code: 'BAD_USER_INPUT', message: /no node "gpu-9"/ },
    { name: 'drain naming a node twice', run: () => planDrain(cluster(), { nodes: ['gpu-1', 'gpu-1'], ...by }), code: 'BAD_USER_INPUT', message: /"gpu-1" is named twice/ },
    { name: 'drain with a blank reason', run: () => planDrain(cluster(), { nodes: ['gpu-1'], reason: ' ', createdBy: 'a' }), code: 'BAD_USER_INPUT', message: /reason/ },
    { name: 'undrain of an unknown node', run: () => planUndrain(cluster(), { nodes: ['nope'], ...by }), code: 'BAD_USER_INPUT', message: /no node "nope"/ },
    { name: 'decommission with a too long reason', run: () => planDecommission(cluster(), { nodes: ['gpu-1'], reason: 'x'.repeat(1001), createdBy: 'a' }), code: 'BAD_USER_INPUT', message: /at most 1000/ },
    {
      name: 'drain of both system nodes',
      run: () => planDrain(cluster(), { nodes: ['sys-1', 'sys-2'], ...by }),
      code: 'LAST_SYSTEM_NODE',
      message:
        /^this plan would leave no Ready Run:ai system node \(sys-1, sys-2 are the last ones\)\. Designate a temporary system node first, e\.g\. nodeplan plan relabel cpu-1 --roles cpu-worker,system --reason "temporary system node" \(GraphQL: planRelabel\(input: \{node: "cpu-1", roles: \[CPU_WORKER, SYSTEM\], reason: "temporary system node"\}\)\), apply that plan, then plan this again/,
    },
    { name: 'drain of the last Ready system node', run: () => planDrain(withSys2Drained(), { nodes: ['sys-1'], ...by }), code: 'LAST_SYSTEM_NODE', message: /\(sys-1 is the last one\)/ },
    { name: 'decommission of the last Ready system node', run: () => planDecommission(withSys2Drained(), { nodes: ['sys-1'], ...by }), code: 'LAST_SYSTEM_NODE', message: /planRelabel/ },
    { name: 'relabel removing SYSTEM from the last one', run: () => planRelabel(withSys2Drained(), { node: 'sys-1', roles: [], ...by }), code: 'LAST_SYSTEM_NODE', message: /sys-1 is the last one/ },
    { name: 'relabel with an unknown role', run: () => planRelabel(cluster(), { node: 'gpu-1', roles: ['BOSS' as 'SYSTEM'], ...by }), code: 'BAD_USER_INPUT', message: /roles: "BOSS" is not a role/ },
    { name: 'relabel of an unknown node', run: () => planRelabel(cluster(), { node: 'gpu-9', roles: [], ...by }), code: 'BAD_USER_INPUT', message: /no node "gpu-9"/ },
    { name: 'rejoin with nothing stored', run: () => planRejoin(cluster(), { nodes: ['gpu-1'], ...by, stored: {} }), code: 'BAD_USER_INPUT', message: /nothing stored to restore for node gpu-1/ },
    { name: 'rejoin of a node not registered', run: () => planRejoin(cluster(), { nodes: ['gpu-9'], ...by, stored: { 'gpu-9': {} } }), code: 'BAD_USER_INPUT', message: /no node "gpu-9"/ },
  ]
  it.each(cases)('$name → $code', ({ run, code, message }) => {
    const error = refusal(run)
    expect(error.code).toBe(code)
    expect(error.message).toMatch(message)
  })

  it('says when no node can take the system role', () => {
    const snapshot = buildSnapshot([buildNode('sys-1', { roles: ['SYSTEM'] }), buildNode('gpu-1', { drained: true })])
    expect(refusal(() => planDrain(snapshot, { nodes: ['sys-1'], ...by })).message).toMatch(/No other Ready node can take the role now/)
  })

  it('does not refuse a plan in a cluster that has no Ready system node to lose', () => {
    const snapshot = buildSnapshot([buildNode('gpu-1'), buildNode('gpu-2')])
    expect(planDrain(snapshot, { nodes: ['gpu-1'], ...by }).impact.readySystemNodesAfter).toBe(0)
  })
})

describe('planUndrain', () => {
  it.each([
    { name: 'removes the drain taint; the node and its 8 GPUs return to service', node: 'gpu-2', action: 'DELETE', before: DRAIN_TAINT, after: null, back: 1, gpusBack: 8 },
    { name: 'is a NO_OP where there is none, and returns nothing', node: 'gpu-1', action: 'NO_OP', before: null, after: null, back: 0, gpusBack: 0 },
  ])('$name', ({ node, action, before, after, back, gpusBack }) => {
    const draft = planUndrain(cluster(), { nodes: [node], ...by })
    expect(draft.kind).toBe('UNDRAIN')
    expect(draft.changes).toEqual([{ address: `node/${node}/taint/runai:NoExecute`, node, resource: 'TAINT', target: { node, key: 'runai', effect: 'NoExecute' }, action, before, after, reason: action === 'NO_OP' ? 'ALREADY_DONE' : 'REQUESTED' }])
    expect(draft.impact).toMatchObject({ nodes: 0, gpus: 0, automaticallyRescheduled: [], manualRelocation: [], nodesReturningToService: back, gpusReturningToService: gpusBack })
  })

  it('counts every undrained node and its GPUs, a CPU node with none', () => {
    const snapshot = cluster()
    snapshot.nodes = snapshot.nodes.map((n) => (n.name === 'gpu-4' || n.name === 'cpu-1' ? { ...n, taints: [DRAIN_TAINT] } : n))
    expect(planUndrain(snapshot, { nodes: ['gpu-2', 'gpu-4', 'cpu-1', 'gpu-1'], ...by }).impact).toMatchObject({ nodesReturningToService: 3, gpusReturningToService: 16 })
    // A drain returns nothing.
    expect(planDrain(snapshot, { nodes: ['gpu-1'], ...by }).impact).toMatchObject({ nodesReturningToService: 0, gpusReturningToService: 0 })
  })

  it('counts an undrained system node again', () => {
    const snapshot = cluster()
    snapshot.nodes = snapshot.nodes.map((n) => (n.name === 'sys-2' ? { ...n, taints: [DRAIN_TAINT] } : n))
    expect(planUndrain(snapshot, { nodes: ['sys-2'], ...by }).impact.readySystemNodesAfter).toBe(2)
  })

  it('warns about a node that stays cordoned', () => {
    const snapshot = cluster()
    snapshot.nodes = snapshot.nodes.map((n) => (n.name === 'gpu-2' ? { ...n, unschedulable: true } : n))
    expect(planUndrain(snapshot, { nodes: ['gpu-2'], ...by }).warnings).toContain('node gpu-2 stays cordoned (spec.unschedulable): uncordon it for new pods to land there')
  })
})

describe('planDecommission', () => {
  it('drains, then deletes the node, keeping its non-kubelet labels for a rejoin', () => {
    const draft = planDecommission(cluster(), { nodes: ['gpu-1'], ...by })
    expect(draft.changes).toEqual([
      { address: 'node/gpu-1/taint/runai:NoExecute', node: 'gpu-1', resource: 'TAINT', target: { node: 'gpu-1', key: 'runai', effect: 'NoExecute' }, action: 'CREATE', before: null, after: DRAIN_TAINT, reason: 'DECOMMISSION' },
      { address: 'node/gpu-1', node: 'gpu-1', resource: 'NODE', target: { node: 'gpu-1' }, action: 'DELETE', before: { name: 'gpu-1', labels: { [GPU]: '', team: 'vision' } }, after: null, reason: 'DECOMMISSION' },
    ])
    expect(draft.impact).toMatchObject({ nodes: 1, gpus: 8 })
    expect(draft.impact.automaticallyRescheduled.map((w) => w.name)).toEqual(['bert', 'web'])
    expect(draft.impact.manualRelocation.map((w) => w.name)).toEqual(['jupyter'])
    expect(draft.warnings).toContain(
      'node gpu-1 will be deleted, which cannot be rolled back: to bring it back, nodeplan join-command (createJoinCommand), run the join command on the machine, then nodeplan plan rejoin gpu-1 (planRejoin) restores its 2 stored labels',
    )
  })

  it('keeps the drain a NO_OP on a drained node and counts its GPUs as already out', () => {
    const draft = planDecommission(cluster(), { nodes: ['gpu-2'], ...by })
    expect(draft.changes.map((c) => [c.resource, c.action])).toEqual([['TAINT', 'NO_OP'], ['NODE', 'DELETE']])
    expect(draft.impact).toMatchObject({ nodes: 1, gpus: 0 })
    expect(draft.impact.automaticallyRescheduled.map((w) => w.name)).toEqual(['other-0'])
  })

  it('orders changes per node, taint before delete, nodes in request order', () => {
    const draft = planDecommission(cluster(), { nodes: ['cpu-1', 'gpu-1'], ...by })
    expect(draft.changes.map((c) => c.address)).toEqual(['node/cpu-1/taint/runai:NoExecute', 'node/cpu-1', 'node/gpu-1/taint/runai:NoExecute', 'node/gpu-1'])
  })
})

describe('planRejoin', () => {
  const rejoined = (): ClusterSnapshot => {
    const snapshot = cluster()
    // Registered again: only the kubelet's labels, a stale drain taint left by hand.
    return { ...snapshot, nodes: [...snapshot.nodes, buildNode('gpu-9', { roles: [], extraLabels: { team: 'old' }, taints: [DRAIN_TAINT, { key: 'other', effect: 'NoSchedule' }] })] }
  }
  const stored = { 'gpu-9': { [GPU]: '', team: 'vision', 'kubernetes.io/hostname': 'elsewhere', zone: 'z1' } }

  it('restores stored labels (CREATE, UPDATE), then lifts the drain taint', () => {
    const draft = planRejoin(rejoined(), { nodes: ['gpu-9'], ...by, stored })
    expect(draft.kind).toBe('REJOIN')
    expect(draft.changes).toEqual([
      { address: `node/gpu-9/label/${GPU}`, node: 'gpu-9', resource: 'LABEL', target: { node: 'gpu-9', key: GPU }, action: 'CREATE', before: null, after: '', reason: 'REJOIN' },
      { address: 'node/gpu-9/label/team', node: 'gpu-9', resource: 'LABEL', target: { node: 'gpu-9', key: 'team' }, action: 'UPDATE', before: 'old', after: 'vision', reason: 'REJOIN' },
      { address: 'node/gpu-9/label/zone', node: 'gpu-9', resource: 'LABEL', target: { node: 'gpu-9', key: 'zone' }, action: 'CREATE', before: null, after: 'z1', reason: 'REJOIN' },
      { address: 'node/gpu-9/taint/runai:NoExecute', node: 'gpu-9', resource: 'TAINT', target: { node: 'gpu-9', key: 'runai', effect: 'NoExecute' }, action: 'DELETE', before: DRAIN_TAINT, after: null, reason: 'REJOIN' },
    ])
    expect(draft.inputs).toEqual([
      { node: 'gpu-9', exists: true, uid: 'uid-gpu-9', taintIds: ['runai:NoExecute'], taints: [DRAIN_TAINT], labelKeys: [GPU, 'team', 'zone'], labels: { team: 'old' } },
    ])
  })

  it('is NO_OP for labels already in place', () => {
    const snapshot = cluster()
    const draft = planRejoin(snapshot, { nodes: ['gpu-1'], ...by, stored: { 'gpu-1': { [GPU]: '', team: 'vision' } } })
    expect(draft.changes.map((c) => c.action)).toEqual(['NO_OP', 'NO_OP'])
  })

  it('restoring the SYSTEM role counts the node as a system node', () => {
    const snapshot = { ...cluster(), nodes: [...cluster().nodes, buildNode('sys-3', { roles: [] })] }
    expect(planRejoin(snapshot, { nodes: ['sys-3'], ...by, stored: { 'sys-3': { [SYSTEM]: '' } } }).impact.readySystemNodesAfter).toBe(3)
  })
})

describe('planRelabel', () => {
  it('designates a temporary system node and says its rollback retires it', () => {
    const draft = planRelabel(cluster(), { node: 'gpu-1', roles: ['GPU_WORKER', 'SYSTEM'], ...by })
    expect(draft.changes).toEqual([
      { address: `node/gpu-1/label/${SYSTEM}`, node: 'gpu-1', resource: 'LABEL', target: { node: 'gpu-1', key: SYSTEM }, action: 'CREATE', before: null, after: '', reason: 'REQUESTED' },
      { address: `node/gpu-1/label/${GPU}`, node: 'gpu-1', resource: 'LABEL', target: { node: 'gpu-1', key: GPU }, action: 'NO_OP', before: '', after: '', reason: 'ALREADY_DONE' },
    ])
    expect(draft.impact.readySystemNodesAfter).toBe(3)
    expect(draft.warnings).toEqual(['node gpu-1 becomes a temporary Run:ai system node: rolling back this plan retires it'])
    expect(draft.inputs[0]!.labelKeys).toEqual([SYSTEM, GPU])
  })

  it.each([
    { name: 'swaps roles', node: 'cpu-1', roles: ['GPU_WORKER'] as const, actions: [['GPU', 'CREATE'], ['CPU', 'DELETE']] },
    { name: 'removes every role', node: 'cpu-1', roles: [] as const, actions: [['CPU', 'DELETE']] },
    { name: 'changes nothing', node: 'sys-1', roles: ['SYSTEM'] as const, actions: [['SYSTEM', 'NO_OP']] },
    { name: 'removes SYSTEM from one of two', node: 'sys-1', roles: ['CPU_WORKER'] as const, actions: [['SYSTEM', 'DELETE'], ['CPU', 'CREATE']] },
  ])('$name', ({ node, roles, actions }) => {
    const keys: Record<string, string> = { SYSTEM, GPU, CPU }
    const draft = planRelabel(cluster(), { node, roles: [...roles], ...by })
    expect(draft.changes.map((c) => [c.address, c.action])).toEqual(actions.map(([role, action]) => [`node/${node}/label/${keys[role!]}`, action]))
  })

  it('warns that a drained node designated as system does not count', () => {
    const draft = planRelabel(cluster(), { node: 'gpu-2', roles: ['GPU_WORKER', 'SYSTEM'], ...by })
    expect(draft.warnings).toContain('node gpu-2 is drained, so it will not count as a Ready system node')
    expect(draft.impact.readySystemNodesAfter).toBe(2)
  })
})
