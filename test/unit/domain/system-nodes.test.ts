import { describe, expect, it } from 'vitest'
import { DRAIN_TAINT, type NodeState } from '../../../src/domain/cluster.js'
import { labelChange, nodeDeletion, taintChange } from '../../../src/domain/change.js'
import type { Change } from '../../../src/domain/plan.js'
import { readySystemNodes, readySystemNodesAfter } from '../../../src/domain/system-nodes.js'
import { buildNode } from '../../factories.js'

const SYSTEM = 'node-role.kubernetes.io/runai-system'
const index = (nodes: NodeState[]) => new Map(nodes.map((n) => [n.name, n]))

describe('Ready system nodes', () => {
  const nodes = [
    buildNode('sys-1', { roles: ['SYSTEM'] }),
    buildNode('sys-2', { roles: ['SYSTEM'] }),
    buildNode('sys-down', { roles: ['SYSTEM'], ready: false, notReadySince: '2026-01-01T00:00:00Z' }),
    buildNode('sys-drained', { roles: ['SYSTEM'], drained: true }),
    buildNode('gpu-1'),
    buildNode('gpu-down', { ready: false }),
  ]

  it('count system nodes that are Ready and not drained', () => {
    expect(readySystemNodes(nodes)).toBe(2)
  })

  const cases: { name: string; changes: Change[]; expected: number }[] = [
    { name: 'no changes', changes: [], expected: 2 },
    { name: 'draining a system node', changes: [taintChange('sys-1', null, DRAIN_TAINT, 'REQUESTED')], expected: 1 },
    { name: 'deleting a system node', changes: [nodeDeletion('sys-2', { name: 'sys-2', labels: {} }, 'DECOMMISSION')], expected: 1 },
    { name: 'removing the SYSTEM label', changes: [labelChange('sys-1', SYSTEM, '', null, 'REQUESTED')], expected: 1 },
    { name: 'designating a Ready worker', changes: [labelChange('gpu-1', SYSTEM, null, '', 'REQUESTED')], expected: 3 },
    { name: 'designating a NotReady worker', changes: [labelChange('gpu-down', SYSTEM, null, '', 'REQUESTED')], expected: 2 },
    { name: 'undraining a drained system node', changes: [taintChange('sys-drained', DRAIN_TAINT, null, 'REQUESTED')], expected: 3 },
    { name: 'draining a worker', changes: [taintChange('gpu-1', null, DRAIN_TAINT, 'REQUESTED')], expected: 2 },
    {
      name: 'draining both and designating a worker',
      changes: [taintChange('sys-1', null, DRAIN_TAINT, 'REQUESTED'), taintChange('sys-2', null, DRAIN_TAINT, 'REQUESTED'), labelChange('gpu-1', SYSTEM, null, '', 'REQUESTED')],
      expected: 1,
    },
    {
      name: 'designating a worker, then draining it in the same plan',
      changes: [labelChange('gpu-1', SYSTEM, null, '', 'REQUESTED'), taintChange('gpu-1', null, DRAIN_TAINT, 'REQUESTED')],
      expected: 2,
    },
  ]
  it.each(cases)('after $name: $expected', ({ changes, expected }) => {
    expect(readySystemNodesAfter(index(nodes), changes)).toBe(expected)
  })
})
