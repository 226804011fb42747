import { describe, expect, it } from 'vitest'
import { DRAIN_TAINT, type LabelSelector } from '../../../src/domain/cluster.js'
import { taintChange } from '../../../src/domain/change.js'
import { assess, selects } from '../../../src/domain/drain-impact.js'
import { buildNode, buildPdb, buildPod, buildSnapshot } from '../../factories.js'

describe('selects (label selectors)', () => {
  const labels = { app: 'web', tier: 'front' }
  it.each<[string, LabelSelector, boolean]>([
    ['empty selector', {}, true],
    ['matchLabels hit', { matchLabels: { app: 'web' } }, true],
    ['matchLabels miss', { matchLabels: { app: 'db' } }, false],
    ['In hit', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }, true],
    ['In miss', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] }, false],
    ['NotIn hit', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['back'] }] }, true],
    ['NotIn on a missing key', { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, true],
    ['Exists hit', { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, true],
    ['Exists miss', { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, false],
    ['DoesNotExist hit', { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, true],
    ['DoesNotExist miss', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
    ['labels and expressions must both hold', { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] }, false],
  ])('%s → %s', (_name, selector, expected) => {
    expect(selects(selector, labels)).toBe(expected)
  })
})

describe('PDB warnings', () => {
  const nodes = [buildNode('sys-1', { roles: ['SYSTEM'] }), buildNode('sys-2', { roles: ['SYSTEM'] }), buildNode('gpu-1'), buildNode('gpu-2')]
  const index = new Map(nodes.map((n) => [n.name, n]))
  const drainGpu1 = [taintChange('gpu-1', null, DRAIN_TAINT, 'REQUESTED')]

  it.each([
    { name: 'a PDB covering evicted pods', pdb: buildPdb('web'), pods: [{ app: 'web' }, { app: 'web' }], warned: true },
    { name: 'a PDB in another namespace', pdb: buildPdb('web', { namespace: 'other' }), pods: [{ app: 'web' }], warned: false },
    { name: 'a PDB selecting other pods', pdb: buildPdb('db', { selector: { matchLabels: { app: 'db' } } }), pods: [{ app: 'web' }], warned: false },
  ])('$name → warned: $warned', ({ pdb, pods, warned }) => {
    const snapshot = buildSnapshot(
      nodes,
      pods.map((labels, i) => buildPod(`web-${i}`, { nodeName: 'gpu-1', labels, owner: { kind: 'StatefulSet', name: 'web' } })),
      [pdb],
    )
    const warnings = assess(snapshot, index, drainGpu1).warnings
    expect(warnings.some((w) => w.startsWith('PodDisruptionBudget'))).toBe(warned)
    if (warned) expect(warnings).toContain(`PodDisruptionBudget runai-team-a/web covers ${pods.length} pods of runai-team-a/web that the taint evicts without consulting it (the taint manager deletes pods directly)`)
  })

  it('ignores pods that tolerate the drain taint, and pods on other nodes', () => {
    const snapshot = buildSnapshot(
      nodes,
      [
        buildPod('agent', { nodeName: 'gpu-1', labels: { app: 'web' }, tolerations: [{ operator: 'Exists' }] }),
        buildPod('elsewhere', { nodeName: 'gpu-2', labels: { app: 'web' } }),
      ],
      [buildPdb('web')],
    )
    const { warnings, impact } = assess(snapshot, index, drainGpu1)
    expect(warnings).toEqual([])
    expect(impact.automaticallyRescheduled).toEqual([])
    expect(impact.manualRelocation).toEqual([])
  })

  it('lists a workload spread over two drained nodes once', () => {
    const snapshot = buildSnapshot(nodes, [
      buildPod('bert-0', { nodeName: 'gpu-1', owner: { kind: 'MPIJob', name: 'bert' }, gpus: 8 }),
      buildPod('bert-1', { nodeName: 'gpu-2', owner: { kind: 'MPIJob', name: 'bert' }, gpus: 8 }),
    ])
    const { impact } = assess(snapshot, index, [...drainGpu1, taintChange('gpu-2', null, DRAIN_TAINT, 'REQUESTED')])
    expect(impact.automaticallyRescheduled).toEqual([
      { namespace: 'runai-team-a', name: 'bert', kind: 'TRAINING', relocation: 'AUTOMATIC', project: null, gpus: 16, pods: 2 },
    ])
  })
})
