import { describe, expect, it } from 'vitest'
import { DRAIN_TAINT, type NodeState } from '../../../src/domain/cluster.js'
import { afterChange } from '../../../src/domain/change-target.js'
import { labelChange, nodeDeletion, taintChange } from '../../../src/domain/change.js'
import type { Change } from '../../../src/domain/plan.js'
import { buildNode } from '../../factories.js'

const SYSTEM = 'node-role.kubernetes.io/runai-system'
const maint = { key: 'runai', value: 'maint', effect: 'NoExecute' as const }

describe('afterChange', () => {
  const plain = buildNode('gpu-1', { extraLabels: { zone: 'a' } })
  const drained = buildNode('gpu-1', { drained: true, roles: ['GPU_WORKER', 'SYSTEM'] })
  const maintained = buildNode('gpu-1', { taints: [maint] })
  /** What the node holds where the change writes: the taint of its key:effect, the label's value, the node. */
  const live = (change: Change, node: NodeState | undefined): unknown => {
    if (change.resource === 'NODE') return node
    if (change.resource === 'TAINT') return node?.taints.find((t) => t.key === change.target.key && t.effect === change.target.effect)
    return node?.labels[change.target.key]
  }
  const cases: { name: string; change: Change; node: NodeState }[] = [
    { name: 'taint CREATE', change: taintChange('gpu-1', null, DRAIN_TAINT, 'REQUESTED'), node: plain },
    { name: 'taint CREATE, same key:effect, other value', change: taintChange('gpu-1', null, DRAIN_TAINT, 'REQUESTED'), node: maintained },
    { name: 'taint DELETE', change: taintChange('gpu-1', DRAIN_TAINT, null, 'REQUESTED'), node: drained },
    { name: 'taint UPDATE', change: taintChange('gpu-1', maint, DRAIN_TAINT, 'REQUESTED'), node: maintained },
    { name: 'label CREATE', change: labelChange('gpu-1', SYSTEM, null, '', 'REQUESTED'), node: plain },
    { name: 'label DELETE', change: labelChange('gpu-1', SYSTEM, '', null, 'REQUESTED'), node: drained },
    { name: 'label UPDATE', change: labelChange('gpu-1', 'zone', 'a', 'b', 'REQUESTED'), node: plain },
  ]
  it.each(cases)('$name: the node then holds the change\'s after state', ({ change, node }) => {
    expect(live(change, afterChange(node, change))).toEqual(change.after ?? undefined)
  })

  it('a node deletion leaves no node; a NO_OP leaves the node as it is', () => {
    expect(afterChange(plain, nodeDeletion('gpu-1', { name: 'gpu-1', labels: {} }, 'DECOMMISSION'))).toBeUndefined()
    expect(afterChange(plain, labelChange('gpu-1', 'zone', 'x', 'x', 'REQUESTED'))).toBe(plain)
  })

  it('afterChange leaves the input node and other taints alone', () => {
    const node = buildNode('gpu-1', { taints: [{ key: 'other', effect: 'NoSchedule' }] })
    const next = afterChange(node, taintChange('gpu-1', null, DRAIN_TAINT, 'REQUESTED'))
    expect(next?.taints).toEqual([{ key: 'other', effect: 'NoSchedule' }, DRAIN_TAINT])
    expect(node.taints).toEqual([{ key: 'other', effect: 'NoSchedule' }])
  })
})
