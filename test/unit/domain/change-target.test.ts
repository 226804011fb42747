import { describe, expect, it } from 'vitest'
import { DRAIN_TAINT, type NodeState } from '../../../src/domain/cluster.js'
import { afterChange, atTarget } from '../../../src/domain/change-target.js'
import { labelChange, nodeDeletion, taintChange } from '../../../src/domain/change.js'
import type { Change } from '../../../src/domain/plan.js'
import { buildNode } from '../../factories.js'

const SYSTEM = 'node-role.kubernetes.io/runai-system'
const maint = { key: 'runai', value: 'maint', effect: 'NoExecute' as const }

describe('atTarget', () => {
  const plain = buildNode('gpu-1', { extraLabels: { zone: 'a' } })
  const drained = buildNode('gpu-1', { drained: true, roles: ['GPU_WORKER', 'SYSTEM'] })
  const maintained = buildNode('gpu-1', { taints: [maint] })
  const cases: { name: string; change: Change; node: NodeState | undefined; expected: boolean }[] = [
    { name: 'taint CREATE, taint absent', change: taintChange('gpu-1', null, DRAIN_TAINT, 'REQUESTED'), node: plain, expected: false },
    { name: 'taint CREATE, taint present', change: taintChange('gpu-1', null, DRAIN_TAINT, 'REQUESTED'), node: drained, expected: true },
    { name: 'taint CREATE, same key:effect, other value', change: taintChange('gpu-1', null, DRAIN_TAINT, 'REQUESTED'), node: maintained, expected: false },
    { name: 'taint CREATE, node gone', change: taintChange('gpu-1', null, DRAIN_TAINT, 'REQUESTED'), node: undefined, expected: false },
    { name: 'taint DELETE, taint present', change: taintChange('gpu-1', DRAIN_TAINT, null, 'REQUESTED'), node: drained, expected: false },
    { name: 'taint DELETE, taint absent', change: taintChange('gpu-1', DRAIN_TAINT, null, 'REQUESTED'), node: plain, expected: true },
    { name: 'taint UPDATE, old value live', change: taintChange('gpu-1', maint, DRAIN_TAINT, 'REQUESTED'), node: maintained, expected: false },
    { name: 'taint UPDATE, new value live', change: taintChange('gpu-1', maint, DRAIN_TAINT, 'REQUESTED'), node: drained, expected: true },
    { name: 'label CREATE, absent', change: labelChange('gpu-1', SYSTEM, null, '', 'REQUESTED'), node: plain, expected: false },
    { name: 'label CREATE, present', change: labelChange('gpu-1', SYSTEM, null, '', 'REQUESTED'), node: drained, expected: true },
    { name: 'label DELETE, present', change: labelChange('gpu-1', SYSTEM, '', null, 'REQUESTED'), node: drained, expected: false },
    { name: 'label DELETE, absent', change: labelChange('gpu-1', SYSTEM, '', null, 'REQUESTED'), node: plain, expected: true },
    { name: 'label UPDATE, old value', change: labelChange('gpu-1', 'zone', 'a', 'b', 'REQUESTED'), node: plain, expected: false },
    { name: 'label UPDATE, new value', change: labelChange('gpu-1', 'zone', 'b', 'a', 'REQUESTED'), node: plain, expected: true },
    { name: 'node DELETE, node present', change: nodeDeletion('gpu-1', { name: 'gpu-1', labels: {} }, 'DECOMMISSION'), node: plain, expected: false },
    { name: 'node DELETE, node gone', change: nodeDeletion('gpu-1', { name: 'gpu-1', labels: {} }, 'DECOMMISSION'), node: undefined, expected: true },
    { name: 'NO_OP', change: labelChange('gpu-1', 'zone', 'x', 'x', 'REQUESTED'), node: plain, expected: true },
  ]
  it.each(cases)('$name → $expected', ({ change, node, expected }) => {
    expect(atTarget(change, node)).toBe(expected)
  })

  it.each(cases.filter((c) => c.node !== undefined && c.change.action !== 'NO_OP'))('after applying ($name) the node is at target', ({ change, node }) => {
    expect(atTarget(change, afterChange(node, change))).toBe(true)
  })

  it('afterChange leaves the input node and other taints alone', () => {
    const node = buildNode('gpu-1', { taints: [{ key: 'other', effect: 'NoSchedule' }] })
    const next = afterChange(node, taintChange('gpu-1', null, DRAIN_TAINT, 'REQUESTED'))
    expect(next?.taints).toEqual([{ key: 'other', effect: 'NoSchedule' }, DRAIN_TAINT])
    expect(node.taints).toEqual([{ key: 'other', effect: 'NoSchedule' }])
  })
})
