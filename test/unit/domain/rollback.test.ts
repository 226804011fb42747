import { describe, expect, it } from 'vitest'
import { DRAIN_TAINT, type ClusterSnapshot, type NodeState } from '../../../src/domain/cluster.js'
import type { Plan } from '../../../src/domain/plan.js'
import { planDecommission, planDrain, planRejoin, planRelabel, planRollback, planUndrain } from '../../../src/domain/planner.js'
import { buildNode, buildPlan, buildPod, buildSnapshot, refusal } from '../../factories.js'

const SYSTEM = 'node-role.kubernetes.io/runai-system'
const by = { reason: 'undo', createdBy: 'bob' }
const made = { reason: 'maintenance', createdBy: 'alice' }

const base = (): NodeState[] => [buildNode('sys-1', { roles: ['SYSTEM'] }), buildNode('gpu-1'), buildNode('gpu-2')]

/** The snapshot with some nodes replaced (as the plan's apply and later writers left them). */
function live(nodes: NodeState[], changed: Record<string, Partial<NodeState> | null>): ClusterSnapshot {
  return buildSnapshot(
    nodes.flatMap((n) => {
      if (!(n.name in changed)) return [n]
      const patch = changed[n.name]
      return patch === null ? [] : [{ ...n, ...patch }]
    }),
  )
}

describe('planRollback', () => {
  const drained: Plan = buildPlan(planDrain(buildSnapshot(base()), { nodes: ['gpu-1', 'gpu-2'], ...made }), { id: 'p-drain' })

  it('removes the taints an applied drain added', () => {
    const draft = planRollback(live(base(), { 'gpu-1': { taints: [DRAIN_TAINT] }, 'gpu-2': { taints: [DRAIN_TAINT] } }), drained, by)
    expect(draft).toMatchObject({ kind: 'ROLLBACK', rollbackOf: 'p-drain', nodes: ['gpu-1', 'gpu-2'], reason: 'undo', createdBy: 'bob', warnings: [] })
    expect(draft.changes).toEqual([
      { address: 'node/gpu-1/taint/runai:NoExecute', node: 'gpu-1', resource: 'TAINT', target: { node: 'gpu-1', key: 'runai', effect: 'NoExecute' }, action: 'DELETE', before: DRAIN_TAINT, after: null, reason: 'ROLLBACK' },
      { address: 'node/gpu-2/taint/runai:NoExecute', node: 'gpu-2', resource: 'TAINT', target: { node: 'gpu-2', key: 'runai', effect: 'NoExecute' }, action: 'DELETE', before: DRAIN_TAINT, after: null, reason: 'ROLLBACK' },
    ])
  })

  it("leaves a concurrent writer's later change alone, with a warning naming node, field and value", () => {
    const other = { key: 'runai', value: 'hardware-fault', effect: 'NoExecute' as const }
    const draft = planRollback(
      live(base(), { 'gpu-1': { taints: [other, { key: 'vendor', effect: 'NoSchedule' }] }, 'gpu-2': { taints: [DRAIN_TAINT, { key: 'vendor', effect: 'NoSchedule' }] } }),
      drained,
      by,
    )
    expect(draft.changes).toEqual([
      { address: 'node/gpu-1/taint/runai:NoExecute', node: 'gpu-1', resource: 'TAINT', target: { node: 'gpu-1', key: 'runai', effect: 'NoExecute' }, action: 'NO_OP', before: other, after: other, reason: 'CHANGED_SINCE' },
      { address: 'node/gpu-2/taint/runai:NoExecute', node: 'gpu-2', resource: 'TAINT', target: { node: 'gpu-2', key: 'runai', effect: 'NoExecute' }, action: 'DELETE', before: DRAIN_TAINT, after: null, reason: 'ROLLBACK' },
    ])
    expect(draft.warnings).toEqual([
      'node gpu-1: taint runai:NoExecute is now runai=hardware-fault:NoExecute, not runai=drain:NoExecute as plan p-drain set it: somebody changed it since, so it was left alone',
    ])
  })

  it('leaves alone a node that no longer exists', () => {
    const draft = planRollback(live(base(), { 'gpu-1': null, 'gpu-2': { taints: [DRAIN_TAINT] } }), drained, by)
    expect(draft.changes.map((c) => [c.node, c.action, c.reason])).toEqual([['gpu-1', 'NO_OP', 'CHANGED_SINCE'], ['gpu-2', 'DELETE', 'ROLLBACK']])
    expect(draft.warnings).toEqual(['node gpu-1 no longer exists: node/gpu-1/taint/runai:NoExecute was left alone'])
    expect(draft.inputs[0]).toMatchObject({ node: 'gpu-1', exists: false, uid: null })
  })

  it('re-drains what an undrain lifted, with the impact of a drain', () => {
    const before = base().map((n) => (n.name === 'gpu-1' ? { ...n, taints: [DRAIN_TAINT] } : n))
    const undrained = buildPlan(planUndrain(buildSnapshot(before), { nodes: ['gpu-1'], ...made }), { id: 'p-undrain' })
    const snapshot = buildSnapshot(base(), [buildPod('nb', { nodeName: 'gpu-1', priorityClassName: 'interactive', gpus: 1 })])
    const draft = planRollback(snapshot, undrained, by)
    expect(draft.changes).toEqual([
      { address: 'node/gpu-1/taint/runai:NoExecute', node: 'gpu-1', resource: 'TAINT', target: { node: 'gpu-1', key: 'runai', effect: 'NoExecute' }, action: 'CREATE', before: null, after: DRAIN_TAINT, reason: 'ROLLBACK' },
    ])
    expect(draft.impact).toMatchObject({ nodes: 1, gpus: 8, manualRelocation: [{ name: 'nb', kind: 'INTERACTIVE' }] })
  })

  it('retires a temporary system node and skips the NO_OP changes of its relabel', () => {
    const relabel = buildPlan(planRelabel(buildSnapshot(base()), { node: 'gpu-1', roles: ['GPU_WORKER', 'SYSTEM'], ...made }), { id: 'p-relabel' })
    const draft = planRollback(live(base(), { 'gpu-1': { labels: { ...base()[1]!.labels, [SYSTEM]: '' } } }), relabel, by)
    expect(draft.changes).toEqual([
      { address: `node/gpu-1/label/${SYSTEM}`, node: 'gpu-1', resource: 'LABEL', target: { node: 'gpu-1', key: SYSTEM }, action: 'DELETE', before: '', after: null, reason: 'ROLLBACK' },
    ])
    expect(draft.impact.readySystemNodesAfter).toBe(1)
  })

  it('refuses to retire the temporary system node while the original one is drained', () => {
    const relabel = buildPlan(planRelabel(buildSnapshot(base()), { node: 'gpu-1', roles: ['GPU_WORKER', 'SYSTEM'], ...made }), { id: 'p-relabel' })
    const snapshot = live(base(), { 'sys-1': { taints: [DRAIN_TAINT] }, 'gpu-1': { labels: { ...base()[1]!.labels, [SYSTEM]: '' } } })
    const error = refusal(() => planRollback(snapshot, relabel, by))
    expect(error.code).toBe('LAST_SYSTEM_NODE')
    expect(error.message).toMatch(/gpu-1 is the last one/)
    expect(error.message).toMatch(/planRelabel\(input: \{node: "gpu-2"/)
  })

  it('puts an updated label back and leaves a label somebody changed since', () => {
    const withLabels = base().map((n) => (n.name === 'gpu-1' ? { ...n, labels: { ...n.labels, team: 'old', zone: 'z0' } } : n))
    const rejoin = buildPlan(planRejoin(buildSnapshot(withLabels), { nodes: ['gpu-1'], ...made, stored: { 'gpu-1': { team: 'vision', zone: 'z1' } } }), { id: 'p-rejoin' })
    const after = live(withLabels, { 'gpu-1': { labels: { ...withLabels[1]!.labels, team: 'vision', zone: 'z9' } } })
    const draft = planRollback(after, rejoin, by)
    expect(draft.changes.map((c) => [c.address, c.action, c.before, c.after])).toEqual([
      ['node/gpu-1/label/zone', 'NO_OP', 'z9', 'z9'],
      ['node/gpu-1/label/team', 'UPDATE', 'vision', 'old'],
    ])
    expect(draft.warnings).toEqual(['node gpu-1: label zone is now "z9", not "z1" as plan p-rejoin set it: somebody changed it since, so it was left alone'])
  })

  it('cannot bring back a deleted node: it points to the rejoin path', () => {
    const decommission = buildPlan(planDecommission(buildSnapshot(base()), { nodes: ['gpu-2'], ...made }), { id: 'p-dec' })
    const draft = planRollback(live(base(), { 'gpu-2': null }), decommission, by)
    expect(draft.changes).toEqual([])
    expect(draft.warnings).toEqual([
      'node gpu-2 was deleted by plan p-dec; a deletion cannot be rolled back: run nodeplan join-command (createJoinCommand), join the machine with it, then nodeplan plan rejoin gpu-2 (planRejoin) restores its stored labels',
    ])
  })

  it('inverts only the applied changes of a FAILED plan', () => {
    const failed = buildPlan(planDrain(buildSnapshot(base()), { nodes: ['gpu-1', 'gpu-2'], ...made }), { id: 'p-failed', status: 'FAILED' })
    failed.changes[0] = { ...failed.changes[0]!, applied: true }
    failed.changes[1] = { ...failed.changes[1]!, applied: false, error: 'timeout' }
    const draft = planRollback(live(base(), { 'gpu-1': { taints: [DRAIN_TAINT] } }), failed, by)
    expect(draft.changes.map((c) => [c.node, c.action])).toEqual([['gpu-1', 'DELETE']])
  })

  it.each([
    { name: 'a PENDING plan', plan: buildPlan(drained, { id: 'p-drain', status: 'PENDING' }), message: /plan p-drain is PENDING: only an APPLIED plan, or a FAILED one with applied changes, can be rolled back/ },
    { name: 'a DISCARDED plan', plan: buildPlan(drained, { status: 'DISCARDED' }), message: /is DISCARDED/ },
    { name: 'a FAILED plan with nothing applied', plan: buildPlan(drained, { status: 'FAILED' }), message: /is FAILED with no change applied/ },
  ])('refuses $name with PLAN_NOT_APPLICABLE', ({ plan, message }) => {
    const error = refusal(() => planRollback(buildSnapshot(base()), plan, by))
    expect(error.code).toBe('PLAN_NOT_APPLICABLE')
    expect(error.message).toMatch(message)
  })

  it('refuses a blank reason', () => {
    expect(refusal(() => planRollback(buildSnapshot(base()), drained, { reason: '', createdBy: 'bob' })).code).toBe('BAD_USER_INPUT')
  })
})
