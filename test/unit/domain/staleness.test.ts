import { describe, expect, it } from 'vitest'
import { DRAIN_TAINT, type NodeState } from '../../../src/domain/cluster.js'
import { planDrain, planRelabel } from '../../../src/domain/planner.js'
import { staleness } from '../../../src/domain/staleness.js'
import { buildNode, buildPod, buildSnapshot } from '../../factories.js'

const SYSTEM = 'node-role.kubernetes.io/runai-system'

describe('staleness', () => {
  const nodes = [buildNode('sys-1', { roles: ['SYSTEM'] }), buildNode('gpu-1', { extraLabels: { zone: 'a' } }), buildNode('gpu-2')]
  const drain = planDrain(buildSnapshot(nodes), { nodes: ['gpu-1'], reason: 'maintenance', createdBy: 'alice' })
  const relabel = planRelabel(buildSnapshot(nodes), { node: 'gpu-2', roles: ['GPU_WORKER', 'SYSTEM'], reason: 'temporary', createdBy: 'alice' })
  const gpu1 = nodes[1]!
  const gpu2 = nodes[2]!

  type Case = { name: string; plan: typeof drain; live: NodeState | undefined; expected: { node: string; field: string; message: RegExp }[] }
  const cases: Case[] = [
    { name: 'nothing changed', plan: drain, live: gpu1, expected: [] },
    { name: 'a heartbeat (resourceVersion) changed', plan: drain, live: { ...gpu1, resourceVersion: '99' }, expected: [] },
    { name: 'another label changed', plan: drain, live: { ...gpu1, labels: { ...gpu1.labels, zone: 'b', team: 'x' } }, expected: [] },
    { name: 'another taint appeared', plan: drain, live: { ...gpu1, taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }] }, expected: [] },
    { name: 'the node went NotReady', plan: drain, live: { ...gpu1, ready: false, notReadySince: '2026-01-01T00:00:00Z' }, expected: [] },
    {
      name: 'the drain taint appeared',
      plan: drain,
      live: { ...gpu1, taints: [DRAIN_TAINT] },
      expected: [{ node: 'gpu-1', field: 'taint runai:NoExecute', message: /gpu-1: taint runai:NoExecute was absent when the plan was made, now runai=drain:NoExecute/ }],
    },
    {
      name: 'the drain taint key:effect appeared with another value',
      plan: drain,
      live: { ...gpu1, taints: [{ key: 'runai', value: 'x', effect: 'NoExecute' }] },
      expected: [{ node: 'gpu-1', field: 'taint runai:NoExecute', message: /now runai=x:NoExecute/ }],
    },
    {
      name: 'a role label appeared',
      plan: drain,
      live: { ...gpu1, labels: { ...gpu1.labels, [SYSTEM]: '' } },
      expected: [{ node: 'gpu-1', field: `label ${SYSTEM}`, message: /label node-role.kubernetes.io\/runai-system was absent when the plan was made, now ""/ }],
    },
    {
      name: 'a role label went away',
      plan: relabel,
      live: { ...gpu2, labels: { 'kubernetes.io/hostname': 'gpu-2' } },
      expected: [{ node: 'gpu-2', field: 'label node-role.kubernetes.io/runai-gpu-worker', message: /was "" when the plan was made, now absent/ }],
    },
    { name: 'the node was deleted', plan: drain, live: undefined, expected: [{ node: 'gpu-1', field: 'existence', message: /gpu-1 was deleted since the plan was made/ }] },
    {
      name: 'the node was deleted and registered again',
      plan: drain,
      live: { ...gpu1, uid: 'uid-new' },
      expected: [{ node: 'gpu-1', field: 'existence', message: /deleted and registered again/ }],
    },
  ]
  it.each(cases)('$name', ({ plan, live, expected }) => {
    const found = staleness(plan.inputs, (name) => (name === live?.name ? live : undefined))
    expect(found).toHaveLength(expected.length)
    expected.forEach((e, i) => {
      expect(found[i]).toMatchObject({ node: e.node, field: e.field })
      expect(found[i]!.message).toMatch(e.message)
    })
  })

  it('a node absent at plan time that appears counts', () => {
    const found = staleness([{ node: 'gone', exists: false, uid: null, taintIds: [], taints: [], labelKeys: [], labels: {} }], () => buildNode('gone'))
    expect(found).toEqual([{ node: 'gone', field: 'existence', message: 'node gone was registered since the plan was made' }])
  })

  it('new pods do not count (they are not inputs)', () => {
    const withPods = planDrain(buildSnapshot(nodes, [buildPod('p', { nodeName: 'gpu-1' })]), { nodes: ['gpu-1'], reason: 'r', createdBy: 'a' })
    expect(withPods.inputs).toEqual(drain.inputs)
  })
})
