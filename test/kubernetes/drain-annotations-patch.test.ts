import { describe, expect, it } from 'vitest'
import { knownNodePatch, nodePatch, type RawNode } from '../../src/adapters/kubernetes/node-patch.js'
import { taintChange } from '../../src/domain/change.js'
import { DRAIN_TAINT } from '../../src/domain/cluster.js'
import { drainAnnotations } from '../../src/domain/drain-annotations.js'
import { buildNode } from '../factories.js'

const DRAIN_RAW = { key: 'runai', value: 'drain', effect: 'NoExecute' }
const ours = drainAnnotations({ planId: 'plan-1', reason: 'CHG-1', actor: 'alice', since: new Date('2026-12-06T00:00:00Z') })
const node = (annotations: Record<string, string> | undefined, taints?: (typeof DRAIN_RAW)[]): RawNode => ({
  metadata: { name: 'gpu-1', uid: 'u1', resourceVersion: '17', ...(annotations ? { annotations } : {}) },
  spec: taints ? { taints } : {},
})
const drain = taintChange('gpu-1', null, DRAIN_TAINT, 'REQUESTED')
const undrain = taintChange('gpu-1', DRAIN_TAINT, null, 'REQUESTED')

describe('the drain annotations in the drain taint patch', () => {
  it('should add each of nodeplan\'s keys by its escaped path, beside annotations it leaves alone', () => {
    expect(nodePatch(drain, node({ 'team.example/owner': 'ml' }), ours)).toEqual({
      kind: 'patch',
      ops: [
        { op: 'test', path: '/metadata/resourceVersion', value: '17' },
        { op: 'add', path: '/spec/taints', value: [DRAIN_RAW] },
        { op: 'add', path: '/metadata/annotations/nodeplan.io~1plan', value: 'plan-1' },
        { op: 'add', path: '/metadata/annotations/nodeplan.io~1reason', value: 'CHG-1' },
        { op: 'add', path: '/metadata/annotations/nodeplan.io~1actor', value: 'alice' },
        { op: 'add', path: '/metadata/annotations/nodeplan.io~1since', value: '2026-12-06T00:00:00.000Z' },
      ],
    })
  })

  it('should add the whole map to a node without annotations, guarded by the resourceVersion', () => {
    const decision = nodePatch(drain, node(undefined), ours)
    expect(decision.kind === 'patch' && decision.ops.slice(-2)).toEqual([
      { op: 'test', path: '/metadata/resourceVersion', value: '17' },
      { op: 'add', path: '/metadata/annotations', value: ours },
    ])
  })

  it('should remove only nodeplan\'s keys that are there, with the taint', () => {
    const live = { 'team.example/owner': 'ml', 'nodeplan.io/plan': 'plan-1', 'nodeplan.io/since': 'x' }
    expect(nodePatch(undrain, node(live, [DRAIN_RAW]))).toEqual({
      kind: 'patch',
      ops: [
        { op: 'test', path: '/spec/taints/0', value: DRAIN_RAW },
        { op: 'remove', path: '/spec/taints/0' },
        { op: 'remove', path: '/metadata/annotations/nodeplan.io~1plan' },
        { op: 'remove', path: '/metadata/annotations/nodeplan.io~1since' },
      ],
    })
  })

  it('should leave annotations alone for other taints and when the taint is already in place', () => {
    const other = taintChange('gpu-1', null, { key: 'team', value: 'x', effect: 'NoSchedule' }, 'REQUESTED')
    const decision = nodePatch(other, node({}), ours)
    expect(decision.kind === 'patch' && decision.ops.some((op) => op.path.startsWith('/metadata/annotations'))).toBe(false)
    expect(nodePatch(drain, node({}, [DRAIN_RAW]), ours)).toEqual({ kind: 'already' })
  })

  it('should set keys one by one from the cache\'s state, and remove each by setting then removing it (the cache keeps no annotations)', () => {
    const known = buildNode('gpu-1', { taints: [] })
    const set = knownNodePatch(drain, known, ours)
    expect(set.kind === 'patch' && set.ops.filter((op) => op.path.startsWith('/metadata/annotations'))).toEqual(
      Object.entries(ours).map(([key, value]) => ({ op: 'add', path: `/metadata/annotations/${key.replace('/', '~1')}`, value })),
    )
    const removed = knownNodePatch(undrain, buildNode('gpu-1', { taints: [DRAIN_TAINT] }))
    expect(removed.kind === 'patch' && removed.ops.filter((op) => op.path.startsWith('/metadata/annotations')).slice(0, 2)).toEqual([
      { op: 'add', path: '/metadata/annotations/nodeplan.io~1plan', value: '' },
      { op: 'remove', path: '/metadata/annotations/nodeplan.io~1plan' },
    ])
  })
})
